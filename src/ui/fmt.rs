//! Numbers as people read them: 1,234 tokens, $0.0031, `~` on estimates. Pure functions.

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
/// two decimals from $1 up.
pub fn dollars(usd: f64) -> String {
    if usd >= 1.0 {
        return format!("${usd:.2}");
    }
    if usd <= 0.0 {
        return "$0.00".to_owned();
    }
    let mut decimals = 4;
    while decimals < 10 && usd < 10f64.powi(-(decimals - 1)) {
        decimals += 1;
    }
    format!("${usd:.prec$}", prec = decimals as usize)
}

/// A cost, or `unknown` when the model has no price: never a guess, never $0.
pub fn cost(usd: Option<f64>, estimated: bool) -> String {
    match usd {
        Some(usd) => format!("{}{}", tilde(estimated), dollars(usd)),
        None => "unknown".to_owned(),
    }
}

pub fn tilde(estimated: bool) -> &'static str {
    if estimated { "~" } else { "" }
}

/// Up to `width` characters of the text's first non-empty line, with `…` when cut.
pub fn preview(text: &str, width: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= width {
        return line;
    }
    let cut: String = line.chars().take(width.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
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
        assert_eq!(dollars(0.0031), "$0.0031");
        assert_eq!(dollars(0.000_966_9), "$0.00097");
        assert_eq!(dollars(0.000_006), "$0.0000060");
        assert_eq!(dollars(0.25), "$0.2500");
        assert_eq!(dollars(12.345), "$12.35");
        assert_eq!(dollars(0.0), "$0.00");
        assert_eq!(cost(None, false), "unknown");
        assert_eq!(cost(Some(0.0031), true), "~$0.0031");
    }

    #[test]
    fn previews() {
        assert_eq!(preview("what  is\na monad?", 60), "what is a monad?");
        assert_eq!(preview("abcdefghij", 5), "abcd…");
    }
}
