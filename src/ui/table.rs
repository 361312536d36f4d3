//! comfy-table with one look: box lines and the terminal's width on a terminal, plain aligned
//! columns otherwise, so piped output stays stable.

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};

pub fn new<const N: usize>(headers: [&str; N], right_aligned: &[usize]) -> Table {
    let mut table = Table::new();
    if super::stdout_is_styled() {
        table
            .load_preset(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic);
    } else {
        table
            .load_preset(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Disabled);
    }
    table.set_header(headers.iter().map(Cell::new));
    for &index in right_aligned {
        if let Some(column) = table.column_mut(index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

/// Off a terminal the NOTHING preset pads every line to the table's width; trailing blanks
/// would make piped output awkward to compare or grep.
pub fn render(table: &Table) -> String {
    table
        .lines()
        .map(|line| line.trim_end().to_owned())
        .collect::<Vec<_>>()
        .join("\n")
}
