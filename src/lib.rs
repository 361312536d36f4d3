//! `tm`: the OpenAI API from the terminal, every token and dollar counted, every conversation kept
//! in one local SQLite file. The binary is `src/main.rs`; the library exists so that the fuzz
//! targets and the benchmark's history generator reach the same code, so only what they and
//! `main` need is public.

pub mod api;
mod app;
pub mod attach;
mod budget;
pub mod cli;
mod clock;
pub mod commands;
mod context;
pub mod error;
mod exchange;
mod image_rules;
pub mod money;
mod paths;
pub mod period;
mod prices;
mod settings;
pub mod store;
mod tokens;
mod transcript;
mod transfer;
mod ui;
