//! Settings (`tm config`): one table of keys with their environment variable, default and
//! check; values resolve flag > environment > stored > default and remember where they came
//! from. The API key is the exception: it lives in its own owner-only file, never in the
//! database.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow};

use crate::context::MaxMessages;
use crate::error::usage;
use crate::money::Money;
use crate::prices::{self, EFFORTS, TokenPrices};
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
        check: check_api_key,
    },
    Spec {
        key: "model",
        env: Some("TM_MODEL"),
        default: Some("gpt-5.4-mini"),
        check: check_not_empty,
    },
    Spec {
        key: "effort",
        env: None,
        default: None,
        check: check_effort,
    },
    Spec {
        key: "max-messages",
        env: None,
        default: Some("5"),
        check: check_max_messages,
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
        check: check_not_empty,
    },
    Spec {
        key: "base-url",
        env: Some("OPENAI_BASE_URL"),
        default: Some("https://api.openai.com/v1"),
        check: check_url,
    },
    Spec {
        key: "subscription",
        env: None,
        default: Some("20"),
        check: check_amount,
    },
    Spec {
        key: "timeout",
        env: None,
        default: Some("120"),
        check: check_seconds,
    },
    Spec {
        key: "prices-url",
        env: None,
        default: Some(prices::UPSTREAM_URL),
        check: check_url,
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

pub struct Settings {
    stored: BTreeMap<String, String>,
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

fn check_api_key(value: &str) -> Result<(), String> {
    if value.trim().is_empty() || value.trim().contains(char::is_whitespace) {
        return Err("an API key is one word with no spaces".into());
    }
    Ok(())
}

fn check_not_empty(value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        Err("it must not be empty".into())
    } else {
        Ok(())
    }
}

fn check_effort(value: &str) -> Result<(), String> {
    if EFFORTS.contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "'{value}' is not an effort; use one of {}",
            EFFORTS.join(", ")
        ))
    }
}

fn check_max_messages(value: &str) -> Result<(), String> {
    value.parse::<MaxMessages>().map(drop)
}

fn check_url(value: &str) -> Result<(), String> {
    let url = reqwest::Url::parse(value)
        .map_err(|e| format!("'{value}' is not a URL ({e}); use e.g. http://127.0.0.1:11434/v1"))?;
    if matches!(url.scheme(), "http" | "https") && url.has_host() {
        Ok(())
    } else {
        Err(format!(
            "'{value}' must start with http:// or https://, e.g. http://127.0.0.1:11434/v1"
        ))
    }
}

fn check_amount(value: &str) -> Result<(), String> {
    match value.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(()),
        _ => Err(format!(
            "'{value}' is not an amount in USD; use a number such as 20 (0 hides the comparison)"
        )),
    }
}

fn check_seconds(value: &str) -> Result<(), String> {
    match value.parse::<u64>() {
        Ok(v) if v > 0 => Ok(()),
        _ => Err(format!(
            "'{value}' is not a number of seconds; use a whole number from 1 up"
        )),
    }
}

/// `sk-…abcd`: enough to tell keys apart, never enough to use one.
pub fn mask_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < 12 {
        return "…".to_owned();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

impl Settings {
    pub fn load(store: &mut Store, key_file: PathBuf) -> Result<Self> {
        let stored = store.read(crate::store::settings::all)?;
        Ok(Self { stored, key_file })
    }

    /// Environment, then stored value, then default. Values from the environment are checked
    /// here, since nothing checked them on the way in.
    pub fn get(&self, key: &str) -> Result<Option<(String, Source)>> {
        if key == API_KEY {
            return self.api_key();
        }
        let spec = spec(key);
        if let Some(name) = spec.and_then(|s| s.env)
            && let Some(value) = env_value(name)
        {
            validate(key, &value)
                .with_context(|| format!("from the environment variable {name}"))?;
            return Ok(Some((value, Source::Env(name))));
        }
        if let Some(value) = self.stored.get(key) {
            return Ok(Some((value.clone(), Source::Stored)));
        }
        Ok(spec
            .and_then(|s| s.default)
            .map(|d| (d.to_owned(), Source::Default)))
    }

    /// A command-line flag first, then as `get`.
    fn resolve(&self, key: &str, flag: Option<&str>) -> Result<Option<(String, Source)>> {
        match flag {
            // A flag passes the check `config set` applies: `-m ""` is as wrong as a stored "".
            Some(value) => {
                check_for(key)?(value)
                    .map_err(|why| usage(format!("bad value for --{key}: {why}")))?;
                Ok(Some((value.to_owned(), Source::Flag)))
            }
            None => self.get(key),
        }
    }

    fn value_or_default(&self, key: &str) -> Result<String> {
        self.get(key)?
            .map(|(value, _)| value)
            .ok_or_else(|| anyhow!("the setting {key} has no value"))
    }

    pub fn model(&self, flag: Option<&str>) -> Result<String> {
        match self.resolve("model", flag)? {
            Some((model, _)) => Ok(model),
            None => self.value_or_default("model"),
        }
    }

    pub fn base_url(&self) -> Result<String> {
        self.value_or_default("base-url")
    }

    pub fn prices_url(&self) -> Result<String> {
        self.value_or_default("prices-url")
    }

    pub fn timeout(&self) -> Result<Duration> {
        let seconds = self.value_or_default("timeout")?;
        seconds
            .parse()
            .map(Duration::from_secs)
            .map_err(|_| anyhow!("the stored timeout '{seconds}' is not a number of seconds; run `tm config set timeout 120`"))
    }

    pub fn max_messages(&self, flag: Option<MaxMessages>) -> Result<MaxMessages> {
        if let Some(max) = flag {
            return Ok(max);
        }
        let value = self.value_or_default("max-messages")?;
        value
            .parse()
            .map_err(|why| anyhow!("the setting max-messages: {why}"))
    }

    fn optional(&self, key: &str, flag: Option<&str>) -> Result<Option<String>> {
        Ok(self.resolve(key, flag)?.map(|(value, _)| value))
    }

    /// The system prompt: `--system`, else the setting; none by default.
    pub fn system(&self, flag: Option<&str>) -> Result<Option<String>> {
        self.optional("system", flag)
    }

    /// The reasoning effort: `--effort`, else the setting; none by default.
    pub fn effort(&self, flag: Option<&str>) -> Result<Option<String>> {
        self.optional("effort", flag)
    }

    /// The image model: `--model` of `tm image` (checked by the image rules), else the
    /// setting, else its default.
    pub fn image_model(&self, flag: Option<&str>) -> Result<String> {
        match flag {
            Some(model) => Ok(model.to_owned()),
            None => self.value_or_default("image-model"),
        }
    }

    /// USD a month that `tm usage` compares with; zero hides the comparison.
    pub fn subscription(&self) -> Result<Money> {
        let value = self.value_or_default("subscription")?;
        value
            .parse::<f64>()
            .ok()
            .filter(|usd| usd.is_finite() && *usd >= 0.0)
            .map(Money::from_usd)
            .ok_or_else(|| anyhow!("the setting subscription is '{value}', not an amount in USD; run `tm config set subscription 20`"))
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

    pub fn require_api_key(&self) -> Result<String> {
        self.api_key()?.map(|(key, _)| key).ok_or_else(|| {
            anyhow!("no API key: set OPENAI_API_KEY, or store one with `tm config set api-key` (it asks for it without echoing)")
        })
    }

    /// Every `price.<model>` setting, parsed.
    pub fn price_overrides(&self) -> Result<BTreeMap<String, TokenPrices>> {
        self.stored
            .iter()
            .filter_map(|(key, value)| key.strip_prefix(PRICE_PREFIX).map(|model| (model, value)))
            .map(|(model, value)| {
                let prices = value
                    .parse()
                    .map_err(|why| anyhow!("the setting price.{model}: {why}; fix it with `tm config set price.{model} …`"))?;
                Ok((model.to_owned(), prices))
            })
            .collect()
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
    fn masking_never_shows_the_middle() {
        assert_eq!(mask_key("sk-proj-0123456789abcd"), "sk-…abcd");
        assert_eq!(mask_key("short"), "…");
    }

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
