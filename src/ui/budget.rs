//! The budgets and the cost guard as the user meets them: asked on a terminal, refused with
//! the numbers elsewhere, warned at 80 %, told once when a model cannot be projected.

use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Result, bail};

use crate::budget::{Crossing, Limits, Over, Projection, Spent, Verdict, crossings};
use crate::money::Money;

use super::fmt;

/// What the user says to a request over a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    /// `--yes`: send it.
    Given,
    /// On a terminal: ask.
    Ask,
    /// Off a terminal without `--yes`: refuse, with the numbers.
    Refuse,
}

impl Consent {
    /// `--yes`, else ask where someone can answer (stdin and stderr a terminal), else refuse.
    pub fn from_flag(yes: bool) -> Self {
        if yes {
            Self::Given
        } else if super::stdin_is_terminal() && super::stderr_is_terminal() {
            Self::Ask
        } else {
            Self::Refuse
        }
    }
}

/// Whether a request goes, and what was spent before it when a budget is set.
pub enum Cleared {
    Send(Option<Spent>),
    /// The user said no on the terminal: nothing is sent.
    Declined,
}

/// Says once per process that a model's cost cannot be projected.
static UNPRICED_NOTED: AtomicBool = AtomicBool::new(false);

/// What becomes of a request to `model` (at `tier`) given the verdict: sent when within the
/// limits, or with `--yes`, or on a "y" at the terminal; off a terminal, refused with an
/// error (exit 1) naming the projection, the limits and what was spent.
pub fn clear(
    verdict: Verdict,
    consent: Consent,
    model: &str,
    tier: Option<&str>,
) -> Result<Cleared> {
    let (overs, projection, spent) = match verdict {
        Verdict::Within(spent) => return Ok(Cleared::Send(spent)),
        Verdict::Unpriced(spent) => {
            if !UNPRICED_NOTED.swap(true, Ordering::Relaxed) {
                let tier = tier
                    .filter(|&t| !crate::prices::is_standard_tier(Some(t)))
                    .map_or_else(String::new, |t| format!(" at the {t} tier"));
                super::note(&format!(
                    "the cost of a request to {model} cannot be projected (the price table has no price for it{tier}), so no limit is checked"
                ));
            }
            return Ok(Cleared::Send(spent));
        }
        Verdict::Over {
            overs,
            projection,
            spent,
        } => (overs, projection, spent),
    };
    let why = explain(&overs, &projection);
    match consent {
        Consent::Given => Ok(Cleared::Send(spent)),
        Consent::Ask => {
            super::warn(&why);
            let tokens = projection.prompt_tokens + projection.output_tokens;
            let tokens = if tokens == 0 {
                String::new()
            } else {
                format!("~{} tokens, ", fmt::count(tokens))
            };
            let send =
                super::confirm(&format!("send {tokens}~{}?", fmt::dollars(projection.cost)))?;
            Ok(if send {
                Cleared::Send(spent)
            } else {
                Cleared::Declined
            })
        }
        Consent::Refuse => bail!("nothing was sent: {why}; `--yes` sends it anyway"),
    }
}

/// `this request is projected at ~$0.00026 (~8 prompt + ~56 output tokens), which would
/// pass the month budget ($0.0019 spent of $0.002)`.
fn explain(overs: &[Over], projection: &Projection) -> String {
    let tokens = if projection.prompt_tokens == 0 && projection.output_tokens == 0 {
        String::new()
    } else {
        format!(
            " (~{} prompt + ~{} output tokens)",
            fmt::count(projection.prompt_tokens),
            fmt::count(projection.output_tokens)
        )
    };
    let reasons: Vec<String> = overs
        .iter()
        .map(|over| match *over {
            Over::Guard(guard) => format!("is above the guard of {}", fmt::limit(guard)),
            Over::Budget {
                period,
                spent,
                limit,
            } => format!(
                "would pass the {} budget ({} spent of {})",
                period.name(),
                fmt::dollars(spent),
                fmt::limit(limit)
            ),
        })
        .collect();
    format!(
        "this request is projected at ~{}{tokens}, which {}",
        fmt::dollars(projection.cost),
        reasons.join(" and ")
    )
}

/// One warning line for each budget a request that cost `cost` took past 80 %.
pub fn warn_crossings(limits: &Limits, before: Option<Spent>, cost: Option<Money>) {
    let (Some(before), Some(cost)) = (before, cost) else {
        return;
    };
    for Crossing {
        period,
        percent,
        spent,
        limit,
    } in crossings(limits, before, cost)
    {
        super::warn(&format!(
            "{percent}% of the {} budget is spent: {} of {}",
            period.name(),
            fmt::dollars(spent),
            fmt::limit(limit)
        ));
    }
}
