//! `tm image`: options checked before sending, files saved and copied, records with cost.

use std::fs;

use serde_json::{Value, json};

use crate::support::{FakeOpenAi, Reply, TmEnv, assert_stderr_contains, png, stderr, stdout};

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A GPT image model's answer: base64 images and a usage object.
fn gpt_image_answer(images: &[Vec<u8>], input: u64, output: u64) -> Reply {
    let data: Vec<Value> = images.iter().map(|i| json!({"b64_json": b64(i)})).collect();
    Reply::json(
        200,
        &json!({
            "created": 1_764_000_000, "data": data, "output_format": "png",
            "usage": {"input_tokens": input, "output_tokens": output, "total_tokens": input + output,
                      "input_tokens_details": {"text_tokens": input, "image_tokens": 0}}
        })
        .to_string(),
    )
}

#[test]
fn gpt_image_saves_the_png_and_records_its_cost() {
    let env = TmEnv::new();
    let picture = png(48, 32);
    let server = FakeOpenAi::start(vec![gpt_image_answer(
        std::slice::from_ref(&picture),
        40,
        4000,
    )]);
    let output = env
        .tm_with(&server)
        .args(["image", "a red fox", "--size", "1024x1024"])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "tm-image-1.png\n");
    // (40 × $5 + 4,000 × $30) / 1M for gpt-image-2.
    assert_eq!(
        stderr(&output),
        "image request 1 · 1 image · 40 input + 4,000 output tokens · $0.1202\n"
    );
    assert_eq!(
        fs::read(env.dir().join("tm-image-1.png")).expect("saved"),
        picture
    );
    let sha = env.rows("SELECT sha256 FROM images")[0][0].clone();
    let copy = env.data_dir().join("images").join(format!("{sha}.png"));
    assert_eq!(fs::read(&copy).expect("copy"), picture);

    let body = server.requests()[0].json();
    assert_eq!(server.requests()[0].path, "/v1/images/generations");
    assert_eq!(
        body,
        json!({"model": "gpt-image-2", "prompt": "a red fox", "n": 1, "size": "1024x1024"})
    );
    assert_eq!(
        env.rows("SELECT kind, model, conversation_id, prompt_tokens, completion_tokens, images, input_price_picodollars / 1e6, output_price_picodollars / 1e6, cost_picodollars / 1e12, outcome FROM requests"),
        [["image", "gpt-image-2", "NULL", "40", "4000", "1", "5", "30", "0.1202", "ok"]]
    );
    assert_eq!(
        env.rows("SELECT request_id, prompt, revised_prompt, model, size, quality, path, copy_path = ?1 FROM images".replace("?1", &format!("'{}'", copy.display())).as_str()),
        [["1", "a red fox", "NULL", "gpt-image-2", "48x32", "NULL", "tm-image-1.png", "1"]]
    );
}

#[test]
fn dall_e_3_prints_the_revised_prompt_and_costs_per_image() {
    let env = TmEnv::new();
    let picture = png(16, 16);
    let answer = json!({"created": 1, "data": [{"b64_json": b64(&picture), "revised_prompt": "A photorealistic red fox in fresh snow."}]});
    let server = FakeOpenAi::start(vec![Reply::json(200, &answer.to_string())]);
    let output = env
        .tm_with(&server)
        .args([
            "image",
            "a fox",
            "--model",
            "dall-e-3",
            "--size",
            "1792x1024",
            "--quality",
            "hd",
            "-o",
            "fox.png",
        ])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "fox.png\n");
    assert_eq!(
        stderr(&output),
        "revised prompt: A photorealistic red fox in fresh snow.\nimage request 1 · 1 image · $0.1200\n"
    );
    assert_eq!(fs::read(env.dir().join("fox.png")).expect("saved"), picture);
    assert_eq!(
        server.requests()[0].json(),
        json!({"model": "dall-e-3", "prompt": "a fox", "n": 1, "size": "1792x1024", "quality": "hd", "response_format": "b64_json"})
    );
    assert_eq!(
        env.rows("SELECT images, cost_picodollars / 1e12 FROM requests"),
        [["1", "0.12"]]
    );
    assert_eq!(
        env.rows("SELECT revised_prompt, quality FROM images"),
        [["A photorealistic red fox in fresh snow.", "hd"]]
    );
}

#[test]
fn refused_before_any_request_with_the_allowed_values() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![]);
    for (args, message) in [
        (
            &["--model", "dall-e-3", "-n", "2"][..],
            "dall-e-3 makes 1 image per request (given -n 2); use -n 1",
        ),
        (
            &["--model", "gpt-image-1", "--size", "800x600"][..],
            "gpt-image-1 does not take --size 800x600; use one of 1024x1024, 1536x1024, 1024x1536, auto",
        ),
        (
            &["--model", "gpt-image-2", "--size", "1000x1000"][..],
            "gpt-image-2 does not make 1000x1000 images; use auto or WIDTHxHEIGHT with both sides multiples of 16",
        ),
        (
            &["--quality", "hd"][..],
            "gpt-image-2 does not take --quality hd; use one of low, medium, high, auto",
        ),
    ] {
        let output = env
            .tm_with(&server)
            .arg("image")
            .args(args)
            .arg("a fox")
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_stderr_contains(&output, &format!("tm: error: {message}"));
    }
    assert_eq!(env.rows("SELECT count(*) FROM requests"), [["0"]]);
}

#[test]
fn several_images_json_and_usage() {
    let env = TmEnv::new();
    let (a, b) = (png(8, 8), png(9, 9));
    let server = FakeOpenAi::start(vec![gpt_image_answer(&[a.clone(), b.clone()], 40, 8000)]);
    let output = env
        .tm_with(&server)
        .args([
            "image",
            "two foxes",
            "-n",
            "2",
            "--model",
            "gpt-image-1",
            "--quality",
            "low",
            "-o",
            "fox.png",
            "--json",
        ])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    let report: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(report["request_id"], json!(1));
    assert_eq!(report["images"].as_array().map(Vec::len), Some(2));
    assert_eq!(report["images"][0]["path"], json!("fox-1.png"));
    assert_eq!(report["images"][1]["path"], json!("fox-2.png"));
    assert_eq!(report["images"][1]["size"], json!("9x9"));
    assert_eq!(fs::read(env.dir().join("fox-2.png")).expect("saved"), b);
    // gpt-image-1: (40 × $5 + 8,000 × $40) / 1M
    let cost = report["cost"].as_f64().expect("cost");
    assert!((cost - 0.3202).abs() < 1e-12, "{cost}");

    let output = env
        .tm()
        .args(["usage", "--by", "model", "--json"])
        .output()
        .expect("runs");
    let usage: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(usage["rows"][0]["key"], json!("gpt-image-1"));
    assert_eq!(usage["rows"][0]["images"], json!(2));
    assert_eq!(usage["rows"][0]["requests"], json!(1));
    assert_eq!(usage["totals"]["images"], json!(2));

    // Image requests belong to no conversation: a row of their own, not `deleted`.
    let output = env
        .tm()
        .args(["usage", "--by", "conversation", "--json"])
        .output()
        .expect("runs");
    let usage: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(usage["rows"].as_array().map(Vec::len), Some(1), "{usage}");
    assert_eq!(usage["rows"][0]["key"], json!("images"));
    assert_eq!(usage["rows"][0]["images"], json!(2));
}

#[test]
fn a_broken_answer_is_an_error_and_recorded_as_failed() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![Reply::json(
        200,
        r#"{"created": 1, "data": [{"b64_json": "not base64!"}]}"#,
    )]);
    let output = env
        .tm_with(&server)
        .args(["image", "a fox"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert_stderr_contains(
        &output,
        "tm: error: the server sent data tm cannot read: an image's base64 is broken",
    );
    assert_eq!(
        env.rows("SELECT outcome, images FROM requests"),
        [["failed", "0"]]
    );
}

/// An image the server sends as a `data:` URL is saved as base64 is; one at an address is
/// downloaded, without the key.
#[test]
fn images_at_data_urls_and_addresses_are_saved() {
    let env = TmEnv::new();
    let (inline, remote) = (png(8, 8), png(16, 16));
    let files = FakeOpenAi::start(vec![Reply::raw(200, "image/png", &remote)]);
    let address = format!("{}/files/fox.png", files.base_url());
    let server = FakeOpenAi::start(vec![Reply::json(
        200,
        &json!({
            "created": 1_764_000_000,
            "data": [
                {"url": format!("data:image/png;base64,{}", b64(&inline))},
                {"url": address}
            ],
            "usage": {"input_tokens": 40, "output_tokens": 8000, "total_tokens": 8040}
        })
        .to_string(),
    )]);
    let output = env
        .tm_with(&server)
        .args(["image", "two foxes", "-n", "2", "-o", "fox.png"])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "fox-1.png\nfox-2.png\n");
    assert_eq!(
        fs::read(env.dir().join("fox-1.png")).expect("saved"),
        inline
    );
    assert_eq!(
        fs::read(env.dir().join("fox-2.png")).expect("saved"),
        remote
    );
    let download = &files.requests()[0];
    assert_eq!(download.path, "/v1/files/fox.png");
    assert_eq!(download.header("authorization"), None, "the key stays home");
}
