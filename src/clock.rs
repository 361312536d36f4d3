//! The time now, from one place. For the test suite only, `TM_TEST_NOW` (an instant such as
//! `2026-11-20T03:00:00Z`) stands in for the clock, so that tests of local days, months and
//! budgets give the same answer whenever and wherever they run.

use std::path::{Component, Path, PathBuf};

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// An instant as tm stores it: UTC, fixed width, so that text order is time order and
/// SQLite's date functions read it (`2026-11-24T09:30:00.000Z`).
pub fn stored(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

pub fn now() -> Timestamp {
    static FIXED: std::sync::OnceLock<Option<Timestamp>> = std::sync::OnceLock::new();
    FIXED
        .get_or_init(|| {
            std::env::var("TM_TEST_NOW")
                .ok()
                .and_then(|at| at.parse().ok())
        })
        .unwrap_or_else(Timestamp::now)
}

/// The local time zone, as `TZ` names it (a zone name, or a path after `:`) or else as
/// `/etc/localtime` holds it, read from its one TZif file. jiff's `TimeZone::system()` gives
/// the same zone, but looks its name up in the whole zone database first, which walks every
/// folder of /usr/share/zoneinfo (about half a millisecond, a tenth of a `tm ask`); only
/// the offsets are needed here, so the file is read directly, and jiff's way is the
/// fallback for anything else (a POSIX rule in `TZ`, say). Read once per process.
pub fn local_zone() -> TimeZone {
    static ZONE: std::sync::OnceLock<TimeZone> = std::sync::OnceLock::new();
    ZONE.get_or_init(read_local_zone).clone()
}

fn read_local_zone() -> TimeZone {
    let zoneinfo = std::env::var_os("TZDIR")
        .map_or_else(|| PathBuf::from("/usr/share/zoneinfo"), PathBuf::from);
    let file = match std::env::var("TZ") {
        Ok(tz) => {
            let name = tz.strip_prefix(':').unwrap_or(&tz);
            let path = Path::new(name);
            if path.is_absolute() {
                Some(path.to_owned())
            } else if !name.is_empty()
                && path.components().all(|c| matches!(c, Component::Normal(_)))
            {
                Some(zoneinfo.join(path))
            } else {
                None
            }
        }
        Err(_) => Some(PathBuf::from("/etc/localtime")),
    };
    file.and_then(|file| std::fs::read(file).ok())
        .and_then(|data| TimeZone::tzif("Local", &data).ok())
        .unwrap_or_else(TimeZone::system)
}
