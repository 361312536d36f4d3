//! completions/ holds what `tm completions SHELL` prints, and man/ the manual pages made from
//! the same command line; this fails when either drifts from the code.
//! `TM_BLESS=1 cargo test completions` rewrites them.

use std::path::Path;

use clap::CommandFactory as _;

use crate::support::{TmEnv, stdout};

fn bless() -> bool {
    std::env::var_os("TM_BLESS").is_some_and(|v| !v.is_empty())
}

/// Compares one generated file with the committed one, or rewrites it when blessing.
fn assert_current(path: &Path, generated: &[u8]) {
    if bless() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create the folder");
        }
        std::fs::write(path, generated).expect("write the generated file");
    }
    let committed = std::fs::read(path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale; regenerate with `TM_BLESS=1 cargo test completions`",
        path.display()
    );
}

#[test]
fn committed_completions_are_current() {
    let env = TmEnv::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for (shell, file) in [
        ("bash", "tm.bash"),
        ("zsh", "_tm"),
        ("fish", "tm.fish"),
        ("powershell", "_tm.ps1"),
        ("elvish", "tm.elv"),
    ] {
        let output = env
            .tm()
            .args(["completions", shell])
            .output()
            .expect("runs");
        assert!(output.status.success());
        assert_current(&dir.join(file), stdout(&output).as_bytes());
    }
}

/// `man/tm.1` and one page per command (`man/tm-ask.1`, …), from clap's definitions.
#[test]
fn committed_man_pages_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let made = tempfile::tempdir().expect("temp dir");
    clap_mangen::generate_to(tm::cli::Cli::command(), made.path()).expect("make the pages");
    let mut names: Vec<String> = std::fs::read_dir(made.path())
        .expect("read the pages")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    for name in &names {
        let page = std::fs::read(made.path().join(name)).expect("read a page");
        assert_current(&dir.join(name), &page);
    }
    if !bless() {
        let mut committed: Vec<String> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
                    .collect()
            })
            .unwrap_or_default();
        committed.sort();
        assert_eq!(committed, names, "man/ holds a page no command makes");
    }
}
