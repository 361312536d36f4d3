//! The one integration test binary: tm driven as a user drives it, against a real SQLite file
//! in a temp dir and a fake OpenAI server on 127.0.0.1.

mod ask;
mod attachments;
mod bad_input;
mod billing;
mod budgets;
mod chat;
mod completions;
mod concurrency;
mod config;
mod faults;
mod habits;
mod hostile;
mod images;
mod prices;
mod render;
mod reports;
mod store;
mod support;
mod tables;
mod transfer;
mod upgrade;
