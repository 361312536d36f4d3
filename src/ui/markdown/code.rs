//! Fenced code, coloured by syntect with its bundled syntaxes and themes. Only colour is
//! added: the code's own bytes are written unchanged, so copying from the terminal gives the
//! code back.

use std::sync::OnceLock;

use syntect::easy::HighlightLines;
use syntect::highlighting::{Theme, ThemeSet};
use syntect::parsing::SyntaxSet;

/// Loaded at the first fenced block that names a language syntect knows, never before: the
/// set takes milliseconds to read, which an answer without code should not pay.
fn syntaxes() -> &'static SyntaxSet {
    static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
    SYNTAXES.get_or_init(SyntaxSet::load_defaults_newlines)
}

fn theme() -> &'static Theme {
    static THEME: OnceLock<Theme> = OnceLock::new();
    THEME.get_or_init(|| {
        let mut themes = ThemeSet::load_defaults().themes;
        themes.remove("base16-ocean.dark").unwrap_or_default()
    })
}

/// The language a fence's info string names: its first word, as in ```` ```rust title ````.
fn language(info: &str) -> Option<&str> {
    info.split_whitespace()
        .next()
        .map(|word| word.trim_start_matches('{').trim_start_matches('.'))
        .filter(|word| !word.is_empty())
}

pub struct Highlighter {
    lines: Option<HighlightLines<'static>>,
    truecolor: bool,
}

impl Highlighter {
    pub fn new(info: &str, truecolor: bool) -> Self {
        let lines = language(info).and_then(|name| {
            let syntaxes = syntaxes();
            syntaxes
                .find_syntax_by_token(name)
                .map(|syntax| HighlightLines::new(syntax, theme()))
        });
        Self { lines, truecolor }
    }

    /// One line of code (without its line break), coloured when its language is known.
    pub fn line(&mut self, line: &str, out: &mut String) {
        // syntect reads a line with its break, as the syntaxes loaded expect.
        let with_break = format!("{line}\n");
        let regions = self
            .lines
            .as_mut()
            .and_then(|lines| lines.highlight_line(&with_break, syntaxes()).ok());
        let Some(regions) = regions else {
            out.push_str(line);
            return;
        };
        for (style, text) in regions {
            let text = text.strip_suffix('\n').unwrap_or(text);
            if text.is_empty() {
                continue;
            }
            let colour = style.foreground;
            if self.truecolor {
                out.push_str(&format!(
                    "\x1b[38;2;{};{};{}m",
                    colour.r, colour.g, colour.b
                ));
            } else {
                let index = ansi_colours::ansi256_from_rgb((colour.r, colour.g, colour.b));
                out.push_str(&format!("\x1b[38;5;{index}m"));
            }
            out.push_str(text);
        }
        out.push_str("\x1b[0m");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text between escape sequences, which is what a terminal shows and copies.
    fn visible(painted: &str) -> String {
        let mut out = String::new();
        let mut rest = painted;
        while let Some(at) = rest.find('\x1b') {
            out.push_str(&rest[..at]);
            let end = rest[at..].find('m').map_or(rest.len(), |m| at + m + 1);
            rest = &rest[end..];
        }
        out + rest
    }

    #[test]
    fn known_languages_are_coloured_and_keep_their_exact_text() {
        let mut rust = Highlighter::new("rust", true);
        let mut out = String::new();
        rust.line("fn main() {  let x = \"\t\"; }", &mut out);
        assert!(out.contains("\x1b[38;2;"), "{out:?}");
        assert_eq!(visible(&out), "fn main() {  let x = \"\t\"; }");
    }

    #[test]
    fn unknown_languages_are_written_as_they_are() {
        let mut out = String::new();
        Highlighter::new("no-such-language", false).line("  x = 1", &mut out);
        assert_eq!(out, "  x = 1");
        let mut out = String::new();
        Highlighter::new("", false).line("plain", &mut out);
        assert_eq!(out, "plain");
    }
}
