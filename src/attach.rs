//! Files attached to a question: read whole, recognised by their bytes (never their name),
//! checked against the API's limits, and hashed so that the database keeps each file once.

use std::fmt;
use std::fs;
use std::path::Path;

use anyhow::{Result, anyhow, bail};
use base64::Engine as _;
use sha2::{Digest as _, Sha256};

const MB: u64 = 1_000_000;
/// OpenAI's limits per file.
pub const IMAGE_LIMIT: u64 = 20 * MB;
pub const PDF_LIMIT: u64 = 32 * MB;
/// A text file beyond this is more tokens than any model's context.
pub const TEXT_LIMIT: u64 = 4 * MB;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Image,
    Text,
    Pdf,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Text => "text",
            Self::Pdf => "pdf",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Image, Self::Text, Self::Pdf]
            .into_iter()
            .find(|k| k.as_str() == text)
    }

    fn limit(self) -> u64 {
        match self {
            Self::Image => IMAGE_LIMIT,
            Self::Text => TEXT_LIMIT,
            Self::Pdf => PDF_LIMIT,
        }
    }
}

/// `detail` of an image part: how closely the model looks, and so how many tokens it costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Detail {
    Low,
    High,
    Auto,
}

impl Detail {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::High => "high",
            Self::Auto => "auto",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Low, Self::High, Self::Auto]
            .into_iter()
            .find(|d| d.as_str() == text)
    }
}

#[derive(Debug, Clone)]
pub struct Attachment {
    /// The file name, without its folder.
    pub name: String,
    pub mime: String,
    pub kind: Kind,
    /// Empty when the file was read from the store without its bytes (see `store::attachment`).
    pub bytes: Vec<u8>,
    /// The file's size in bytes, known with or without them.
    pub size: u64,
    pub sha256: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub detail: Option<Detail>,
}

struct Size(u64);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 >= MB {
            write!(f, "{:.1} MB", self.0 as f64 / MB as f64)
        } else if self.0 >= 1000 {
            write!(f, "{:.1} kB", self.0 as f64 / 1000.0)
        } else {
            write!(f, "{} bytes", self.0)
        }
    }
}

/// `12.3 kB`, `1.5 MB`.
pub fn size(bytes: u64) -> String {
    Size(bytes).to_string()
}

/// What the bytes are: PNG, JPEG, GIF or WebP images, PDF, or UTF-8 text without NUL bytes,
/// whatever it starts with (HTML, XML, `#!`, even `MZ`: valid UTF-8 is text).
pub fn sniff(bytes: &[u8]) -> Option<(Kind, &'static str)> {
    if let Some(found) = infer::get(bytes) {
        match found.mime_type() {
            mime @ ("image/png" | "image/jpeg" | "image/gif" | "image/webp") => {
                return Some((Kind::Image, mime));
            }
            "application/pdf" => return Some((Kind::Pdf, "application/pdf")),
            _ => {}
        }
    }
    (!bytes.is_empty() && !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok())
        .then_some((Kind::Text, "text/plain"))
}

/// Text in a legacy encoding, as far as the bytes tell.
#[derive(Debug, PartialEq, Eq)]
pub enum Legacy {
    /// Decoded without a single error into enough letters to trust the guess.
    Sure {
        encoding: &'static str,
        text: String,
    },
    /// Looks like text, but the encoding is a guess; `iconv` is the name iconv knows.
    Unsure {
        encoding: &'static str,
        iconv: &'static str,
    },
    /// Not text: control characters, or a known binary format.
    Binary,
}

/// Fewer characters outside ASCII than this do not tell one legacy encoding from another
/// (two bytes are 가 in EUC-KR and 啊 in GBK).
const ENOUGH_EVIDENCE: usize = 8;

/// The encoding of bytes that are not UTF-8, by chardetng's guess. The guess is sure only
/// when the bytes decode in it without a single error, into enough characters outside ASCII,
/// nearly all of them letters or punctuation: a wrong guess decodes into symbols and rare
/// characters, or not at all.
pub fn legacy_text(bytes: &[u8]) -> Legacy {
    let control = |b: &u8| *b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b);
    if infer::get(bytes).is_some() || bytes.iter().any(control) {
        return Legacy::Binary;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = match detector.guess(None, chardetng::Utf8Detection::Deny) {
        // GBK decodes as GB18030, its superset, which iconv and editors also know.
        guess if guess == encoding_rs::GBK => encoding_rs::GB18030,
        guess => guess,
    };
    let unsure = Legacy::Unsure {
        encoding: guess.name(),
        iconv: iconv_name(guess),
    };
    let Some(text) = guess.decode_without_bom_handling_and_without_replacement(bytes) else {
        return unsure;
    };
    let foreign: Vec<char> = text.chars().filter(|c| !c.is_ascii()).collect();
    let plausible = foreign
        .iter()
        .filter(|c| c.is_alphabetic() || matches!(c, '\u{2000}'..='\u{206F}' | '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}'))
        .count();
    if foreign.len() < ENOUGH_EVIDENCE || plausible * 10 < foreign.len() * 9 {
        return unsure;
    }
    Legacy::Sure {
        encoding: guess.name(),
        text: text.into_owned(),
    }
}

/// encoding_rs's names are the Web's; iconv knows some under others.
fn iconv_name(encoding: &'static encoding_rs::Encoding) -> &'static str {
    match encoding.name() {
        "EUC-KR" => "cp949",
        "Shift_JIS" => "cp932",
        "windows-1252" => "cp1252",
        "windows-1251" => "cp1251",
        "windows-1250" => "cp1250",
        other => other,
    }
}

/// The kind a file's extension promises, for the extensions that promise one.
fn claimed_kind(path: &Path) -> Option<Kind> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "png" | "jpg" | "jpeg" | "gif" | "webp" => Some(Kind::Image),
        "pdf" => Some(Kind::Pdf),
        _ => None,
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    sha256_hex_of([bytes])
}

/// The SHA-256 of `parts` one after the other, without joining them first.
pub fn sha256_hex_of<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hex_digest(hasher)
}

/// What `hasher` has been given, as its SHA-256 in lowercase hex.
pub fn hex_digest(hasher: Sha256) -> String {
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reads and checks one file; every error names it and says what would be accepted. Text in
/// a legacy encoding is decoded to UTF-8, and the note that says so comes back with it.
pub fn read(path: &Path, detail: Detail) -> Result<(Attachment, Option<String>)> {
    let shown = path.display();
    let metadata = fs::metadata(path).map_err(|e| anyhow!("cannot attach {shown}: {e}"))?;
    if metadata.is_dir() {
        bail!("cannot attach {shown}: it is a directory; attach the files in it one by one");
    }
    if !metadata.is_file() {
        bail!(
            "cannot attach {shown}: it is not a regular file (a pipe or device cannot be attached)"
        );
    }
    let largest = IMAGE_LIMIT.max(PDF_LIMIT).max(TEXT_LIMIT);
    if metadata.len() > largest {
        bail!(
            "cannot attach {shown}: it is {}, more than any attachment may be ({} at most)",
            size(metadata.len()),
            size(largest)
        );
    }
    let bytes = fs::read(path).map_err(|e| anyhow!("cannot attach {shown}: {e}"))?;
    if bytes.is_empty() {
        bail!("cannot attach {shown}: it is empty");
    }
    let (kind, mime, bytes, note) = match sniff(&bytes) {
        Some((kind, mime)) => (kind, mime, bytes, None),
        None => match legacy_text(&bytes) {
            Legacy::Sure { encoding, text } => (
                Kind::Text,
                "text/plain",
                text.into_bytes(),
                Some(format!("{shown} is {encoding} text; it is sent as UTF-8")),
            ),
            Legacy::Unsure { encoding, iconv } => bail!(
                "cannot attach {shown}: it is not UTF-8, and its encoding is not clear (perhaps {encoding}); \
                 convert it to UTF-8 first, e.g. `iconv -f {iconv} -t utf-8 {shown} > converted.txt`"
            ),
            Legacy::Binary => bail!(
                "cannot attach {shown}: its contents are not a PNG, JPEG, GIF or WebP image, a PDF, or text"
            ),
        },
    };
    // The bytes decide the type; a name that claims another kind means the wrong file.
    if let Some(claimed) = claimed_kind(path)
        && claimed != kind
    {
        bail!(
            "cannot attach {shown}: its name says {} but its contents are {}",
            claimed.as_str(),
            if kind == Kind::Text {
                "UTF-8 text"
            } else {
                mime
            }
        );
    }
    if bytes.len() as u64 > kind.limit() {
        bail!(
            "cannot attach {shown}: it is {}, and {} attachments may be {} at most",
            size(bytes.len() as u64),
            kind.as_str(),
            size(kind.limit())
        );
    }
    let (width, height) = match kind {
        Kind::Image => {
            let dimensions = imagesize::blob_size(&bytes).map_err(|e| {
                anyhow!("cannot attach {shown}: its image header is unreadable ({e})")
            })?;
            let side = |n: usize| u32::try_from(n).ok();
            (side(dimensions.width), side(dimensions.height))
        }
        _ => (None, None),
    };
    let name = path
        .file_name()
        .map_or_else(|| shown.to_string(), |n| n.to_string_lossy().into_owned());
    let attachment = Attachment {
        name,
        mime: mime.to_owned(),
        kind,
        sha256: sha256_hex(&bytes),
        size: bytes.len() as u64,
        bytes,
        width,
        height,
        detail: (kind == Kind::Image).then_some(detail),
    };
    Ok((attachment, note))
}

impl Attachment {
    pub fn data_url(&self) -> String {
        format!(
            "data:{};base64,{}",
            self.mime,
            base64::engine::general_purpose::STANDARD.encode(&self.bytes)
        )
    }

    /// How a text file goes to the model: its name, then its contents.
    pub fn as_text(&self) -> String {
        format!("{}:\n{}", self.name, String::from_utf8_lossy(&self.bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_is_by_content() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x08\x08\x02\0\0\0";
        assert_eq!(sniff(png), Some((Kind::Image, "image/png")));
        assert_eq!(
            sniff(b"\xff\xd8\xff\xe0\0\x10JFIF\0"),
            Some((Kind::Image, "image/jpeg"))
        );
        assert_eq!(
            sniff(b"GIF89a\x01\0\x01\0"),
            Some((Kind::Image, "image/gif"))
        );
        assert_eq!(
            sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
            Some((Kind::Pdf, "application/pdf"))
        );
        assert_eq!(
            sniff("plain text, naïve\n".as_bytes()),
            Some((Kind::Text, "text/plain"))
        );
        assert_eq!(
            sniff(b"PK\x03\x04\x14\0\0\0"),
            None,
            "a zip is not accepted"
        );
        for text in [
            "<!DOCTYPE html><html><body>hi</body></html>",
            "<?xml version=\"1.0\"?><a/>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>",
            "#!/bin/sh\necho hi\n",
            "{\"a\": 1}",
            "a,b\n1,2\n",
            "MZ is how this note starts",
        ] {
            assert_eq!(
                sniff(text.as_bytes()),
                Some((Kind::Text, "text/plain")),
                "{text}"
            );
        }
        assert_eq!(sniff(b"text with a \0 NUL"), None);
        assert_eq!(sniff(b"\xff\xfe not utf-8"), None);
        assert_eq!(sniff(b""), None);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_are_sniffed_without_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2048)) {
            if let Some((Kind::Image, _)) = sniff(&bytes) {
                let _ = imagesize::blob_size(&bytes);
            }
        }

        #[test]
        fn plain_text_is_text(text in "[a-zA-Z0-9 ,.;:!?\n\u{e9}\u{4e2d}]{1,200}") {
            // Text that happens to start like a known file is that file; plain prose is text.
            proptest::prop_assume!(infer::get(text.as_bytes()).is_none());
            proptest::prop_assert_eq!(sniff(text.as_bytes()), Some((Kind::Text, "text/plain")));
        }
    }

    #[test]
    fn legacy_encodings() {
        let encoded = |encoding: &'static encoding_rs::Encoding, text: &str| {
            encoding.encode(text).0.into_owned()
        };
        for (encoding, text) in [
            (
                encoding_rs::EUC_KR,
                "모나드와 펑터의 차이점을 자세히 설명해 주세요. 예제 코드도 함께 부탁합니다.",
            ),
            (
                encoding_rs::SHIFT_JIS,
                "東京都に住んでいます。毎日電車で会社に通っています。",
            ),
            (
                encoding_rs::GB18030,
                "我的数据库很大，查询速度很慢，应该怎么建立索引？",
            ),
            (
                encoding_rs::WINDOWS_1252,
                "Le café était fermé; la crème brûlée attendra. À bientôt, naïve Zoë.",
            ),
        ] {
            assert_eq!(
                legacy_text(&encoded(encoding, text)),
                Legacy::Sure {
                    encoding: encoding.name(),
                    text: text.to_owned()
                }
            );
        }
        // Two bytes that are 가 in EUC-KR and 啊 in GBK: not enough to tell.
        assert!(matches!(legacy_text(b"\xb0\xa1"), Legacy::Unsure { .. }));
        assert_eq!(legacy_text(b"\x7fELF\x02\x01\x01\0\0\0"), Legacy::Binary);
        assert_eq!(legacy_text(b"PK\x03\x04\x14\0\0\0"), Legacy::Binary);
        assert_eq!(legacy_text(b"\xff\xfe\x01\x02\x03"), Legacy::Binary);
    }

    #[test]
    fn sizes() {
        assert_eq!(size(999), "999 bytes");
        assert_eq!(size(12_345), "12.3 kB");
        assert_eq!(size(25_300_000), "25.3 MB");
    }
}
