//! A request's numbers, the one way every command shows them: tokens with `~` when they
//! were estimated, the cached, cache-written and reasoning parts, the tier, the cost. `tm ask`'s summary, `tm chat`'s
//! token line and `/tokens`, and `tm show`'s notes and table all come from here.

use crate::money::Money;
use crate::prices::is_standard_tier;
use crate::store::ConversationId;
use crate::store::request::{Outcome, Request};
use crate::tokens::Tally;

use super::fmt;

/// The tokens and cost of one request, finished now or stored.
#[derive(Debug, Clone, Copy)]
pub struct Numbers {
    prompt: Option<u64>,
    cached: Option<u64>,
    cache_write: Option<u64>,
    completion: Option<u64>,
    reasoning: Option<u64>,
    /// Estimated before sending, for stored requests that have one.
    estimate: Option<u64>,
    estimated: bool,
    cost: Option<Money>,
}

fn stored(n: Option<i32>) -> Option<u64> {
    n.map(|n| n.unsigned_abs().into())
}

impl Numbers {
    pub fn of_tally(tally: &Tally, cost: Option<Money>) -> Self {
        Self {
            prompt: Some(tally.prompt),
            cached: Some(tally.cached),
            cache_write: Some(tally.cache_write),
            completion: Some(tally.completion),
            reasoning: Some(tally.reasoning),
            estimate: None,
            estimated: tally.estimated,
            cost,
        }
    }

    pub fn of_request(request: &Request) -> Self {
        Self {
            prompt: stored(request.prompt_tokens),
            cached: stored(request.cached_tokens),
            cache_write: stored(request.cache_write_tokens),
            completion: stored(request.completion_tokens),
            reasoning: stored(request.reasoning_tokens),
            estimate: stored(request.estimated_prompt_tokens),
            estimated: request.usage_estimated,
            cost: request.cost,
        }
    }

    /// A request whose usage the server reported but tm could not believe: every number
    /// unknown.
    pub fn unknown() -> Self {
        Self {
            prompt: None,
            cached: None,
            cache_write: None,
            completion: None,
            reasoning: None,
            estimate: None,
            estimated: false,
            cost: None,
        }
    }

    /// As `figure`, with `missing` for a number that is not known.
    fn figure_or(&self, n: Option<u64>, missing: &str) -> String {
        match n {
            Some(_) => self.figure(n),
            None => missing.to_owned(),
        }
    }

    /// `~1,234`; empty when the number is not known.
    fn figure(&self, n: Option<u64>) -> String {
        n.map_or_else(String::new, |n| {
            format!("{}{}", fmt::tilde(self.estimated), fmt::count(n))
        })
    }

    /// ` (312 cached, 40 written)`: the prompt's cached reads and cache writes, each left
    /// out when there are none.
    fn cache_aside(&self) -> String {
        let parts: Vec<String> = [(self.cached, "cached"), (self.cache_write, "written")]
            .into_iter()
            .filter(|&(n, _)| n.unwrap_or(0) > 0)
            .map(|(n, label)| format!("{} {label}", self.figure(n)))
            .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join(", "))
        }
    }

    /// ` (~40 reasoning)`, left out when there are none.
    fn reasoning_aside(&self) -> String {
        fmt::aside(self.reasoning.unwrap_or(0), "reasoning", self.estimated)
    }

    fn cost(&self) -> String {
        fmt::cost(self.cost, self.estimated)
    }
}

/// `gpt-5.6 · flex`: the model, and the tier that served it unless it was the standard one.
pub fn model_and_tier(model: &str, tier: Option<&str>) -> String {
    match tier {
        Some(tier) if !is_standard_tier(Some(tier)) => format!("{model} · {tier}"),
        _ => model.to_owned(),
    }
}

/// `tm ask`'s summary: `conversation 12 · gpt-4o · 1,234 prompt (312 cached) + 56 completion
/// tokens · $0.0031`, with the tier after the model when it was not the standard one.
/// `numbers` is `None` when nothing was billed; `priced`: whether the model has a price at
/// all.
pub fn summary(
    conversation: ConversationId,
    model: &str,
    tier: Option<&str>,
    numbers: Option<&Numbers>,
    priced: bool,
) -> String {
    let head = format!(
        "conversation {conversation} · {}",
        model_and_tier(model, tier)
    );
    let Some(numbers) = numbers else {
        return format!("{head} · request failed, no tokens billed");
    };
    let cost = match numbers.cost {
        Some(_) => numbers.cost(),
        None if !priced => "cost unknown (no price for this model; see `tm prices`)".to_owned(),
        None => "cost unknown".to_owned(),
    };
    format!(
        "{head} · {} prompt{} + {} completion{} tokens · {cost}",
        numbers.figure_or(numbers.prompt, "?"),
        numbers.cache_aside(),
        numbers.figure_or(numbers.completion, "?"),
        numbers.reasoning_aside(),
    )
}

/// `tm chat`'s line after every exchange: the question's prompt tokens, the answer's
/// completion tokens, and what the exchange cost.
pub fn token_line(model: &str, tier: Option<&str>, numbers: Option<&Numbers>) -> String {
    let model = model_and_tier(model, tier);
    let Some(numbers) = numbers else {
        return format!("{model} · question: not answered, no tokens billed");
    };
    format!(
        "{model} · question: {} prompt tokens{} · answer: {} completion tokens{} · {}",
        numbers.figure_or(numbers.prompt, "?"),
        numbers.cache_aside(),
        numbers.figure_or(numbers.completion, "?"),
        numbers.reasoning_aside(),
        numbers.cost()
    )
}

/// `/tokens` in `tm chat`: everything recorded of a request. `sent` names the messages it
/// sent; `timing` is the duration part.
pub fn details(request: &Request, sent: &str) -> String {
    let numbers = Numbers::of_request(request);
    let n = |value: Option<u64>| numbers.figure_or(value, "-");
    let system = if request.system_prompt.is_some() {
        " + the system prompt"
    } else {
        ""
    };
    let prices = match (
        request.input_price,
        request.cached_price,
        request.output_price,
    ) {
        (Some(input), Some(cached), Some(output)) => {
            let write = request
                .cache_write_price
                .filter(|&write| write != input)
                .map_or_else(String::new, |w| {
                    format!(", cache write ${}", w.per_million())
                });
            format!(
                " (input ${}, cached ${}{write}, output ${} per 1M)",
                input.per_million(),
                cached.per_million(),
                output.per_million()
            )
        }
        _ => String::new(),
    };
    let shaped = shaped_by(request).map_or_else(String::new, |s| format!("\n{s}"));
    let written = match numbers.cache_write {
        Some(n) if n > 0 => format!(", {} written", numbers.figure(Some(n))),
        _ => String::new(),
    };
    let timing = match (request.duration_ms, request.first_token_ms) {
        (Some(total), Some(first)) => format!(
            " · {}, first token after {}",
            fmt::duration_ms(total.into()),
            fmt::duration_ms(first.into())
        ),
        (Some(total), None) => format!(" · {}", fmt::duration_ms(total.into())),
        _ => String::new(),
    };
    format!(
        "request {} · {} · {}{timing}\n\
         sent: {sent}{system}\n\
         prompt: {} tokens ({} cached{written}) · estimated before sending: {}\n\
         completion: {} tokens ({} reasoning)\n\
         cost: {}{prices}{shaped}",
        request.id,
        model_and_tier(&request.model, request.service_tier.as_deref()),
        request.outcome.as_str(),
        n(numbers.prompt),
        n(numbers.cached),
        numbers
            .estimate
            .map_or_else(|| "-".to_owned(), |v| format!("~{}", fmt::count(v))),
        n(numbers.completion),
        n(numbers.reasoning),
        numbers.cost(),
    )
}

/// `role: coder · options: {"temperature":0.2}`: what besides the messages shaped a
/// request; `None` when nothing did.
pub fn shaped_by(request: &Request) -> Option<String> {
    let parts: Vec<String> = [("role", &request.role), ("options", &request.options)]
        .into_iter()
        .filter_map(|(name, value)| value.as_ref().map(|v| format!("{name}: {v}")))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// `tm show`'s line over a question: the prompt tokens of the request it started, and which
/// messages that request sent (`sent`, e.g. `5–8, 4 sent`).
pub fn question_note(request: Option<&Request>, sent: &str) -> String {
    let Some(request) = request else {
        return "not sent".to_owned();
    };
    if request.outcome == Outcome::Failed {
        return format!(
            "failed: {}",
            request.error.as_deref().unwrap_or("no answer")
        );
    }
    let numbers = Numbers::of_request(request);
    let noun = if request.sent_ids().len() == 1 {
        "message"
    } else {
        "messages"
    };
    format!(
        "{} prompt tokens{} · {noun} {sent}",
        numbers.figure(numbers.prompt),
        numbers.cache_aside(),
    )
}

/// `tm show`'s line over an answer: the tokens and cost of the request that produced it.
pub fn answer_note(interrupted: bool, request: Option<&Request>) -> String {
    let interrupted = if interrupted { "interrupted · " } else { "" };
    let Some(request) = request else {
        return interrupted.trim_end_matches(" · ").to_owned();
    };
    let numbers = Numbers::of_request(request);
    format!(
        "{interrupted}{} completion tokens{} · {}",
        numbers.figure(numbers.completion),
        numbers.reasoning_aside(),
        numbers.cost()
    )
}

/// The figures of `tm show --tokens`' table row: prompt, cached, cache-written, completion,
/// reasoning, the estimate before sending, and the cost (`failed` for a request that got
/// nothing back).
pub fn table_cells(request: &Request) -> [String; 7] {
    let numbers = Numbers::of_request(request);
    let estimate = Numbers {
        estimated: true,
        ..numbers
    };
    [
        numbers.figure(numbers.prompt),
        numbers.figure(numbers.cached),
        numbers.figure(numbers.cache_write),
        numbers.figure(numbers.completion),
        numbers.figure(numbers.reasoning),
        estimate.figure(numbers.estimate),
        if request.outcome == Outcome::Failed {
            "failed".to_owned()
        } else {
            numbers.cost()
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(estimated: bool) -> Tally {
        Tally {
            prompt: 1_234,
            cached: 312,
            cache_write: 0,
            completion: 56,
            reasoning: 0,
            estimated,
        }
    }

    #[test]
    fn every_line_shows_the_same_figures() {
        let reported = Numbers::of_tally(&tally(false), Some(Money::from_usd(0.0031)));
        assert_eq!(
            summary(ConversationId(12), "gpt-4o", None, Some(&reported), true),
            "conversation 12 · gpt-4o · 1,234 prompt (312 cached) + 56 completion tokens · $0.0031"
        );
        assert_eq!(
            token_line("gpt-4o", None, Some(&reported)),
            "gpt-4o · question: 1,234 prompt tokens (312 cached) · answer: 56 completion tokens · $0.0031"
        );
        let estimated = Numbers::of_tally(&tally(true), None);
        assert_eq!(
            summary(ConversationId(3), "local", None, Some(&estimated), false),
            "conversation 3 · local · ~1,234 prompt (~312 cached) + ~56 completion tokens · cost unknown (no price for this model; see `tm prices`)"
        );
        assert_eq!(
            token_line("local", None, Some(&estimated)),
            "local · question: ~1,234 prompt tokens (~312 cached) · answer: ~56 completion tokens · unknown"
        );
    }

    /// A tier other than the standard one is named after the model; cache writes beside the
    /// cached reads.
    #[test]
    fn tier_and_cache_writes() {
        let tally = Tally {
            prompt: 100_000,
            cached: 30_000,
            cache_write: 10_000,
            completion: 2_000,
            ..Tally::default()
        };
        let numbers = Numbers::of_tally(&tally, Some(Money::from_usd(0.171)));
        assert_eq!(
            summary(
                ConversationId(7),
                "gpt-5.6",
                Some("flex"),
                Some(&numbers),
                true
            ),
            "conversation 7 · gpt-5.6 · flex · 100,000 prompt (30,000 cached, 10,000 written) + 2,000 completion tokens · $0.1710"
        );
        assert_eq!(
            token_line("gpt-5.6", Some("default"), Some(&numbers)),
            "gpt-5.6 · question: 100,000 prompt tokens (30,000 cached, 10,000 written) · answer: 2,000 completion tokens · $0.1710"
        );
        let written_only = Numbers::of_tally(&Tally { cached: 0, ..tally }, None);
        assert_eq!(written_only.cache_aside(), " (10,000 written)");
    }

    #[test]
    fn nothing_billed_says_so() {
        assert_eq!(
            summary(ConversationId(1), "gpt-4o", None, None, true),
            "conversation 1 · gpt-4o · request failed, no tokens billed"
        );
        assert_eq!(
            token_line("gpt-4o", None, None),
            "gpt-4o · question: not answered, no tokens billed"
        );
    }
}
