//! Which stored messages go out with a new question (the context window): pure functions
//! over the history here, and the plan that applies them to a conversation in `plan.rs`.

use std::fmt;
use std::num::NonZeroUsize;
use std::str::FromStr;

mod plan;

pub use plan::{MessageCounts, Part, Plan, Window, recorded_estimate};

/// The `max-messages` setting: how many messages are sent, the new question included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxMessages {
    All,
    Last(NonZeroUsize),
}

impl FromStr for MaxMessages {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("all") {
            return Ok(Self::All);
        }
        text.parse::<usize>()
            .ok()
            .and_then(NonZeroUsize::new)
            .map(Self::Last)
            .ok_or_else(|| {
                format!("'{text}' is not a message count: use a whole number from 1 up, or 'all'")
            })
    }
}

impl fmt::Display for MaxMessages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::All => f.write_str("all"),
            Self::Last(n) => write!(f, "{n}"),
        }
    }
}

/// What the selection needs to know of one stored message.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    /// A question that got no answer is never sent again; answers, even interrupted ones, are.
    pub sendable: bool,
    /// Estimated tokens of the message as sent (per-message overhead included).
    pub tokens: usize,
}

/// Indexes into `history` (oldest first) of the messages to send before the new question.
///
/// `max` counts the new question too, so `Last(1)` sends no history. With a `token_budget`,
/// the oldest picked messages are dropped until `fixed_tokens` (system prompt, new question,
/// reply priming) plus the picked messages fit; the new question itself is never dropped.
pub fn select(
    history: &[Candidate],
    max: MaxMessages,
    token_budget: Option<usize>,
    fixed_tokens: usize,
) -> Vec<usize> {
    let sendable: Vec<usize> = (0..history.len())
        .filter(|&index| history[index].sendable)
        .collect();
    let keep = match max {
        MaxMessages::All => sendable.len(),
        MaxMessages::Last(n) => (n.get() - 1).min(sendable.len()),
    };
    let mut picked = sendable[sendable.len() - keep..].to_vec();
    if let Some(budget) = token_budget {
        let mut total: usize =
            fixed_tokens + picked.iter().map(|&i| history[i].tokens).sum::<usize>();
        let mut drop = 0;
        while total > budget && drop < picked.len() {
            total -= history[picked[drop]].tokens;
            drop += 1;
        }
        picked.drain(..drop);
    }
    picked
}

/// What to do about a prompt longer than the model's context window, said the same whether
/// tm's own estimate or the server found it; `budget` is a `--context-tokens` value that fits.
pub fn shorten_advice(budget: Option<u64>) -> String {
    let budget = budget.map_or_else(|| "N".to_owned(), |n| n.to_string());
    format!("send fewer messages (--max-messages, --context-tokens {budget}) or smaller files")
}

/// What limited the messages sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limiter {
    MaxMessages(MaxMessages),
    ContextTokens(usize),
}

/// Earlier messages of a conversation that the window left out, in numbers: said on stderr,
/// so that a model that seems to have forgotten something is explained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeftOut {
    /// Messages sent, the new question included.
    pub sent: usize,
    /// The conversation's messages that could have been sent, the new question included
    /// (failed questions are never sent, so they are not counted).
    pub of: usize,
    pub by: Limiter,
}

/// `None` when every sendable message of the history was picked: `picked` messages, counted.
pub fn left_out(
    history: &[Candidate],
    picked: usize,
    max: MaxMessages,
    token_budget: Option<usize>,
) -> Option<LeftOut> {
    let sendable = history.iter().filter(|c| c.sendable).count();
    if picked >= sendable {
        return None;
    }
    let allowed_by_count = match max {
        MaxMessages::All => sendable,
        MaxMessages::Last(n) => (n.get() - 1).min(sendable),
    };
    let by = match token_budget {
        Some(budget) if picked < allowed_by_count => Limiter::ContextTokens(budget),
        _ => Limiter::MaxMessages(max),
    };
    Some(LeftOut {
        sent: picked + 1,
        of: sendable + 1,
        by,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(tokens: usize) -> Candidate {
        Candidate {
            sendable: true,
            tokens,
        }
    }

    fn failed() -> Candidate {
        Candidate {
            sendable: false,
            tokens: 10,
        }
    }

    fn last(n: usize) -> MaxMessages {
        MaxMessages::Last(NonZeroUsize::new(n).expect("test counts are positive"))
    }

    /// q1 a1 q2 a2, then q3 is the new question: what each max-messages sends, row by row.
    #[test]
    fn spec_table() {
        let history = [answered(1), answered(1), answered(1), answered(1)];
        assert_eq!(select(&history, last(1), None, 0), Vec::<usize>::new());
        assert_eq!(select(&history, last(2), None, 0), vec![3]);
        assert_eq!(select(&history, last(3), None, 0), vec![2, 3]);
        assert_eq!(select(&history, last(4), None, 0), vec![1, 2, 3]);
        assert_eq!(
            select(&history, MaxMessages::All, None, 0),
            vec![0, 1, 2, 3]
        );
        assert_eq!(select(&history, last(50), None, 0), vec![0, 1, 2, 3]);
    }

    #[test]
    fn failed_questions_are_skipped_and_do_not_count() {
        // q1 a1 q2(failed) q3 a3: the failed q2 is neither sent nor counted against c.
        let history = [answered(1), answered(1), failed(), answered(1), answered(1)];
        assert_eq!(select(&history, last(3), None, 0), vec![3, 4]);
        assert_eq!(select(&history, last(4), None, 0), vec![1, 3, 4]);
        assert_eq!(
            select(&history, MaxMessages::All, None, 0),
            vec![0, 1, 3, 4]
        );
    }

    #[test]
    fn interrupted_answers_are_kept() {
        // An interrupted answer is stored as sendable: it is part of what the user saw.
        let history = [
            answered(1),
            Candidate {
                sendable: true,
                tokens: 1,
            },
        ];
        assert_eq!(select(&history, last(3), None, 0), vec![0, 1]);
    }

    #[test]
    fn token_budget_drops_oldest_first() {
        let history = [answered(100), answered(200), answered(300), answered(400)];
        // fixed 50 + 200 + 300 + 400 = 950 > 800: drop 200 → 750.
        assert_eq!(select(&history, last(4), Some(800), 50), vec![2, 3]);
        assert_eq!(
            select(&history, MaxMessages::All, Some(1050), 50),
            vec![0, 1, 2, 3]
        );
        assert_eq!(
            select(&history, MaxMessages::All, Some(1049), 50),
            vec![1, 2, 3]
        );
        // Nothing fits beside the question: no history at all.
        assert_eq!(
            select(&history, MaxMessages::All, Some(10), 50),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn what_was_left_out_and_why() {
        let history = [answered(100), answered(200), answered(300), answered(400)];
        let said = |max, budget| {
            let picked = select(&history, max, budget, 50);
            left_out(&history, picked.len(), max, budget)
        };
        assert_eq!(said(MaxMessages::All, None), None);
        assert_eq!(said(last(5), None), None);
        assert_eq!(
            said(last(3), None),
            Some(LeftOut {
                sent: 3,
                of: 5,
                by: Limiter::MaxMessages(last(3))
            })
        );
        // The budget cut deeper than the count: it is the reason given.
        assert_eq!(
            said(last(4), Some(800)),
            Some(LeftOut {
                sent: 3,
                of: 5,
                by: Limiter::ContextTokens(800)
            })
        );
        // A budget that leaves everything the count allows is not the reason.
        assert_eq!(
            said(last(2), Some(100_000)),
            Some(LeftOut {
                sent: 2,
                of: 5,
                by: Limiter::MaxMessages(last(2))
            })
        );
        // A failed question is neither sent nor counted.
        let with_failed = [answered(1), failed(), answered(1)];
        let picked = select(&with_failed, last(2), None, 0);
        assert_eq!(
            left_out(&with_failed, picked.len(), last(2), None),
            Some(LeftOut {
                sent: 2,
                of: 3,
                by: Limiter::MaxMessages(last(2))
            })
        );
    }

    #[test]
    fn parse_max_messages() {
        assert_eq!("all".parse::<MaxMessages>(), Ok(MaxMessages::All));
        assert_eq!("ALL".parse::<MaxMessages>(), Ok(MaxMessages::All));
        assert_eq!("3".parse::<MaxMessages>(), Ok(last(3)));
        for bad in ["0", "-3", "abc", "", "1.5"] {
            let err = bad.parse::<MaxMessages>().expect_err(bad);
            assert!(err.contains("whole number from 1 up, or 'all'"), "{err}");
        }
    }
}
