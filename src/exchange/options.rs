//! How a question is sent: the model, system prompt, context window, effort and output
//! limit, resolved once from the flags, the conversation being continued and the settings,
//! and checked against what the price table knows of the model.

use std::collections::BTreeMap;

use anyhow::Result;
use serde_json::Value;

use crate::api::Endpoint;
use crate::cli::SendArgs;
use crate::context::{MaxMessages, Window};
use crate::error;
use crate::prices::{self, EffortFit, ModelInfo, PriceTable};
use crate::settings::Settings;
use crate::store::role::Role;
use crate::ui;

/// Everything about how a question is sent, resolved from flags and settings.
#[derive(Debug, Clone)]
pub struct Options {
    pub model: String,
    pub system: Option<String>,
    pub max_messages: MaxMessages,
    pub context_tokens: Option<usize>,
    pub effort: Option<String>,
    pub max_output: Option<u32>,
    /// The service tier asked for, sent as `service_tier`; `None` asks for none.
    pub tier: Option<String>,
    /// The API chosen; `None` is `auto`, decided by the model (see `endpoint`).
    pub api: Option<Endpoint>,
    pub stream: bool,
    pub counting: Counting,
    /// The saved role the system prompt (and perhaps the model) came from.
    pub role: Option<String>,
    /// Request fields given with `-o KEY=VALUE`, sent as they are.
    pub extra: BTreeMap<String, Value>,
    /// Whether SIGTERM and SIGHUP end an answer as Ctrl-C does, keeping what arrived. Only
    /// for a process that ends with its answer (`tm ask`): tokio cannot give a signal back
    /// once it listens for it, so a `tm chat` that did would ignore them at its prompt.
    /// Without it they end tm as they always do, and the next tm finishes the record.
    pub catch_termination: bool,
}

/// When the tokens of a request are counted with tiktoken. Building the encoder takes about a
/// quarter of a second and 50 MB, far more than a whole `tm ask` against a fast server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counting {
    /// Beside every request, so the record holds the pre-send estimate and each message its
    /// token count (`tm chat`, which builds the encoder while the first question is typed).
    Always,
    /// Only when the API reports no usage and the numbers must be estimated (`tm ask`). The
    /// estimate and the messages' counts are then left empty; `--dry-run` and
    /// `--context-tokens` count what they need when they need it.
    WhenUnreported,
}

impl Options {
    /// What the plan needs of these options.
    pub fn window(&self) -> Window<'_> {
        Window {
            model: &self.model,
            system: self.system.as_deref(),
            max_messages: self.max_messages,
            context_tokens: self.context_tokens,
        }
    }

    /// Flags over settings over defaults, for `ask` and `chat` alike. A continued
    /// conversation's own model comes after `-m` and before every default, `TM_MODEL`
    /// included: continuing a conversation continues it with the model it was having.
    pub fn resolve(
        send: &SendArgs,
        settings: &Settings,
        continued_model: Option<&str>,
        role: Option<&Role>,
        context_tokens: Option<u64>,
        stream: bool,
        counting: Counting,
    ) -> Result<Self> {
        let role_model = role.and_then(|r| r.model.as_deref());
        let model = match (send.model.as_deref(), role_model, continued_model) {
            (None, Some(model), _) | (None, None, Some(model)) => model.to_owned(),
            (flag, _, _) => settings.model(flag)?,
        };
        let system = match (send.system.as_deref(), role) {
            (None, Some(role)) => Some(role.system.clone()),
            (flag, _) => settings.system(flag)?,
        };
        Ok(Self {
            model,
            system,
            max_messages: settings.max_messages(send.max_messages)?,
            context_tokens: context_tokens.and_then(|n| usize::try_from(n).ok()),
            effort: settings.effort(send.effort.as_deref())?,
            max_output: send.max_output,
            tier: settings.tier(send.tier.as_deref())?,
            api: settings.api(send.api.as_deref())?,
            stream,
            counting,
            role: role.map(|r| r.name.clone()),
            extra: extra_fields(&send.options)?,
            catch_termination: false,
        })
    }

    /// Takes on a saved role: its system prompt, and its model when it names one.
    pub fn take_role(&mut self, role: &Role) {
        self.system = Some(role.system.clone());
        if let Some(model) = &role.model {
            self.model.clone_from(model);
        }
        self.role = Some(role.name.clone());
    }

    /// Where the question goes: the API chosen, else the Responses API for a model the
    /// price table says is served only there, else Chat Completions, which every
    /// OpenAI-compatible server speaks.
    pub fn endpoint(&self, info: Option<&ModelInfo>) -> Endpoint {
        self.api
            .unwrap_or(if info.is_some_and(|i| i.responses_only) {
                Endpoint::Responses
            } else {
                Endpoint::Chat
            })
    }

    /// Sends `--effort` only where the price table says the model reasons (or does not know
    /// the model): elsewhere it is left out with a note. A level the model does not take is
    /// refused before anything is sent, naming the levels it takes.
    pub fn fit_effort(&mut self, info: Option<&ModelInfo>) -> Result<()> {
        let Some(level) = self.effort.as_deref() else {
            return Ok(());
        };
        match prices::effort_fit(info, level) {
            EffortFit::Send => {}
            EffortFit::LeaveOut => {
                ui::note(&format!(
                    "{} does not reason, so the effort '{level}' is not sent",
                    self.model
                ));
                self.effort = None;
            }
            EffortFit::Refuse(levels) => {
                return Err(error::usage(format!(
                    "{} does not take the effort '{level}'; it takes {}. Nothing was sent",
                    self.model,
                    levels.join(", ")
                )));
            }
        }
        Ok(())
    }
}

/// Fields tm sets itself, whatever `-o` says: each has its own flag or is tm's to decide.
const SET_BY_TM: [(&str, &str); 14] = [
    ("model", "-m"),
    ("messages", "the conversation"),
    ("input", "the conversation"),
    ("instructions", "-s"),
    ("stream", "--no-stream"),
    ("stream_options", "tm"),
    ("reasoning_effort", "--effort"),
    ("reasoning", "--effort"),
    ("max_completion_tokens", "--max-output"),
    ("max_output_tokens", "--max-output"),
    ("max_tokens", "--max-output"),
    ("service_tier", "--tier"),
    ("store", "tm (always false)"),
    ("prompt_cache_key", "tm"),
];

/// `-o KEY=VALUE` items as request fields: the value as JSON when it reads as JSON
/// (`0.2`, `true`, `["a"]`), else as text. A field tm sets itself is refused, naming how to
/// set it.
fn extra_fields(items: &[String]) -> Result<BTreeMap<String, Value>> {
    let mut fields = BTreeMap::new();
    for item in items {
        let (key, value) = item.split_once('=').ok_or_else(|| {
            error::usage(format!(
                "-o '{item}' has no '=': use -o KEY=VALUE, e.g. -o temperature=0.2"
            ))
        })?;
        let key = key.trim();
        if key.is_empty() {
            return Err(error::usage(format!("-o '{item}' names no field")));
        }
        if let Some((_, how)) = SET_BY_TM.iter().find(|(field, _)| *field == key) {
            return Err(error::usage(format!(
                "-o {key}: tm sets {key} itself (use {how})"
            )));
        }
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::from(value));
        fields.insert(key.to_owned(), value);
    }
    Ok(fields)
}

/// The model's prices and facts, warning when it is retired or about to be.
pub fn model_info(
    table: &PriceTable,
    model: &str,
    settings: &Settings,
) -> Result<Option<ModelInfo>> {
    let info = table.lookup(model, &settings.price_overrides()?);
    // The day in UTC: a retirement date's zone matters for a few hours at most, and finding
    // the system's zone reads the whole zone database, which `tm ask` would otherwise do
    // between the key press and the request.
    let today = crate::clock::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    if let Some(warning) = info
        .as_ref()
        .and_then(|info| prices::deprecation_warning(model, info, today))
    {
        ui::warn(&warning);
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_fields_are_json_else_text_and_never_tms_own() {
        let items = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let fields = extra_fields(&items(&["temperature=0.2", "stop=[\"END\"]", "user=me"]))
            .expect("fields");
        assert_eq!(
            serde_json::to_string(&fields).expect("JSON"),
            r#"{"stop":["END"],"temperature":0.2,"user":"me"}"#
        );
        let refused = extra_fields(&items(&["model=gpt-4o"])).expect_err("refused");
        assert_eq!(
            refused.to_string(),
            "-o model: tm sets model itself (use -m)"
        );
        assert!(extra_fields(&items(&["temperature"])).is_err());
    }
}
