//! `--since` / `--until` of `tm usage`: `7d`, `2w`, `3m`, `today`, `yesterday` or a date,
//! each naming a local calendar day. Pure: "today" comes in as an argument.
//!
//! A since-bound starts at that day's local midnight and `Nd` counts today as the first of the
//! N days (`7d` = the last 7 days, today included). An until-bound ends at the end of its day
//! (`--until 2026-11-01` includes the 1st; `--until 7d` ends with the day 7 days ago).

use jiff::civil::Date;
use jiff::{Span, Timestamp, tz::TimeZone};

use crate::store::usage;

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

/// The periods `tm usage --by day|week|month` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    Day,
    Week,
    Month,
}

/// The period a day is in: `2026-11-24`, the ISO week `2026-W48`, or the month `2026-11`.
fn period_name(day: Date, length: Length) -> String {
    match length {
        Length::Day => day.to_string(),
        Length::Week => {
            let week = day.iso_week_date();
            format!("{:04}-W{:02}", week.year(), week.week())
        }
        Length::Month => format!("{:04}-{:02}", day.year(), day.month()),
    }
}

/// The local periods from the start of `since` to the end of `until`, each with its bounds in
/// UTC; the first and the last are cut at `since` and `until`. A DST day is 23 or 25 hours.
pub fn spans(
    since: Date,
    until: Date,
    length: Length,
    zone: &TimeZone,
) -> Result<Vec<usage::Span>, String> {
    let mut spans: Vec<usage::Span> = Vec::new();
    let mut day = since;
    while day <= until {
        let key = period_name(day, length);
        let end = instant(day, Bound::Until, zone)?;
        match spans.last_mut() {
            Some(last) if last.key == key => last.until = end,
            _ => spans.push(usage::Span {
                key,
                since: instant(day, Bound::Since, zone)?,
                until: end,
            }),
        }
        if day == until {
            break;
        }
        day = day.tomorrow().map_err(|e| e.to_string())?;
    }
    Ok(spans)
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

    fn keys_and_hours(since: &str, until: &str, length: Length, zone: &str) -> Vec<String> {
        let zone = TimeZone::get(zone).expect("zone");
        let spans = spans(
            since.parse().expect("since"),
            until.parse().expect("until"),
            length,
            &zone,
        )
        .expect("spans");
        spans
            .iter()
            .map(|s| {
                format!(
                    "{} {} {}",
                    s.key,
                    s.since,
                    s.until.duration_since(s.since).as_hours()
                )
            })
            .collect()
    }

    #[test]
    fn spans_follow_local_days_weeks_and_months() {
        assert_eq!(
            keys_and_hours("2026-10-31", "2026-11-02", Length::Day, "America/New_York"),
            [
                "2026-10-31 2026-10-31T04:00:00Z 24",
                "2026-11-01 2026-11-01T04:00:00Z 25",
                "2026-11-02 2026-11-02T05:00:00Z 24",
            ]
        );
        assert_eq!(
            keys_and_hours("2026-11-24", "2026-11-24", Length::Day, "Asia/Kolkata"),
            ["2026-11-24 2026-11-23T18:30:00Z 24"]
        );
        // 2026-11-24 is a Tuesday of ISO week 48; weeks are cut at the range's ends.
        assert_eq!(
            keys_and_hours("2026-11-24", "2026-12-07", Length::Week, "UTC"),
            [
                "2026-W48 2026-11-24T00:00:00Z 144",
                "2026-W49 2026-11-30T00:00:00Z 168",
                "2026-W50 2026-12-07T00:00:00Z 24",
            ]
        );
        // ISO weeks belong to the year of their Thursday.
        assert_eq!(
            keys_and_hours("2026-12-31", "2027-01-01", Length::Week, "UTC"),
            ["2026-W53 2026-12-31T00:00:00Z 48"]
        );
        assert_eq!(
            keys_and_hours("2026-10-30", "2026-11-01", Length::Month, "UTC"),
            [
                "2026-10 2026-10-30T00:00:00Z 48",
                "2026-11 2026-11-01T00:00:00Z 24",
            ]
        );
    }
}
