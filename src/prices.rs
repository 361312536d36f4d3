//! Prices and model facts from data, never from code: the embedded LiteLLM extract,
//! or the copy `tm prices --update` downloaded, with `price.<model>` settings over both.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use anyhow::{Context as _, Result, bail};
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::money::Money;
use crate::tokens::Tally;

// EMBEDDED_ENTRIES and LEGACY_IMAGE_ENTRIES: each model of data/openai-prices-*.json and
// data/legacy-image-prices.json with its entry's JSON text, indexed by build.rs.
include!(concat!(env!("OUT_DIR"), "/prices.rs"));
const EMBEDDED_SOURCE: &str = "LiteLLM 1.110.2 price table (embedded extract)";
const EMBEDDED_DATE: &str = "2026-11-24";
/// The file name of a downloaded table in the data directory.
pub const DOWNLOADED_FILE: &str = "prices.json";
pub const UPSTREAM_URL: &str =
    "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json";

/// What one token costs: uncached input, a cached read, a cache write, output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenPrices {
    pub input: Money,
    pub cached: Money,
    /// Writing a prompt token to the cache; the input price for models that do not charge
    /// for writes.
    pub cache_write: Money,
    pub output: Money,
}

impl FromStr for TokenPrices {
    type Err = String;

    /// `input=2.5,cached=1.25,output=10`; `cached` and `write` (a cache write) may be left
    /// out, and then they are the input price.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        const FORM: &str = "use input=N,output=N[,cached=N][,write=N] in USD per 1M tokens, e.g. input=2.5,cached=1.25,output=10";
        let (mut input, mut cached, mut write, mut output) = (None, None, None, None);
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| format!("'{part}' has no '=': {FORM}"))?;
            let value: f64 = value
                .trim()
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| format!("'{}' is not a price: {FORM}", value.trim()))?;
            let slot = match name.trim() {
                "input" => &mut input,
                "cached" => &mut cached,
                "write" => &mut write,
                "output" => &mut output,
                other => return Err(format!("unknown price '{other}': {FORM}")),
            };
            *slot = Some(value);
        }
        match (input, output) {
            (Some(input), Some(output)) => Ok(Self {
                input: Money::per_token(input),
                cached: Money::per_token(cached.unwrap_or(input)),
                cache_write: Money::per_token(write.unwrap_or(input)),
                output: Money::per_token(output),
            }),
            _ => Err(format!("'{text}' lacks input or output: {FORM}")),
        }
    }
}

impl fmt::Display for TokenPrices {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "input={},cached={},output={}",
            self.input.per_million(),
            self.cached.per_million(),
            self.output.per_million()
        )?;
        if self.cache_write != self.input {
            write!(f, ",write={}", self.cache_write.per_million())?;
        }
        Ok(())
    }
}

/// What the table says of one model.
#[derive(Debug, Clone, Default)]
pub struct ModelInfo {
    /// The table entry that answered: the model itself or its family.
    pub entry: String,
    /// The `reasoning_effort` levels the model takes; `None` when it does not reason.
    pub efforts: Option<Vec<&'static str>>,
    /// The standard (`default`) tier's prices.
    pub prices: Option<TokenPrices>,
    /// Prices that apply when the prompt is above `threshold` tokens.
    pub long_context: Option<LongContext>,
    /// The other service tiers the table prices (`flex`, `priority`, …), by the name OpenAI
    /// gives the tier in a request and a response.
    pub tiers: BTreeMap<String, TierPrices>,
    /// Served only by the Responses API (`/v1/responses`), not by Chat Completions.
    pub responses_only: bool,
    pub per_image: Option<Money>,
    /// GPT image models: what a text input, image input and image output token costs.
    pub image_tokens: Option<ImageTokenPrices>,
    pub max_input_tokens: Option<u64>,
    pub deprecation_date: Option<Date>,
    pub successor: Option<String>,
    pub overridden: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageTokenPrices {
    pub text_input: Money,
    pub image_input: Money,
    pub image_output: Money,
}

impl ImageTokenPrices {
    pub fn cost(self, text_input: u64, image_input: u64, image_output: u64) -> Money {
        charge(&[
            (text_input, self.text_input),
            (image_input, self.image_input),
            (image_output, self.image_output),
        ])
    }
}

/// The one cost formula: each count at its price, added. Exact, whatever the order.
pub fn charge(items: &[(u64, Money)]) -> Money {
    items.iter().map(|&(count, price)| price.times(count)).sum()
}

#[derive(Debug, Clone, Copy)]
pub struct LongContext {
    pub threshold: u64,
    pub prices: TokenPrices,
}

/// One service tier's prices, and its prices past the model's long-context threshold when
/// the table has them.
#[derive(Debug, Clone, Copy)]
pub struct TierPrices {
    pub prices: TokenPrices,
    pub long_context: Option<TokenPrices>,
}

/// The service tiers a request may ask for; `fast` is taken as a name for `priority`.
pub const TIERS: [&str; 4] = ["auto", "default", "flex", "priority"];

/// Whether a tier name is the standard one: what OpenAI calls `default`, and `auto`, which
/// a response never names but a request may ask for (and then the standard price is the
/// estimate).
pub fn is_standard_tier(tier: Option<&str>) -> bool {
    matches!(tier, None | Some("default" | "auto"))
}

impl ModelInfo {
    /// The prices a request with this many prompt tokens is charged at in `tier` (`None`:
    /// the response named no tier, so the standard prices apply). `None` when the table has
    /// no price for that tier at that length: the cost is then unknown, never the standard
    /// price in its place.
    pub fn prices_for(&self, prompt_tokens: u64, tier: Option<&str>) -> Option<TokenPrices> {
        let (prices, long) = if is_standard_tier(tier) {
            (self.prices, self.long_context.map(|l| l.prices))
        } else {
            let tier = self.tiers.get(tier?)?;
            (Some(tier.prices), tier.long_context)
        };
        match self.long_context {
            Some(long_context) if prompt_tokens > long_context.threshold => long,
            _ => prices,
        }
    }
}

/// The prompt is three disjoint parts, each billed once: uncached input, cached reads and
/// cache writes (both reported inside the prompt tokens). Then the completion.
pub fn cost(tally: &Tally, prices: TokenPrices) -> Money {
    let uncached = tally
        .prompt
        .saturating_sub(tally.cached)
        .saturating_sub(tally.cache_write);
    charge(&[
        (uncached, prices.input),
        (tally.cached, prices.cached),
        (tally.cache_write, prices.cache_write),
        (tally.completion, prices.output),
    ])
}

pub struct PriceTable {
    pub source: String,
    pub date: String,
    /// Each entry as its JSON text, parsed only when asked for: the table is loaded on every
    /// `tm ask`, which needs one entry of hundreds. Borrowed from the binary for the embedded
    /// tables.
    models: BTreeMap<Cow<'static, str>, Cow<'static, str>>,
}

/// What tells an OpenAI chat, responses or image model from the rest of an upstream file.
#[derive(Deserialize)]
struct EntryKind<'a> {
    #[serde(borrow)]
    litellm_provider: Option<Cow<'a, str>>,
    #[serde(borrow)]
    mode: Option<Cow<'a, str>>,
}

/// An entry's fields; an entry that is not an object has none.
fn fields(entry: &str) -> Map<String, Value> {
    serde_json::from_str(entry).unwrap_or_default()
}

/// An embedded table, borrowed as it is.
fn borrowed(
    entries: &'static [(&'static str, &'static str)],
) -> BTreeMap<Cow<'static, str>, Cow<'static, str>> {
    entries
        .iter()
        .map(|&(model, entry)| (Cow::Borrowed(model), Cow::Borrowed(entry)))
        .collect()
}

impl PriceTable {
    /// The downloaded table when there is one, else the embedded extract.
    pub fn load(data_dir: &Path) -> Result<Self> {
        let downloaded = data_dir.join(DOWNLOADED_FILE);
        let table = match std::fs::read_to_string(&downloaded) {
            Ok(text) => Self::parse(&text).with_context(|| {
                format!(
                    "the downloaded price table {} is unreadable; run `tm prices --update` again or delete it",
                    downloaded.display()
                )
            }),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Self::embedded()),
            Err(err) => Err(err).with_context(|| format!("could not read {}", downloaded.display())),
        }?;
        Ok(table.with_legacy_images())
    }

    /// The per-image prices of the retired dall-e models, which LiteLLM's OpenAI entries
    /// lack, under whatever the table itself says.
    fn with_legacy_images(mut self) -> Self {
        for (name, entry) in borrowed(LEGACY_IMAGE_ENTRIES) {
            self.models.entry(name).or_insert(entry);
        }
        self
    }

    /// The price of one image, from `quality/WxH/model` entries (dall-e, and gpt-image models
    /// when a server reports no usage).
    pub fn per_image(&self, model: &str, quality: &str, size: &str) -> Option<Money> {
        let size = size.replace('x', "-x-");
        [Some(model.to_owned()), family(model)]
            .into_iter()
            .flatten()
            .find_map(|name| {
                let entry = self
                    .models
                    .get(format!("{quality}/{size}/{name}").as_str())?;
                fields(entry)
                    .get("input_cost_per_image")?
                    .as_f64()
                    .map(Money::from_usd)
            })
    }

    /// Every per-image price of a model (or of its family), as (quality, `WxH`, USD), from
    /// LiteLLM's `quality/W-x-H/model` entries: what `tm image` charges for dall-e models.
    pub fn per_image_prices(&self, model: &str) -> Vec<(String, String, Money)> {
        let names: Vec<String> = [Some(model.to_owned()), family(model)]
            .into_iter()
            .flatten()
            .collect();
        let mut prices: Vec<(String, String, Money)> = self
            .models
            .iter()
            .filter_map(|(key, entry)| {
                let mut parts = key.splitn(3, '/');
                let (quality, size, name) = (parts.next()?, parts.next()?, parts.next()?);
                if !names.iter().any(|n| n == name) {
                    return None;
                }
                let price = Money::from_usd(fields(entry).get("input_cost_per_image")?.as_f64()?);
                Some((quality.to_owned(), size.replace("-x-", "x"), price))
            })
            .collect();
        prices.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        prices
    }

    pub fn embedded() -> Self {
        Self {
            source: EMBEDDED_SOURCE.to_owned(),
            date: EMBEDDED_DATE.to_owned(),
            models: borrowed(EMBEDDED_ENTRIES),
        }
    }

    /// Accepts our own extract shape `{"_source", "_date", "models": {...}}` and LiteLLM's
    /// upstream shape (one flat object of every provider's models), keeping OpenAI's entries.
    pub fn parse(text: &str) -> Result<Self> {
        let mut root: BTreeMap<String, Box<RawValue>> =
            serde_json::from_str(text).context("not a JSON object")?;
        let text_field = |key: &str| {
            root.get(key)
                .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
                .unwrap_or_default()
        };
        let (source, date) = (text_field("_source"), text_field("_date"));
        let entries: BTreeMap<String, Box<RawValue>> = match root.remove("models") {
            Some(models) => {
                serde_json::from_str(models.get()).context("models is not an object")?
            }
            None => root,
        };
        let models: BTreeMap<_, _> = entries
            .into_iter()
            .filter(|(_, entry)| is_openai_model(entry))
            .map(|(name, entry)| (Cow::Owned(name), Cow::Owned(entry.get().to_owned())))
            .collect();
        if models.is_empty() {
            bail!("it holds no OpenAI model entries");
        }
        Ok(Self {
            source,
            date,
            models,
        })
    }

    /// Only the OpenAI entries of an upstream file, in our extract's shape, for saving.
    pub fn to_json(&self) -> Value {
        let models: Map<String, Value> = self
            .models
            .iter()
            .map(|(name, entry)| (name.to_string(), Value::Object(fields(entry))))
            .collect();
        serde_json::json!({ "_source": self.source, "_date": self.date, "models": models })
    }

    pub fn model_names(&self) -> impl Iterator<Item = &str> {
        self.models.keys().map(|name| name.as_ref())
    }

    /// The model's entry, or its family's for dated names (`gpt-4o-2024-08-06` → `gpt-4o`),
    /// with a `price.<model>` override applied. `None`: the model is unknown, its cost too.
    pub fn lookup(
        &self,
        model: &str,
        overrides: &BTreeMap<String, TokenPrices>,
    ) -> Option<ModelInfo> {
        let names = [Some(model.to_owned()), family(model)];
        let names = names.iter().flatten();
        let entry = names.clone().find_map(|name| {
            let entry = self.models.get(name.as_str())?;
            Some((name, fields(entry)))
        });
        let overridden = names.clone().find_map(|name| overrides.get(name).copied());
        let mut info = match entry {
            Some((name, ref fields)) => model_info(name, fields),
            None => ModelInfo {
                entry: model.to_owned(),
                ..ModelInfo::default()
            },
        };
        if let Some(prices) = overridden {
            // An override is one set of prices: other tiers are not known from it.
            info.prices = Some(prices);
            info.long_context = None;
            info.tiers.clear();
            info.overridden = true;
        }
        (entry.is_some() || info.overridden).then_some(info)
    }
}

fn is_openai_model(entry: &RawValue) -> bool {
    let Ok(kind) = serde_json::from_str::<EntryKind<'_>>(entry.get()) else {
        return false;
    };
    kind.litellm_provider.as_deref() == Some("openai")
        && matches!(
            kind.mode.as_deref(),
            Some("chat" | "responses" | "image_generation")
        )
}

/// `name-2024-08-06` → `name`; `name-0613` → `name`.
fn family(model: &str) -> Option<String> {
    let is_digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = model.split('-').collect();
    let n = parts.len();
    if n > 3
        && is_digits(parts[n - 3], 4)
        && is_digits(parts[n - 2], 2)
        && is_digits(parts[n - 1], 2)
    {
        return Some(parts[..n - 3].join("-"));
    }
    if n > 1 && is_digits(parts[n - 1], 4) {
        return Some(parts[..n - 1].join("-"));
    }
    None
}

/// A per-token price of the table (USD, like 7.5e-07) in whole picodollars (750,000):
/// every price in the table is a whole number of them.
fn per_token(fields: &Map<String, Value>, key: &str) -> Option<Money> {
    fields.get(key).and_then(Value::as_f64).map(Money::from_usd)
}

/// The prices of keys ending in `suffix` (`_above_272k_tokens_flex`, say). A cached read or
/// a cache write without a price of its own costs what uncached input does: that is how
/// OpenAI bills models that do not price them apart.
fn token_prices(fields: &Map<String, Value>, suffix: &str) -> Option<TokenPrices> {
    let input = per_token(fields, &format!("input_cost_per_token{suffix}"))?;
    let output =
        per_token(fields, &format!("output_cost_per_token{suffix}")).unwrap_or(Money::ZERO);
    let cached =
        per_token(fields, &format!("cache_read_input_token_cost{suffix}")).unwrap_or(input);
    let cache_write =
        per_token(fields, &format!("cache_creation_input_token_cost{suffix}")).unwrap_or(input);
    Some(TokenPrices {
        input,
        cached,
        cache_write,
        output,
    })
}

/// The long-context threshold in thousands of tokens, named in a key such as
/// input_cost_per_token_above_272k_tokens.
fn long_context_thousands(fields: &Map<String, Value>) -> Option<u64> {
    fields.keys().find_map(|key| {
        let rest = key.strip_prefix("input_cost_per_token_above_")?;
        rest.strip_suffix("k_tokens")?.parse().ok()
    })
}

fn long_context(fields: &Map<String, Value>) -> Option<LongContext> {
    let thousands = long_context_thousands(fields)?;
    let prices = token_prices(fields, &format!("_above_{thousands}k_tokens"))?;
    Some(LongContext {
        threshold: thousands * 1000,
        prices,
    })
}

/// Tiers the batch API bills, not a request's `service_tier`.
const NOT_SERVICE_TIERS: [&str; 1] = ["batches"];

/// Every service tier with an input price of its own (`input_cost_per_token_flex`, …), and
/// its long-context prices when the model has a threshold and the tier prices past it. A
/// tier needs its own output price too: a missing one is not free.
fn tiers(fields: &Map<String, Value>) -> BTreeMap<String, TierPrices> {
    let thousands = long_context_thousands(fields);
    fields
        .keys()
        .filter_map(|key| key.strip_prefix("input_cost_per_token_"))
        .filter(|tier| !tier.starts_with("above_") && !NOT_SERVICE_TIERS.contains(tier))
        .filter(|tier| fields.contains_key(&format!("output_cost_per_token_{tier}")))
        .filter_map(|tier| {
            let prices = token_prices(fields, &format!("_{tier}"))?;
            let long_context = thousands.and_then(|k| {
                let suffix = format!("_above_{k}k_tokens_{tier}");
                fields
                    .contains_key(&format!("output_cost_per_token{suffix}"))
                    .then(|| token_prices(fields, &suffix))
                    .flatten()
            });
            Some((
                tier.to_owned(),
                TierPrices {
                    prices,
                    long_context,
                },
            ))
        })
        .collect()
}

/// The table says the model is served at `/v1/responses` and not at
/// `/v1/chat/completions`: by its mode, or by the endpoints it lists.
fn is_responses_only(fields: &Map<String, Value>) -> bool {
    let mode = fields.get("mode").and_then(Value::as_str);
    let endpoints = fields.get("supported_endpoints").and_then(Value::as_array);
    let lists = |endpoint: &str| {
        endpoints.is_some_and(|list| list.iter().any(|e| e.as_str() == Some(endpoint)))
    };
    match mode {
        Some("responses") => true,
        Some("chat") => {
            endpoints.is_some() && lists("/v1/responses") && !lists("/v1/chat/completions")
        }
        _ => false,
    }
}

/// Values of `reasoning_effort`, least first.
pub const EFFORTS: [&str; 6] = ["none", "minimal", "low", "medium", "high", "xhigh"];

/// The levels a reasoning model takes: its `reasoning_effort_levels` when the table lists
/// them, else every level its `supports_<level>_reasoning_effort` does not deny. `none`,
/// `minimal` and `xhigh` came later than the rest and need the table to say yes.
fn efforts(fields: &Map<String, Value>) -> Option<Vec<&'static str>> {
    if fields.get("supports_reasoning").and_then(Value::as_bool) != Some(true) {
        return None;
    }
    if let Some(listed) = fields
        .get("reasoning_effort_levels")
        .and_then(Value::as_array)
    {
        let listed: Vec<&str> = listed.iter().filter_map(Value::as_str).collect();
        return Some(
            EFFORTS
                .into_iter()
                .filter(|level| listed.contains(level))
                .collect(),
        );
    }
    let supports = |level: &str| {
        fields
            .get(&format!("supports_{level}_reasoning_effort"))
            .and_then(Value::as_bool)
    };
    Some(
        EFFORTS
            .into_iter()
            .filter(|&level| {
                supports(level).unwrap_or(!matches!(level, "none" | "minimal" | "xhigh"))
            })
            .collect(),
    )
}

/// What becomes of a `reasoning_effort` for a model.
#[derive(Debug, PartialEq, Eq)]
pub enum EffortFit {
    /// Sent: the model reasons and takes the level, or the table does not know the model.
    Send,
    /// Left out: the table says the model does not reason.
    LeaveOut,
    /// Refused before sending: the model reasons but not at this level; these it takes.
    Refuse(Vec<&'static str>),
}

pub fn effort_fit(info: Option<&ModelInfo>, level: &str) -> EffortFit {
    // Overridden prices say nothing about reasoning, and an entry the table does not have
    // is not known not to reason.
    let Some(info) = info.filter(|i| !i.overridden || i.efforts.is_some()) else {
        return EffortFit::Send;
    };
    match &info.efforts {
        None => EffortFit::LeaveOut,
        Some(levels) if levels.contains(&level) => EffortFit::Send,
        Some(levels) => EffortFit::Refuse(levels.clone()),
    }
}

fn model_info(name: &str, fields: &Map<String, Value>) -> ModelInfo {
    ModelInfo {
        entry: name.to_owned(),
        efforts: efforts(fields),
        prices: token_prices(fields, ""),
        long_context: long_context(fields),
        tiers: tiers(fields),
        responses_only: is_responses_only(fields),
        per_image: fields
            .get("input_cost_per_image")
            .and_then(Value::as_f64)
            .map(Money::from_usd),
        image_tokens: per_token(fields, "output_cost_per_image_token").map(|image_output| {
            ImageTokenPrices {
                text_input: per_token(fields, "input_cost_per_token").unwrap_or(Money::ZERO),
                image_input: per_token(fields, "input_cost_per_image_token").unwrap_or(Money::ZERO),
                image_output,
            }
        }),
        max_input_tokens: fields.get("max_input_tokens").and_then(Value::as_u64),
        deprecation_date: fields
            .get("deprecation_date")
            .and_then(Value::as_str)
            .and_then(|d| d.parse().ok()),
        successor: fields
            .get("successor_model")
            .and_then(Value::as_str)
            .map(str::to_owned),
        overridden: false,
    }
}

/// A warning when the model is retired or will be within 30 days, naming the successor.
pub fn deprecation_warning(model: &str, info: &ModelInfo, today: Date) -> Option<String> {
    let date = info.deprecation_date?;
    let days = today.until(date).ok()?.get_days();
    if days > 30 {
        return None;
    }
    let when = if days < 0 {
        format!("was retired on {date}")
    } else {
        format!("will be retired on {date}, in {days} days")
    };
    let successor = info.successor.as_deref().map_or_else(String::new, |s| {
        format!("; its successor is {s} (use -m {s})")
    });
    Some(format!("{model} {when}{successor}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A price quoted in USD per 1M tokens.
    fn per_1m(usd: f64) -> Money {
        Money::per_token(usd)
    }

    fn table() -> PriceTable {
        PriceTable::embedded()
    }

    /// The build indexes the embedded files without tm's filter: every entry must pass it
    /// and be a JSON object.
    #[test]
    fn embedded_entries_are_openai_objects() {
        for entries in [EMBEDDED_ENTRIES, LEGACY_IMAGE_ENTRIES] {
            for &(model, entry) in entries {
                let raw: Box<RawValue> = serde_json::from_str(entry).expect(model);
                assert!(is_openai_model(&raw), "{model}");
                assert!(!fields(entry).is_empty(), "{model}");
            }
        }
        assert_eq!(EMBEDDED_ENTRIES.len(), 172);
    }

    #[test]
    fn embedded_prices_per_million() {
        let info = table()
            .lookup("gpt-5.4-mini", &BTreeMap::new())
            .expect("known");
        assert_eq!(
            info.prices,
            Some(TokenPrices {
                input: per_1m(0.75),
                cache_write: per_1m(0.75),
                cached: per_1m(0.075),
                output: per_1m(4.5)
            })
        );
        assert_eq!(info.max_input_tokens, Some(272_000));
        let info = table()
            .lookup("gpt-3.5-turbo", &BTreeMap::new())
            .expect("known");
        // No cached price in the table: cached input is billed as input.
        assert_eq!(
            info.prices,
            Some(TokenPrices {
                input: per_1m(0.5),
                cache_write: per_1m(0.5),
                cached: per_1m(0.5),
                output: per_1m(1.5)
            })
        );
    }

    #[test]
    fn cost_arithmetic() {
        let prices = TokenPrices {
            input: per_1m(0.75),
            cache_write: per_1m(0.75),
            cached: per_1m(0.075),
            output: per_1m(4.5),
        };
        let tally = Tally {
            prompt: 1234,
            cached: 312,
            completion: 56,
            ..Tally::default()
        };
        // (922 × 0.75 + 312 × 0.075 + 56 × 4.5) / 1e6 = 966.9 / 1e6, to the picodollar.
        assert_eq!(cost(&tally, prices), Money::from_usd(0.000_966_9));
        assert_eq!(cost(&tally, prices).to_string(), "0.0009669");
        assert_eq!(cost(&Tally::default(), prices), Money::ZERO);
    }

    #[test]
    fn dated_names_map_to_their_family() {
        let overrides = BTreeMap::new();
        // gpt-4o-2024-08-06 has an entry of its own; a made-up date does not.
        let info = table()
            .lookup("gpt-4o-2031-01-01", &overrides)
            .expect("family");
        assert_eq!(info.entry, "gpt-4o");
        assert_eq!(info.prices.map(|p| p.input), Some(per_1m(2.5)));
        assert_eq!(family("gpt-4-0613"), Some("gpt-4".to_owned()));
        assert_eq!(family("gpt-5.4-mini"), None);
        assert!(table().lookup("no-such-model", &overrides).is_none());
    }

    #[test]
    fn long_context_tier_applies_above_threshold() {
        let info = table().lookup("gpt-5.5", &BTreeMap::new()).expect("known");
        let base = TokenPrices {
            input: per_1m(5.0),
            cache_write: per_1m(5.0),
            cached: per_1m(0.5),
            output: per_1m(30.0),
        };
        let long = TokenPrices {
            input: per_1m(10.0),
            cache_write: per_1m(10.0),
            cached: per_1m(1.0),
            output: per_1m(45.0),
        };
        assert_eq!(info.prices_for(272_000, None), Some(base));
        assert_eq!(info.prices_for(272_001, None), Some(long));
    }

    #[test]
    fn overrides_win_and_make_unknown_models_known() {
        let mut overrides = BTreeMap::new();
        let mine: TokenPrices = "input=1,output=2".parse().expect("valid");
        overrides.insert("gpt-4o".to_owned(), mine);
        overrides.insert("local-llama".to_owned(), mine);
        let info = table()
            .lookup("gpt-4o-2031-01-01", &overrides)
            .expect("known");
        assert_eq!(
            info.prices,
            Some(TokenPrices {
                input: per_1m(1.0),
                cache_write: per_1m(1.0),
                cached: per_1m(1.0),
                output: per_1m(2.0)
            })
        );
        assert!(table().lookup("local-llama", &overrides).is_some());
    }

    #[test]
    fn price_override_syntax() {
        assert_eq!(
            "input=2.5,cached=1.25,output=10".parse::<TokenPrices>(),
            Ok(TokenPrices {
                input: per_1m(2.5),
                cache_write: per_1m(2.5),
                cached: per_1m(1.25),
                output: per_1m(10.0)
            })
        );
        for bad in [
            "",
            "input=1",
            "input=x,output=1",
            "input=1,output=2,bogus=3",
            "input=-1,output=1",
            "input 1",
        ] {
            let err = bad.parse::<TokenPrices>().expect_err(bad);
            assert!(
                err.contains("input=N,output=N[,cached=N][,write=N]"),
                "{err}"
            );
        }
    }

    /// gpt-5.6: $4 input, $0.40 cached, $5 cache write, $20 output per 1M at the standard
    /// tier; flex halves it, priority doubles it; past 272k prompt tokens each tier has its
    /// own long-context prices.
    #[test]
    fn gpt_5_6_at_each_tier_with_and_without_cache_writes() {
        let info = table().lookup("gpt-5.6", &BTreeMap::new()).expect("known");
        // 100,000 prompt tokens: 60,000 uncached, 30,000 cached reads, 10,000 cache writes;
        // 2,000 output tokens.
        let short = Tally {
            prompt: 100_000,
            cached: 30_000,
            cache_write: 10_000,
            completion: 2_000,
            ..Tally::default()
        };
        let no_writes = Tally {
            cache_write: 0,
            ..short
        };
        // 300,000 prompt tokens: past the 272k threshold.
        let long = Tally {
            prompt: 300_000,
            ..short
        };
        let priced = |tier: Option<&str>, tally: &Tally| {
            info.prices_for(tally.prompt, tier)
                .map(|p| cost(tally, p).to_string())
        };
        let usd = |s: &str| Some(s.to_owned());
        // 60,000 × 4 + 30,000 × 0.4 + 10,000 × 5 + 2,000 × 20 = 342,000 per 1M.
        assert_eq!(priced(None, &short), usd("0.342"));
        assert_eq!(priced(Some("default"), &short), usd("0.342"));
        // The 10,000 written as uncached input instead: 70,000 × 4 + 12,000 + 40,000.
        assert_eq!(priced(None, &no_writes), usd("0.332"));
        // flex: 60,000 × 2 + 30,000 × 0.2 + 10,000 × 2.5 + 2,000 × 10 = 171,000 per 1M.
        assert_eq!(priced(Some("flex"), &short), usd("0.171"));
        assert_eq!(priced(Some("flex"), &no_writes), usd("0.166"));
        // priority: 60,000 × 8 + 30,000 × 0.8 + 10,000 × 10 + 2,000 × 40 = 684,000 per 1M.
        assert_eq!(priced(Some("priority"), &short), usd("0.684"));
        assert_eq!(priced(Some("priority"), &no_writes), usd("0.664"));
        // Long context, 260,000 uncached. Standard: 260,000 × 8 + 30,000 × 0.8 + 10,000 × 10
        // + 2,000 × 30 = 2,264,000 per 1M.
        assert_eq!(priced(None, &long), usd("2.264"));
        // flex: 260,000 × 4 + 30,000 × 0.4 + 10,000 × 5 + 2,000 × 15 = 1,132,000 per 1M.
        assert_eq!(priced(Some("flex"), &long), usd("1.132"));
        // priority: 260,000 × 16 + 30,000 × 1.6 + 10,000 × 20 + 2,000 × 60 = 4,528,000.
        assert_eq!(priced(Some("priority"), &long), usd("4.528"));
        // A tier the table does not price is unknown, never the standard price.
        assert_eq!(priced(Some("scale"), &short), None);
    }

    /// gpt-5.5-pro has flex prices but none for flex past 272k, and no priority at all.
    #[test]
    fn a_tier_missing_from_the_table_has_no_price() {
        let info = table()
            .lookup("gpt-5.5-pro", &BTreeMap::new())
            .expect("known");
        assert!(info.responses_only);
        assert_eq!(
            info.prices_for(1_000, Some("flex")).map(|p| p.input),
            Some(per_1m(15.0))
        );
        assert!(info.prices_for(272_001, Some("flex")).is_none());
        assert!(info.prices_for(1_000, Some("priority")).is_none());
        assert!(info.prices_for(272_001, None).is_some());
        let chat = table()
            .lookup("gpt-5.4-mini", &BTreeMap::new())
            .expect("known");
        assert!(!chat.responses_only);
        assert!(chat.tiers.contains_key("flex") && !chat.tiers.contains_key("batches"));
    }

    #[test]
    fn deprecation() {
        let today: Date = "2026-11-24".parse().expect("date");
        let info = table()
            .lookup("gpt-3.5-turbo", &BTreeMap::new())
            .expect("known");
        assert_eq!(
            deprecation_warning("gpt-3.5-turbo", &info, today).as_deref(),
            Some(
                "gpt-3.5-turbo was retired on 2026-10-23; its successor is gpt-5.6-terra (use -m gpt-5.6-terra)"
            )
        );
        let info = table().lookup("gpt-4o", &BTreeMap::new()).expect("known");
        assert_eq!(deprecation_warning("gpt-4o", &info, today), None);
        let soon: Date = "2026-12-20".parse().expect("date");
        assert_eq!(
            deprecation_warning("gpt-4o", &info, soon).as_deref(),
            Some(
                "gpt-4o will be retired on 2027-01-14, in 25 days; its successor is gpt-6-luna (use -m gpt-6-luna)"
            )
        );
    }

    #[test]
    fn image_prices() {
        let table = PriceTable::embedded().with_legacy_images();
        let info = table
            .lookup("gpt-image-2", &BTreeMap::new())
            .expect("known");
        let prices = info.image_tokens.expect("image token prices");
        assert_eq!(
            prices,
            ImageTokenPrices {
                text_input: per_1m(5.0),
                image_input: per_1m(8.0),
                image_output: per_1m(30.0)
            }
        );
        // 40 text tokens in, 4,000 image tokens out: (40 × 5 + 4000 × 30) / 1e6.
        assert_eq!(prices.cost(40, 0, 4000).to_string(), "0.1202");
        let usd = |usd: f64| Some(Money::from_usd(usd));
        assert_eq!(table.per_image("dall-e-3", "hd", "1792x1024"), usd(0.12));
        assert_eq!(
            table.per_image("dall-e-2", "standard", "256x256"),
            usd(0.016)
        );
        assert_eq!(
            table.per_image("gpt-image-1", "high", "1024x1024"),
            usd(0.167)
        );
        assert_eq!(table.per_image("dall-e-3", "hd", "800x600"), None);
    }

    #[test]
    fn upstream_shape_keeps_only_openai() {
        let upstream = r#"{
            "sample_spec": {"mode": "chat"},
            "gpt-x": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06},
            "claude-y": {"litellm_provider": "anthropic", "mode": "chat", "input_cost_per_token": 1e-06}
        }"#;
        let table = PriceTable::parse(upstream).expect("parses");
        assert_eq!(table.model_names().collect::<Vec<_>>(), vec!["gpt-x"]);
        assert!(PriceTable::parse("{}").is_err());
        assert!(PriceTable::parse("<html>").is_err());
    }
}
