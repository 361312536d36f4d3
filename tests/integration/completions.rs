//! completions/ holds what `tm completions SHELL` prints; this fails when they drift apart.
//! `TM_BLESS=1 cargo test completions` rewrites them.

use std::path::Path;

use crate::support::{TmEnv, stdout};

#[test]
fn committed_completions_are_current() {
    let env = TmEnv::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let bless = std::env::var_os("TM_BLESS").is_some_and(|v| !v.is_empty());
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
        let generated = stdout(&output);
        let path = dir.join(file);
        if bless {
            std::fs::create_dir_all(&dir).expect("completions dir");
            std::fs::write(&path, &generated).expect("write completions");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "{} is stale; regenerate with `TM_BLESS=1 cargo test completions`",
            path.display()
        );
    }
}
