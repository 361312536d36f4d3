//! The retry headers on arbitrary text: never a panic, and never a wait longer than tm takes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tm::api::ApiError;
use tm::api::retry::{delay, parse_retry_after};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (seconds, millis) = text.split_once('\n').unwrap_or((&text, ""));
    for retry_after in [
        parse_retry_after(Some(seconds), None),
        parse_retry_after(None, Some(millis)),
        parse_retry_after(Some(seconds), Some(millis)),
    ] {
        let limited = ApiError::RateLimited {
            message: String::new(),
            retry_after,
        };
        if let Some(wait) = delay(&limited, 1) {
            assert!(wait.as_secs() <= 60, "{seconds:?} {millis:?} -> {wait:?}");
        }
    }
});
