//! A Markdown table, parsed by pulldown-cmark and laid out by comfy-table: columns aligned
//! as the delimiter row says, wide characters counted as two columns, cells wrapped to fit
//! the terminal.

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};
use pulldown_cmark::{Alignment, Event, Options, Parser, Tag, TagEnd};

use super::inline::{Inline, Row, render};
use super::style::Style;

/// Whether `line` is a delimiter row (`|---|:--:|`), which makes the line above it a header.
pub fn is_delimiter_row(line: &str) -> bool {
    let cells: Vec<&str> = line
        .trim()
        .trim_start_matches('|')
        .trim_end_matches('|')
        .split('|')
        .map(str::trim)
        .collect();
    !cells.is_empty()
        && cells.iter().all(|cell| {
            let dashes = cell.trim_start_matches(':').trim_end_matches(':');
            !dashes.is_empty() && dashes.bytes().all(|b| b == b'-')
        })
}

/// The table of `lines` (a header, a delimiter row and body rows), `width` columns wide at
/// most; `None` when pulldown-cmark does not read them as a table.
pub fn render_table(lines: &[String], width: usize) -> Option<String> {
    let source = lines.join("\n");
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(u16::try_from(width).unwrap_or(u16::MAX));
    let mut alignments = Vec::new();
    let mut row: Vec<Cell> = Vec::new();
    let mut cell: Option<Inline> = None;
    let mut header = true;
    for (event, range) in Parser::new_ext(
        &source,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .into_offset_iter()
    {
        match event {
            Event::Start(Tag::Table(aligned)) => alignments = aligned,
            Event::Start(Tag::TableCell) => {
                let base = if header {
                    Style::BOLD
                } else {
                    Style::default()
                };
                cell = Some(Inline::new(&source, base, false));
            }
            Event::End(TagEnd::TableCell) => {
                let atoms = cell.take().map(|inline| inline.atoms).unwrap_or_default();
                let mut text = String::new();
                let whole = Row {
                    pieces: atoms
                        .iter()
                        .enumerate()
                        .map(|(atom, a)| super::inline::Piece {
                            atom,
                            bytes: 0..a.text.len(),
                        })
                        .collect(),
                    width: 0,
                };
                render(&whole, &atoms, &mut text);
                let alignment = match alignments.get(row.len()) {
                    Some(Alignment::Center) => CellAlignment::Center,
                    Some(Alignment::Right) => CellAlignment::Right,
                    _ => CellAlignment::Left,
                };
                row.push(Cell::new(text).set_alignment(alignment));
            }
            Event::End(TagEnd::TableHead) => {
                table.set_header(std::mem::take(&mut row));
                header = false;
            }
            Event::End(TagEnd::TableRow) => {
                table.add_row(std::mem::take(&mut row));
            }
            event => {
                if let Some(inline) = cell.as_mut() {
                    inline.event(event, range);
                }
            }
        }
    }
    (!alignments.is_empty()).then(|| table.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_rows() {
        assert!(is_delimiter_row("|---|:--:|--:|"));
        assert!(is_delimiter_row(" --- | --- "));
        assert!(!is_delimiter_row("| a | b |"));
        assert!(!is_delimiter_row("|   |"));
    }

    #[test]
    fn columns_align_with_wide_characters_counted_twice() {
        let lines: Vec<String> = ["| 이름 | n |", "|---|--:|", "| 가나다 | 1 |", "| ab | 22 |"]
            .map(str::to_owned)
            .into();
        let table = render_table(&lines, 80).expect("a table");
        let widths: Vec<usize> = table.lines().map(super::super::width).collect();
        assert!(
            widths.iter().all(|w| *w == widths[0]),
            "{widths:?} {table:?}"
        );
        assert!(table.contains("│ 가나다 ┆  1 │"), "{table}");
        assert!(table.contains("│ ab     ┆ 22 │"), "{table}");
    }
}
