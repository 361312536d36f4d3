//! When to try a request again and how long to wait first: rate limits, server
//! errors and connection failures before the first token; never auth, quota or bad requests.

use std::time::Duration;

use super::error::ApiError;

/// Attempts in all, the first included.
pub const MAX_ATTEMPTS: u32 = 3;
/// A server that asks for a longer pause than this gets an error instead of a frozen terminal.
const LONGEST_WAIT: Duration = Duration::from_secs(60);

/// The pause before attempt `attempt + 1`, or `None` when the error is final.
pub fn delay(error: &ApiError, attempt: u32) -> Option<Duration> {
    if attempt >= MAX_ATTEMPTS {
        return None;
    }
    let asked = match error {
        ApiError::RateLimited { retry_after, .. } | ApiError::Server { retry_after, .. } => {
            *retry_after
        }
        ApiError::Connect { .. } | ApiError::Timeout(_) => None,
        _ => return None,
    };
    let backoff = Duration::from_millis(500 * 2u64.pow(attempt.saturating_sub(1)));
    let wait = asked.unwrap_or(backoff);
    (wait <= LONGEST_WAIT).then_some(wait)
}

/// `Retry-After` in seconds (HTTP dates are not used by OpenAI and fall back to backoff), or
/// OpenAI's own `retry-after-ms`.
pub fn parse_retry_after(seconds: Option<&str>, millis: Option<&str>) -> Option<Duration> {
    millis
        .and_then(|ms| wait(ms, 1000.0))
        .or_else(|| seconds.and_then(|s| wait(s, 1.0)))
}

/// A wait a server asked for, in `per_second` units. A number too large for a `Duration`
/// (`1e300`) is the longest one, which `delay` refuses to wait for; never a panic.
fn wait(text: &str, per_second: f64) -> Option<Duration> {
    let value = text
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)?;
    Some(Duration::try_from_secs_f64(value / per_second).unwrap_or(Duration::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(retry_after: Option<Duration>) -> ApiError {
        ApiError::Server {
            status: 500,
            message: String::new(),
            retry_after,
        }
    }

    #[test]
    fn backoff_then_give_up() {
        assert_eq!(delay(&server(None), 1), Some(Duration::from_millis(500)));
        assert_eq!(delay(&server(None), 2), Some(Duration::from_millis(1000)));
        assert_eq!(delay(&server(None), 3), None);
    }

    #[test]
    fn honours_retry_after_within_reason() {
        let limited = |s| ApiError::RateLimited {
            message: String::new(),
            retry_after: Some(Duration::from_secs(s)),
        };
        assert_eq!(delay(&limited(1), 1), Some(Duration::from_secs(1)));
        assert_eq!(delay(&limited(3600), 1), None);
    }

    #[test]
    fn final_errors_are_not_retried() {
        for error in [
            ApiError::Unauthorized {
                message: String::new(),
            },
            ApiError::QuotaExceeded {
                message: String::new(),
            },
            ApiError::BadRequest {
                message: String::new(),
            },
            ApiError::ModelNotFound {
                model: String::new(),
                message: String::new(),
            },
        ] {
            assert_eq!(delay(&error, 1), None, "{error}");
        }
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(
            parse_retry_after(Some("1"), None),
            Some(Duration::from_secs(1))
        );
        assert_eq!(
            parse_retry_after(Some("0.5"), None),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            parse_retry_after(Some("7"), Some("250")),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            parse_retry_after(Some("Wed, 21 Oct 2026 07:28:00 GMT"), None),
            None
        );
        assert_eq!(parse_retry_after(Some("-1"), None), None);
        assert_eq!(parse_retry_after(Some("1e300"), None), Some(Duration::MAX));
        assert_eq!(parse_retry_after(None, Some("1e300")), Some(Duration::MAX));
        assert_eq!(parse_retry_after(Some("inf"), Some("NaN")), None);
    }

    #[test]
    fn an_absurd_wait_is_refused_not_waited() {
        let limited = ApiError::RateLimited {
            message: String::new(),
            retry_after: parse_retry_after(Some("1e300"), None),
        };
        assert_eq!(delay(&limited, 1), None);
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        /// What the fuzz target checks, on every run of the suite: any header text, and no
        /// panic and no wait past LONGEST_WAIT.
        #[test]
        fn any_header_is_a_bounded_wait(
            seconds in proptest::prop_oneof![
                proptest::num::f64::ANY.prop_map(|v| v.to_string()),
                "\\PC{0,12}",
            ],
            millis in proptest::prop_oneof![
                proptest::num::f64::ANY.prop_map(|v| format!("{v:e}")),
                "\\PC{0,12}",
            ],
        ) {
            let limited = ApiError::RateLimited {
                message: String::new(),
                retry_after: parse_retry_after(Some(&seconds), Some(&millis)),
            };
            if let Some(wait) = delay(&limited, 1) {
                proptest::prop_assert!(wait <= LONGEST_WAIT);
            }
        }
    }
}
