//! What each image model accepts in `tm image`, checked before any request so that a
//! refused combination costs nothing. Unknown models pass through unchecked.

const GPT_IMAGE_SIZES: [&str; 4] = ["1024x1024", "1536x1024", "1024x1536", "auto"];
const DALL_E_3_SIZES: [&str; 3] = ["1024x1024", "1792x1024", "1024x1792"];
const DALL_E_2_SIZES: [&str; 3] = ["256x256", "512x512", "1024x1024"];
const GPT_IMAGE_QUALITIES: [&str; 4] = ["low", "medium", "high", "auto"];
const FORMATS: [&str; 3] = ["png", "jpeg", "webp"];
const BACKGROUNDS: [&str; 3] = ["transparent", "opaque", "auto"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// gpt-image-2: any size whose sides are multiples of 16.
    GptImage2,
    /// gpt-image-1, gpt-image-1-mini, gpt-image-1.5: three sizes.
    GptImage,
    DallE3,
    DallE2,
    Unknown,
}

impl Family {
    pub fn of(model: &str) -> Self {
        if model.starts_with("gpt-image-2") {
            Self::GptImage2
        } else if model.starts_with("gpt-image-1") {
            Self::GptImage
        } else if model.starts_with("dall-e-3") {
            Self::DallE3
        } else if model.starts_with("dall-e-2") {
            Self::DallE2
        } else {
            Self::Unknown
        }
    }

    /// GPT image models answer in base64 always and report token usage; dall-e needs asking.
    pub fn is_gpt_image(self) -> bool {
        matches!(self, Self::GptImage2 | Self::GptImage)
    }
}

/// The output tokens of one image, for projecting its cost before it is made: OpenAI's
/// figures for a 1024x1024 image (272 at low quality, 1,056 at medium, 4,160 at high),
/// scaled by the area asked for and rounded up. Without a quality, or with `auto`, the high
/// one; without a size, or with `auto`, the largest of the three standard ones (1536x1024).
pub fn output_tokens_at_most(size: Option<&str>, quality: Option<&str>) -> u64 {
    let per_megapixel_square = match quality {
        Some("low") => 272,
        Some("medium") => 1_056,
        _ => 4_160,
    };
    let (width, height) = size
        .and_then(|s| s.split_once('x'))
        .and_then(|(w, h)| Some((w.parse::<u64>().ok()?, h.parse::<u64>().ok()?)))
        .unwrap_or((1536, 1024));
    let square = 1024 * 1024;
    (per_megapixel_square * width * height).div_ceil(square)
}

/// One request's options, as given and then as checked (with the model's default size).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choice {
    pub size: Option<String>,
    pub quality: Option<String>,
    pub n: u32,
    pub format: Option<String>,
    pub background: Option<String>,
    pub style: Option<String>,
}

fn one_of(model: &str, what: &str, value: &str, allowed: &[&str]) -> Result<(), String> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "{model} does not take {what} {value}; use one of {}",
            allowed.join(", ")
        ))
    }
}

fn multiple_of_16(size: &str) -> bool {
    let Some((w, h)) = size.split_once('x') else {
        return false;
    };
    let side = |s: &str| s.parse::<u32>().ok().filter(|n| *n > 0 && n % 16 == 0);
    side(w).is_some() && side(h).is_some()
}

fn refuse(model: &str, option: &str, value: Option<&String>) -> Result<(), String> {
    match value {
        Some(value) => Err(format!("{model} does not take --{option} (given {value})")),
        None => Ok(()),
    }
}

/// The options as they will be sent, or why the model refuses them.
pub fn check(model: &str, mut choice: Choice) -> Result<Choice, String> {
    let family = Family::of(model);
    if family == Family::Unknown {
        return Ok(choice);
    }
    let default_size = if family.is_gpt_image() {
        "auto"
    } else {
        "1024x1024"
    };
    let size = choice
        .size
        .get_or_insert_with(|| default_size.to_owned())
        .clone();
    match family {
        Family::GptImage2 if size != "auto" && !multiple_of_16(&size) => {
            return Err(format!(
                "{model} does not make {size} images; use auto or WIDTHxHEIGHT with both sides multiples of 16, e.g. 1024x1536"
            ));
        }
        Family::GptImage => one_of(model, "--size", &size, &GPT_IMAGE_SIZES)?,
        Family::DallE3 => one_of(model, "--size", &size, &DALL_E_3_SIZES)?,
        Family::DallE2 => one_of(model, "--size", &size, &DALL_E_2_SIZES)?,
        _ => {}
    }
    if family.is_gpt_image() {
        if let Some(quality) = &choice.quality {
            one_of(model, "--quality", quality, &GPT_IMAGE_QUALITIES)?;
        }
        if let Some(format) = &choice.format {
            one_of(model, "--format", format, &FORMATS)?;
        }
        if let Some(background) = &choice.background {
            one_of(model, "--background", background, &BACKGROUNDS)?;
        }
        refuse(model, "style", choice.style.as_ref())?;
        return Ok(choice);
    }
    refuse(model, "format", choice.format.as_ref())?;
    refuse(model, "background", choice.background.as_ref())?;
    if family == Family::DallE3 {
        if choice.n != 1 {
            return Err(format!(
                "{model} makes 1 image per request (given -n {}); use -n 1",
                choice.n
            ));
        }
        one_of(
            model,
            "--quality",
            choice.quality.get_or_insert_with(|| "standard".to_owned()),
            &["standard", "hd"],
        )?;
        if let Some(style) = &choice.style {
            one_of(model, "--style", style, &["vivid", "natural"])?;
        }
    } else {
        one_of(
            model,
            "--quality",
            choice.quality.get_or_insert_with(|| "standard".to_owned()),
            &["standard"],
        )?;
        refuse(model, "style", choice.style.as_ref())?;
    }
    Ok(choice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_tokens_scale_with_the_area() {
        assert_eq!(output_tokens_at_most(Some("1024x1024"), Some("low")), 272);
        assert_eq!(
            output_tokens_at_most(Some("1024x1536"), Some("medium")),
            1_584
        );
        assert_eq!(output_tokens_at_most(None, None), 6_240);
        assert_eq!(output_tokens_at_most(Some("auto"), Some("auto")), 6_240);
        // 2048x2048 is four times the area.
        assert_eq!(
            output_tokens_at_most(Some("2048x2048"), Some("high")),
            16_640
        );
    }

    fn choice(size: Option<&str>, n: u32) -> Choice {
        Choice {
            size: size.map(str::to_owned),
            n,
            ..Choice::default()
        }
    }

    #[test]
    fn sizes_per_model() {
        assert_eq!(
            check("gpt-image-2", choice(None, 1)).map(|c| c.size),
            Ok(Some("auto".to_owned()))
        );
        assert!(check("gpt-image-2", choice(Some("1024x1536"), 4)).is_ok());
        assert!(check("gpt-image-2", choice(Some("2048x1152"), 1)).is_ok());
        assert_eq!(
            check("gpt-image-2", choice(Some("1000x1000"), 1)),
            Err("gpt-image-2 does not make 1000x1000 images; use auto or WIDTHxHEIGHT with both sides multiples of 16, e.g. 1024x1536".to_owned())
        );
        assert_eq!(
            check("gpt-image-1", choice(Some("800x600"), 1)),
            Err("gpt-image-1 does not take --size 800x600; use one of 1024x1024, 1536x1024, 1024x1536, auto".to_owned())
        );
        assert!(check("gpt-image-1.5-2025-12-16", choice(Some("1536x1024"), 10)).is_ok());
        assert_eq!(
            check("dall-e-3", choice(Some("1024x1024"), 2)),
            Err("dall-e-3 makes 1 image per request (given -n 2); use -n 1".to_owned())
        );
        assert!(check("dall-e-3", choice(Some("1792x1024"), 1)).is_ok());
        assert!(check("dall-e-2", choice(Some("256x256"), 10)).is_ok());
        assert!(check("dall-e-2", choice(Some("1792x1024"), 1)).is_err());
        assert_eq!(
            check("my-local-diffusion", choice(Some("7x7"), 3)),
            Ok(choice(Some("7x7"), 3))
        );
    }

    #[test]
    fn options_per_model() {
        let with = |quality: Option<&str>, style: Option<&str>, format: Option<&str>| Choice {
            quality: quality.map(str::to_owned),
            style: style.map(str::to_owned),
            format: format.map(str::to_owned),
            n: 1,
            ..Choice::default()
        };
        assert_eq!(
            check("dall-e-3", with(None, None, None)).map(|c| c.quality),
            Ok(Some("standard".to_owned()))
        );
        assert!(check("dall-e-3", with(Some("hd"), Some("natural"), None)).is_ok());
        assert_eq!(
            check("dall-e-3", with(Some("high"), None, None)),
            Err("dall-e-3 does not take --quality high; use one of standard, hd".to_owned())
        );
        assert_eq!(
            check("gpt-image-2", with(Some("hd"), None, None)),
            Err(
                "gpt-image-2 does not take --quality hd; use one of low, medium, high, auto"
                    .to_owned()
            )
        );
        assert_eq!(
            check("gpt-image-2", with(None, Some("vivid"), None)),
            Err("gpt-image-2 does not take --style (given vivid)".to_owned())
        );
        assert_eq!(
            check("dall-e-3", with(None, None, Some("webp"))),
            Err("dall-e-3 does not take --format (given webp)".to_owned())
        );
        assert!(check("gpt-image-1-mini", with(Some("low"), None, Some("webp"))).is_ok());
    }
}
