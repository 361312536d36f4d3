//! What a question is projected to cost, held against the cost guard and the budgets
//! (`budget.rs`) before anything is written or sent.
//!
//! The projection is the prompt at the input price plus an output bound at the output
//! price: `--max-output` when given, else the median completion of the model's recent
//! requests, else 500 tokens. The prompt is first taken at its upper bound (no BPE token is
//! shorter than a byte), which costs nothing to count; only when that passes a limit is the
//! tokenizer built for the estimate, so a question well within its limits is not slowed.

use anyhow::Result;

use crate::budget::{self, Limits, Projection, Verdict};
use crate::context::{Part, Plan};
use crate::prices::{self, ModelInfo};
use crate::store::{Store, request};
use crate::tokens::upper_bound;

use super::Options;

/// The output bound of a model with no history and no `--max-output`.
const USUAL_OUTPUT: u64 = 500;

pub fn check(
    store: &mut Store,
    plan: &Plan,
    options: &Options,
    info: Option<&ModelInfo>,
    limits: &Limits,
) -> Result<Verdict> {
    let tier = options.tier.as_deref();
    let project = |prompt: u64, output: u64| {
        let prices = info?.prices_for(prompt, tier)?;
        Some(Projection {
            prompt_tokens: prompt,
            output_tokens: output,
            cost: prices::charge(&[(prompt, prices.input), (output, prices.output)]),
        })
    };
    budget::check(
        store,
        limits,
        |store| {
            let output = match options.max_output {
                Some(most) => u64::from(most),
                None => store
                    .read(|conn| request::median_completion(conn, &options.model))?
                    .unwrap_or(USUAL_OUTPUT),
            };
            let bound = upper_bound(&plan.model, plan.parts.iter().map(Part::counted)) as u64;
            Ok(project(bound, output))
        },
        |at_most| project(plan.estimate().total as u64, at_most.output_tokens),
    )
}
