//! Settings: precedence and sources, validation, and the API key kept out of the database.

use std::os::unix::fs::PermissionsExt as _;

use serde_json::json;

use crate::support::{FakeOpenAi, TEST_KEY, TmEnv, answer, stderr, stdout};

fn source_of(env: &TmEnv, key: &str, extra_env: &[(&str, &str)]) -> (String, String) {
    let mut command = env.tm();
    for (name, value) in extra_env {
        command.env(name, value);
    }
    let output = command
        .args(["config", "list", "--json"])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&output)).expect("JSON");
    let row = rows.iter().find(|r| r["key"] == key).expect("key listed");
    (
        row["value"].as_str().unwrap_or("unset").to_owned(),
        row["source"].as_str().unwrap_or_default().to_owned(),
    )
}

#[test]
fn precedence_flag_env_stored_default() {
    let env = TmEnv::new();
    assert_eq!(
        source_of(&env, "model", &[]),
        ("gpt-5.4-mini".into(), "default".into())
    );
    env.tm()
        .args(["config", "set", "model", "gpt-4.1"])
        .assert()
        .success()
        .stdout("");
    assert_eq!(
        source_of(&env, "model", &[]),
        ("gpt-4.1".into(), "config".into())
    );
    assert_eq!(
        source_of(&env, "model", &[("TM_MODEL", "gpt-5")]),
        ("gpt-5".into(), "env TM_MODEL".into())
    );
    env.tm()
        .args(["config", "get", "model"])
        .assert()
        .success()
        .stdout("gpt-4.1\n");

    // What the request carries: flag > env > stored.
    let server = FakeOpenAi::start(vec![answer("a"), answer("b"), answer("c")]);
    env.tm_with(&server)
        .args(["ask", "-q", "x"])
        .assert()
        .success();
    env.tm_with(&server)
        .env("TM_MODEL", "gpt-5")
        .args(["ask", "-q", "x"])
        .assert()
        .success();
    env.tm_with(&server)
        .env("TM_MODEL", "gpt-5")
        .args(["ask", "-q", "-m", "o3", "x"])
        .assert()
        .success();
    let models: Vec<serde_json::Value> = server
        .requests()
        .iter()
        .map(|r| r.json()["model"].clone())
        .collect();
    assert_eq!(models, [json!("gpt-4.1"), json!("gpt-5"), json!("o3")]);

    env.tm()
        .args(["config", "unset", "model"])
        .assert()
        .success();
    assert_eq!(
        source_of(&env, "model", &[]),
        ("gpt-5.4-mini".into(), "default".into())
    );
}

#[test]
fn list_shows_every_setting_with_its_source() {
    let env = TmEnv::new();
    env.tm()
        .args(["config", "set", "price.local-llama", "input=0,output=0"])
        .assert()
        .success();
    let output = env
        .tm()
        .env("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
        .args(["config", "list"])
        .output()
        .expect("runs");
    let expected = [
        " key                value                                                                                        source",
        " api-key            -                                                                                            unset",
        " model              gpt-5.4-mini                                                                                 default",
        " effort             -                                                                                            unset",
        " tier               -                                                                                            unset",
        " api                auto                                                                                         default",
        " max-messages       5                                                                                            default",
        " system             -                                                                                            unset",
        " image-model        gpt-image-2                                                                                  default",
        " base-url           http://127.0.0.1:1/v1                                                                        env OPENAI_BASE_URL",
        " subscription       20                                                                                           default",
        " budget.day         -                                                                                            unset",
        " budget.month       -                                                                                            unset",
        " guard              -                                                                                            unset",
        " render             markdown                                                                                     default",
        " timeout            120                                                                                          default",
        " prices-url         https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json  default",
        " price.local-llama  input=0,output=0                                                                             config",
    ];
    assert_eq!(
        stdout(&output),
        expected.map(|line| format!("{line}\n")).concat()
    );
}

#[test]
fn api_key_from_stdin_lives_in_an_owner_only_file_not_the_database() {
    let env = TmEnv::new();
    let output = env
        .tm()
        .args(["config", "set", "api-key"])
        .write_stdin(format!("{TEST_KEY}\n"))
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        format!(
            "stored the API key sk-…fXYZ in {}\n",
            env.key_file().display()
        )
    );
    assert_eq!(
        std::fs::read_to_string(env.key_file()).expect("key file"),
        format!("{TEST_KEY}\n")
    );
    let mode = std::fs::metadata(env.key_file())
        .expect("key file")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    let db_mode = std::fs::metadata(env.db())
        .expect("db")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(db_mode, 0o600);

    env.tm()
        .args(["config", "get", "api-key"])
        .assert()
        .success()
        .stdout("sk-…fXYZ\n");
    let (value, source) = source_of(&env, "api-key", &[]);
    assert_eq!((value.as_str(), source.as_str()), ("sk-…fXYZ", "key file"));

    // The stored key is used, and never lands in the database.
    let server = FakeOpenAi::start(vec![answer("ok")]);
    let output = env
        .tm()
        .env("OPENAI_BASE_URL", server.base_url())
        .args(["ask", "hello"])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some(format!("Bearer {TEST_KEY}").as_str())
    );
    for file in std::fs::read_dir(env.dir()).expect("dir").flatten() {
        let name = file.file_name().to_string_lossy().into_owned();
        if name.starts_with("tm.db") {
            let bytes = std::fs::read(file.path()).expect("db file");
            assert!(
                !bytes
                    .windows(TEST_KEY.len())
                    .any(|w| w == TEST_KEY.as_bytes()),
                "the key is in {name}"
            );
        }
    }
    for text in [stdout(&output), stderr(&output)] {
        assert!(!text.contains(TEST_KEY));
    }

    env.tm()
        .args(["config", "unset", "api-key"])
        .assert()
        .success();
    assert!(!env.key_file().exists());
}

#[test]
fn bad_settings_are_refused_naming_the_accepted_forms() {
    let env = TmEnv::new();
    env.tm().args(["config", "list"]).assert().success();
    let before = env.db_bytes();
    let cases: [(&[&str], &str); 6] = [
        (
            &["config", "set", "colour", "red"],
            "unknown setting 'colour'; the settings are api-key, model, effort, tier, api, max-messages, system, image-model, base-url, subscription, budget.day, budget.month, guard, render, timeout, prices-url, and price.<model>",
        ),
        (
            &["config", "set", "base-url", "localhost:11434/v1"],
            "bad value for base-url: 'localhost:11434/v1' must start with http:// or https://",
        ),
        (
            &["config", "set", "price.gpt-4o", "cheap"],
            "bad value for price.gpt-4o: 'cheap' has no '=': use input=N,output=N[,cached=N]",
        ),
        (
            &["config", "set", "max-messages", "0"],
            "bad value for max-messages: '0' is not a message count",
        ),
        (&["config", "get", "nope"], "unknown setting 'nope'"),
        (
            &["config", "set", "render", "fancy"],
            "bad value for render: 'fancy' is not a way to show answers; use markdown (rendered on a terminal) or raw",
        ),
    ];
    for (args, message) in cases {
        let output = env.tm().args(args).output().expect("runs");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&output).starts_with(&format!("tm: error: {message}")),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    assert_eq!(env.db_bytes(), before);
}

#[test]
fn config_path_names_the_files() {
    let env = TmEnv::new();
    env.tm()
        .args(["config", "path"])
        .assert()
        .success()
        .stdout(format!(
            "database        {}\napi key file    {}\ndata directory  {}\n",
            env.db().display(),
            env.key_file().display(),
            env.data_dir().display()
        ));
}
