//! The OpenAI chat completions wire format, as far as tm uses it.

use serde::{Deserialize, Serialize};

use crate::tokens::Tally;

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

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct Usage {
    #[serde(default)]
    pub prompt_tokens: Count,
    #[serde(default)]
    pub completion_tokens: Count,
    #[serde(default)]
    pub prompt_tokens_details: Option<PromptDetails>,
    #[serde(default)]
    pub completion_tokens_details: Option<CompletionDetails>,
}

impl Usage {
    /// The usage as tm bills it, when it is believable: every count a whole number from 0 to
    /// `most`, cached tokens within the prompt and reasoning within the completion. Else what
    /// the server claimed, for the record and a warning.
    pub fn tally(&self, most: u64) -> Result<Tally, String> {
        let cached = self.prompt_tokens_details.and_then(|d| d.cached_tokens);
        let reasoning = self
            .completion_tokens_details
            .and_then(|d| d.reasoning_tokens);
        let prompt = self.prompt_tokens.within(most, "prompt tokens")?;
        let completion = self.completion_tokens.within(most, "completion tokens")?;
        let cached = cached.map_or(Ok(0), |c| c.within(prompt, "cached tokens"))?;
        let reasoning = reasoning.map_or(Ok(0), |r| r.within(completion, "reasoning tokens"))?;
        Ok(Tally {
            prompt,
            cached,
            completion,
            reasoning,
            estimated: false,
        })
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct PromptDetails {
    pub cached_tokens: Option<Count>,
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
