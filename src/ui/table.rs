//! Tables with one look: box lines on a styled terminal, plain aligned columns otherwise, so
//! piped output stays stable. On a terminal a table is fitted to its width without ever
//! breaking a value across lines: the one column of free text (a title, say) is shortened
//! with `…` first, then whole columns are left out in the order the table gives, and what is
//! left is laid out as it is, never wrapped.

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};

/// The narrowest a shortened text column becomes before columns are left out.
const SHORTEST_TEXT: usize = 12;

pub struct Grid {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    right_aligned: Vec<usize>,
    /// The column of free text that may be shortened to fit.
    text: Option<usize>,
    /// Columns to leave out, first to last, while the table is still too wide.
    drop_order: Vec<usize>,
}

pub fn new<const N: usize>(headers: [&str; N], right_aligned: &[usize]) -> Grid {
    Grid {
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        rows: Vec::new(),
        right_aligned: right_aligned.to_vec(),
        text: None,
        drop_order: Vec::new(),
    }
}

impl Grid {
    pub fn add_row(&mut self, row: impl IntoIterator<Item = String>) {
        self.rows.push(row.into_iter().collect());
    }

    /// On a narrow terminal, `text` is shortened first, then the `drop_order` columns go.
    pub fn fit(mut self, text: Option<usize>, drop_order: &[usize]) -> Self {
        self.text = text;
        self.drop_order = drop_order.to_vec();
        self
    }

    /// The columns kept and the width of the text column, for a terminal `width` wide.
    fn layout(&self, width: usize) -> (Vec<usize>, Option<usize>) {
        // Measured once: a table may have thousands of rows (`tm list --all`).
        let widths: Vec<usize> = (0..self.headers.len())
            .map(|column| {
                self.rows
                    .iter()
                    .map(|row| row.get(column).map_or(0, |cell| super::fmt::width(cell)))
                    .chain([super::fmt::width(&self.headers[column])])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let widest = |column: usize| widths[column];
        let mut kept: Vec<usize> = (0..self.headers.len()).collect();
        // Each column takes its content, a space either side and one border line; the
        // table one more border line.
        let needed = |kept: &[usize], text_width: Option<usize>| {
            1 + kept
                .iter()
                .map(|&c| match (Some(c) == self.text, text_width) {
                    (true, Some(w)) => w + 3,
                    _ => widest(c) + 3,
                })
                .sum::<usize>()
        };
        let mut drops = self.drop_order.iter();
        loop {
            let full = needed(&kept, None);
            if full <= width {
                return (kept, None);
            }
            if let Some(text) = self.text.filter(|t| kept.contains(t)) {
                let floor = SHORTEST_TEXT.max(super::fmt::width(&self.headers[text]));
                let shortened = widest(text).saturating_sub(full - width);
                if shortened >= floor {
                    return (kept, Some(shortened));
                }
            }
            match drops.next() {
                Some(column) => kept.retain(|c| c != column),
                // Nothing more may go: the shortest text column, and the terminal wraps.
                None => {
                    let floor = self.text.map(|t| {
                        SHORTEST_TEXT
                            .max(super::fmt::width(&self.headers[t]))
                            .min(widest(t))
                    });
                    return (kept, floor);
                }
            }
        }
    }

    fn table(&self, kept: &[usize], text_width: Option<usize>, styled: bool) -> Table {
        let mut table = Table::new();
        if styled {
            table.load_preset(presets::UTF8_FULL_CONDENSED);
        } else {
            table.load_preset(presets::NOTHING);
        }
        table.set_content_arrangement(ContentArrangement::Disabled);
        let cell = |column: usize, text: &str| match text_width {
            Some(width) if Some(column) == self.text => Cell::new(super::fmt::preview(text, width)),
            _ => Cell::new(text),
        };
        table.set_header(kept.iter().map(|&c| cell(c, &self.headers[c])));
        for row in &self.rows {
            table.add_row(
                kept.iter()
                    .map(|&c| cell(c, row.get(c).map_or("", String::as_str))),
            );
        }
        for (index, column) in kept.iter().enumerate() {
            if self.right_aligned.contains(column)
                && let Some(column) = table.column_mut(index)
            {
                column.set_cell_alignment(CellAlignment::Right);
            }
        }
        table
    }
}

/// The table as text. Off a terminal every column is there and the NOTHING preset's
/// trailing blanks are trimmed, which keeps piped output easy to compare or grep.
pub fn render(grid: &Grid) -> String {
    let width = super::stdout_terminal_width();
    let (kept, text_width) = match width {
        Some(width) => grid.layout(width),
        None => ((0..grid.headers.len()).collect(), None),
    };
    grid.table(&kept, text_width, super::stdout_is_styled())
        .lines()
        .map(|line| line.trim_end().to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Grid {
        let mut grid =
            new(["id", "title", "tokens", "cost", "when"], &[0, 2, 3]).fit(Some(1), &[2, 4]);
        grid.add_row([
            "12".into(),
            "모나드와 펑터의 차이점 정리".into(),
            "1,234".into(),
            "$0.00097".into(),
            "2026-11-20 05:00".into(),
        ]);
        grid
    }

    #[test]
    fn wide_enough_keeps_everything_whole() {
        // 1 + (2+3) + (27+3) + (6+3) + (8+3) + (16+3) = 75: Hangul takes two columns.
        assert_eq!(grid().layout(75), (vec![0, 1, 2, 3, 4], None));
        assert_eq!(grid().layout(74), (vec![0, 1, 2, 3, 4], Some(26)));
    }

    #[test]
    fn the_title_is_shortened_first_then_columns_go_in_order() {
        assert_eq!(grid().layout(60), (vec![0, 1, 2, 3, 4], Some(12)));
        // The title at its shortest does not make 59 fit: tokens goes, the title grows back.
        assert_eq!(grid().layout(59), (vec![0, 1, 3, 4], Some(20)));
        assert_eq!(grid().layout(40), (vec![0, 1, 3], Some(20)));
        assert_eq!(grid().layout(30), (vec![0, 1, 3], Some(12)));
    }

    #[test]
    fn a_shortened_title_never_breaks_the_other_values() {
        let grid = grid();
        let (kept, width) = grid.layout(50);
        let text = grid.table(&kept, width, true).to_string();
        for line in text.lines() {
            assert!(super::super::fmt::width(line) <= 50, "{line}");
        }
        assert!(text.contains("$0.00097"), "{text}");
        assert!(
            text.contains("2026-11-20 05:00") || !kept.contains(&4),
            "{text}"
        );
    }
}
