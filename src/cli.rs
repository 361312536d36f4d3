//! The command line, as clap derive definitions only. Doc comments are the help text.

use std::path::PathBuf;

use std::ffi::OsString;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, CommandFactory as _, Parser, Subcommand};

use crate::attach::Detail;
use crate::context::MaxMessages;
use crate::prices::EFFORTS;
use crate::store::ConversationId;

/// TokenMetered: the OpenAI API from the terminal. Pay per token, keep every conversation in
/// one local SQLite file, and see what each message, conversation, day and model cost.
#[derive(Debug, Parser)]
#[command(name = "tm", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// The history database [default: $XDG_DATA_HOME/tm/tm.db]
    #[arg(long, global = true, env = "TM_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The command line, with `ask` put in where the first word (after `--db PATH`) is not
    /// a subcommand: `tm "what is a monad?"` and `tm -c "and in Rust?"` ask, as `llm` and
    /// `mods` do. A question that begins with a subcommand's name needs `ask`:
    /// `tm ask list the files`.
    pub fn parse_with_ask_by_default() -> Self {
        Self::parse_from(with_ask_by_default(std::env::args_os().collect()))
    }
}

fn with_ask_by_default(mut args: Vec<OsString>) -> Vec<OsString> {
    let mut first = 1;
    while let Some(arg) = args.get(first).map(|a| a.to_string_lossy()) {
        match arg.as_ref() {
            "--db" => first += 2,
            db if db.starts_with("--db=") => first += 1,
            _ => break,
        }
    }
    let Some(word) = args.get(first).map(|a| a.to_string_lossy().into_owned()) else {
        return args;
    };
    let command = Cli::command();
    let is_command = command
        .get_subcommands()
        .any(|c| c.get_name() == word || c.get_all_aliases().any(|alias| alias == word));
    let asks_clap = matches!(word.as_str(), "help" | "-h" | "--help" | "-V" | "--version");
    if !is_command && !asks_clap {
        args.insert(first, "ask".into());
    }
    args
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ask one question; the answer streams to stdout (piped stdin is read too)
    Ask(AskArgs),
    /// An interactive conversation; a new one unless --conv, --last or --pick
    Chat(ChatArgs),
    /// Generate images, save them, and record what they cost
    Image(ImageArgs),
    /// Conversations, newest first, with their tokens and cost
    List(ListArgs),
    /// A conversation's transcript with the tokens of every message
    Show(ShowArgs),
    /// Retitle a conversation
    Rename(RenameArgs),
    /// Delete conversations with their messages and request records
    Delete(DeleteArgs),
    /// Tokens and cost by day, week, month, model, conversation or service tier
    Usage(UsageArgs),
    /// One line for a shell prompt: today's and this month's cost, and the budgets
    Status(StatusArgs),
    /// Bring conversations in: from the original TokenMetered, ChatGPT, llm, or a tm export
    #[command(subcommand)]
    Import(ImportSource),
    /// Write conversations out, as JSON lines for `tm import tm` or as Markdown
    Export(ExportArgs),
    /// Saved roles: a named system prompt with an optional model, for `ask -r` and `/role`
    #[command(subcommand)]
    Role(RoleCommand),
    /// Show or change settings
    #[command(subcommand)]
    Config(ConfigCommand),
    /// The price table in use, its source and date (per-size image entries: `tm prices NAME`)
    Prices(PricesArgs),
    /// The models the server offers, with their prices, context window and API
    Models(ModelsArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
}

/// How a question is sent: shared by `ask` and `chat`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// Chat model [default: TM_MODEL, else setting `model`, gpt-5.4-mini]
    #[arg(short, long, value_name = "MODEL")]
    pub model: Option<String>,

    /// System prompt [default: setting `system`]
    #[arg(short, long, value_name = "TEXT")]
    pub system: Option<String>,

    /// Messages sent, the new question included, or `all` [default: setting `max-messages`, 5]
    #[arg(long, value_name = "N")]
    pub max_messages: Option<MaxMessages>,

    /// Reasoning effort, sent as reasoning_effort (reasoning tokens are billed as output)
    #[arg(long, value_name = "LEVEL", value_parser = PossibleValuesParser::new(EFFORTS))]
    pub effort: Option<String>,

    /// Most tokens an answer may use, reasoning included (sent as max_completion_tokens, or
    /// max_output_tokens to the Responses API)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_output: Option<u32>,

    /// Service tier, sent as service_tier: flex is about half price and slower, priority
    /// (fast) about twice; billed as the tier the response names [default: setting `tier`]
    #[arg(long, value_name = "TIER", value_parser = PossibleValuesParser::new(["auto", "default", "flex", "priority", "fast"]))]
    pub tier: Option<String>,

    /// Where questions go: chat (Chat Completions), responses (the Responses API), or auto,
    /// the Responses API only for models served nowhere else [default: setting `api`, auto]
    #[arg(long, value_name = "API", value_parser = PossibleValuesParser::new(["auto", "chat", "responses"]))]
    pub api: Option<String>,

    /// Send even when the projected cost passes the guard or a budget (settings `guard`,
    /// `budget.day`, `budget.month`); without it a terminal asks and anything else refuses
    #[arg(short, long)]
    pub yes: bool,

    /// A saved role (`tm role set`): its system prompt, and its model unless -m is given
    #[arg(short, long, value_name = "NAME")]
    pub role: Option<String>,

    /// A request field tm does not set itself, such as temperature=0.2 or top_p=0.9 (the
    /// value is JSON, else text); repeatable, and kept with the request record
    #[arg(short = 'o', long = "option", value_name = "KEY=VALUE")]
    pub options: Vec<String>,

    /// Print answers as the model wrote them, without rendering their Markdown on a
    /// terminal (the `render` setting, for good)
    #[arg(long)]
    pub raw: bool,
}

#[derive(Debug, Args)]
pub struct AskArgs {
    /// The question; piped stdin comes first, then a blank line, then these words
    #[arg(value_name = "PROMPT")]
    pub words: Vec<String>,

    /// Continue this conversation
    #[arg(long, value_name = "ID", value_parser = conversation_id(), conflicts_with = "continue_last")]
    pub conv: Option<ConversationId>,

    /// Continue the most recent conversation
    #[arg(short = 'c', long = "continue")]
    pub continue_last: bool,

    /// Send the conversation's last question again, when it failed (the most recent
    /// conversation unless --conv)
    #[arg(long, conflicts_with_all = ["words", "attach", "dry_run"])]
    pub retry: bool,

    #[command(flatten)]
    pub send: SendArgs,

    /// Drop the oldest history messages until the prompt's estimate fits this many tokens
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub context_tokens: Option<u64>,

    /// Write the question in $VISUAL or $EDITOR (vi without either), starting from the
    /// words; an empty file sends nothing
    #[arg(short, long, conflicts_with = "retry")]
    pub editor: bool,

    /// Attach a file: an image (PNG, JPEG, GIF, WebP), a PDF or a UTF-8 text file; repeatable
    #[arg(short, long, value_name = "FILE")]
    pub attach: Vec<PathBuf>,

    /// How closely the model looks at attached images (low costs least)
    #[arg(long, value_enum, default_value_t = Detail::Auto)]
    pub detail: Detail,

    /// Wait for the whole answer instead of streaming it
    #[arg(long)]
    pub no_stream: bool,

    /// Send nothing: show the messages that would go, their estimated tokens and cost
    #[arg(long)]
    pub dry_run: bool,

    /// Print one JSON object instead of the streamed answer: the answer with its request
    /// record (with --dry-run: the plan)
    #[arg(long)]
    pub json: bool,

    /// No summary line on stderr
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ChatArgs {
    /// Continue this conversation
    #[arg(long, value_name = "ID", value_parser = conversation_id(), group = "resume")]
    pub conv: Option<ConversationId>,
    /// Continue the most recent conversation
    #[arg(long, group = "resume")]
    pub last: bool,
    /// Pick one of the recent conversations from a list
    #[arg(long, group = "resume")]
    pub pick: bool,

    #[command(flatten)]
    pub send: SendArgs,
}

#[derive(Debug, Args)]
pub struct ImageArgs {
    /// What to draw
    #[arg(required = true, value_name = "PROMPT")]
    pub prompt: Vec<String>,
    /// Send even when the projected cost passes the guard or a budget
    #[arg(short, long)]
    pub yes: bool,
    /// Image model [default: setting `image-model`, gpt-image-2]
    #[arg(short, long, value_name = "MODEL")]
    pub model: Option<String>,
    /// WIDTHxHEIGHT or auto; which sizes a model makes is checked before sending
    #[arg(long, value_name = "SIZE")]
    pub size: Option<String>,
    /// low, medium, high or auto (GPT image models); standard or hd (dall-e-3)
    #[arg(long, value_name = "Q")]
    pub quality: Option<String>,
    /// How many images
    #[arg(short, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10))]
    pub n: u32,
    /// png, jpeg or webp (GPT image models)
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// transparent, opaque or auto (GPT image models)
    #[arg(long, value_name = "BACKGROUND")]
    pub background: Option<String>,
    /// vivid or natural (dall-e-3)
    #[arg(long, value_name = "STYLE")]
    pub style: Option<String>,
    /// Save to PATH (PATH-1, PATH-2… with -n) instead of tm-image-<id>.<ext> here
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Print the records as JSON instead of the paths
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Show this many conversations
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(i64).range(1..))]
    pub limit: i64,
    /// Show every conversation
    #[arg(long, conflicts_with = "limit")]
    pub all: bool,
    /// Only conversations whose title or messages contain TEXT
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The conversation's id (see `tm list`)
    #[arg(value_parser = conversation_id())]
    pub id: ConversationId,
    /// One row per exchange: messages sent, tokens, estimate, cost, timings
    #[arg(long, group = "format")]
    pub tokens: bool,
    /// Print the conversation, its messages and requests as JSON
    #[arg(long, group = "format")]
    pub json: bool,
    /// Print the transcript as Markdown
    #[arg(long, group = "format")]
    pub markdown: bool,
    /// Print only the last answer, as the model wrote it (for pipes: `| pbcopy`, `> a.md`)
    #[arg(long, group = "format")]
    pub last_answer: bool,
    /// Print messages as they were written, without rendering their Markdown on a terminal
    #[arg(long)]
    pub raw: bool,
}

#[derive(Debug, Args)]
pub struct RenameArgs {
    /// The conversation's id, as `tm list` shows it
    #[arg(value_parser = conversation_id())]
    pub id: ConversationId,
    /// The new title; several words are joined with spaces
    #[arg(required = true, num_args = 1..)]
    pub title: Vec<String>,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The ids of the conversations to delete, as `tm list` shows them; all or none are deleted
    #[arg(required = true, num_args = 1.., value_parser = conversation_id())]
    pub ids: Vec<ConversationId>,
    /// Do not ask (required when stdin is not a terminal)
    #[arg(short, long)]
    pub yes: bool,
    /// Keep the request records, detached, so `tm usage` still counts what they cost
    #[arg(long)]
    pub keep_usage: bool,
}

#[derive(Debug, Subcommand)]
pub enum ImportSource {
    /// The original TokenMetered's database.db (opened read-only, left as it was)
    Tokenmeter {
        #[arg(value_name = "PATH")]
        path: PathBuf,
        /// Also store the API key the file holds (never printed)
        #[arg(long)]
        with_key: bool,
    },
    /// A ChatGPT data export: the zip, its folder, conversations.json, or the split
    /// conversations-NNN.json files' folder
    Chatgpt {
        #[arg(value_name = "EXPORT")]
        path: PathBuf,
    },
    /// llm's logs.db
    Llm {
        #[arg(value_name = "PATH")]
        path: PathBuf,
    },
    /// A file written by `tm export` here or on another machine; what is here already is
    /// skipped
    Tm {
        #[arg(value_name = "FILE")]
        path: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ExportFormat {
    /// One JSON object per conversation, with its messages, files and requests
    Jsonl,
    /// The transcripts, as `tm show --markdown` prints them
    Markdown,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The conversations to export [default: all]
    #[arg(value_name = "ID", value_parser = conversation_id())]
    pub ids: Vec<ConversationId>,
    /// Only conversations active since this local day: 30d, 2w, 3m, yesterday or a date
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    pub format: ExportFormat,
    /// Write to this file instead of stdout (written whole, or not at all)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    /// Fail with the error instead of printing nothing (a prompt must never fail; a script
    /// may want to know)
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct UsageArgs {
    /// From this day: 7d, 2w, 3m, today, yesterday or a date (2026-11-01)
    #[arg(long, value_name = "WHEN", default_value = "30d")]
    pub since: String,
    /// Up to and including this day, in the same forms
    #[arg(long, value_name = "WHEN", default_value = "today")]
    pub until: String,
    /// One row per
    #[arg(long, value_enum, default_value_t = By::Day)]
    pub by: By,
    /// Print JSON
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV
    #[arg(long)]
    pub csv: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum By {
    Day,
    Week,
    Month,
    Model,
    Conversation,
    Tier,
}

#[derive(Debug, Subcommand)]
pub enum RoleCommand {
    /// Save a role, replacing one of the same name
    Set {
        name: String,
        /// The model the role asks with, unless -m is given
        #[arg(short, long, value_name = "MODEL")]
        model: Option<String>,
        /// The system prompt; several words are joined with spaces
        #[arg(required = true, value_name = "TEXT")]
        text: Vec<String>,
    },
    /// Every saved role
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Remove a saved role
    Remove { name: String },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Every setting, its value and where the value came from
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Print one setting's value
    Get { key: String },
    /// Store a setting; `set api-key` without a value asks for it hidden, or reads piped stdin
    Set { key: String, value: Option<String> },
    /// Remove a stored setting
    Unset { key: String },
    /// Where the database, the key file and downloaded data live
    Path,
}

#[derive(Debug, Args)]
pub struct PricesArgs {
    /// Show this model only
    pub model: Option<String>,
    /// Download the current price table (setting `prices-url`) and use it from now on
    #[arg(long, conflicts_with = "model")]
    pub update: bool,
}

#[derive(Debug, Args)]
pub struct ModelsArgs {
    /// Without asking the server: every chat model of the price table
    #[arg(long)]
    pub known: bool,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    pub shell: clap_complete::Shell,
}

/// A conversation id as typed: a whole number from 1 up.
fn conversation_id() -> impl TypedValueParser<Value = ConversationId> {
    clap::value_parser!(i32).range(1..).map(ConversationId)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<String> {
        with_ask_by_default(words.iter().map(OsString::from).collect())
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn a_first_word_that_is_no_command_asks() {
        assert_eq!(
            args(&["tm", "what is a monad?"]),
            ["tm", "ask", "what is a monad?"]
        );
        assert_eq!(args(&["tm", "-c", "more"]), ["tm", "ask", "-c", "more"]);
        assert_eq!(
            args(&["tm", "--db", "x.db", "hello"]),
            ["tm", "--db", "x.db", "ask", "hello"]
        );
        assert_eq!(
            args(&["tm", "--db=x.db", "-m", "m", "hi"]),
            ["tm", "--db=x.db", "ask", "-m", "m", "hi"]
        );
        for unchanged in [
            &["tm", "list"][..],
            &["tm", "ask", "list the files"],
            &["tm", "--help"],
            &["tm", "-V"],
            &["tm", "help", "ask"],
            &["tm"],
            &["tm", "--db", "x.db", "usage"],
        ] {
            assert_eq!(args(unchanged), unchanged, "{unchanged:?}");
        }
    }
}
