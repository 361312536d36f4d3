//! Prices from data: the embedded table, `--update`, overrides, families, unknown models,
//! the long-context tier, history that keeps its prices, deprecation warnings.

use crate::support::{
    FakeOpenAi, Reply, TmEnv, Usage, answer, assert_stderr_contains, assert_stderr_ends_with,
    stderr, stdout,
};

fn ask_model(env: &TmEnv, server: &FakeOpenAi, model: &str) -> std::process::Output {
    env.tm_with(server)
        .args(["ask", "-m", model, "hello"])
        .output()
        .expect("runs")
}

#[test]
fn prices_lists_the_embedded_table_and_one_model() {
    let env = TmEnv::new();
    let output = env.tm().arg("prices").output().expect("runs");
    assert!(output.status.success());
    let out = stdout(&output);
    assert!(
        out.starts_with("source: LiteLLM 1.110.2 price table (embedded extract) (2026-11-24)\n"),
        "{out}"
    );
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("gpt-5.4-mini "))
        .expect("gpt-5.4-mini row");
    assert_eq!(
        line.split_whitespace().collect::<Vec<_>>(),
        ["gpt-5.4-mini", "0.75", "0.075", "4.5", "272,000"]
    );

    env.tm()
        .args(["prices", "gpt-5.5"])
        .assert()
        .success()
        .stdout(
            "source: LiteLLM 1.110.2 price table (embedded extract) (2026-11-24)\n\
         prices in USD per 1M tokens; price.<model> settings override the table\n\
         model: gpt-5.5\n\
         input: 5  cached input: 0.5  output: 30\n\
         above 272,000 prompt tokens: input: 10  cached input: 1  output: 45\n\
         flex tier: input: 2.5  cached input: 0.25  output: 15\n\
         flex tier above 272,000 prompt tokens: input: 5  cached input: 0.5  output: 22.5\n\
         priority tier: input: 12.5  cached input: 1.25  output: 75\n\
         context window: 1,050,000 tokens\n",
        );
    let out = stdout(
        &env.tm()
            .args(["prices", "gpt-5.5-pro"])
            .output()
            .expect("runs"),
    );
    assert!(
        out.contains(
            "model: gpt-5.5-pro\nserved by: the Responses API only\ninput: 30  cached input: 30  output: 180\n"
        ),
        "{out}"
    );
    let out = stdout(&env.tm().args(["prices", "gpt-5.6"]).output().expect("runs"));
    assert!(
        out.contains("\ninput: 4  cached input: 0.4  cache write: 5  output: 20\n"),
        "{out}"
    );
    let out = stdout(
        &env.tm()
            .args(["prices", "gpt-4o-2031-01-01"])
            .output()
            .expect("runs"),
    );
    assert!(
        out.contains("model: gpt-4o-2031-01-01\npriced as: gpt-4o\n"),
        "{out}"
    );
    let output = env
        .tm()
        .args(["prices", "mystery-model"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output)
            .contains("mystery-model is not in the price table, so its cost shows as unknown")
    );
}

#[test]
fn update_downloads_the_table_and_uses_it_from_then_on() {
    let env = TmEnv::new();
    let upstream = r#"{
        "sample_spec": {"litellm_provider": "one of the providers", "mode": "chat"},
        "gpt-5.4-mini": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-06, "cache_read_input_token_cost": 1e-07, "output_cost_per_token": 2e-06, "max_input_tokens": 400000},
        "claude-x": {"litellm_provider": "anthropic", "mode": "chat", "input_cost_per_token": 3e-06}
    }"#;
    let server = FakeOpenAi::start(vec![Reply::json(200, upstream), answer("ok")]);
    let url = format!("{}/prices.json", server.base_url());
    env.tm()
        .args(["config", "set", "prices-url", &url])
        .assert()
        .success();
    let before = TmEnv::today();
    let output = env
        .tm()
        .args(["prices", "--update"])
        .output()
        .expect("runs");
    let after = TmEnv::today();
    assert!(output.status.success(), "{}", stderr(&output));
    let updated_on = |day: jiff::civil::Date| {
        format!(
            "updated: 1 OpenAI models from {url} ({day}), saved in {}\n",
            env.data_dir().join("prices.json").display()
        )
    };
    let out = stdout(&output);
    // The update is dated in tm's zone; a midnight there while it ran allows either day.
    let today = if out == updated_on(before) {
        before
    } else {
        assert_eq!(out, updated_on(after));
        after
    };
    let out = stdout(
        &env.tm()
            .args(["prices", "gpt-5.4-mini"])
            .output()
            .expect("runs"),
    );
    assert!(
        out.starts_with(&format!("source: {url} ({today})\n")),
        "{out}"
    );
    assert!(
        out.contains("input: 1  cached input: 0.1  output: 2\n"),
        "{out}"
    );

    // (922 × 1 + 312 × 0.1 + 56 × 2) / 1e6 = 0.0010652
    let output = env
        .tm_with(&server)
        .args(["ask", "hello"])
        .output()
        .expect("runs");
    assert_stderr_ends_with(&output, "· $0.0011\n");
    assert_eq!(
        env.rows("SELECT input_price_picodollars / 1e6, cached_price_picodollars / 1e6, output_price_picodollars / 1e6 FROM requests"),
        [["1", "0.1", "2"]]
    );
}

#[test]
fn a_failed_update_keeps_the_table() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![
        Reply::raw(200, "text/html", "<html>maintenance</html>"),
        Reply::raw(404, "text/plain", "404: Not Found"),
    ]);
    env.tm()
        .args([
            "config",
            "set",
            "prices-url",
            &format!("{}/p.json", server.base_url()),
        ])
        .assert()
        .success();
    let output = env
        .tm()
        .args(["prices", "--update"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let url = format!("{}/p.json", server.base_url());
    let hint = "the address is the setting prices-url (`tm config set prices-url URL` changes it, `tm config unset prices-url` restores the default)";
    assert_stderr_contains(
        &output,
        &format!("tm: error: {url} is not a LiteLLM price table; {hint}\n"),
    );
    assert!(!env.data_dir().join("prices.json").exists());
    let output = env
        .tm()
        .args(["prices", "--update"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert_stderr_contains(
        &output,
        &format!("tm: error: could not download the price table from {url}; {hint}\n"),
    );
    assert_stderr_contains(
        &output,
        "caused by: the server answered HTTP 404 (404: Not Found)",
    );
    assert!(!env.data_dir().join("prices.json").exists());
}

#[test]
fn overrides_families_unknown_models_and_stable_history() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start((0..4).map(|_| answer("ok")).collect());
    // A dated name without its own entry is priced as its family:
    // (922 × 2.5 + 312 × 1.25 + 56 × 10) / 1e6 = 0.003255
    let output = ask_model(&env, &server, "gpt-4o-2031-01-01");
    assert_stderr_ends_with(&output, "· $0.0033\n");

    // An unknown model's cost is unknown: not zero, not a guess.
    let output = ask_model(&env, &server, "local-llama");
    assert!(
        stderr(&output).ends_with("· cost unknown (no price for this model; see `tm prices`)\n"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        env.rows("SELECT cost_picodollars / 1e12, input_price_picodollars / 1e6 FROM requests WHERE id = 2"),
        [["NULL", "NULL"]]
    );

    // price.<model> makes it known, and overrides the table.
    env.tm()
        .args(["config", "set", "price.local-llama", "input=1,output=2"])
        .assert()
        .success();
    env.tm()
        .args([
            "config",
            "set",
            "price.gpt-4o",
            "input=100,cached=100,output=100",
        ])
        .assert()
        .success();
    let output = ask_model(&env, &server, "local-llama");
    // (1234 × 1 + 56 × 2) / 1e6, cached input at the input price when none is given.
    assert_stderr_ends_with(&output, "· $0.0013\n");
    let output = ask_model(&env, &server, "gpt-4o-2031-01-01");
    assert_stderr_ends_with(&output, "· $0.1290\n");

    // The first request keeps the price it was charged at.
    assert_eq!(
        env.rows("SELECT id, input_price_picodollars / 1e6, cached_price_picodollars / 1e6, output_price_picodollars / 1e6, round(cost_picodollars / 1e6) FROM requests ORDER BY id"),
        [
            ["1", "2.5", "1.25", "10", "3255"],
            ["2", "NULL", "NULL", "NULL", "NULL"],
            ["3", "1", "1", "2", "1346"],
            ["4", "100", "100", "100", "129000"],
        ]
    );
}

#[test]
fn long_context_tier_prices_big_prompts() {
    let env = TmEnv::new();
    let big = Usage {
        prompt: 300_000,
        cached: 0,
        completion: 10,
        reasoning: 0,
    };
    let server = FakeOpenAi::start(vec![Reply::answer(&["ok"], big)]);
    let output = ask_model(&env, &server, "gpt-5.5");
    // Above 272k: (300000 × 10 + 10 × 45) / 1e6 = 3.00045
    assert_stderr_ends_with(&output, "300,000 prompt + 10 completion tokens · $3.00\n");
    assert_eq!(
        env.rows("SELECT input_price_picodollars / 1e6, output_price_picodollars / 1e6, cost_picodollars / 1e12 FROM requests"),
        [["10", "45", "3.00045"]]
    );
}

#[test]
fn retired_models_warn_naming_the_successor() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("ok")]);
    let output = ask_model(&env, &server, "gpt-3.5-turbo");
    assert!(output.status.success());
    assert!(
        stderr(&output).starts_with(
            "tm: warning: gpt-3.5-turbo was retired on 2026-10-23; its successor is gpt-5.6-terra (use -m gpt-5.6-terra)\n"
        ),
        "{}",
        stderr(&output)
    );
}

/// Image models show what `tm image` charges: dall-e per image by quality and size, GPT image
/// models their image token prices.
#[test]
fn image_models_show_the_prices_tm_image_charges() {
    let env = TmEnv::new();
    let head = "source: LiteLLM 1.110.2 price table (embedded extract) (2026-11-24)\n\
                prices in USD per 1M tokens; price.<model> settings override the table\n";
    env.tm()
        .args(["prices", "dall-e-3"])
        .assert()
        .success()
        .stdout(format!(
            "{head}model: dall-e-3\n\
             per image, hd 1024x1024: $0.08\n\
             per image, hd 1024x1792: $0.12\n\
             per image, hd 1792x1024: $0.12\n\
             per image, standard 1024x1024: $0.04\n\
             per image, standard 1024x1792: $0.08\n\
             per image, standard 1792x1024: $0.08\n"
        ));
    env.tm()
        .args(["prices", "gpt-image-2"])
        .assert()
        .success()
        .stdout(format!(
            "{head}model: gpt-image-2\n\
             input: 5  cached input: 1.25  output: 0\n\
             image tokens: text input: 5  image input: 8  image output: 30\n"
        ));
}
