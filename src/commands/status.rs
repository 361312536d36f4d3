//! `tm status`: one line for a shell prompt, `today $0.42 · month $6.10 of $15.00 (40%)`.
//! It reads the totals and the settings, never the network, and it never fails a prompt:
//! on any error it prints nothing and exits 0, unless `--strict`.

use anyhow::{Result, bail};
use serde::Serialize;

use crate::app::App;
use crate::budget::{Budgets, Spent, Standing};
use crate::cli::StatusArgs;
use crate::money::Money;
use crate::settings::Settings;
use crate::store::Store;
use crate::ui::{self, fmt};

#[derive(Serialize)]
struct Status {
    today: Money,
    month: Money,
    budgets: Budgets,
}

pub fn run(args: &StatusArgs, app: &App) -> Result<()> {
    let status = match read(app) {
        Ok(status) => status,
        Err(err) if args.strict => return Err(err),
        Err(_) => return Ok(()),
    };
    if args.json {
        ui::outln(serde_json::to_string(&status)?)?;
    } else {
        ui::outln(line(&status))?;
    }
    Ok(())
}

/// The totals, from a database that is already there: a prompt never creates one.
fn read(app: &App) -> Result<Status> {
    let paths = app.paths()?;
    if std::fs::metadata(&paths.db).map_or(true, |m| m.len() == 0) {
        bail!(
            "there is no history at {} yet; `tm ask` starts one",
            paths.db.display()
        );
    }
    let mut store = Store::open(&paths.db, false)?;
    let settings = Settings::load(&mut store, paths.key_file())?;
    let limits = settings.limits()?;
    let (zone, now) = (crate::clock::local_zone(), crate::clock::now());
    let spent = Spent::read(&mut store, &zone, now)?;
    Ok(Status {
        today: spent.today,
        month: spent.month,
        budgets: Budgets::of(&limits, spent, now, &zone)?,
    })
}

/// `today $0.42 of $1.00 (42%) · month $6.10 of $15.00 (40%)`; a part without a budget has
/// no limit.
fn line(status: &Status) -> String {
    let part = |name: &str, spent: Money, budget: Option<Standing>| match budget {
        Some(b) => format!(
            "{name} {} of {} ({}%)",
            fmt::dollars(spent),
            fmt::limit(b.limit),
            b.percent
        ),
        None => format!("{name} {}", fmt::dollars(spent)),
    };
    format!(
        "{} · {}",
        part("today", status.today, status.budgets.day),
        part("month", status.month, status.budgets.month)
    )
}
