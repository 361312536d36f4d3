//! Markdown for a terminal, rendered as it streams in.
//!
//! The answer is read line by line. A line's kind (heading, list item, quote, fence, table
//! row, rule, paragraph) is known from its first few characters; its inline Markdown is
//! parsed by pulldown-cmark and laid out in rows the width of the terminal. Rows are written
//! once and never redrawn: only the row being written is rewritten in place (`\r`, erase
//! line) while its words arrive, so the output holds no cursor-up sequence. Tables wait for
//! their last row, since a column's width depends on every row; fenced code is written a
//! line at a time, coloured by syntect, with its text unchanged.

mod code;
mod inline;
mod style;
mod table;

use std::io::{self, Write};

use inline::{Atom, Row};
use style::Style;

/// How far past a literal `**`, `` ` `` or `[` a line is held back, waiting for the
/// delimiter that would close it, before its rows are written as they are.
const HOLD_BYTES: usize = 400;

/// How much of a line may arrive before its kind is known; past it the line is rendered
/// when it is complete.
const UNDECIDED_BYTES: usize = 256;

/// The width of `text` on a terminal, escape sequences left out.
pub fn width(text: &str) -> usize {
    let mut visible = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            visible.push(c);
            continue;
        }
        match chars.next() {
            // CSI: parameters up to a final byte.
            Some('[') => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            // OSC (hyperlinks): up to the string terminator, ESC \ or BEL.
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\x07' || (c == '\x1b' && chars.next() == Some('\\')) {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    unicode_width::UnicodeWidthStr::width(visible.as_str())
}

/// What the terminal offers the renderer.
#[derive(Debug, Clone, Copy)]
pub struct Terminal {
    pub width: usize,
    /// Links as OSC 8 hyperlinks; otherwise the address is written after the text.
    pub hyperlinks: bool,
    /// 24-bit colour for code; otherwise the nearest of 256.
    pub truecolor: bool,
}

/// A line whose text flows into rows: a paragraph, a heading, a list item or a quote.
struct Flow {
    /// Before the first row (a bullet, a number, a quote bar) and before the others.
    first: String,
    rest: String,
    base: Style,
    /// The line's text from the first row not yet written for good.
    source: String,
    /// Reopens the spans open where `source` begins.
    reopen: String,
    rows_written: usize,
}

impl Flow {
    fn new(first: String, rest: String, base: Style, content: &str) -> Self {
        Self {
            first,
            rest,
            base,
            source: content.trim_start().to_owned(),
            reopen: String::new(),
            rows_written: 0,
        }
    }

    fn prefix(&self, row: usize) -> &str {
        if self.rows_written + row == 0 {
            &self.first
        } else {
            &self.rest
        }
    }

    fn lay_out(&self, terminal: &Terminal) -> (String, Vec<Atom>, Vec<Row>) {
        let text = format!("{}{}", self.reopen, self.source);
        let atoms = inline::parse(&text, self.base, terminal.hyperlinks);
        let room = |prefix: &str| terminal.width.saturating_sub(width(prefix)).max(8);
        let rows = inline::wrap(&atoms, room(self.prefix(0)), room(&self.rest));
        (text, atoms, rows)
    }

    fn painted(&self, row: usize, rows: &[Row], atoms: &[Atom]) -> String {
        let mut out = self.prefix(row).to_owned();
        inline::render(&rows[row], atoms, &mut out);
        out
    }

    /// The rows that are final now, written out, and the one being written (to show in
    /// place). Rows stay back while a delimiter shown literally may still be closed.
    fn advance(&mut self, terminal: &Terminal) -> (Vec<String>, String) {
        let (text, atoms, rows) = self.lay_out(terminal);
        let last = rows.len() - 1;
        let mut done = last;
        if let Some(open) = inline::first_open_delimiter(&atoms) {
            let mut holding = rows
                .iter()
                .rposition(|row| row.start(&atoms).is_some_and(|(at, _)| at <= open))
                .unwrap_or(0);
            // In the first word of its row, the delimiter may be all that pushed the word
            // there: once it is gone, the word may fit on the row before.
            let row_start = rows[holding].start(&atoms).map_or(0, |(at, _)| at);
            if holding > 0 && !text[row_start..open].contains(' ') {
                holding -= 1;
            }
            if text.len() - rows[holding].start(&atoms).map_or(0, |(at, _)| at) <= HOLD_BYTES {
                done = holding.min(last);
            }
        }
        let Some((at, reopen)) = rows[done].start(&atoms) else {
            return (Vec::new(), String::new());
        };
        let written: Vec<String> = (0..done)
            .map(|row| self.painted(row, &rows, &atoms))
            .collect();
        let current = self.painted(done, &rows, &atoms);
        if done > 0 {
            self.reopen = reopen.to_owned();
            self.source = text[at..].to_owned();
            self.rows_written += done;
        }
        (written, current)
    }

    /// Every row of the finished line.
    fn finish(&self, terminal: &Terminal) -> Vec<String> {
        let (_, atoms, rows) = self.lay_out(terminal);
        (0..rows.len())
            .map(|row| self.painted(row, &rows, &atoms))
            .collect()
    }
}

enum Block {
    Text,
    Code {
        fence: String,
        highlighter: Box<code::Highlighter>,
    },
    /// Lines beginning with `|`: a table once the second is a delimiter row.
    Table(Vec<String>),
}

/// What a line is, from its start; `None` while too little of it has arrived to tell.
enum Kind {
    Blank,
    Fence,
    TableRow,
    Rule,
    Flow(Flow),
}

fn dim(text: &str) -> String {
    let mut out = String::new();
    Style::DIM.paint(text, &mut out);
    out
}

fn kind(line: &str, complete: bool) -> Option<Kind> {
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    let decided = |kind: Kind| Some(kind);
    let waiting = |kind: Kind| complete.then_some(kind);
    let mut chars = trimmed.chars();
    let Some(first) = chars.next() else {
        return waiting(Kind::Blank);
    };
    if first == '`' || first == '~' {
        let run = trimmed.chars().take_while(|c| *c == first).count();
        if run >= 3 {
            return waiting(Kind::Fence);
        }
        if run == trimmed.len() && !complete {
            return None;
        }
    }
    if first == '|' {
        return waiting(Kind::TableRow);
    }
    if matches!(first, '-' | '*' | '_') && trimmed.chars().all(|c| c == first || c == ' ') {
        if !complete {
            return None;
        }
        if trimmed.chars().filter(|c| *c == first).count() >= 3 {
            return decided(Kind::Rule);
        }
    }
    if first == '#' {
        let level = trimmed.chars().take_while(|c| *c == '#').count();
        let after = &trimmed[level..];
        if level <= 6 && after.is_empty() && !complete {
            return None;
        }
        if level <= 6 && (after.is_empty() || after.starts_with(' ')) {
            let base = if level == 1 {
                Style::BOLD.with(Style::UNDERLINE)
            } else {
                Style::BOLD
            };
            return decided(Kind::Flow(Flow::new(
                indent.into(),
                indent.into(),
                base,
                after,
            )));
        }
    }
    if first == '>' {
        let mut depth = 0;
        let mut rest = trimmed;
        while let Some(inner) = rest.strip_prefix('>') {
            depth += 1;
            rest = inner.strip_prefix(' ').unwrap_or(inner);
        }
        if rest.trim().is_empty() && !complete {
            return None;
        }
        let bar = format!("{indent}{}", dim(&"│ ".repeat(depth)));
        return decided(Kind::Flow(Flow::new(
            bar.clone(),
            bar,
            Style::default(),
            rest,
        )));
    }
    let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
    let marker = if matches!(first, '-' | '*' | '+') {
        Some((1, dim("•")))
    } else if (1..=9).contains(&digits) {
        match trimmed[digits..].chars().next() {
            Some('.' | ')') => Some((digits + 1, trimmed[..=digits].to_owned())),
            None if !complete => return None,
            _ => None,
        }
    } else {
        None
    };
    if let Some((length, shown)) = marker {
        match trimmed[length..].chars().next() {
            Some(' ') => {
                let first = format!("{indent}{shown} ");
                let rest = " ".repeat(width(&first));
                let content = &trimmed[length..];
                return decided(Kind::Flow(Flow::new(
                    first,
                    rest,
                    Style::default(),
                    content,
                )));
            }
            None if !complete => return None,
            _ => {}
        }
    }
    decided(Kind::Flow(Flow::new(
        indent.into(),
        indent.into(),
        Style::default(),
        trimmed,
    )))
}

/// A line that renders as itself: printable ASCII without a character Markdown gives a
/// meaning to, not starting like a block, no wider than the terminal. Most lines of most
/// answers are not, but long machine output is, and it skips the parse.
fn is_plain(line: &str, width: usize) -> bool {
    let bytes = line.as_bytes();
    let starts_a_block = |b: &u8| b.is_ascii_digit() || b" ->+=".contains(b);
    bytes.len() <= width
        && bytes.first().is_some_and(|b| !starts_a_block(b))
        && bytes.last().is_some_and(|b| *b != b' ')
        && bytes
            .iter()
            .all(|b| (0x20..0x7f).contains(b) && !b"\\`*_[]<>~&|#!".contains(b))
}

pub struct Renderer {
    terminal: Terminal,
    block: Block,
    /// The line arriving, until its kind is known.
    line: String,
    flow: Option<Flow>,
    /// The row being written, as it is on the screen now.
    shown: String,
}

impl Renderer {
    pub fn new(terminal: Terminal) -> Self {
        Self {
            terminal,
            block: Block::Text,
            line: String::new(),
            flow: None,
            shown: String::new(),
        }
    }

    /// Renders `text`, the next part of the answer, to `out`.
    pub fn feed(&mut self, text: &str, out: &mut impl Write) -> io::Result<()> {
        let mut screen = String::new();
        let mut lines = text.split('\n').peekable();
        while let Some(part) = lines.next() {
            let complete = lines.peek().is_some();
            match self.flow.as_mut() {
                Some(flow) => flow.source.push_str(part),
                None => self.line.push_str(part),
            }
            if complete {
                self.end_line(&mut screen);
            } else if !part.is_empty() {
                self.partial(&mut screen);
            }
        }
        out.write_all(screen.as_bytes())?;
        out.flush()
    }

    /// Ends the answer: the last line is rendered as complete, a waiting table is written.
    pub fn finish(&mut self, out: &mut impl Write) -> io::Result<()> {
        let mut screen = String::new();
        if self.flow.is_some() || !self.line.is_empty() {
            self.end_line(&mut screen);
        }
        if let Block::Table(lines) = std::mem::replace(&mut self.block, Block::Text) {
            self.table(&lines, &mut screen);
        }
        out.write_all(screen.as_bytes())?;
        out.flush()
    }

    /// The whole of `text`, rendered.
    pub fn render(terminal: Terminal, text: &str) -> String {
        let mut out = Vec::new();
        let mut renderer = Self::new(terminal);
        // Writing to a Vec cannot fail.
        let _ = renderer
            .feed(text, &mut out)
            .and_then(|()| renderer.finish(&mut out));
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Shows `row` as the row being written: what it adds when it extends what is shown,
    /// else the row again over it.
    fn show(&mut self, row: String, screen: &mut String) {
        match row.strip_prefix(self.shown.as_str()) {
            Some(added) => screen.push_str(added),
            None => {
                screen.push_str("\r\x1b[K");
                screen.push_str(&row);
            }
        }
        self.shown = row;
    }

    fn write_rows(&mut self, rows: Vec<String>, screen: &mut String) {
        for row in rows {
            self.show(row, screen);
            screen.push('\n');
            self.shown.clear();
        }
    }

    fn partial(&mut self, screen: &mut String) {
        // A line still undecided this far in ("- - - - …") waits for its end rather than
        // being looked at again with every piece that arrives.
        if self.flow.is_none()
            && matches!(self.block, Block::Text)
            && self.line.len() <= UNDECIDED_BYTES
            && let Some(Kind::Flow(flow)) = kind(&self.line, false)
        {
            self.line.clear();
            self.flow = Some(flow);
        }
        if let Some(flow) = self.flow.as_mut() {
            let (written, current) = flow.advance(&self.terminal);
            self.write_rows(written, screen);
            self.show(current, screen);
        }
    }

    fn end_line(&mut self, screen: &mut String) {
        let line = std::mem::take(&mut self.line);
        if let Some(flow) = self.flow.take() {
            let rows = flow.finish(&self.terminal);
            self.write_rows(rows, screen);
            return;
        }
        match &mut self.block {
            Block::Code { fence, highlighter } => {
                let trimmed = line.trim();
                let closes = trimmed.starts_with(fence.as_str())
                    && trimmed.chars().all(|c| fence.starts_with(c));
                if closes {
                    screen.push_str(&dim(&line));
                    self.block = Block::Text;
                } else {
                    highlighter.line(&line, screen);
                }
                screen.push('\n');
            }
            Block::Table(lines) => {
                let starts_row = line.trim_start().starts_with('|');
                if starts_row && (lines.len() != 1 || table::is_delimiter_row(&line)) {
                    lines.push(line);
                    return;
                }
                let lines = std::mem::take(lines);
                self.block = Block::Text;
                self.table(&lines, screen);
                self.text_line(line, screen);
            }
            Block::Text => self.text_line(line, screen),
        }
    }

    fn text_line(&mut self, line: String, screen: &mut String) {
        if is_plain(&line, self.terminal.width) {
            screen.push_str(&line);
            screen.push('\n');
            return;
        }
        match kind(&line, true) {
            Some(Kind::Fence) => {
                let trimmed = line.trim_start();
                let marker = trimmed.chars().next().unwrap_or('`');
                let run = trimmed.chars().take_while(|c| *c == marker).count();
                let info = &trimmed[run..];
                self.block = Block::Code {
                    fence: marker.to_string().repeat(run),
                    highlighter: Box::new(code::Highlighter::new(info, self.terminal.truecolor)),
                };
                screen.push_str(&dim(&line));
                screen.push('\n');
            }
            Some(Kind::TableRow) => self.block = Block::Table(vec![line]),
            Some(Kind::Rule) => {
                screen.push_str(&dim(&"─".repeat(self.terminal.width.min(40))));
                screen.push('\n');
            }
            Some(Kind::Flow(flow)) => {
                let rows = flow.finish(&self.terminal);
                self.write_rows(rows, screen);
            }
            Some(Kind::Blank) | None => screen.push('\n'),
        }
    }

    /// A table, or its lines as text when they are not one.
    fn table(&mut self, lines: &[String], screen: &mut String) {
        if let Some(table) = (lines.len() >= 2)
            .then(|| table::render_table(lines, self.terminal.width))
            .flatten()
        {
            screen.push_str(&table);
            screen.push('\n');
            return;
        }
        for line in lines {
            let flow = Flow::new(String::new(), String::new(), Style::default(), line);
            let rows = flow.finish(&self.terminal);
            self.write_rows(rows, screen);
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::strategy::Strategy as _;

    use super::*;

    const TERMINAL: Terminal = Terminal {
        width: 40,
        hyperlinks: false,
        truecolor: true,
    };

    /// What the terminal shows: escape sequences out, and each `\r` + erase-line taking
    /// back the row being written, as a terminal does.
    fn screen(output: &str) -> String {
        let mut lines: Vec<String> = vec![String::new()];
        let plain: String = {
            let mut out = String::new();
            let mut rest = output;
            while let Some(at) = rest.find('\x1b') {
                out.push_str(&rest[..at]);
                let tail = &rest[at + 1..];
                let skip = if tail.starts_with("[K") {
                    out.push('\u{0}');
                    2
                } else if let Some(osc) = tail.strip_prefix(']') {
                    osc.find("\x1b\\").map_or(tail.len(), |end| end + 3)
                } else {
                    tail.find(|c: char| c.is_ascii_alphabetic())
                        .map_or(tail.len(), |end| end + 1)
                };
                rest = &tail[skip..];
            }
            out + rest
        };
        for c in plain.chars() {
            match c {
                '\n' => lines.push(String::new()),
                '\r' => {}
                '\u{0}' => lines.last_mut().expect("a line").clear(),
                c => lines.last_mut().expect("a line").push(c),
            }
        }
        lines.join("\n")
    }

    /// `text` fed in pieces of `size` bytes (at character boundaries).
    fn streamed(text: &str, size: usize) -> String {
        let mut renderer = Renderer::new(TERMINAL);
        let mut out = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            let mut end = size.min(rest.len());
            while !rest.is_char_boundary(end) {
                end += 1;
            }
            renderer.feed(&rest[..end], &mut out).expect("feed");
            rest = &rest[end..];
        }
        renderer.finish(&mut out).expect("finish");
        String::from_utf8(out).expect("UTF-8")
    }

    const ANSWER: &str = "## 핵심 개념\n\nA **monad** is a `type` with two operations, and a [link](https://example.org) that wraps across rows of this width.\n\n- first item that is long enough to wrap onto a second row\n- 둘째 항목은 한국어로 길게 써서 줄이 바뀝니다 정말로\n\n> quoted text\n\n```rust\nfn main() { println!(\"hi\"); }\n```\n\n| 이름 | 값 |\n|---|--:|\n| 가 | 1 |\n\n---\ndone";

    #[test]
    fn an_answer_renders_the_same_whatever_pieces_it_arrives_in() {
        let whole = screen(&Renderer::render(TERMINAL, ANSWER));
        for size in [1, 2, 3, 5, 8, 13, 64] {
            assert_eq!(screen(&streamed(ANSWER, size)), whole, "pieces of {size}");
        }
        let expected = [
            "핵심 개념",
            "",
            "A monad is a type with two operations,",
            "and a link (https://example.org) that",
            "wraps across rows of this width.",
            "",
            "• first item that is long enough to wrap",
            "  onto a second row",
            "• 둘째 항목은 한국어로 길게 써서 줄이",
            "  바뀝니다 정말로",
            "",
            "│ quoted text",
            "",
            "```rust",
            "fn main() { println!(\"hi\"); }",
            "```",
            "",
            "┌──────┬────┐",
            "│ 이름 ┆ 값 │",
            "╞══════╪════╡",
            "│ 가   ┆  1 │",
            "└──────┴────┘",
            "",
            "────────────────────────────────────────",
            "done",
            "",
        ]
        .join("\n");
        assert_eq!(whole, expected);
    }

    #[test]
    fn no_row_is_ever_redrawn_above_the_one_being_written() {
        let output = streamed(ANSWER, 3);
        for sequence in ["\x1b[A", "\x1b[F", "\x1b[1A", "\x1bM"] {
            assert!(!output.contains(sequence), "{sequence:?} in {output:?}");
        }
    }

    #[test]
    fn a_bold_span_across_a_row_break_stays_bold() {
        let output = streamed(
            "The answer is **this very long bold phrase that wraps** and ends.",
            2,
        );
        assert_eq!(
            screen(&output),
            "The answer is this very long bold phrase\nthat wraps and ends.\n"
        );
        assert!(output.contains("\x1b[1mthat wraps\x1b[0m"), "{output:?}");
    }

    #[test]
    fn links_are_hyperlinks_where_the_terminal_takes_them() {
        let terminal = Terminal {
            hyperlinks: true,
            ..TERMINAL
        };
        let output = Renderer::render(terminal, "see [the docs](https://example.org/d)");
        assert!(
            output.contains(
                "\x1b]8;;https://example.org/d\x1b\\\x1b[4;34mthe docs\x1b[0m\x1b]8;;\x1b\\"
            ),
            "{output:?}"
        );
        assert!(!output.contains("(https://"), "{output:?}");
    }

    /// Markdown as models write it: words (Korean among them), spans, links, and the
    /// starts of blocks, in any order.
    fn markdown() -> impl proptest::strategy::Strategy<Value = String> {
        let pieces = proptest::sample::select(vec![
            "word",
            "longer",
            "한국어로",
            "설명합니다",
            "**bold words**",
            "*italic*",
            "~~gone~~",
            "`code span`",
            "[a link](https://example.org/x)",
            "<https://example.org>",
            "\n",
            "\n\n",
            "\n- ",
            "\n1. ",
            "\n## ",
            "\n> ",
            "\n```rust\nlet x = 1;\n```\n",
            "\n| a | 가 |\n|---|--:|\n| 1 | 2 |\n",
            "\n---\n",
            "2 * 3",
            "snake_case",
        ]);
        proptest::collection::vec(pieces, 0..60).prop_map(|pieces| pieces.join(" "))
    }

    proptest::proptest! {
        /// However the answer is cut, streaming shows what rendering it whole shows.
        #[test]
        fn streaming_shows_what_the_whole_text_shows(text in markdown(), size in 1usize..20) {
            let output = streamed(&text, size);
            proptest::prop_assert_eq!(screen(&output), screen(&Renderer::render(TERMINAL, &text)));
        }

        /// Whatever arrives, the renderer neither panics nor moves the cursor up.
        #[test]
        fn any_text_streams_without_moving_up(
            text in "[-*_`#>|~\\[\\]() a-z가1.\n]{0,300}",
            size in 1usize..20,
        ) {
            let output = streamed(&text, size);
            proptest::prop_assert!(!output.contains("\x1b[A"));
        }
    }

    #[test]
    fn visible_width_skips_escape_sequences() {
        assert_eq!(
            width("\x1b[1m한국\x1b[0m \x1b]8;;http://x\x1b\\a\x1b]8;;\x1b\\"),
            6
        );
    }
}
