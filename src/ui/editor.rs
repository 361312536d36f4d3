//! Writing a question in the user's editor: `$VISUAL`, else `$EDITOR`, else `vi`, on a file
//! in the temporary folder that only the user can read, removed afterwards whatever happens.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context as _, Result, bail};

/// A file that is removed when dropped.
struct Draft(PathBuf);

impl Drop for Draft {
    fn drop(&mut self) {
        drop(std::fs::remove_file(&self.0));
    }
}

fn editor() -> String {
    ["VISUAL", "EDITOR"]
        .into_iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.trim().is_empty())
        .unwrap_or_else(|| "vi".to_owned())
}

/// What the user saved, starting from `initial`; empty when they left the file empty.
pub fn compose(initial: &str) -> Result<String> {
    let draft = create(initial)?;
    let editor = editor();
    // Through the shell, as git runs its editor: `EDITOR="code --wait"` works, and so do
    // quotes in it.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&draft.0)
        .status()
        .with_context(|| format!("could not start the editor `{editor}`"))?;
    if !status.success() {
        bail!(
            "the editor `{editor}` ended with {status}; nothing was sent (set VISUAL or EDITOR to choose another)"
        );
    }
    let text = std::fs::read_to_string(&draft.0)
        .with_context(|| format!("could not read {}", draft.0.display()))?;
    Ok(text.trim().to_owned())
}

fn create(initial: &str) -> Result<Draft> {
    let folder = std::env::temp_dir();
    for attempt in 0..100u32 {
        let path = folder.join(format!("tm-question-{}-{attempt}.md", std::process::id()));
        let mut options = crate::paths::private_file();
        match options.create_new(true).open(&path) {
            Ok(mut file) => {
                let draft = Draft(path);
                file.write_all(initial.as_bytes())
                    .with_context(|| format!("could not write {}", draft.0.display()))?;
                return Ok(draft);
            }
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(err) => {
                return Err(err).with_context(|| format!("could not make {}", path.display()));
            }
        }
    }
    bail!(
        "could not make a file for the question in {}",
        folder.display()
    )
}
