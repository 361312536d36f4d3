//! `tm completions SHELL`: the scripts also committed under completions/.

use anyhow::Result;
use clap::CommandFactory as _;

use crate::cli::{Cli, CompletionsArgs};

pub fn run(args: &CompletionsArgs) -> Result<()> {
    let mut command = Cli::command();
    clap_complete::generate(
        args.shell,
        &mut command,
        "tm",
        &mut std::io::stdout().lock(),
    );
    Ok(())
}
