//! One module per subcommand: glue between the logic and the presentation.

pub mod ask;
pub mod chat;
pub mod completions;
pub mod config;
pub mod delete;
pub mod image;
pub mod list;
pub mod prices;
pub mod rename;
pub mod show;
pub mod usage;
