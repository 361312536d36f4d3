//! Settings (`tm config`): one table of keys with their environment variable, default and
//! check. Loading resolves every setting once, environment > stored > default, into a typed
//! configuration that remembers where each value came from; a command's flag comes first.
//! The API key is the exception: it lives in its own owner-only file, never in the database,
//! and is read only by the commands that send.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow};

use crate::api::Endpoint;
pub use crate::api::mask_key;
use crate::budget::Limits;
use crate::context::MaxMessages;
use crate::error::usage;
use crate::money::Money;
use crate::prices::{self, EFFORTS, TIERS, TokenPrices};
use crate::store::Store;

pub const API_KEY: &str = "api-key";
const PRICE_PREFIX: &str = "price.";

pub struct Spec {
    pub key: &'static str,
    pub env: Option<&'static str>,
    pub default: Option<&'static str>,
    check: Check,
}

pub const SPECS: &[Spec] = &[
    Spec {
        key: API_KEY,
        env: Some("OPENAI_API_KEY"),
        default: None,
        check: |v| parse_api_key(v).map(drop),
    },
    Spec {
        key: "model",
        env: Some("TM_MODEL"),
        default: Some("gpt-5.4-mini"),
        check: |v| parse_not_empty(v).map(drop),
    },
    Spec {
        key: "effort",
        env: None,
        default: None,
        check: |v| parse_effort(v).map(drop),
    },
    Spec {
        key: "tier",
        env: None,
        default: None,
        check: |v| parse_tier(v).map(drop),
    },
    Spec {
        key: "api",
        env: None,
        default: Some("auto"),
        check: |v| parse_api(v).map(drop),
    },
    Spec {
        key: "max-messages",
        env: None,
        default: Some("5"),
        check: |v| v.parse::<MaxMessages>().map(drop),
    },
    Spec {
        key: "system",
        env: None,
        default: None,
        check: |_| Ok(()),
    },
    Spec {
        key: "image-model",
        env: None,
        default: Some("gpt-image-2"),
        check: |v| parse_not_empty(v).map(drop),
    },
    Spec {
        key: "base-url",
        env: Some("OPENAI_BASE_URL"),
        default: Some("https://api.openai.com/v1"),
        check: |v| parse_url(v).map(drop),
    },
    Spec {
        key: "subscription",
        env: None,
        default: Some("20"),
        check: |v| parse_amount(v).map(drop),
    },
    Spec {
        key: "budget.day",
        env: None,
        default: None,
        check: |v| parse_limit(v).map(drop),
    },
    Spec {
        key: "budget.month",
        env: None,
        default: None,
        check: |v| parse_limit(v).map(drop),
    },
    Spec {
        key: "guard",
        env: None,
        default: None,
        check: |v| parse_limit(v).map(drop),
    },
    Spec {
        key: "render",
        env: None,
        default: Some("markdown"),
        check: |v| parse_render(v).map(drop),
    },
    Spec {
        key: "timeout",
        env: None,
        default: Some("120"),
        check: |v| parse_seconds(v).map(drop),
    },
    Spec {
        key: "prices-url",
        env: None,
        default: Some(prices::UPSTREAM_URL),
        check: |v| parse_url(v).map(drop),
    },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Flag,
    Env(&'static str),
    Stored,
    KeyFile,
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Flag => f.write_str("flag"),
            Self::Env(name) => write!(f, "env {name}"),
            Self::Stored => f.write_str("config"),
            Self::KeyFile => f.write_str("key file"),
            Self::Default => f.write_str("default"),
        }
    }
}

/// A setting's value and where it came from.
#[derive(Debug, Clone)]
struct Sourced<T> {
    value: T,
    source: Source,
}

/// Why a setting's value cannot be used.
#[derive(Debug, Clone)]
struct Broken {
    message: String,
    /// A value from the environment is the command line's fault (exit 2).
    usage: bool,
}

impl Broken {
    fn error(&self) -> anyhow::Error {
        if self.usage {
            usage(self.message.clone())
        } else {
            anyhow!(self.message.clone())
        }
    }
}

/// A setting as loaded. Each keeps its own error, so a broken value fails only the commands
/// that use it, and `tm config set` can still mend it.
type Field<T> = Result<Sourced<T>, Broken>;

/// Every setting but the API key, resolved and parsed once.
struct Config {
    model: Field<String>,
    effort: Field<Option<String>>,
    tier: Field<Option<String>>,
    api: Field<Option<Endpoint>>,
    max_messages: Field<MaxMessages>,
    system: Field<Option<String>>,
    image_model: Field<String>,
    base_url: Field<String>,
    subscription: Field<Money>,
    budget_day: Field<Option<Money>>,
    budget_month: Field<Option<Money>>,
    guard: Field<Option<Money>>,
    render: Field<bool>,
    timeout: Field<Duration>,
    prices_url: Field<String>,
    price_overrides: Result<BTreeMap<String, TokenPrices>, Broken>,
}

impl Config {
    fn resolve(stored: &BTreeMap<String, String>) -> Self {
        Self {
            model: required(stored, "model", parse_not_empty),
            effort: field(stored, "effort", parse_effort),
            tier: field(stored, "tier", parse_tier),
            api: required(stored, "api", parse_api),
            max_messages: required(stored, "max-messages", str::parse),
            system: field(stored, "system", parse_any),
            image_model: required(stored, "image-model", parse_not_empty),
            base_url: required(stored, "base-url", parse_url),
            subscription: required(stored, "subscription", parse_amount),
            budget_day: field(stored, "budget.day", parse_limit),
            budget_month: field(stored, "budget.month", parse_limit),
            guard: field(stored, "guard", parse_limit),
            render: required(stored, "render", parse_render),
            timeout: required(stored, "timeout", parse_seconds),
            prices_url: required(stored, "prices-url", parse_url),
            price_overrides: stored
                .iter()
                .filter_map(|(key, value)| {
                    key.strip_prefix(PRICE_PREFIX)
                        .map(|model| (key, model, value))
                })
                .map(|(key, model, value)| {
                    let prices = value
                        .parse()
                        .map_err(|why: String| stored_broken(key, &why))?;
                    Ok((model.to_owned(), prices))
                })
                .collect(),
        }
    }
}

/// Where a key's text comes from: the environment, else the database, else the default.
fn lookup(stored: &BTreeMap<String, String>, key: &str) -> Option<(String, Source)> {
    let spec = spec(key);
    if let Some(name) = spec.and_then(|s| s.env)
        && let Some(value) = env_value(name)
    {
        return Some((value, Source::Env(name)));
    }
    if let Some(value) = stored.get(key) {
        return Some((value.clone(), Source::Stored));
    }
    spec.and_then(|s| s.default)
        .map(|d| (d.to_owned(), Source::Default))
}

fn stored_broken(key: &str, why: &str) -> Broken {
    Broken {
        message: format!(
            "bad value for {key} in the database: {why}; `tm config set {key} …` replaces it"
        ),
        usage: false,
    }
}

/// A setting that may have no value at all; unset, its source is `Default`.
fn field<T>(
    stored: &BTreeMap<String, String>,
    key: &str,
    parse: fn(&str) -> Result<T, String>,
) -> Field<Option<T>> {
    let Some((text, source)) = lookup(stored, key) else {
        return Ok(Sourced {
            value: None,
            source: Source::Default,
        });
    };
    match parse(&text) {
        Ok(value) => Ok(Sourced {
            value: Some(value),
            source,
        }),
        Err(why) => Err(match source {
            Source::Env(name) => Broken {
                message: format!("bad value for {key} in the environment variable {name}: {why}"),
                usage: true,
            },
            _ => stored_broken(key, &why),
        }),
    }
}

/// A setting with a default, so it always has a value.
fn required<T>(
    stored: &BTreeMap<String, String>,
    key: &str,
    parse: fn(&str) -> Result<T, String>,
) -> Field<T> {
    let Sourced { value, source } = field(stored, key, parse)?;
    value
        .map(|value| Sourced { value, source })
        .ok_or_else(|| Broken {
            message: format!("the setting {key} has no value"),
            usage: false,
        })
}

/// The field's value, or its error.
fn value<T: Clone>(field: &Field<T>) -> Result<T> {
    field
        .as_ref()
        .map(|s| s.value.clone())
        .map_err(Broken::error)
}

/// A command-line flag passes the check `config set` applies: `-m ""` is as wrong as a
/// stored "".
fn flag<T>(key: &str, text: &str, parse: fn(&str) -> Result<T, String>) -> Result<T> {
    parse(text).map_err(|why| usage(format!("bad value for --{key}: {why}")))
}

pub struct Settings {
    stored: BTreeMap<String, String>,
    config: Config,
    key_file: PathBuf,
}

fn spec(key: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.key == key)
}

fn env_value(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The key's check, or an error naming the key and listing the real ones.
type Check = fn(&str) -> Result<(), String>;

fn check_for(key: &str) -> Result<Check> {
    if let Some(model) = key.strip_prefix(PRICE_PREFIX) {
        if model.is_empty() {
            return Err(usage(format!(
                "'{key}' names no model: use price.<model>, e.g. price.gpt-4o"
            )));
        }
        return Ok(|value| value.parse::<TokenPrices>().map(drop));
    }
    spec(key).map(|s| s.check).ok_or_else(|| {
        let keys: Vec<&str> = SPECS.iter().map(|s| s.key).collect();
        usage(format!(
            "unknown setting '{key}'; the settings are {}, and price.<model>",
            keys.join(", ")
        ))
    })
}

pub fn validate_key(key: &str) -> Result<()> {
    check_for(key).map(drop)
}

/// Checks a key and value before `config set` stores them; the error names both and says what fits.
pub fn validate(key: &str, value: &str) -> Result<()> {
    check_for(key)?(value).map_err(|why| usage(format!("bad value for {key}: {why}")))
}

// Each kind of value has one parser; a setting's check is its parser with the value dropped.

fn parse_api_key(value: &str) -> Result<String, String> {
    let key = value.trim();
    if key.is_empty() || key.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return Err("an API key is one word with no spaces".into());
    }
    Ok(key.to_owned())
}

fn parse_not_empty(value: &str) -> Result<String, String> {
    if value.trim().is_empty() {
        Err("it must not be empty".into())
    } else {
        Ok(value.to_owned())
    }
}

fn parse_any(value: &str) -> Result<String, String> {
    Ok(value.to_owned())
}

fn parse_effort(value: &str) -> Result<String, String> {
    if EFFORTS.contains(&value) {
        Ok(value.to_owned())
    } else {
        Err(format!(
            "'{value}' is not an effort; use one of {}",
            EFFORTS.join(", ")
        ))
    }
}

/// A service tier to ask for; `fast` is what OpenAI now calls `priority`.
fn parse_tier(value: &str) -> Result<String, String> {
    match value {
        "fast" => Ok("priority".to_owned()),
        _ if TIERS.contains(&value) => Ok(value.to_owned()),
        _ => Err(format!(
            "'{value}' is not a service tier; use one of {} (fast is priority)",
            TIERS.join(", ")
        )),
    }
}

/// Which API questions go to; `auto` (no choice) lets the model decide.
fn parse_api(value: &str) -> Result<Option<Endpoint>, String> {
    match value {
        "auto" => Ok(None),
        "chat" => Ok(Some(Endpoint::Chat)),
        "responses" => Ok(Some(Endpoint::Responses)),
        _ => Err(format!(
            "'{value}' is not an API; use auto (the Responses API for models served only there), chat or responses"
        )),
    }
}

fn parse_url(value: &str) -> Result<String, String> {
    let url = reqwest::Url::parse(value)
        .map_err(|e| format!("'{value}' is not a URL ({e}); use e.g. http://127.0.0.1:11434/v1"))?;
    if matches!(url.scheme(), "http" | "https") && url.has_host() {
        Ok(value.to_owned())
    } else {
        Err(format!(
            "'{value}' must start with http:// or https://, e.g. http://127.0.0.1:11434/v1"
        ))
    }
}

fn parse_amount(value: &str) -> Result<Money, String> {
    match value.parse::<f64>() {
        Ok(usd) if usd.is_finite() && usd >= 0.0 => Ok(Money::from_usd(usd)),
        _ => Err(format!(
            "'{value}' is not an amount in USD; use a number such as 20 (0 hides the comparison)"
        )),
    }
}

/// A budget or the guard: USD above zero (unset to have none).
fn parse_limit(value: &str) -> Result<Money, String> {
    match value.parse::<f64>() {
        Ok(usd) if usd.is_finite() && usd > 0.0 => Ok(Money::from_usd(usd)),
        _ => Err(format!(
            "'{value}' is not an amount in USD above zero; use a number such as 15 (`tm config unset` removes a limit)"
        )),
    }
}

/// Whether answers on a terminal are rendered: `markdown`, or `raw` for the model's text.
fn parse_render(value: &str) -> Result<bool, String> {
    match value {
        "markdown" => Ok(true),
        "raw" => Ok(false),
        _ => Err(format!(
            "'{value}' is not a way to show answers; use markdown (rendered on a terminal) or raw"
        )),
    }
}

fn parse_seconds(value: &str) -> Result<Duration, String> {
    match value.parse::<u64>() {
        Ok(seconds) if seconds > 0 => Ok(Duration::from_secs(seconds)),
        _ => Err(format!(
            "'{value}' is not a number of seconds; use a whole number from 1 up"
        )),
    }
}

impl Settings {
    pub fn load(store: &mut Store, key_file: PathBuf) -> Result<Self> {
        let stored = store.read(crate::store::settings::all)?;
        let config = Config::resolve(&stored);
        Ok(Self {
            stored,
            config,
            key_file,
        })
    }

    /// A key's text and where it came from, as `tm config get` and `list` show it. A value
    /// from the environment is checked here, since nothing checked it on the way in; a stored
    /// one was checked by `config set` and is shown even when it has since been damaged.
    pub fn get(&self, key: &str) -> Result<Option<(String, Source)>> {
        if key == API_KEY {
            return self.api_key();
        }
        let found = lookup(&self.stored, key);
        if let Some((value, Source::Env(name))) = &found {
            validate(key, value)
                .with_context(|| format!("from the environment variable {name}"))?;
        }
        Ok(found)
    }

    pub fn model(&self, flag_value: Option<&str>) -> Result<String> {
        match flag_value {
            Some(text) => flag("model", text, parse_not_empty),
            None => value(&self.config.model),
        }
    }

    pub fn base_url(&self) -> Result<String> {
        value(&self.config.base_url)
    }

    pub fn prices_url(&self) -> Result<String> {
        value(&self.config.prices_url)
    }

    /// Whether Markdown is rendered on a terminal: not with `--raw`, else as the setting says.
    pub fn renders_markdown(&self, raw_flag: bool) -> Result<bool> {
        if raw_flag {
            return Ok(false);
        }
        value(&self.config.render)
    }

    pub fn timeout(&self) -> Result<Duration> {
        value(&self.config.timeout)
    }

    pub fn max_messages(&self, flag_value: Option<MaxMessages>) -> Result<MaxMessages> {
        match flag_value {
            Some(max) => Ok(max),
            None => value(&self.config.max_messages),
        }
    }

    /// The system prompt: `--system`, else the setting; none by default.
    pub fn system(&self, flag_value: Option<&str>) -> Result<Option<String>> {
        match flag_value {
            Some(text) => Ok(Some(text.to_owned())),
            None => value(&self.config.system),
        }
    }

    /// The reasoning effort: `--effort`, else the setting; none by default.
    pub fn effort(&self, flag_value: Option<&str>) -> Result<Option<String>> {
        match flag_value {
            Some(text) => flag("effort", text, parse_effort).map(Some),
            None => value(&self.config.effort),
        }
    }

    /// The service tier to ask for: `--tier`, else the setting; none by default (the
    /// account's own, which OpenAI bills at the standard prices).
    pub fn tier(&self, flag_value: Option<&str>) -> Result<Option<String>> {
        match flag_value {
            Some(text) => flag("tier", text, parse_tier).map(Some),
            None => value(&self.config.tier),
        }
    }

    /// The API to send to: `--api`, else the setting; `None` is `auto`.
    pub fn api(&self, flag_value: Option<&str>) -> Result<Option<Endpoint>> {
        match flag_value {
            Some(text) => flag("api", text, parse_api),
            None => value(&self.config.api),
        }
    }

    /// The image model: `--model` of `tm image` (checked by the image rules), else the
    /// setting, else its default.
    pub fn image_model(&self, flag_value: Option<&str>) -> Result<String> {
        match flag_value {
            Some(model) => Ok(model.to_owned()),
            None => value(&self.config.image_model),
        }
    }

    /// USD a month that `tm usage` compares with; zero hides the comparison.
    pub fn subscription(&self) -> Result<Money> {
        value(&self.config.subscription)
    }

    /// The budgets and the guard; each unset is none.
    pub fn limits(&self) -> Result<Limits> {
        Ok(Limits {
            day: value(&self.config.budget_day)?,
            month: value(&self.config.budget_month)?,
            guard: value(&self.config.guard)?,
        })
    }

    /// `OPENAI_API_KEY`, else the key file.
    pub fn api_key(&self) -> Result<Option<(String, Source)>> {
        if let Some(key) = env_value("OPENAI_API_KEY") {
            return Ok(Some((key.trim().to_owned(), Source::Env("OPENAI_API_KEY"))));
        }
        match fs::read_to_string(&self.key_file) {
            Ok(key) if !key.trim().is_empty() => Ok(Some((key.trim().to_owned(), Source::KeyFile))),
            Ok(_) => Ok(None),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err).with_context(|| {
                format!(
                    "could not read the API key file {}",
                    self.key_file.display()
                )
            }),
        }
    }

    /// The client these settings describe: `base-url`, the key, `timeout`.
    pub fn client(&self) -> Result<crate::api::Client> {
        crate::api::Client::new(&self.base_url()?, self.require_api_key()?, self.timeout()?)
    }

    /// The key, for sending. A key with a space, line break or other control character inside
    /// cannot go in a header; it is refused here, naming where it came from and never showing
    /// it, rather than failing every attempt as if the network were down.
    pub fn require_api_key(&self) -> Result<String> {
        let (key, source) = self.api_key()?.ok_or_else(|| {
            anyhow!("no API key: set OPENAI_API_KEY, or store one with `tm config set api-key` (it asks for it without echoing)")
        })?;
        if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(match source {
                Source::Env(name) => usage(format!(
                    "{name} has a space, a line break or a control character inside the key; set it to the key alone"
                )),
                _ => anyhow!(
                    "the API key in {} has a space, a line break or a control character inside it; store it again with `tm config set api-key`",
                    self.key_file.display()
                ),
            });
        }
        Ok(key)
    }

    /// Every `price.<model>` setting, parsed.
    pub fn price_overrides(&self) -> Result<BTreeMap<String, TokenPrices>> {
        self.config.price_overrides.clone().map_err(|b| b.error())
    }

    /// Whether the database holds a value for `key`.
    pub fn is_stored(&self, key: &str) -> bool {
        self.stored.contains_key(key)
    }

    /// Stored keys beyond the fixed table (the `price.<model>` ones), for `config list`.
    pub fn stored_price_keys(&self) -> impl Iterator<Item = &str> {
        self.stored
            .keys()
            .map(String::as_str)
            .filter(|k| k.starts_with(PRICE_PREFIX))
    }

    pub fn key_file(&self) -> &Path {
        &self.key_file
    }
}

/// The key file is owner-only, written whole or not at all.
pub fn store_api_key(key_file: &Path, key: &str) -> Result<()> {
    crate::paths::write_private_file(key_file, format!("{key}\n").as_bytes())
}

pub fn remove_api_key(key_file: &Path) -> Result<bool> {
    match fs::remove_file(key_file) {
        Ok(()) => Ok(true),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(err) => Err(err).with_context(|| format!("could not remove {}", key_file.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_the_accepted_forms() {
        let err = |k: &str, v: &str| validate(k, v).expect_err(v).to_string();
        assert!(
            err("colour", "red")
                .contains("unknown setting 'colour'; the settings are api-key, model")
        );
        assert!(err("base-url", "localhost:8080").contains("must start with http:// or https://"));
        assert!(err("max-messages", "0").contains("whole number from 1 up, or 'all'"));
        assert!(err("effort", "max").contains("none, minimal, low, medium, high, xhigh"));
        assert!(err("price.gpt-4o", "cheap").contains("input=N,output=N[,cached=N]"));
        assert!(err("price.", "input=1,output=1").contains("names no model"));
        assert!(validate("base-url", "http://127.0.0.1:11434/v1").is_ok());
        assert!(validate("max-messages", "all").is_ok());
        assert!(validate("price.local", "input=0,output=0").is_ok());
    }
}
