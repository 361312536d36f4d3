//! `tm image PROMPT`: generate images, save them (and a copy in the data directory), and
//! record the request with what it cost.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, Result};
use base64::Engine as _;
use serde::Serialize;

use crate::api::ApiError;
use crate::api::types::{ImageData, ImagesRequest};
use crate::app::{self, App, Opened};
use crate::attach;
use crate::budget::{self, Projection};
use crate::cli::ImageArgs;
use crate::error;
use crate::exchange;
use crate::image_rules::{self, Choice, Family};
use crate::money::Money;
use crate::paths;
use crate::prices::{ModelInfo, PriceTable};
use crate::store::image::{self, Image};
use crate::store::request::{self, Kind, NewRequest, Outcome, RequestResult};
use crate::store::{self, ImageId, RequestId};
use crate::ui::budget::{Cleared, Consent};
use crate::ui::spinner::Spinner;
use crate::ui::{self, fmt};

#[derive(Serialize)]
struct Report<'a> {
    request_id: RequestId,
    model: &'a str,
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    /// USD; null when the model has no price.
    cost: Option<Money>,
    images: &'a [Image],
}

/// What the images asked for cost at most, before they are made. A GPT image model: the
/// prompt (a token per byte at most) and the output tokens of each image at the size and
/// quality asked for. dall-e: its price per image at that size and quality, the dearest
/// quality when none is asked. `None` when the table prices neither.
fn projection(
    table: &PriceTable,
    info: Option<&ModelInfo>,
    model: &str,
    choice: &Choice,
    prompt: &str,
) -> Option<Projection> {
    let n = u64::from(choice.n);
    if let Some(prices) = info.and_then(|i| i.image_tokens) {
        let prompt_tokens = prompt.len() as u64;
        let output_tokens =
            image_rules::output_tokens_at_most(choice.size.as_deref(), choice.quality.as_deref())
                * n;
        return Some(Projection {
            prompt_tokens,
            output_tokens,
            cost: prices.cost(prompt_tokens, 0, output_tokens),
        });
    }
    let size = choice.size.as_deref().unwrap_or("1024x1024");
    let each = table
        .per_image_prices(model)
        .into_iter()
        .filter(|(quality, at, _)| {
            at == size
                && choice
                    .quality
                    .as_deref()
                    .is_none_or(|asked| asked == quality)
        })
        .map(|(.., price)| price)
        .max()?;
    Some(Projection {
        prompt_tokens: 0,
        output_tokens: 0,
        cost: each.times(n),
    })
}

/// One generated image, decoded, before it is saved.
struct Made {
    bytes: Vec<u8>,
    extension: &'static str,
    revised_prompt: Option<String>,
    size: String,
}

fn extension(mime: &str) -> &'static str {
    match mime {
        "image/jpeg" => "jpg",
        "image/webp" => "webp",
        "image/gif" => "gif",
        _ => "png",
    }
}

pub fn run(args: &ImageArgs, app: &App) -> Result<()> {
    let prompt = args.prompt.join(" ");
    if prompt.trim().is_empty() {
        return Err(error::usage(
            "describe the image: tm image \"a red fox in the snow\"",
        ));
    }
    let Opened {
        paths,
        mut store,
        settings,
    } = app.open()?;
    let model = settings.image_model(args.model.as_deref())?;
    let choice = image_rules::check(
        &model,
        Choice {
            size: args.size.clone(),
            quality: args.quality.clone(),
            n: args.n,
            format: args.format.clone(),
            background: args.background.clone(),
            style: args.style.clone(),
        },
    )
    .map_err(error::usage)?;
    let family = Family::of(&model);
    let client = settings.client()?;
    let table = PriceTable::load(&paths.data_dir)?;
    let info = exchange::model_info(&table, &model, &settings)?;
    let limits = settings.limits()?;
    let verdict = budget::check(
        &mut store,
        &limits,
        |_| Ok(projection(&table, info.as_ref(), &model, &choice, &prompt)),
        Some,
    )?;
    let cleared = ui::budget::clear(verdict, Consent::from_flag(args.yes), &model, None)?;
    let spent_before = match cleared {
        Cleared::Send(spent) => spent,
        Cleared::Declined => {
            ui::status("nothing was sent");
            return Ok(());
        }
    };

    let started_at = store::now();
    let request_id = store.write(|conn| {
        request::insert(
            conn,
            &NewRequest {
                conversation_id: None,
                question_id: None,
                kind: Kind::Image,
                model: &model,
                sent_message_ids: "[]".to_owned(),
                system_prompt: None,
                started_at: &started_at,
                outcome: Outcome::Pending,
                role: None,
                options: None,
            },
        )
    })?;
    let body = ImagesRequest {
        model: &model,
        prompt: &prompt,
        n: choice.n,
        size: choice.size.as_deref(),
        quality: choice.quality.as_deref(),
        output_format: choice.format.as_deref(),
        background: choice.background.as_deref(),
        style: choice.style.as_deref(),
        response_format: (!family.is_gpt_image()).then_some("b64_json"),
    };
    let started = Instant::now();
    let mut spinner = Spinner::start(&format!(
        "generating {}",
        fmt::plural(choice.n as usize, "image")
    ));
    let mut notices = ui::RetryNotices::default();
    // The spinner stops before a notice, so that its redraws never overwrite the line.
    let timeout = settings.timeout()?;
    let made = app::runtime()?.block_on(async {
        let response = client
            .images(&body, &mut |error, wait, attempt| {
                spinner.stop();
                notices.say(error, wait, attempt);
            })
            .await?;
        let mut made = Vec::with_capacity(response.data.len());
        for item in response.data {
            let bytes = image_bytes(&item, timeout).await?;
            made.push(decode(bytes, item.revised_prompt, choice.size.as_deref())?);
        }
        if made.is_empty() {
            return Err(ApiError::Malformed("the response holds no images".into()));
        }
        Ok((made, response.usage))
    });
    spinner.stop();
    let duration = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let (made, usage) = match made {
        Ok(made) => made,
        Err(err) => {
            let text = err.to_string();
            store.write(|conn| request::finish(conn, request_id, &failed(duration, &text)))?;
            return Err(err.into());
        }
    };

    let quality = choice.quality.clone();
    let tokens = usage.map(|u| u.split());
    let token_prices = info.as_ref().and_then(|i| i.image_tokens);
    let cost = match (tokens, token_prices) {
        (Some((text, image_in, out)), Some(prices)) => Some(prices.cost(text, image_in, out)),
        // Billed by the size asked for; `auto` by the size made.
        _ => made
            .iter()
            .map(|m| {
                let size = choice
                    .size
                    .as_deref()
                    .filter(|s| *s != "auto")
                    .unwrap_or(&m.size);
                table.per_image(&model, quality.as_deref().unwrap_or("standard"), size)
            })
            .sum::<Option<Money>>(),
    };
    let mut images = Vec::new();
    let mut write_errors = Vec::new();
    for (k, item) in made.iter().enumerate() {
        let sha256 = attach::sha256_hex(&item.bytes);
        let copy = paths
            .data_dir
            .join("images")
            .join(format!("{sha256}.{}", item.extension));
        if !copy.exists() {
            paths::write_private_file(&copy, &item.bytes)?;
        }
        let target = target_path(
            args.output.as_deref(),
            request_id,
            k,
            made.len(),
            item.extension,
        );
        // The copy is already safe; a bad -o only costs the user-facing file, so say so and go on.
        let path = match write_new(&target, &item.bytes, args.output.is_some()) {
            Ok(()) => target,
            Err(err) => {
                write_errors.push(err);
                copy.clone()
            }
        };
        images.push(Image {
            id: ImageId(0),
            request_id,
            prompt: prompt.clone(),
            revised_prompt: item.revised_prompt.clone(),
            model: model.clone(),
            size: item.size.clone(),
            quality: quality.clone(),
            path: path.display().to_string(),
            copy_path: copy.display().to_string(),
            sha256,
            created_at: store::now(),
        });
    }
    let count = i32::try_from(images.len()).unwrap_or(i32::MAX);
    let to_i32 = |n: u64| i32::try_from(n).unwrap_or(i32::MAX);
    let images = store.write(|conn| {
        let stored = images
            .iter()
            .map(|i| image::insert(conn, i))
            .collect::<Result<Vec<Image>, _>>()?;
        let result = RequestResult {
            prompt_tokens: tokens.map(|(text, image_in, _)| to_i32(text + image_in)),
            cached_tokens: tokens.map(|_| 0),
            completion_tokens: tokens.map(|(_, _, out)| to_i32(out)),
            images: count,
            input_price: token_prices.map(|p| p.text_input),
            cached_price: token_prices.map(|p| p.image_input),
            output_price: token_prices.map(|p| p.image_output),
            cost,
            ..RequestResult::ended(Outcome::Ok, duration)
        };
        request::finish(conn, request_id, &result)?;
        Ok(stored)
    })?;

    ui::budget::warn_crossings(&limits, spent_before, cost);
    if args.json {
        let report = Report {
            request_id,
            model: &model,
            input_tokens: tokens.map(|(text, image_in, _)| text + image_in),
            output_tokens: tokens.map(|(_, _, out)| out),
            cost,
            images: &images,
        };
        ui::outln(serde_json::to_string_pretty(&report)?)?;
    } else {
        for image in &images {
            ui::outln(&image.path)?;
        }
    }
    for revised in images.iter().filter_map(|i| i.revised_prompt.as_deref()) {
        eprintln!("revised prompt: {revised}");
    }
    let usage_text = tokens.map_or_else(String::new, |(text, image_in, out)| {
        format!(
            " · {} input + {} output tokens",
            fmt::count(text + image_in),
            fmt::count(out)
        )
    });
    eprintln!(
        "image request {request_id} · {}{usage_text} · {}",
        fmt::plural(images.len(), "image"),
        fmt::cost(cost, false)
    );
    match write_errors.into_iter().next() {
        Some(err) => Err(err.context("the image is kept in the data directory (the path above)")),
        None => Ok(()),
    }
}

fn failed<'a>(duration: i32, error: &'a str) -> RequestResult<'a> {
    RequestResult {
        error: Some(error),
        ..RequestResult::ended(Outcome::Failed, duration)
    }
}

/// An image's bytes, wherever the server put them: inline as `b64_json`, inline as a
/// `data:` URL (as LiteLLM's proxy sends), or at an address, downloaded without the key and
/// bounded as attachments are.
async fn image_bytes(item: &ImageData, timeout: std::time::Duration) -> Result<Vec<u8>, ApiError> {
    let b64 = match (item.b64_json.as_deref(), item.url.as_deref()) {
        (Some(b64), _) => b64,
        (None, Some(url)) if url.starts_with("data:") => url
            .split_once(";base64,")
            .map(|(_, data)| data)
            .ok_or_else(|| ApiError::Malformed("an image's data: URL is not base64".into()))?,
        (None, Some(url)) if url.starts_with("https://") || url.starts_with("http://") => {
            return crate::api::fetch_bytes(url, timeout, attach::IMAGE_LIMIT).await;
        }
        _ => {
            return Err(ApiError::Malformed(
                "an image came with neither b64_json data nor a URL".into(),
            ));
        }
    };
    base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|e| ApiError::Malformed(format!("an image's base64 is broken: {e}")))
}

/// Bytes → their real type and their real size (what `auto` turned out to be).
fn decode(
    bytes: Vec<u8>,
    revised_prompt: Option<String>,
    asked: Option<&str>,
) -> Result<Made, ApiError> {
    let mime = match attach::sniff(&bytes) {
        Some((attach::Kind::Image, mime)) => mime,
        _ => {
            return Err(ApiError::Malformed(
                "the server sent image data that is not a PNG, JPEG, WebP or GIF".into(),
            ));
        }
    };
    let size = imagesize::blob_size(&bytes)
        .map(|s| format!("{}x{}", s.width, s.height))
        .unwrap_or_else(|_| asked.unwrap_or("unknown").to_owned());
    Ok(Made {
        bytes,
        extension: extension(mime),
        revised_prompt,
        size,
    })
}

/// `-o PATH` (with `-k` before the extension when there are several), else
/// `tm-image-<request>[-k].<ext>` in the current directory.
fn target_path(
    output: Option<&Path>,
    request_id: RequestId,
    k: usize,
    count: usize,
    extension: &str,
) -> PathBuf {
    let suffix = if count > 1 {
        format!("-{}", k + 1)
    } else {
        String::new()
    };
    match output {
        Some(path) if count == 1 => path.to_owned(),
        Some(path) => {
            let stem = path
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
            let ext = path.extension().map_or_else(
                || extension.to_owned(),
                |e| e.to_string_lossy().into_owned(),
            );
            path.with_file_name(format!("{stem}{suffix}.{ext}"))
        }
        None => PathBuf::from(format!("tm-image-{request_id}{suffix}.{extension}")),
    }
}

/// `-o` may replace a file, as `curl -o` does; a generated name never replaces anything.
fn write_new(path: &Path, bytes: &[u8], may_replace: bool) -> Result<()> {
    use std::io::Write as _;
    let mut options = fs::OpenOptions::new();
    options.write(true);
    if may_replace {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("could not write {}", path.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("could not write {}", path.display()))
}
