//! Numbers as people read them: 1,234 tokens, $0.0031, `~` on estimates. Pure functions.

use crate::money::Money;

/// `1234567` → `1,234,567`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Dollars with at least four decimals, more for small sums so two significant digits show;
/// two decimals from $1 up. Rounded from the exact amount, half away from zero.
pub fn dollars(amount: Money) -> String {
    const ONE_USD: i64 = 1_000_000_000_000;
    let picodollars = amount.picodollars();
    if picodollars >= ONE_USD {
        return format!("${}", amount.rounded(2));
    }
    if picodollars <= 0 {
        return "$0.00".to_owned();
    }
    // Below 10^-(d-1) dollars, d decimals would show fewer than two significant digits.
    let mut decimals: u32 = 4;
    while decimals < 10 && picodollars < 10i64.pow(13 - decimals) {
        decimals += 1;
    }
    format!("${}", amount.rounded(decimals))
}

/// An amount the user set, as exact as it was set and with cents at least: `$15.00`,
/// `$0.25`, `$0.002`.
pub fn limit(amount: Money) -> String {
    let exact = amount.rounded(12);
    let (whole, fraction) = exact.split_once('.').unwrap_or((&exact, ""));
    let fraction = fraction.trim_end_matches('0');
    format!("${whole}.{fraction:0<2}")
}

/// A cost, or `unknown` when the model has no price: never a guess, never $0.
pub fn cost(cost: Option<crate::money::Money>, estimated: bool) -> String {
    match cost {
        Some(cost) => format!("{}{}", tilde(estimated), dollars(cost)),
        None => "unknown".to_owned(),
    }
}

/// `sent 5 of the conversation's 9 messages (max-messages 5)`.
pub fn left_out(left_out: &crate::context::LeftOut) -> String {
    use crate::context::Limiter;
    let by = match left_out.by {
        Limiter::MaxMessages(max) => format!("max-messages {max}"),
        Limiter::ContextTokens(budget) => format!("context-tokens {}", count(budget as u64)),
    };
    format!(
        "sent {} of the conversation's {} messages ({by})",
        left_out.sent, left_out.of
    )
}

pub fn tilde(estimated: bool) -> &'static str {
    if estimated { "~" } else { "" }
}

/// ` (312 cached)`, ` (~40 reasoning)`: a part of a count, left out when it is zero.
pub fn aside(n: u64, label: &str, estimated: bool) -> String {
    if n == 0 {
        String::new()
    } else {
        format!(" ({}{} {label})", tilde(estimated), count(n))
    }
}

/// `1 conversation`, `2 conversations`.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A sum of costs that admits what it does not know: requests without a price add
/// `+ unknown` rather than a silent zero.
pub fn cost_total(cost: Money, unpriced_requests: i64) -> String {
    match (unpriced_requests, cost.is_positive()) {
        (0, _) => dollars(cost),
        (_, true) => format!("{} + unknown", dollars(cost)),
        (_, false) => "unknown".to_owned(),
    }
}

/// A stored UTC time (`2026-11-24T18:29:47.123Z`) as local `2026-11-24 19:29`.
pub fn local_time(stored: &str) -> String {
    stored
        .parse::<jiff::Timestamp>()
        .map(|t| {
            t.to_zoned_datetime(crate::clock::local_zone())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| stored.to_owned())
}

/// Milliseconds as `850ms` or `1.2s`.
pub fn duration_ms(ms: i64) -> String {
    if ms < 1000 {
        format!("{ms}ms")
    } else {
        format!("{:.1}s", ms as f64 / 1000.0)
    }
}

/// `value` of `max` as a bar of up to `width` cells: eighths of a block on a terminal, `#`
/// otherwise so piped output stays ASCII.
pub fn bar(value: f64, max: f64, width: usize, blocks: bool) -> String {
    if max <= 0.0 || value <= 0.0 {
        return String::new();
    }
    let eighths = ((value / max) * (width * 8) as f64).round().max(1.0) as usize;
    if !blocks {
        return "#".repeat(eighths.div_ceil(8));
    }
    const PARTS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    format!("{}{}", "█".repeat(eighths / 8), PARTS[eighths % 8])
}

/// Columns `text` takes on a terminal: Hangul and Han take two each.
pub fn width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// The text's words on one line in at most `width` terminal columns, with `…` when cut.
pub fn preview(text: &str, width: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if self::width(&line) <= width {
        return line;
    }
    let mut cut = String::new();
    let mut used = 0;
    for c in line.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        cut.push(c);
    }
    format!("{}…", cut.trim_end())
}

/// `text` followed by spaces up to `width` columns.
pub fn pad(text: &str, width: usize) -> String {
    format!(
        "{text}{}",
        " ".repeat(width.saturating_sub(self::width(text)))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1234), "1,234");
        assert_eq!(count(1_234_567), "1,234,567");
    }

    #[test]
    fn money() {
        let usd = Money::from_usd;
        assert_eq!(dollars(usd(0.0031)), "$0.0031");
        assert_eq!(dollars(usd(0.000_966_9)), "$0.00097");
        assert_eq!(dollars(usd(0.000_006)), "$0.0000060");
        assert_eq!(dollars(usd(0.25)), "$0.2500");
        assert_eq!(dollars(usd(12.345)), "$12.35");
        assert_eq!(dollars(Money::ZERO), "$0.00");
        assert_eq!(cost(None, false), "unknown");
        assert_eq!(
            cost(Some(crate::money::Money::from_usd(0.0031)), true),
            "~$0.0031"
        );
    }

    #[test]
    fn totals_and_bars() {
        let half = crate::money::Money::from_usd(0.5);
        assert_eq!(cost_total(half, 0), "$0.5000");
        assert_eq!(cost_total(half, 2), "$0.5000 + unknown");
        assert_eq!(cost_total(crate::money::Money::ZERO, 1), "unknown");
        assert_eq!(bar(10.0, 10.0, 4, false), "####");
        assert_eq!(bar(1.0, 10.0, 4, false), "#");
        assert_eq!(bar(0.0, 10.0, 4, false), "");
        assert_eq!(bar(5.0, 10.0, 4, true), "██");
        assert_eq!(bar(1.0, 8.0, 1, true), "▏");
        assert_eq!(aside(0, "cached", false), "");
        assert_eq!(limit(Money::from_usd(15.0)), "$15.00");
        assert_eq!(limit(Money::from_usd(0.25)), "$0.25");
        assert_eq!(limit(Money::from_usd(0.002)), "$0.002");
        assert_eq!(limit(Money::from_usd(1.5)), "$1.50");
        assert_eq!(aside(1234, "cached", false), " (1,234 cached)");
        assert_eq!(aside(40, "reasoning", true), " (~40 reasoning)");
        assert_eq!(duration_ms(850), "850ms");
        assert_eq!(duration_ms(1250), "1.2s");
    }

    #[test]
    fn previews() {
        assert_eq!(preview("what  is\na monad?", 60), "what is a monad?");
        assert_eq!(preview("abcdefghij", 5), "abcd…");
        assert_eq!(preview("모나드와 펑터의 차이점", 9), "모나드와…");
        assert_eq!(pad("펑터", 6), "펑터  ");
    }
}
