//! Token estimates (SPEC §4): the model family's tiktoken encoding, plus OpenAI's cookbook
//! overhead of 3 tokens per message (and the role's own tokens) and 3 to prime the reply.
//!
//! Building an encoder takes about a quarter of a second, so callers keep it off the path of a
//! request that is about to go out.

use tiktoken_rs::CoreBPE;

pub const PER_MESSAGE: usize = 3;
pub const REPLY_PRIMING: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    O200kBase,
    Cl100kBase,
}

impl Encoding {
    /// gpt-4, gpt-4-turbo and gpt-3.5 use cl100k_base; gpt-4o/4.1/4.5, gpt-5.x and the o-series
    /// use o200k_base, and so does any newer model name this build has not heard of.
    pub fn for_model(model: &str) -> Self {
        let model = model.rsplit('/').next().unwrap_or(model);
        let o200k_gpt4 = ["gpt-4o", "gpt-4.1", "gpt-4.5"];
        if model.starts_with("gpt-3.5") || model.starts_with("gpt-35") {
            return Self::Cl100kBase;
        }
        if model.starts_with("gpt-4") && !o200k_gpt4.iter().any(|p| model.starts_with(p)) {
            return Self::Cl100kBase;
        }
        Self::O200kBase
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::O200kBase => "o200k_base",
            Self::Cl100kBase => "cl100k_base",
        }
    }

    fn encoder(self) -> &'static CoreBPE {
        match self {
            Self::O200kBase => tiktoken_rs::o200k_base_singleton(),
            Self::Cl100kBase => tiktoken_rs::cl100k_base_singleton(),
        }
    }

    /// Tokens of a text as the API counts user content: special-token text is plain text there.
    pub fn count(self, text: &str) -> usize {
        self.encoder().encode_ordinary(text).len()
    }

    /// Tokens one chat message adds to a prompt, given the tokens of its content.
    pub fn message_tokens(self, role: &str, content_tokens: usize) -> usize {
        PER_MESSAGE + self.count(role) + content_tokens
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families() {
        for model in [
            "gpt-5.4-mini",
            "gpt-4o",
            "gpt-4o-mini",
            "gpt-4.1-nano",
            "o3",
            "o4-mini",
            "gpt-9",
        ] {
            assert_eq!(Encoding::for_model(model), Encoding::O200kBase, "{model}");
        }
        for model in ["gpt-4", "gpt-4-0613", "gpt-4-turbo", "gpt-3.5-turbo"] {
            assert_eq!(Encoding::for_model(model), Encoding::Cl100kBase, "{model}");
        }
    }

    /// Pinned counts: these change only if the encodings themselves do.
    #[test]
    fn exact_counts_both_encodings() {
        let text = "Hello, world! How many tokens is this sentence?";
        assert_eq!(Encoding::O200kBase.count(text), 11);
        assert_eq!(Encoding::Cl100kBase.count(text), 11);
        let code = "fn main() { println!(\"naïve façade\"); }";
        assert_eq!(Encoding::O200kBase.count(code), 12);
        assert_eq!(Encoding::Cl100kBase.count(code), 13);
        assert_eq!(Encoding::O200kBase.count("<|endoftext|>"), 7);
        assert_eq!(Encoding::O200kBase.message_tokens("user", 1), 5);
        assert_eq!(Encoding::Cl100kBase.message_tokens("assistant", 10), 14);
    }
}
