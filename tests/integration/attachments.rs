//! `tm ask -a FILE`: files recognised by their bytes, sent as the right part, stored once,
//! re-sent with their message, and refused cleanly when they cannot be sent.

use std::fs;

use serde_json::{Value, json};

use crate::support::{
    FakeOpenAi, TmEnv, answer, assert_stderr_contains, base64_decode, jpeg, png, stderr, stdout,
};

/// The data URL of an `image_url` part, split into its MIME type and decoded bytes.
fn image_part(part: &Value) -> (String, Vec<u8>, String) {
    let url = part["image_url"]["url"].as_str().expect("url");
    let (head, data) = url.split_once(";base64,").expect("data url");
    let mime = head.strip_prefix("data:").expect("data:").to_owned();
    (
        mime,
        base64_decode(data),
        part["image_url"]["detail"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

#[test]
fn an_image_goes_as_an_image_url_part_with_its_exact_bytes() {
    let env = TmEnv::new();
    let photo = png(64, 32);
    fs::write(env.dir().join("photo.png"), &photo).expect("write");
    fs::write(env.dir().join("actually.png"), jpeg(800, 600)).expect("write");
    let server = FakeOpenAi::start(vec![answer("A gradient."), answer("A JPEG.")]);
    env.tm_with(&server)
        .args(["ask", "-q", "-a", "photo.png", "what is this?"])
        .assert()
        .success();
    env.tm_with(&server)
        .args([
            "ask",
            "-q",
            "-a",
            "actually.png",
            "--detail",
            "low",
            "and this?",
        ])
        .assert()
        .success();

    let content = server.requests()[0].json()["messages"][0]["content"].clone();
    assert_eq!(content[0], json!({"type": "text", "text": "what is this?"}));
    assert_eq!(content[1]["type"], json!("image_url"));
    assert_eq!(
        image_part(&content[1]),
        ("image/png".to_owned(), photo.clone(), "auto".to_owned())
    );
    assert_eq!(content.as_array().map(Vec::len), Some(2));

    let content = server.requests()[1].json()["messages"][0]["content"].clone();
    let (mime, _, detail) = image_part(&content[1]);
    assert_eq!(
        (mime.as_str(), detail.as_str()),
        ("image/jpeg", "low"),
        "a .png holding a JPEG is sent as what it is"
    );

    assert_eq!(
        env.rows("SELECT message_id, name, mime, kind, size, width, height, detail FROM attachments ORDER BY id"),
        [
            ["1", "photo.png", "image/png", "image", &photo.len().to_string(), "64", "32", "auto"],
            ["3", "actually.png", "image/jpeg", "image", &jpeg(800, 600).len().to_string(), "800", "600", "low"],
        ]
    );
    assert_eq!(env.rows("SELECT count(*) FROM blobs"), [["2"]]);
}

#[test]
fn stored_once_and_resent_only_inside_the_window() {
    let env = TmEnv::new();
    let photo = png(16, 16);
    fs::write(env.dir().join("a.png"), &photo).expect("write");
    fs::write(env.dir().join("same.png"), &photo).expect("write");
    let server = FakeOpenAi::start(vec![answer("one"), answer("two"), answer("three")]);
    env.tm_with(&server)
        .args(["ask", "-q", "-a", "a.png", "-a", "same.png", "look"])
        .assert()
        .success();
    env.tm_with(&server)
        .args(["ask", "-q", "-c", "--max-messages", "3", "again"])
        .assert()
        .success();
    env.tm_with(&server)
        .args(["ask", "-q", "-c", "--max-messages", "2", "once more"])
        .assert()
        .success();

    assert_eq!(env.rows("SELECT count(*) FROM attachments"), [["2"]]);
    assert_eq!(
        env.rows("SELECT count(*) FROM blobs"),
        [["1"]],
        "the same bytes are kept once"
    );
    let resent = server.requests()[1].json()["messages"].clone();
    assert_eq!(
        resent[0]["content"][0],
        json!({"type": "text", "text": "look"})
    );
    assert_eq!(image_part(&resent[0]["content"][1]).1, photo);
    assert_eq!(image_part(&resent[0]["content"][2]).1, photo);
    assert_eq!(resent[2], json!({"role": "user", "content": "again"}));
    let outside = server.requests()[2].json()["messages"].clone();
    assert_eq!(
        outside,
        json!([{"role": "assistant", "content": "two"}, {"role": "user", "content": "once more"}])
    );
}

#[test]
fn text_and_pdf_parts() {
    let env = TmEnv::new();
    fs::write(env.dir().join("notes.txt"), "line one\nligne deux, café\n").expect("write");
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
        .to_vec();
    fs::write(env.dir().join("paper.pdf"), &pdf).expect("write");
    let server = FakeOpenAi::start(vec![answer("read them")]);
    env.tm_with(&server)
        .args([
            "ask",
            "-q",
            "-a",
            "notes.txt",
            "-a",
            "paper.pdf",
            "summarise",
        ])
        .assert()
        .success();
    let content = server.requests()[0].json()["messages"][0]["content"].clone();
    assert_eq!(
        content[1],
        json!({"type": "text", "text": "notes.txt:\nline one\nligne deux, café\n"})
    );
    assert_eq!(content[2]["type"], json!("file"));
    assert_eq!(content[2]["file"]["filename"], json!("paper.pdf"));
    let data = content[2]["file"]["file_data"].as_str().expect("file_data");
    let encoded = data
        .strip_prefix("data:application/pdf;base64,")
        .expect("pdf data url");
    assert_eq!(base64_decode(encoded), pdf);
}

/// Valid UTF-8 is text whatever it starts with; text in a legacy encoding is decoded, with a
/// note naming the encoding.
#[test]
fn any_utf8_is_text_and_legacy_encodings_are_decoded() {
    let env = TmEnv::new();
    let files: [(&str, &str); 5] = [
        (
            "page.html",
            "<!DOCTYPE html>\n<html><body>안녕</body></html>\n",
        ),
        ("data.xml", "<?xml version=\"1.0\"?>\n<a>b</a>\n"),
        ("run.sh", "#!/bin/sh\necho hi\n"),
        ("mz.txt", "MZ is where this note starts\n"),
        ("table.csv", "이름,값\nа,1\n"),
    ];
    for (name, text) in files {
        fs::write(env.dir().join(name), text).expect("write");
    }
    let korean = "모나드와 펑터의 차이점을 자세히 설명해 주세요. 예제 코드도 함께 부탁합니다.\n";
    fs::write(
        env.dir().join("korean.txt"),
        encoding_rs::EUC_KR.encode(korean).0,
    )
    .expect("write");
    let server = FakeOpenAi::start(vec![answer("read them")]);
    let mut args = vec!["ask", "-q"];
    for name in files.iter().map(|(name, _)| *name).chain(["korean.txt"]) {
        args.extend(["-a", name]);
    }
    args.push("summarise");
    let output = env.tm_with(&server).args(&args).output().expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "tm: note: korean.txt is EUC-KR text; it is sent as UTF-8\n"
    );
    let content = server.requests()[0].json()["messages"][0]["content"].clone();
    for (index, (name, text)) in files.iter().enumerate() {
        assert_eq!(
            content[index + 1],
            json!({"type": "text", "text": format!("{name}:\n{text}")})
        );
    }
    assert_eq!(
        content[6],
        json!({"type": "text", "text": format!("korean.txt:\n{korean}")})
    );
}

#[test]
fn files_that_cannot_be_sent_are_refused_and_nothing_is_written() {
    let env = TmEnv::new();
    env.tm().args(["config", "list"]).assert().success();
    let before = env.db_bytes();
    let dir = env.dir();
    fs::write(
        dir.join("archive.zip"),
        b"PK\x03\x04\x14\0\0\0\x08\0rest of a zip",
    )
    .expect("write");
    fs::write(
        dir.join("notes.png"),
        "I am text that claims to be a picture\n",
    )
    .expect("write");
    fs::write(dir.join("empty.txt"), b"").expect("write");
    fs::write(dir.join("tool"), b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0").expect("write");
    // 가 in EUC-KR and 啊 in GBK: two bytes cannot say which.
    fs::write(dir.join("short.txt"), b"\xb0\xa1 ok\n").expect("write");
    let mut huge = png(8, 8);
    huge.resize(21_000_000, 0);
    fs::write(dir.join("huge.png"), huge).expect("write");
    fs::create_dir(dir.join("folder")).expect("mkdir");
    let fifo = std::process::Command::new("mkfifo")
        .arg(dir.join("pipe"))
        .status()
        .expect("mkfifo");
    assert!(fifo.success());
    let server = FakeOpenAi::start(vec![]);
    for (file, message) in [
        (
            "archive.zip",
            "archive.zip: its contents are not a PNG, JPEG, GIF or WebP image, a PDF, or text",
        ),
        (
            "tool",
            "tool: its contents are not a PNG, JPEG, GIF or WebP image, a PDF, or text",
        ),
        (
            "short.txt",
            "short.txt: it is not UTF-8, and its encoding is not clear (perhaps ISO-8859-2); convert it to UTF-8 first, e.g. `iconv -f ISO-8859-2 -t utf-8 short.txt > converted.txt`",
        ),
        (
            "notes.png",
            "notes.png: its name says image but its contents are UTF-8 text",
        ),
        ("missing.png", "missing.png: No such file or directory"),
        ("empty.txt", "empty.txt: it is empty"),
        (
            "huge.png",
            "huge.png: it is 21.0 MB, and image attachments may be 20.0 MB at most",
        ),
        ("folder", "folder: it is a directory"),
        ("pipe", "pipe: it is not a regular file"),
    ] {
        let output = env
            .tm_with(&server)
            .args(["ask", "-a", file, "what?"])
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(1), "{file}");
        assert_stderr_contains(&output, &format!("tm: error: cannot attach {message}"));
        assert_eq!(stdout(&output), "");
    }
    assert_eq!(
        env.db_bytes(),
        before,
        "a refused attachment leaves the database as it was"
    );
}

#[test]
fn dry_run_and_show_list_attachments_with_their_tokens() {
    let env = TmEnv::new();
    fs::write(env.dir().join("big.png"), png(1024, 1024)).expect("write");
    let output = env
        .tm()
        .args([
            "ask",
            "--dry-run",
            "--json",
            "-m",
            "gpt-4o",
            "-a",
            "big.png",
            "--detail",
            "high",
            "hi",
        ])
        .output()
        .expect("runs");
    let plan: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    // 3 + 1 + 1 ("hi") + 765 for a 1024×1024 image at high detail on gpt-4o.
    assert_eq!(plan["messages"][0]["estimated_tokens"], json!(770));
    assert_eq!(
        plan["messages"][0]["attachments"][0]["estimated_tokens"],
        json!(765)
    );
    assert_eq!(
        plan["messages"][0]["attachments"][0]["mime"],
        json!("image/png")
    );
    assert_eq!(plan["estimated_prompt_tokens"], json!(773));

    let server = FakeOpenAi::start(vec![answer("a square")]);
    env.tm_with(&server)
        .args([
            "ask", "-q", "-m", "gpt-4o", "-a", "big.png", "--detail", "low", "hi",
        ])
        .assert()
        .success();
    let out = stdout(&env.tm().args(["show", "1"]).output().expect("runs"));
    let size = tm::attach::size(png(1024, 1024).len() as u64);
    assert!(
        out.contains(&format!(
            "\nhi\n+ big.png · image/png · {size} · ~85 tokens\n"
        )),
        "{out}"
    );
    let shown: Value = serde_json::from_str(&stdout(
        &env.tm()
            .args(["show", "1", "--json"])
            .output()
            .expect("runs"),
    ))
    .expect("JSON");
    assert_eq!(
        shown["messages"][0]["attachments"][0]["estimated_tokens"],
        json!(85)
    );
    assert_eq!(shown["messages"][1]["attachments"], json!([]));

    // `tm show` describes an image by its row and never reads its bytes: with the stored
    // bytes gone, it shows the same.
    env.execute("PRAGMA foreign_keys = OFF; DELETE FROM blobs;");
    let again = stdout(&env.tm().args(["show", "1"]).output().expect("runs"));
    assert_eq!(again, out);
}

/// An image attached in `tm chat` is counted once when the conversation goes on: the dry run
/// of `tm ask -c` gives its question what `tm ask -a` gives the same question, and
/// `--context-tokens` of exactly that keeps it.
#[test]
fn an_image_attached_in_chat_is_counted_once() {
    let env = TmEnv::new();
    fs::write(env.dir().join("red.png"), png(1024, 1024)).expect("write");
    let server = FakeOpenAi::start(vec![answer("a red square")]);
    env.tm_with(&server)
        .args(["chat", "-m", "gpt-4o"])
        .write_stdin("/attach red.png\nwhat is this?\n")
        .assert()
        .success();
    let dry_run = |args: &[&str]| -> Value {
        let output = env
            .tm()
            .args(["ask", "--dry-run", "--json", "-m", "gpt-4o"])
            .args(args)
            .output()
            .expect("runs");
        assert!(output.status.success(), "{}", stderr(&output));
        serde_json::from_str(&stdout(&output)).expect("JSON")
    };
    let fresh = dry_run(&["-a", "red.png", "what is this?"]);
    let continued = dry_run(&["-c", "next"]);
    assert_eq!(
        continued["messages"][0]["estimated_tokens"],
        fresh["messages"][0]["estimated_tokens"]
    );
    assert_eq!(
        continued["messages"][0]["attachments"][0]["estimated_tokens"],
        json!(765)
    );
    let total = continued["estimated_prompt_tokens"]
        .as_u64()
        .expect("a number")
        .to_string();
    let output = env
        .tm()
        .args([
            "ask",
            "--dry-run",
            "-m",
            "gpt-4o",
            "-c",
            "--context-tokens",
            &total,
            "next",
        ])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        !stderr(&output).contains("messages ("),
        "nothing is left out: {}",
        stderr(&output)
    );
}

/// On the Responses API the same files go as `input_text`, `input_image` and `input_file`
/// parts, with the same bytes.
#[test]
fn responses_api_parts() {
    use crate::support::fake_openai::{responses_stream, responses_usage};
    let env = TmEnv::new();
    let photo = png(64, 32);
    fs::write(env.dir().join("photo.png"), &photo).expect("write");
    fs::write(env.dir().join("notes.txt"), "line one\n").expect("write");
    let pdf = b"%PDF-1.4\n%%EOF\n".to_vec();
    fs::write(env.dir().join("paper.pdf"), &pdf).expect("write");
    let usage = responses_usage(8, 0, 0, 2, 0);
    let server = FakeOpenAi::start(vec![crate::support::Reply::stream(responses_stream(
        &["read them"],
        &usage,
        None,
    ))]);
    env.tm_with(&server)
        .args([
            "ask",
            "-q",
            "--api",
            "responses",
            "-a",
            "photo.png",
            "-a",
            "notes.txt",
            "-a",
            "paper.pdf",
            "--detail",
            "high",
            "summarise",
        ])
        .assert()
        .success();
    let content = server.requests()[0].json()["input"][0]["content"].clone();
    assert_eq!(
        content[0],
        json!({"type": "input_text", "text": "summarise"})
    );
    assert_eq!(content[1]["type"], json!("input_image"));
    assert_eq!(content[1]["detail"], json!("high"));
    let url = content[1]["image_url"].as_str().expect("image_url");
    let encoded = url
        .strip_prefix("data:image/png;base64,")
        .expect("png data url");
    assert_eq!(base64_decode(encoded), photo);
    assert_eq!(
        content[2],
        json!({"type": "input_text", "text": "notes.txt:\nline one\n"})
    );
    assert_eq!(content[3]["type"], json!("input_file"));
    assert_eq!(content[3]["filename"], json!("paper.pdf"));
    let data = content[3]["file_data"].as_str().expect("file_data");
    let encoded = data
        .strip_prefix("data:application/pdf;base64,")
        .expect("pdf data url");
    assert_eq!(base64_decode(encoded), pdf);
    assert_eq!(content.as_array().map(Vec::len), Some(4));
}
