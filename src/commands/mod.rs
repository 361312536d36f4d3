//! One module per subcommand: glue between the logic and the presentation.

pub mod ask;
pub mod completions;
pub mod config;
pub mod prices;
