//! `tm completions SHELL`: the scripts also committed under completions/.

use std::io::Write as _;

use anyhow::Result;
use clap::CommandFactory as _;

use crate::cli::{Cli, CompletionsArgs};

pub fn run(args: &CompletionsArgs) -> Result<()> {
    let mut command = Cli::command();
    // clap_complete panics when its writer fails, so the script is made in memory and
    // written here, where a closed pipe (`tm completions zsh | head -1`) is a quiet exit 0.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "tm", &mut script);
    let mut out = std::io::stdout().lock();
    out.write_all(&script)?;
    out.flush()?;
    Ok(())
}
