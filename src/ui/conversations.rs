//! A conversation's row, as `tm list` shows it in a table and `tm chat --pick` in its picker.

use crate::money::Money;
use crate::store::Summary;

use super::{fmt, table};

/// `tm list`: one row per conversation, newest first, then the totals.
pub fn table(rows: &[Summary]) -> String {
    let mut out = table::new(
        [
            "id",
            "title",
            "model",
            "messages",
            "prompt",
            "completion",
            "cost",
            "last activity",
        ],
        &[0, 3, 4, 5, 6],
    )
    // Narrow terminals: the title shortens, then completion, prompt, model, messages and
    // last activity go; id, title and cost stay.
    .fit(Some(1), &[5, 4, 2, 3, 7]);
    for row in rows {
        // `!`: the last question failed; `tm ask --retry --conv ID` sends it again.
        let title = if row.last_question_failed {
            format!("! {}", fmt::preview(&row.title, 48))
        } else {
            fmt::preview(&row.title, 50)
        };
        out.add_row([
            row.id.to_string(),
            title,
            row.model.clone().unwrap_or_default(),
            fmt::count(row.messages.unsigned_abs()),
            fmt::count(row.prompt_tokens.unsigned_abs()),
            fmt::count(row.completion_tokens.unsigned_abs()),
            fmt::cost_total(row.cost, row.unpriced_requests),
            fmt::local_time(&row.last_activity),
        ]);
    }
    let sum = |field: fn(&Summary) -> i64| rows.iter().map(field).sum::<i64>().unsigned_abs();
    out.add_row([
        String::new(),
        format!("total ({})", fmt::plural(rows.len(), "conversation")),
        String::new(),
        fmt::count(sum(|r| r.messages)),
        fmt::count(sum(|r| r.prompt_tokens)),
        fmt::count(sum(|r| r.completion_tokens)),
        fmt::cost_total(
            rows.iter().map(|r| r.cost).sum::<Money>(),
            rows.iter().map(|r| r.unpriced_requests).sum(),
        ),
        String::new(),
    ]);
    table::render(&out)
}

/// The rows of `--pick`, in aligned columns: id, title, last activity, messages, cost.
pub fn picker_rows(recent: &[Summary]) -> Vec<String> {
    let columns: Vec<[String; 5]> = recent
        .iter()
        .map(|c| {
            [
                c.id.to_string(),
                fmt::preview(&c.title, 40),
                fmt::local_time(&c.last_activity),
                fmt::plural(c.messages.unsigned_abs() as usize, "message"),
                fmt::cost_total(c.cost, c.unpriced_requests),
            ]
        })
        .collect();
    let widest = |i: usize| {
        columns
            .iter()
            .map(|row| fmt::width(&row[i]))
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..5).map(widest).collect();
    columns
        .iter()
        .map(|[id, title, when, messages, cost]| {
            format!(
                "{:>w0$}  {}  {}  {:>w3$}  {:>w4$}",
                id,
                fmt::pad(title, widths[1]),
                when,
                messages,
                cost,
                w0 = widths[0],
                w3 = widths[3],
                w4 = widths[4],
            )
        })
        .collect()
}
