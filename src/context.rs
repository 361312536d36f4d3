//! SPEC §3: which stored messages go out with a new question. Pure functions over the history.

use std::fmt;
use std::num::NonZeroUsize;
use std::str::FromStr;

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

    /// q1 a1 q2 a2, then q3 is the new question: SPEC §3's table, row by row.
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
