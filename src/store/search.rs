//! What `tm list --search` looks for, and the text the full-text index is made of.
//!
//! The index (SQLite FTS5, `unicode61` words, Porter stems) splits text at spaces and
//! punctuation. That serves English. Korean separates words with spaces, but a word carries
//! its particles and endings (`펑터의`), so the index holds every beginning of a Korean word
//! and a search word is looked up whole. Chinese and Japanese write without spaces, so a whole
//! sentence would be one "word": every run of Han, Hiragana and Katakana characters is
//! indexed as its characters and their overlapping pairs (`数据库` → `数 据 库 数据 据库`), and
//! a search word of those scripts is looked up as all of its pairs in one message, the way
//! Lucene's CJK analyser and most CJK search engines do. Every look-up is of whole terms, never
//! of prefixes, so each costs one seek in the index whatever the script.

use std::borrow::Cow;

use diesel::sql_types::Text;

diesel::define_sql_function! {
    /// The text the search index holds for `text`: see the module's documentation. The
    /// triggers and views of the index call it, so every connection that writes messages or
    /// titles registers it (`register`).
    fn tm_search_text(text: Text) -> Text;
}

/// Makes `tm_search_text` callable on this connection; without it, writing a message fails.
pub fn register(conn: &mut diesel::SqliteConnection) -> diesel::QueryResult<()> {
    tm_search_text_utils::register_impl(conn, |text: String| index_text(&text).into_owned())
}

/// Han ideographs, Hiragana and Katakana: scripts written without spaces between words.
fn is_unspaced(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'     // Hiragana, Katakana
        | '\u{31F0}'..='\u{31FF}'   // Katakana phonetic extensions
        | '\u{3400}'..='\u{4DBF}'   // CJK extension A
        | '\u{4E00}'..='\u{9FFF}'   // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}'   // CJK compatibility ideographs
        | '\u{FF66}'..='\u{FF9F}'   // halfwidth Katakana
        | '\u{20000}'..='\u{3134F}' // CJK extensions B to G
    )
}

/// Hangul syllables and jamo: Korean words begin a word of the index.
fn is_hangul(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}' | '\u{AC00}'..='\u{D7AF}'
    )
}

/// A piece of text as the index sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'a> {
    /// A run of Hangul: a Korean word with its particles and endings.
    Hangul(&'a str),
    /// A run of Han and Kana, written without spaces.
    Unspaced(&'a str),
    /// Everything else, left to the tokenizer.
    Other(&'a str),
}

/// `text` cut where its script changes between Hangul, Han and Kana, and the rest.
fn pieces(text: &str) -> impl Iterator<Item = Piece<'_>> {
    let class = |c: char| {
        if is_hangul(c) {
            1
        } else if is_unspaced(c) {
            2
        } else {
            0
        }
    };
    let mut rest = text;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let kind = class(first);
        let end = rest
            .char_indices()
            .find(|&(_, c)| class(c) != kind)
            .map_or(rest.len(), |(i, _)| i);
        let (piece, tail) = rest.split_at(end);
        rest = tail;
        Some(match kind {
            1 => Piece::Hangul(piece),
            2 => Piece::Unspaced(piece),
            _ => Piece::Other(piece),
        })
    })
}

/// The characters of `run` one by one and in overlapping pairs: `数据库` → `数 据 库 数据 据库`.
fn pairs(run: &str) -> (Vec<char>, Vec<String>) {
    let chars: Vec<char> = run.chars().collect();
    let pairs = chars.windows(2).map(|w| w.iter().collect()).collect();
    (chars, pairs)
}

/// What the index holds for `text`. A Korean word is written with every beginning of it
/// (`펑터의` → `펑 펑터 펑터의`), so that a search for a word finds it with its particles and
/// endings by an exact look-up. A run of Han and Kana is written as its characters and their
/// overlapping pairs. Hangul, Han and Kana are set apart from neighbouring letters and digits
/// (`API를` → `API 를`). Text with none of these scripts is returned as it is, without a copy.
pub fn index_text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| is_unspaced(c) || is_hangul(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() * 4);
    for piece in pieces(text) {
        match piece {
            Piece::Other(other) => out.push_str(other),
            Piece::Hangul(word) => {
                out.push(' ');
                for (end, c) in word.char_indices() {
                    out.push_str(&word[..end + c.len_utf8()]);
                    out.push(' ');
                }
            }
            Piece::Unspaced(run) => {
                out.push(' ');
                let (chars, pairs) = pairs(run);
                for c in chars {
                    out.push(c);
                    out.push(' ');
                }
                for pair in pairs {
                    out.push_str(&pair);
                    out.push(' ');
                }
            }
        }
    }
    Cow::Owned(out)
}

/// A search as an FTS5 query over the index text: its words, each quoted so that none is read
/// as an operator, all required in one message or title. A Korean word is looked up whole
/// (the index holds the beginnings of words); a run of Han or Kana by its pairs, or by itself
/// when it is one character. `None` when it has no word (letters or digits).
pub fn query(text: &str) -> Option<String> {
    let mut terms: Vec<String> = Vec::new();
    for piece in pieces(text) {
        match piece {
            Piece::Other(other) => terms.extend(
                other
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|word| !word.is_empty())
                    .map(str::to_owned),
            ),
            Piece::Hangul(word) => terms.push(word.to_owned()),
            Piece::Unspaced(run) => {
                let (chars, pairs) = pairs(run);
                if pairs.is_empty() {
                    terms.extend(chars.iter().map(char::to_string));
                } else {
                    terms.extend(pairs);
                }
            }
        }
    }
    let quoted: Vec<String> = terms.iter().map(|t| format!("\"{t}\"")).collect();
    (!quoted.is_empty()).then(|| quoted.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_text_of_each_script() {
        assert_eq!(index_text("a monad, 50% off"), "a monad, 50% off");
        assert_eq!(
            index_text("我的数据库"),
            " 我 的 数 据 库 我的 的数 数据 据库 "
        );
        assert_eq!(index_text("東京。"), " 東 京 東京 。");
        assert_eq!(index_text("SQL数据"), "SQL 数 据 数据 ");
        assert_eq!(index_text("펑터의 차이"), " 펑 펑터 펑터의   차 차이 ");
        assert_eq!(index_text("API를"), "API 를 ");
    }

    #[test]
    fn queries() {
        assert_eq!(
            query("monad functor").as_deref(),
            Some("\"monad\" \"functor\"")
        );
        assert_eq!(query("\"off\" OR").as_deref(), Some("\"off\" \"OR\""));
        assert_eq!(query("펑터").as_deref(), Some("\"펑터\""));
        assert_eq!(query("数据库").as_deref(), Some("\"数据\" \"据库\""));
        assert_eq!(query("東京").as_deref(), Some("\"東京\""));
        assert_eq!(query("東").as_deref(), Some("\"東\""));
        assert_eq!(query("SQL데이터").as_deref(), Some("\"SQL\" \"데이터\""));
        assert_eq!(query("%?"), None);
    }
}
