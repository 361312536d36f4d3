//! The OpenAI wire formats, Chat Completions and the Responses API, as far as tm uses them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::tokens::Tally;

/// The API a question is sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `POST /chat/completions`, which every OpenAI-compatible server speaks.
    Chat,
    /// `POST /responses`, OpenAI's newer API, the only one some models are served by.
    Responses,
}

impl Endpoint {
    pub fn path(self) -> &'static str {
        match self {
            Self::Chat => "chat/completions",
            Self::Responses => "responses",
        }
    }
}

/// A question as one of the two APIs takes it.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum AnswerRequest<'a> {
    Chat(ChatRequest<'a>),
    Responses(ResponsesRequest<'a>),
}

impl AnswerRequest<'_> {
    pub fn endpoint(&self) -> Endpoint {
        match self {
            Self::Chat(_) => Endpoint::Chat,
            Self::Responses(_) => Endpoint::Responses,
        }
    }

    pub fn model(&self) -> &str {
        match self {
            Self::Chat(request) => request.model,
            Self::Responses(request) => request.model,
        }
    }

    pub fn stream(&self) -> bool {
        match self {
            Self::Chat(request) => request.stream,
            Self::Responses(request) => request.stream,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ChatRequest<'a> {
    pub model: &'a str,
    pub messages: Vec<WireMessage<'a>>,
    pub stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_options: Option<StreamOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_effort: Option<&'a str>,
    /// `max_tokens` is deprecated and refused by reasoning models; this is its successor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_completion_tokens: Option<u32>,
    /// The same for every turn of a conversation, so that OpenAI routes its turns to where
    /// their common prefix is cached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt_cache_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<&'a str>,
    /// Fields the user added (`-o temperature=0.2`).
    #[serde(flatten)]
    pub extra: &'a BTreeMap<String, serde_json::Value>,
}

/// `POST /responses`. The system prompt goes as `instructions`, the conversation as `input`.
#[derive(Debug, Serialize)]
pub struct ResponsesRequest<'a> {
    pub model: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instructions: Option<&'a str>,
    pub input: Vec<InputMessage<'a>>,
    pub stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<Reasoning<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<&'a str>,
    /// Always false: OpenAI keeps no copy of a conversation that tm keeps locally (and tm
    /// sends the whole window each time, never a `previous_response_id`).
    pub store: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt_cache_key: Option<String>,
    /// Fields the user added (`-o temperature=0.2`).
    #[serde(flatten)]
    pub extra: &'a BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Serialize)]
pub struct Reasoning<'a> {
    pub effort: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct InputMessage<'a> {
    pub role: &'a str,
    pub content: InputContent<'a>,
}

/// Plain text, or text followed by attached files.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum InputContent<'a> {
    Text(&'a str),
    Parts(Vec<InputPart>),
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InputPart {
    InputText {
        text: String,
    },
    InputImage {
        /// A `data:` URL with the image in base64.
        image_url: String,
        detail: &'static str,
    },
    InputFile {
        filename: String,
        /// A `data:` URL with the file in base64.
        file_data: String,
    },
}

#[derive(Debug, Serialize)]
pub struct StreamOptions {
    pub include_usage: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct WireMessage<'a> {
    pub role: &'a str,
    pub content: Content<'a>,
}

/// Plain text, or text followed by attached files.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Content<'a> {
    Text(&'a str),
    Parts(Vec<ContentPart>),
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentPart {
    Text { text: String },
    ImageUrl { image_url: ImageUrl },
    File { file: FileData },
}

#[derive(Debug, Clone, Serialize)]
pub struct ImageUrl {
    /// A `data:` URL with the image in base64.
    pub url: String,
    pub detail: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileData {
    pub filename: String,
    /// A `data:` URL with the file in base64.
    pub file_data: String,
}

/// A token count as the server wrote it. Any JSON number is taken, so that an impossible one
/// (negative, fractional, past 2^64) is judged with the rest of the usage instead of breaking
/// the chunk that carries it, and with it the answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count(Option<i128>);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let number = serde_json::Number::deserialize(deserializer)?;
        let whole = number
            .as_u64()
            .map(i128::from)
            .or_else(|| number.as_i64().map(i128::from));
        Ok(Self(whole))
    }
}

impl Count {
    pub fn new(n: u64) -> Self {
        Self(Some(i128::from(n)))
    }

    /// The count when it is a whole number from 0 to `most`, else what is wrong with it.
    fn within(self, most: u64, what: &str) -> Result<u64, String> {
        match self.0 {
            Some(n) => u64::try_from(n)
                .ok()
                .filter(|&n| n <= most)
                .ok_or_else(|| format!("{n} {what}")),
            None => Err(format!("a fractional number of {what}")),
        }
    }
}

/// Usage as Chat Completions reports it, or the Responses API under its own names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct Usage {
    #[serde(default, alias = "input_tokens")]
    pub prompt_tokens: Count,
    #[serde(default, alias = "output_tokens")]
    pub completion_tokens: Count,
    #[serde(default, alias = "input_tokens_details")]
    pub prompt_tokens_details: Option<PromptDetails>,
    #[serde(default, alias = "output_tokens_details")]
    pub completion_tokens_details: Option<CompletionDetails>,
}

impl Usage {
    /// The usage as tm bills it, when it is believable: every count a whole number from 0 to
    /// `most`, cached reads and cache writes together within the prompt, and reasoning within
    /// the completion. Else what the server claimed, for the record and a warning.
    pub fn tally(&self, most: u64) -> Result<Tally, String> {
        let details = self.prompt_tokens_details.unwrap_or_default();
        let reasoning = self
            .completion_tokens_details
            .and_then(|d| d.reasoning_tokens);
        let prompt = self.prompt_tokens.within(most, "prompt tokens")?;
        let completion = self.completion_tokens.within(most, "completion tokens")?;
        let cached = details
            .cached_tokens
            .map_or(Ok(0), |c| c.within(prompt, "cached tokens"))?;
        let cache_write = details.cache_write_tokens.map_or(Ok(0), |w| {
            w.within(
                prompt - cached,
                "cache write tokens, more than the uncached prompt",
            )
        })?;
        let reasoning = reasoning.map_or(Ok(0), |r| r.within(completion, "reasoning tokens"))?;
        Ok(Tally {
            prompt,
            cached,
            cache_write,
            completion,
            reasoning,
            estimated: false,
        })
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct PromptDetails {
    pub cached_tokens: Option<Count>,
    /// Tokens written to the prompt cache, billed at the cache-write price (newer models).
    pub cache_write_tokens: Option<Count>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct CompletionDetails {
    pub reasoning_tokens: Option<Count>,
}

/// One `data:` payload of a streamed answer.
#[derive(Debug, Deserialize)]
pub struct ChatChunk {
    #[serde(default)]
    pub choices: Vec<ChunkChoice>,
    #[serde(default)]
    pub usage: Option<Usage>,
    /// The tier that served the request, which is the one billed.
    #[serde(default)]
    pub service_tier: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ChunkChoice {
    #[serde(default)]
    pub delta: Option<Delta>,
    #[serde(default)]
    pub finish_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Delta {
    #[serde(default)]
    pub content: Option<String>,
}

/// A whole answer, for `--no-stream`.
#[derive(Debug, Deserialize)]
pub struct ChatResponse {
    #[serde(default)]
    pub choices: Vec<ResponseChoice>,
    #[serde(default)]
    pub usage: Option<Usage>,
    #[serde(default)]
    pub service_tier: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ResponseChoice {
    pub message: ResponseMessage,
    #[serde(default)]
    pub finish_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ResponseMessage {
    #[serde(default)]
    pub content: Option<String>,
}

/// One event of a streamed Responses API answer, by its `type`; the fields tm reads.
#[derive(Debug, Deserialize)]
pub struct ResponsesEvent {
    #[serde(rename = "type")]
    pub kind: String,
    /// Text of `response.output_text.delta` and `response.refusal.delta`.
    #[serde(default)]
    pub delta: Option<String>,
    /// The response so far, in `response.completed`, `.incomplete` and `.failed`.
    #[serde(default)]
    pub response: Option<ResponseObject>,
    /// What an `error` event says.
    #[serde(default)]
    pub message: Option<String>,
}

/// A Responses API response: the whole answer for `--no-stream`, and the last event of a
/// stream.
#[derive(Debug, Default, Deserialize)]
pub struct ResponseObject {
    /// `completed`, `incomplete`, `failed`, …
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub output: Vec<OutputItem>,
    #[serde(default)]
    pub usage: Option<Usage>,
    #[serde(default)]
    pub service_tier: Option<String>,
    #[serde(default)]
    pub incomplete_details: Option<IncompleteDetails>,
    #[serde(default)]
    pub error: Option<ErrorDetail>,
}

impl ResponseObject {
    /// The text of every message the model wrote, refusals included; reasoning items and
    /// tool calls carry none.
    pub fn text(&self) -> String {
        self.output
            .iter()
            .filter(|item| item.kind == "message")
            .flat_map(|item| &item.content)
            .filter_map(|part| match part.kind.as_str() {
                "output_text" => part.text.as_deref(),
                "refusal" => part.refusal.as_deref(),
                _ => None,
            })
            .collect()
    }

    /// Why the answer stopped short, for a response marked incomplete.
    pub fn incomplete_reason(&self) -> Option<String> {
        (self.status.as_deref() == Some("incomplete")).then(|| {
            self.incomplete_details
                .as_ref()
                .and_then(|d| d.reason.clone())
                .unwrap_or_else(|| "no reason given".to_owned())
        })
    }
}

#[derive(Debug, Deserialize)]
pub struct OutputItem {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub content: Vec<OutputContent>,
}

#[derive(Debug, Deserialize)]
pub struct OutputContent {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub refusal: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct IncompleteDetails {
    #[serde(default)]
    pub reason: Option<String>,
}

/// A whole answer from either API, for `--no-stream`.
#[derive(Debug, Default)]
pub struct WholeAnswer {
    pub text: String,
    pub finish_reason: Option<String>,
    pub usage: Option<Usage>,
    pub tier: Option<String>,
    /// The Responses API stopped the answer short, for this reason.
    pub incomplete: Option<String>,
}

/// `{"error": {"message", "type", "code"}}`, OpenAI's error body.
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Deserialize)]
pub struct ErrorDetail {
    #[serde(default)]
    pub message: String,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub code: Option<serde_json::Value>,
}

impl ErrorDetail {
    pub fn code(&self) -> Option<String> {
        match &self.code {
            Some(serde_json::Value::String(code)) => Some(code.clone()),
            Some(serde_json::Value::Number(code)) => Some(code.to_string()),
            _ => None,
        }
    }
}

/// `POST /images/generations`.
#[derive(Debug, Serialize)]
pub struct ImagesRequest<'a> {
    pub model: &'a str,
    pub prompt: &'a str,
    pub n: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quality: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_format: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<&'a str>,
    /// dall-e answers with URLs unless asked; GPT image models always send base64.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_format: Option<&'a str>,
}

#[derive(Debug, Deserialize)]
pub struct ImagesResponse {
    #[serde(default)]
    pub data: Vec<ImageData>,
    #[serde(default)]
    pub usage: Option<ImageUsage>,
}

#[derive(Debug, Deserialize)]
pub struct ImageData {
    #[serde(default)]
    pub b64_json: Option<String>,
    /// Where the image is when the server did not inline it: a `data:` URL (LiteLLM's proxy)
    /// or an address to download it from.
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub revised_prompt: Option<String>,
}

/// Token usage of a GPT image model's request.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct ImageUsage {
    #[serde(default)]
    pub input_tokens: u64,
    #[serde(default)]
    pub output_tokens: u64,
    #[serde(default)]
    pub input_tokens_details: Option<ImageInputDetails>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct ImageInputDetails {
    #[serde(default)]
    pub text_tokens: Option<u64>,
    #[serde(default)]
    pub image_tokens: Option<u64>,
}

impl ImageUsage {
    /// (text input, image input, image output) tokens; without details, all input is text.
    pub fn split(&self) -> (u64, u64, u64) {
        let details = self.input_tokens_details.unwrap_or_default();
        let image = details.image_tokens.unwrap_or(0);
        let text = details
            .text_tokens
            .unwrap_or(self.input_tokens.saturating_sub(image));
        (text, image, self.output_tokens)
    }
}
