//! Token estimates: the model family's tiktoken encoding, plus OpenAI's cookbook
//! overhead of 3 tokens per message (and the role's own tokens) and 3 to prime the reply.
//!
//! Building an encoder takes about a quarter of a second, so callers keep it off the path of a
//! request that is about to go out.

use tiktoken_rs::CoreBPE;

mod estimate;

pub use estimate::{Estimate, ToCount, attachment_tokens, estimate, upper_bound};

pub const PER_MESSAGE: usize = 3;
pub const REPLY_PRIMING: usize = 3;

/// Token counts of one request as the API bills them: `cached` (read from the prompt cache)
/// and `cache_write` (written to it) are disjoint parts of `prompt`, and `reasoning` is part
/// of `completion`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub prompt: u64,
    pub cached: u64,
    pub cache_write: u64,
    pub completion: u64,
    pub reasoning: u64,
    /// Counted here because the API reported no usage.
    pub estimated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

/// How a model counts an image (OpenAI's vision guide).
#[derive(Debug, Clone, Copy, PartialEq)]
enum ImageMethod {
    /// `base` tokens, plus `tile` per 512-px tile at high detail.
    Tiles { base: u64, tile: u64 },
    /// 32-px patches (at most 1536), times a per-model multiplier.
    Patches { multiplier: f64 },
}

fn image_method(model: &str) -> ImageMethod {
    let model = model.rsplit('/').next().unwrap_or(model);
    let tiles = |base, tile| ImageMethod::Tiles { base, tile };
    if model.starts_with("o4-mini") {
        return ImageMethod::Patches { multiplier: 1.72 };
    }
    if model.starts_with("gpt-4.1-") || model.starts_with("gpt-5") {
        if model.contains("-mini") {
            return ImageMethod::Patches { multiplier: 1.62 };
        }
        if model.contains("-nano") {
            return ImageMethod::Patches { multiplier: 2.46 };
        }
    }
    if model.starts_with("gpt-4o-mini") {
        tiles(2833, 5667)
    } else if model.starts_with("gpt-5") {
        tiles(70, 140)
    } else if model.starts_with("o1") || model.starts_with("o3") {
        tiles(75, 150)
    } else {
        // gpt-4o, gpt-4.1, gpt-4.5, and any model this build does not know.
        tiles(85, 170)
    }
}

/// Tokens an image of `width`×`height` costs as input. `auto` is counted as `high`: the
/// estimate should not come in under the bill.
pub fn image_tokens(model: &str, width: u32, height: u32, low_detail: bool) -> u64 {
    let (w, h) = (f64::from(width.max(1)), f64::from(height.max(1)));
    match image_method(model) {
        ImageMethod::Tiles { base, .. } if low_detail => base,
        ImageMethod::Tiles { base, tile } => {
            // Fit within 2048×2048, then bring the shorter side down to 768; never enlarge.
            let fit = (2048.0 / w.max(h)).min(1.0);
            let (w, h) = (w * fit, h * fit);
            let short = (768.0 / w.min(h)).min(1.0);
            let (w, h) = ((w * short).floor(), (h * short).floor());
            base + tile * ((w / 512.0).ceil() * (h / 512.0).ceil()) as u64
        }
        ImageMethod::Patches { multiplier } => (patches(w, h) as f64 * multiplier).ceil() as u64,
    }
}

fn patches(w: f64, h: f64) -> u64 {
    const MAX: f64 = 1536.0;
    let raw = (w / 32.0).ceil() * (h / 32.0).ceil();
    if raw <= MAX {
        return raw as u64;
    }
    // The guide's rescale: shrink to about MAX patches, then to whole patches on one side.
    let shrink = (32.0 * 32.0 * MAX / (w * h)).sqrt();
    let shrink = shrink
        * ((w * shrink / 32.0).floor() / (w * shrink / 32.0))
            .min((h * shrink / 32.0).floor() / (h * shrink / 32.0));
    let resized = ((w * shrink / 32.0).ceil()) * ((h * shrink / 32.0).ceil());
    resized.min(MAX) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// OpenAI's worked examples.
    #[test]
    fn image_tokens_tile_method() {
        assert_eq!(image_tokens("gpt-4o", 1024, 1024, false), 765);
        assert_eq!(image_tokens("gpt-4o", 2048, 4096, false), 1105);
        assert_eq!(image_tokens("gpt-4o", 4096, 8192, true), 85);
        assert_eq!(image_tokens("gpt-4o", 512, 512, false), 85 + 170);
        assert_eq!(image_tokens("gpt-4.1", 1024, 1024, false), 765);
        assert_eq!(image_tokens("gpt-5", 1024, 1024, false), 70 + 4 * 140);
        assert_eq!(image_tokens("gpt-5.5", 1024, 1024, true), 70);
        assert_eq!(image_tokens("o3", 1024, 1024, false), 75 + 4 * 150);
        assert_eq!(image_tokens("gpt-4o-mini", 1024, 1024, true), 2833);
        assert_eq!(
            image_tokens("gpt-4o-mini", 1024, 1024, false),
            2833 + 4 * 5667
        );
    }

    #[test]
    fn image_tokens_patch_method() {
        // 1024×1024: 32 × 32 = 1024 patches.
        assert_eq!(image_tokens("gpt-4.1-mini", 1024, 1024, false), 1659);
        assert_eq!(image_tokens("gpt-5.4-mini", 1024, 1024, true), 1659);
        assert_eq!(image_tokens("gpt-5-nano", 1024, 1024, false), 2520);
        assert_eq!(image_tokens("o4-mini", 1024, 1024, false), 1762);
        // The guide's example: 1800×2400 is 4,275 patches, rescaled to 1056×1408, 1,452 patches.
        assert_eq!(patches(1800.0, 2400.0), 1452);
        assert_eq!(patches(32.0, 32.0), 1);
        assert_eq!(patches(10_000.0, 10_000.0), 1521);
    }

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
