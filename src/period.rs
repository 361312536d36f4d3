//! `--since` / `--until` (SPEC §1 `usage`): `7d`, `2w`, `3m`, `today`, `yesterday` or a date,
//! each naming a local calendar day. Pure: "today" comes in as an argument.
//!
//! A since-bound starts at that day's local midnight and `Nd` counts today as the first of the
//! N days (`7d` = the last 7 days, today included). An until-bound ends at the end of its day
//! (`--until 2026-11-01` includes the 1st; `--until 7d` ends with the day 7 days ago).

use jiff::civil::Date;
use jiff::{Span, Timestamp, tz::TimeZone};

const FORMS: &str =
    "use 7d, 2w, 3m (days, weeks, months back), today, yesterday, or a date like 2026-11-01";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Since,
    Until,
}

/// The day a bound names.
pub fn parse_day(text: &str, bound: Bound, today: Date) -> Result<Date, String> {
    let text = text.trim();
    let bad = || format!("'{text}' is not a time: {FORMS}");
    match text {
        "today" => return Ok(today),
        "yesterday" => return today.yesterday().map_err(|_| bad()),
        _ => {}
    }
    if let Ok(date) = text.parse::<Date>() {
        return Ok(date);
    }
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = text.split_at(split);
    let n: i64 = number
        .parse()
        .ok()
        .filter(|n| (1..=10_000).contains(n))
        .ok_or_else(bad)?;
    let back = match unit {
        "d" => Span::new().days(n),
        "w" => Span::new().weeks(n),
        "m" => Span::new().months(n),
        _ => return Err(bad()),
    };
    let day = today.checked_sub(back).map_err(|_| bad())?;
    // "the last 7 days" includes today, so a since-bound starts one day later.
    match bound {
        Bound::Since => day.tomorrow().map_err(|_| bad()),
        Bound::Until => Ok(day),
    }
}

/// The instant a bound stands for: the start of the since-day, the end of the until-day.
pub fn instant(day: Date, bound: Bound, zone: &TimeZone) -> Result<Timestamp, String> {
    let day = match bound {
        Bound::Since => day,
        Bound::Until => day.tomorrow().map_err(|e| e.to_string())?,
    };
    day.to_zoned_datetime(zone.clone())
        .map(|zoned| zoned.timestamp())
        .map_err(|e| format!("{day} has no midnight in the local time zone: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str, bound: Bound) -> Result<String, String> {
        let today: Date = "2026-11-24".parse().expect("date");
        parse_day(text, bound, today).map(|d| d.to_string())
    }

    #[test]
    fn forms() {
        assert_eq!(day("today", Bound::Since).as_deref(), Ok("2026-11-24"));
        assert_eq!(day("yesterday", Bound::Until).as_deref(), Ok("2026-11-23"));
        assert_eq!(day("7d", Bound::Since).as_deref(), Ok("2026-11-18"));
        assert_eq!(day("1d", Bound::Since).as_deref(), Ok("2026-11-24"));
        assert_eq!(day("7d", Bound::Until).as_deref(), Ok("2026-11-17"));
        assert_eq!(day("2w", Bound::Since).as_deref(), Ok("2026-11-11"));
        assert_eq!(day("3m", Bound::Since).as_deref(), Ok("2026-08-25"));
        assert_eq!(day("2026-11-01", Bound::Since).as_deref(), Ok("2026-11-01"));
    }

    #[test]
    fn anything_else_names_the_accepted_forms() {
        for bad in [
            "",
            "7",
            "d",
            "0d",
            "-3d",
            "7y",
            "last week",
            "2026-13-01",
            "99999999999d",
            "7 d",
        ] {
            let err = day(bad, Bound::Since).expect_err(bad);
            assert!(err.ends_with("use 7d, 2w, 3m (days, weeks, months back), today, yesterday, or a date like 2026-11-01"), "{err}");
            assert!(
                err.starts_with(&format!("'{}' is not a time", bad.trim())),
                "{err}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_a_day_or_an_error(text in ".{0,24}") {
            let today: Date = "2026-11-24".parse().expect("date");
            for bound in [Bound::Since, Bound::Until] {
                if let Ok(day) = parse_day(&text, bound, today) {
                    proptest::prop_assert!(instant(day, bound, &TimeZone::UTC).is_ok());
                }
            }
        }

        #[test]
        fn counts_of_days_go_back_that_far(n in 1i64..3650) {
            let today: Date = "2026-11-24".parse().expect("date");
            let since = parse_day(&format!("{n}d"), Bound::Since, today).expect("valid");
            proptest::prop_assert_eq!(i64::from(since.until(today).expect("span").get_days()), n - 1);
        }
    }

    #[test]
    fn bounds_are_local_midnights() {
        let zone = TimeZone::get("America/New_York").expect("tzdb");
        let date: Date = "2026-11-24".parse().expect("date");
        assert_eq!(
            instant(date, Bound::Since, &zone)
                .expect("since")
                .to_string(),
            "2026-11-24T05:00:00Z"
        );
        assert_eq!(
            instant(date, Bound::Until, &zone)
                .expect("until")
                .to_string(),
            "2026-11-25T05:00:00Z"
        );
    }
}
