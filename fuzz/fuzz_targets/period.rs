//! `--since`/`--until` parsing on arbitrary text: an answer or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tm::period::{self, Bound};

fuzz_target!(|text: &str| {
    let today: jiff::civil::Date = "2026-11-24".parse().expect("date");
    for bound in [Bound::Since, Bound::Until] {
        if let Ok(day) = period::parse_day(text, bound, today) {
            let _ = period::instant(day, bound, &jiff::tz::TimeZone::UTC);
        }
    }
});
