//! The inline Markdown of one line (emphasis, code spans, links) as styled atoms that know
//! where they came from in the source, and those atoms laid out in rows of a given width.
//!
//! Knowing the source offset of every row start is what lets a line be shown while it is
//! still arriving: finished rows are written for good, and the rest of the line is parsed
//! again from the first unfinished row, with the delimiters of the spans still open there
//! put back in front (`reopen`).

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use unicode_width::UnicodeWidthChar as _;

use super::style::Style;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Atom {
    pub text: String,
    pub style: Style,
    /// Where a link points, for the terminal's hyperlink (OSC 8).
    pub link: Option<String>,
    /// The source offset of the atom's first byte.
    pub start: usize,
    /// The text is the source's own bytes from `start` on, so a row may begin inside it;
    /// otherwise (an entity, an escape, a link's URL shown after it) it is kept whole.
    pub verbatim: bool,
    /// What a row that begins in this atom puts before the source from there on, to render
    /// as it does here: the opening delimiters of the spans it is inside, outermost first.
    pub reopen: String,
}

/// An open span: what it adds to the style, its opening source text, and for a link the
/// URL and where the link ends in the source.
type Span = (Style, String, Option<(String, usize)>);

/// Builds atoms from pulldown-cmark's inline events; the table renderer feeds it one cell's
/// events at a time.
pub struct Inline<'a> {
    source: &'a str,
    base: Style,
    hyperlinks: bool,
    open: Vec<Span>,
    pub atoms: Vec<Atom>,
}

impl<'a> Inline<'a> {
    pub fn new(source: &'a str, base: Style, hyperlinks: bool) -> Self {
        Self {
            source,
            base,
            hyperlinks,
            open: Vec::new(),
            atoms: Vec::new(),
        }
    }

    fn style(&self) -> Style {
        self.open
            .iter()
            .fold(self.base, |style, (added, ..)| style.with(*added))
    }

    fn reopen(&self) -> String {
        self.open
            .iter()
            .map(|(_, opening, _)| opening.as_str())
            .collect()
    }

    fn link(&self) -> Option<String> {
        if !self.hyperlinks {
            return None;
        }
        self.open
            .iter()
            .rev()
            .find_map(|(_, _, link)| link.as_ref().map(|(url, _)| url.clone()))
    }

    /// The delimiter run of `marker` at `at` in the source, at most `longest` long.
    fn run(&self, at: usize, marker: char, longest: usize) -> String {
        self.source
            .get(at..)
            .unwrap_or_default()
            .chars()
            .take_while(|c| *c == marker)
            .take(longest)
            .collect()
    }

    fn push(&mut self, text: &str, range: &Range<usize>, style: Style, reopen: String) {
        // A code span's text sits inside its backticks (and a space, when they are stripped).
        let found = self
            .source
            .get(range.clone())
            .filter(|_| !text.is_empty())
            .and_then(|slice| match slice.starts_with(text) {
                true => Some(0),
                false => slice.find(text),
            })
            .map(|offset| range.start + offset);
        let reopen = match (found, style.has(Style::CODE)) {
            (Some(start), true) => reopen + self.source.get(range.start..start).unwrap_or_default(),
            _ => reopen,
        };
        self.atoms.push(Atom {
            text: text.to_owned(),
            style,
            link: self.link(),
            start: found.unwrap_or(range.start),
            verbatim: found.is_some(),
            reopen,
        });
    }

    pub fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        let marker = |source: &str| source.get(range.start..).and_then(|s| s.chars().next());
        match event {
            Event::Start(tag) => {
                let (added, opening, link) = match tag {
                    Tag::Strong => (
                        Style::BOLD,
                        self.run(range.start, marker(self.source).unwrap_or('*'), 2),
                        None,
                    ),
                    Tag::Emphasis => (
                        Style::ITALIC,
                        self.run(range.start, marker(self.source).unwrap_or('*'), 1),
                        None,
                    ),
                    Tag::Strikethrough => (Style::STRIKE, self.run(range.start, '~', 2), None),
                    Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                        let opening = match marker(self.source) {
                            Some('!') => "![",
                            Some('<') => "<",
                            _ => "[",
                        };
                        (
                            Style::LINK,
                            opening.to_owned(),
                            Some((dest_url.into_string(), range.end)),
                        )
                    }
                    _ => return,
                };
                self.open.push((added, opening, link));
            }
            Event::End(TagEnd::Strong | TagEnd::Emphasis | TagEnd::Strikethrough) => {
                self.open.pop();
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                let Some((_, _, Some((url, end)))) = self.open.pop() else {
                    return;
                };
                let shown = self.atoms.last().is_some_and(|atom| atom.text == url);
                if !self.hyperlinks && !shown {
                    // Where the terminal cannot link, the address follows the text, after a
                    // space a row may break at.
                    // A row that begins at the address shows it again, escaped, since the
                    // source from there on no longer holds the link.
                    let address = format!("({url})");
                    let escaped: String = address
                        .chars()
                        .flat_map(|c| {
                            c.is_ascii_punctuation()
                                .then_some('\\')
                                .into_iter()
                                .chain([c])
                        })
                        .collect();
                    for (text, again) in [(" ".to_owned(), String::new()), (address, escaped)] {
                        self.atoms.push(Atom {
                            text,
                            style: self.style().with(Style::DIM),
                            link: None,
                            start: end,
                            verbatim: false,
                            reopen: self.reopen() + &again,
                        });
                    }
                }
            }
            Event::Text(text) | Event::InlineHtml(text) | Event::Html(text) => {
                self.push(&text, &range, self.style(), self.reopen());
            }
            Event::Code(text) => {
                self.push(&text, &range, self.style().with(Style::CODE), self.reopen());
            }
            Event::SoftBreak | Event::HardBreak => {
                self.push(" ", &range, self.style(), self.reopen());
            }
            _ => {}
        }
    }
}

/// The atoms of `source`, read as the text of one paragraph.
pub fn parse(source: &str, base: Style, hyperlinks: bool) -> Vec<Atom> {
    let options = Options::ENABLE_STRIKETHROUGH;
    let mut events = Parser::new_ext(source, options)
        .into_offset_iter()
        .peekable();
    let paragraph = matches!(
        events.peek(),
        None | Some((Event::Start(Tag::Paragraph), _))
    );
    match source.chars().next() {
        // The rest of a line after a row break may begin like a block ("- so", "1. and"):
        // its first character is swapped for a letter while parsing, and put back after.
        Some(first) if !paragraph && first.is_ascii() => {
            let swapped = format!("a{}", &source[1..]);
            let mut inline = Inline::new(&swapped, base, hyperlinks);
            for (event, range) in Parser::new_ext(&swapped, options).into_offset_iter() {
                inline.event(event, range);
            }
            let mut atoms = inline.atoms;
            for atom in &mut atoms {
                if atom.start == 0 && atom.verbatim {
                    atom.text.replace_range(0..1, &source[0..1]);
                }
            }
            atoms
        }
        _ => {
            let mut inline = Inline::new(source, base, hyperlinks);
            for (event, range) in events {
                inline.event(event, range);
            }
            inline.atoms
        }
    }
}

/// The first place a span may still be opening: a delimiter shown as literal text now,
/// which the rest of the line could close.
pub fn first_open_delimiter(atoms: &[Atom]) -> Option<usize> {
    atoms
        .iter()
        .filter(|atom| atom.verbatim && !atom.style.has(Style::CODE))
        .find_map(|atom| {
            let chars: Vec<(usize, char)> = atom.text.char_indices().collect();
            chars.iter().enumerate().find_map(|(i, &(at, c))| {
                let before = i.checked_sub(1).map(|j| chars[j].1);
                let after = chars.get(i + 1).map(|&(_, c)| c);
                let opens = match c {
                    '*' | '~' | '`' | '[' | '<' => after.is_none_or(|a| !a.is_whitespace()),
                    '_' => {
                        before.is_none_or(|b| !b.is_alphanumeric())
                            && after.is_none_or(|a| !a.is_whitespace())
                    }
                    _ => false,
                };
                opens.then_some(atom.start + at)
            })
        })
}

/// A piece of one atom placed in a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub atom: usize,
    pub bytes: Range<usize>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Row {
    pub pieces: Vec<Piece>,
    pub width: usize,
}

impl Row {
    /// Where the row begins in the source, and the text that reopens the spans open there.
    pub fn start<'a>(&self, atoms: &'a [Atom]) -> Option<(usize, &'a str)> {
        let piece = self.pieces.first()?;
        let atom = &atoms[piece.atom];
        Some((atom.start + piece.bytes.start, &atom.reopen))
    }
}

/// A run of text between break opportunities: a word, or the spaces between words.
struct Run {
    pieces: Vec<(Piece, usize)>,
    spaces: bool,
}

impl Run {
    fn width(&self) -> usize {
        self.pieces.iter().map(|(_, width)| width).sum()
    }
}

fn runs(atoms: &[Atom]) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    for (index, atom) in atoms.iter().enumerate() {
        let mut add = |bytes: Range<usize>, spaces: bool, width: usize| {
            let piece = (Piece { atom: index, bytes }, width);
            match runs.last_mut() {
                Some(run) if run.spaces == spaces => run.pieces.push(piece),
                _ => runs.push(Run {
                    pieces: vec![piece],
                    spaces,
                }),
            }
        };
        if !atom.verbatim {
            let spaces = atom.text.trim().is_empty();
            add(0..atom.text.len(), spaces, super::width(&atom.text));
            continue;
        }
        let mut from = 0;
        let mut kind = None;
        let mut width = 0;
        for (at, c) in atom.text.char_indices() {
            let spaces = c == ' ';
            if kind.is_some_and(|k| k != spaces) {
                add(from..at, !spaces, width);
                (from, width) = (at, 0);
            }
            kind = Some(spaces);
            width += c.width().unwrap_or(0);
        }
        if let Some(spaces) = kind {
            add(from..atom.text.len(), spaces, width);
        }
    }
    runs
}

/// Greedy word wrapping: the first row `first` columns wide, the others `rest`. A word
/// wider than a row is broken between characters (Korean between syllables); an atom that
/// is not the source's own text is never broken.
pub fn wrap(atoms: &[Atom], first: usize, rest: usize) -> Vec<Row> {
    let mut rows = vec![Row::default()];
    let mut spaces: Option<Run> = None;
    for run in runs(atoms) {
        if run.spaces {
            if rows.last().is_some_and(|row| !row.pieces.is_empty()) {
                spaces = Some(run);
            }
            continue;
        }
        let limit = |rows: &Vec<Row>| if rows.len() == 1 { first } else { rest };
        let word = run.width();
        let gap = spaces.as_ref().map_or(0, Run::width);
        let row = rows.last().map_or(0, |row| row.width);
        // A word that does not fit starts a new row, even one wider than any row: whether it
        // fits is known as soon as it is too wide, which keeps a streamed line's rows the
        // rows of the whole line.
        if row > 0 && row + gap + word > limit(&rows) {
            rows.push(Row::default());
        } else if let Some(spaces) = spaces.take().filter(|_| row > 0) {
            place(&mut rows, spaces.pieces);
        }
        spaces = None;
        for (piece, width) in run.pieces {
            let fits = |rows: &Vec<Row>| {
                rows.last()
                    .is_some_and(|row| row.width + width <= limit(rows))
            };
            if fits(&rows) || !atoms[piece.atom].verbatim {
                if !fits(&rows) && rows.last().is_some_and(|row| row.width > 0) {
                    rows.push(Row::default());
                }
                place(&mut rows, vec![(piece, width)]);
                continue;
            }
            let text = &atoms[piece.atom].text;
            for (at, c) in text[piece.bytes.clone()].char_indices() {
                let at = piece.bytes.start + at;
                let width = c.width().unwrap_or(0);
                if rows
                    .last()
                    .is_some_and(|row| row.width > 0 && row.width + width > limit(&rows))
                {
                    rows.push(Row::default());
                }
                place(
                    &mut rows,
                    vec![(
                        Piece {
                            atom: piece.atom,
                            bytes: at..at + c.len_utf8(),
                        },
                        width,
                    )],
                );
            }
        }
    }
    rows
}

/// Adds pieces to the last row, joining a piece to the one before it when both are of the
/// same atom and touch.
fn place(rows: &mut [Row], pieces: Vec<(Piece, usize)>) {
    let Some(row) = rows.last_mut() else {
        return;
    };
    for (piece, width) in pieces {
        row.width += width;
        match row.pieces.last_mut() {
            Some(last) if last.atom == piece.atom && last.bytes.end == piece.bytes.start => {
                last.bytes.end = piece.bytes.end;
            }
            _ => row.pieces.push(piece),
        }
    }
}

/// A row as the terminal gets it: each atom's piece in its style, links as OSC 8.
pub fn render(row: &Row, atoms: &[Atom], out: &mut String) {
    for piece in &row.pieces {
        let atom = &atoms[piece.atom];
        let text = &atom.text[piece.bytes.clone()];
        match &atom.link {
            Some(url) => {
                out.push_str(&format!("\x1b]8;;{url}\x1b\\"));
                atom.style.paint(text, out);
                out.push_str("\x1b]8;;\x1b\\");
            }
            None => atom.style.paint(text, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(row: &Row, atoms: &[Atom]) -> String {
        row.pieces
            .iter()
            .map(|p| &atoms[p.atom].text[p.bytes.clone()])
            .collect()
    }

    #[test]
    fn atoms_carry_their_style_and_source_offset() {
        let atoms = parse(
            "a **bold** and `x y` [link](http://e.org)",
            Style::default(),
            false,
        );
        let summary: Vec<(&str, Style, usize, bool, &str)> = atoms
            .iter()
            .map(|a| {
                (
                    a.text.as_str(),
                    a.style,
                    a.start,
                    a.verbatim,
                    a.reopen.as_str(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("a ", Style::default(), 0, true, ""),
                ("bold", Style::BOLD, 4, true, "**"),
                (" and ", Style::default(), 10, true, ""),
                ("x y", Style::CODE, 16, true, "`"),
                (" ", Style::default(), 20, true, ""),
                ("link", Style::LINK, 22, true, "["),
                (" ", Style::DIM, 41, false, ""),
                (
                    "(http://e.org)",
                    Style::DIM,
                    41,
                    false,
                    "\\(http\\:\\/\\/e\\.org\\)"
                ),
            ]
        );
    }

    #[test]
    fn a_line_that_starts_like_a_block_is_read_as_text() {
        let atoms = parse("- so **this**", Style::default(), false);
        assert_eq!(atoms[0].text, "- so ");
        assert_eq!(atoms[1].text, "this");
        assert_eq!(atoms[1].style, Style::BOLD);
        let atoms = parse("1. and", Style::default(), false);
        assert_eq!(atoms[0].text, "1. and");
    }

    #[test]
    fn rows_break_at_spaces_and_inside_words_longer_than_a_row() {
        let atoms = parse("one two three abcdefghij", Style::default(), false);
        let rows = wrap(&atoms, 7, 5);
        let texts: Vec<String> = rows.iter().map(|r| plain(r, &atoms)).collect();
        assert_eq!(texts, ["one two", "three", "abcde", "fghij"]);
        assert_eq!(rows[1].start(&atoms), Some((8, "")));
    }

    #[test]
    fn korean_counts_two_columns_a_syllable() {
        let atoms = parse("안녕하세요 세계", Style::default(), false);
        let rows = wrap(&atoms, 10, 10);
        let texts: Vec<String> = rows.iter().map(|r| plain(r, &atoms)).collect();
        assert_eq!(texts, ["안녕하세요", "세계"]);
        let rows = wrap(&atoms, 6, 6);
        let texts: Vec<String> = rows.iter().map(|r| plain(r, &atoms)).collect();
        assert_eq!(texts, ["안녕하", "세요", "세계"]);
    }

    #[test]
    fn a_row_inside_a_span_reopens_it() {
        let source = "x **bold words here** y";
        let atoms = parse(source, Style::default(), false);
        let rows = wrap(&atoms, 8, 8);
        let (at, reopen) = rows[1].start(&atoms).expect("a second row");
        assert_eq!(format!("{reopen}{}", &source[at..]), "**words here** y");
    }

    #[test]
    fn literal_delimiters_may_still_open_a_span() {
        let atoms = parse("so **far and", Style::default(), false);
        assert_eq!(first_open_delimiter(&atoms), Some(3));
        let atoms = parse("2 * 3 and snake_case", Style::default(), false);
        assert_eq!(first_open_delimiter(&atoms), None);
    }
}
