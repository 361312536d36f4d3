//! `tm chat`: an interactive conversation. Each question goes through the same exchange as
//! `tm ask`; this module adds the loop, the slash commands and the per-exchange token line.

use std::collections::HashMap;

use anyhow::{Result, anyhow};

use std::path::Path;

use crate::api::Client;
use crate::app::{self, App, Opened};
use crate::attach::{self, Attachment, Detail};
use crate::budget::Limits;
use crate::cli::ChatArgs;
use crate::context::MaxMessages;
use crate::context::Plan;
use crate::error::{self, Error};
use crate::exchange::guard;
use crate::exchange::{self, Counting, End, Exchange, Options};
use crate::money::Money;
use crate::prices::{ModelInfo, PriceTable};
use crate::settings::Settings;
use crate::store::request::Request;
use crate::store::{
    Conversation, ConversationId, Limit, Message, MessageId, RequestId, Role, Store,
};
use crate::tokens::Encoding;
use crate::ui::budget::{Cleared, Consent};
use crate::ui::input::{Input, Piped, Read, Terminal};
use crate::ui::stream::StdoutSink;
use crate::ui::{self, conversations, fmt, markdown, record};

const HELP: &str = "\
/help          this list
/tokens        the last exchange in detail: messages sent, tokens, estimate, cost
/model NAME    use another model from the next question on (/model alone shows it)
/max N         messages sent per question, the question included, or all
/system TEXT   set the system prompt (/system alone removes it)
/attach FILE   send an image, PDF or text file with the next question
/retry         send the last failed question again
/edit [TEXT]   write the next question in $VISUAL or $EDITOR
/copy          copy the last answer (through the terminal, and the system clipboard)
/role NAME     take a saved role: its system prompt, and its model if it has one
/new           start a new conversation
/exit          leave (Ctrl-D too)
A line ending in \\ continues on the next line; a pasted block is one message.
Ctrl-C stops an answer (what arrived is kept) or clears the line.";

/// How many exchanges `--conv`/`--last`/`--pick` show before the first prompt.
const RECENT_EXCHANGES: usize = 3;

enum Flow {
    Continue,
    Ask(String),
    /// Send the conversation's failed last question again.
    Retry,
    Exit,
}

struct Session {
    store: Store,
    settings: Settings,
    table: PriceTable,
    client: Client,
    runtime: tokio::runtime::Runtime,
    /// What goes with each question; its effort is `effort` where the model takes it.
    options: Options,
    /// The effort asked for, kept across `/model` to models that do not reason.
    effort: Option<String>,
    model_info: Option<ModelInfo>,
    conversation: Option<Conversation>,
    last_request: Option<RequestId>,
    /// Files for the next question, from /attach.
    attachments: Vec<Attachment>,
    /// What this session asked, for the line said on leaving.
    spent: Spent,
    /// The guard and the budgets each question is held against.
    limits: Limits,
    /// `--yes`: send questions over a limit without asking.
    yes: bool,
    interactive: bool,
    /// Answers are rendered as Markdown when stdout is a terminal (no `--raw`).
    render: bool,
}

pub fn run(args: &ChatArgs, app: &App) -> Result<()> {
    let Opened {
        paths,
        mut store,
        settings,
    } = app.open()?;
    let interactive = ui::stdin_is_terminal();
    let conversation = resume(&mut store, args, interactive)?;
    let continued_model = store.continued_model(conversation.as_ref())?;
    let options = Options::resolve(
        &args.send,
        &settings,
        continued_model.as_deref(),
        store.role(args.send.role.as_deref())?.as_ref(),
        None,
        true,
        Counting::Always,
    )?;
    // The encoder takes a quarter of a second to build; built while the first question is
    // typed, it never delays an answer, nor the saving of one cut short by Ctrl-C.
    let encoding = Encoding::for_model(&options.model);
    std::thread::spawn(move || encoding.count(""));
    let table = PriceTable::load(&paths.data_dir)?;
    let model_info = exchange::model_info(&table, &options.model, &settings)?;
    let effort = options.effort.clone();
    let mut options = options;
    options.fit_effort(model_info.as_ref())?;
    let client = settings.client()?;
    let render = settings.renders_markdown(args.send.raw)?;
    if interactive {
        if let Some(conversation) = &conversation {
            let terminal = ui::markdown_terminal(render);
            ui::outln(recent(&mut store, conversation, terminal)?)?;
        }
        let place = conversation.as_ref().map_or_else(
            || "a new conversation".to_owned(),
            |c| format!("conversation {}", c.id),
        );
        ui::status(&format!(
            "tm chat · {place} · {} · /help lists the commands, Ctrl-D leaves",
            options.model
        ));
    }
    let mut input: Box<dyn Input> = if interactive {
        Box::new(Terminal::new(paths.data_dir.join("chat-history.txt"))?)
    } else {
        Box::new(Piped::new())
    };
    let limits = settings.limits()?;
    let mut session = Session {
        store,
        settings,
        table,
        client,
        runtime: app::runtime()?,
        options,
        effort,
        model_info,
        conversation,
        last_request: None,
        attachments: Vec::new(),
        spent: Spent::default(),
        limits,
        yes: args.send.yes,
        interactive,
        render,
    };
    let result = session.run(input.as_mut());
    if interactive && result.is_ok() {
        let current = session.conversation.as_ref().map(|c| c.id);
        ui::status(&session.spent.farewell(current));
    }
    input.save()?;
    result
}

fn resume(store: &mut Store, args: &ChatArgs, interactive: bool) -> Result<Option<Conversation>> {
    if !args.pick {
        return store.conversation_to_continue(args.conv, args.last);
    }
    if !interactive {
        return Err(error::usage(
            "--pick needs a terminal; use --conv ID or --last",
        ));
    }
    let recent = store.read(|conn| Conversation::list_summaries(conn, Limit::Newest(50), None))?;
    if recent.is_empty() {
        return Err(anyhow!("there is no conversation to pick yet"));
    }
    let items = conversations::picker_rows(&recent);
    let chosen = dialoguer::FuzzySelect::new()
        .with_prompt("conversation")
        .items(&items)
        .default(0)
        .interact_opt()
        .map_err(|e| anyhow!("could not show the list: {e}"))?;
    let Some(index) = chosen else {
        return Err(error::usage("no conversation picked"));
    };
    let id = recent[index].id;
    store.read(|conn| Conversation::find(conn, id))
}

/// The exchanges of one session, summed for the line said on leaving.
#[derive(Default)]
struct Spent {
    conversations: Vec<ConversationId>,
    exchanges: usize,
    prompt: u64,
    completion: u64,
    cost: Money,
    estimated: bool,
    unpriced: bool,
}

impl Spent {
    fn add(&mut self, exchange: &Exchange) {
        if !self.conversations.contains(&exchange.conversation_id) {
            self.conversations.push(exchange.conversation_id);
        }
        self.exchanges += 1;
        if let Some(tally) = exchange.tally {
            self.prompt += tally.prompt;
            self.completion += tally.completion;
            self.estimated |= tally.estimated;
            match exchange.cost {
                Some(cost) => self.cost += cost,
                None => self.unpriced = true,
            }
        }
        // Billed for an amount the server's impossible usage does not tell.
        self.unpriced |= exchange.usage_impossible;
    }

    /// `left conversation 12 · 3 exchanges · 3,702 prompt + 168 completion tokens · $0.0029`.
    fn farewell(&self, current: Option<ConversationId>) -> String {
        let mut ids = self.conversations.clone();
        if let Some(id) = current.filter(|id| !ids.contains(id)) {
            ids.push(id);
        }
        let place = match ids.as_slice() {
            [] => "left".to_owned(),
            [one] => format!("left conversation {one}"),
            many => format!(
                "left conversations {}",
                many.iter()
                    .map(ConversationId::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        if self.exchanges == 0 {
            return format!("{place} · no exchanges");
        }
        let t = fmt::tilde(self.estimated);
        // An amount is marked as estimated; a cost that is only "unknown" is not.
        let amount = if self.unpriced && !self.cost.is_positive() {
            ""
        } else {
            t
        };
        let cost = format!(
            "{amount}{}",
            fmt::cost_total(self.cost, i64::from(self.unpriced))
        );
        format!(
            "{place} · {} · {t}{} prompt + {t}{} completion tokens · {cost}",
            fmt::plural(self.exchanges, "exchange"),
            fmt::count(self.prompt),
            fmt::count(self.completion),
        )
    }
}

/// The conversation's last exchanges, shown on resuming it; their Markdown rendered for
/// `terminal`, each under its own line saying who wrote it.
fn recent(
    store: &mut Store,
    conversation: &Conversation,
    terminal: Option<markdown::Terminal>,
) -> Result<String> {
    let messages = store.read(|conn| Message::history(conn, conversation.id))?;
    let shown = messages.len().min(RECENT_EXCHANGES * 2);
    let mut text = format!(
        "conversation {} · {} · {}",
        conversation.id,
        conversation.title,
        fmt::plural(messages.len(), "message")
    );
    if shown < messages.len() {
        text.push_str(&format!(", the last {shown} below"));
    }
    for message in &messages[messages.len() - shown..] {
        let who = if message.role == Role::User {
            "you"
        } else {
            "answer"
        };
        match terminal {
            Some(terminal) => {
                let rendered = markdown::Renderer::render(terminal, &message.content);
                text.push_str(&format!("\n\n{who}:\n{}", rendered.trim_end_matches('\n')));
            }
            None => text.push_str(&format!("\n\n{who}: {}", message.content)),
        }
    }
    Ok(text)
}

fn dim(text: &str) -> String {
    if ui::stderr_is_styled() {
        console::Style::new()
            .dim()
            .force_styling(true)
            .apply_to(text)
            .to_string()
    } else {
        text.to_owned()
    }
}

impl Session {
    fn run(&mut self, input: &mut dyn Input) -> Result<()> {
        loop {
            let line = match input.read()? {
                Read::End => return Ok(()),
                Read::Cleared => continue,
                Read::Line(line) => line,
            };
            let text = line.trim();
            if text.is_empty() {
                continue;
            }
            let flow = match text.strip_prefix('/') {
                Some(command) => self.command(command)?,
                None => Flow::Ask(text.to_owned()),
            };
            match flow {
                Flow::Continue => {}
                Flow::Exit => return Ok(()),
                Flow::Ask(question) => {
                    let attachments = std::mem::take(&mut self.attachments);
                    let plan = Plan::new(
                        &mut self.store,
                        self.conversation.clone(),
                        question.clone(),
                        attachments,
                        &question,
                        self.options.window(),
                    )?;
                    self.send(plan)?;
                }
                Flow::Retry => match self.conversation.clone() {
                    Some(conversation) => {
                        match Plan::retry(&mut self.store, conversation, self.options.window()) {
                            Ok(plan) => self.send(plan)?,
                            Err(err) => error::print(&err),
                        }
                    }
                    None => eprintln!("nothing to retry: no question has been asked here yet"),
                },
            }
        }
    }

    fn send(&mut self, plan: Plan) -> Result<()> {
        if let Err(err) = exchange::check_context_window(
            &plan,
            self.model_info.as_ref().and_then(|i| i.max_input_tokens),
        ) {
            error::print(&err);
            return Ok(());
        }
        // A question refused or declined is not sent; the session goes on, and the question
        // is still in the line editor's history.
        let cleared = guard::check(
            &mut self.store,
            &plan,
            &self.options,
            self.model_info.as_ref(),
            &self.limits,
        )
        .and_then(|verdict| {
            ui::budget::clear(
                verdict,
                Consent::from_flag(self.yes),
                &self.options.model,
                self.options.tier.as_deref(),
            )
        });
        let spent_before = match cleared {
            Ok(Cleared::Send(spent)) => spent,
            Ok(Cleared::Declined) => {
                eprintln!("nothing was sent");
                return Ok(());
            }
            Err(err) => {
                error::print(&err);
                return Ok(());
            }
        };
        let mut sink = StdoutSink::new(ui::markdown_terminal(self.render));
        let exchange = self.runtime.block_on(exchange::send(
            &mut self.store,
            &self.client,
            plan,
            &self.options,
            self.model_info.as_ref(),
            &mut sink,
        ))?;
        sink.finish()?;
        ui::status(&dim(&record::token_line(
            &exchange.model,
            exchange.tier.as_deref(),
            exchange.numbers().as_ref(),
        )));
        if let Some(left_out) = &exchange.left_out {
            ui::status(&dim(&fmt::left_out(left_out)));
        }
        ui::budget::warn_crossings(&self.limits, spent_before, exchange.cost);
        let id = exchange.conversation_id;
        self.spent.add(&exchange);
        self.conversation = self.store.read(|conn| Conversation::find(conn, id))?;
        self.last_request = Some(exchange.request_id);
        let failed = matches!(exchange.end, End::Failed(_));
        let answered = exchange.answered;
        match exchange.outcome() {
            Ok(()) => {}
            Err(err) => match err.downcast_ref::<Error>() {
                // Off a terminal, Ctrl-C ends the session as it ends `tm ask`.
                Some(Error::Interrupted(_)) if !self.interactive => return Err(err),
                Some(Error::Interrupted(_)) if answered => {
                    eprintln!("interrupted; the part that arrived was saved")
                }
                Some(Error::Interrupted(_)) => {
                    eprintln!(
                        "interrupted before any answer arrived; /retry sends the question again"
                    )
                }
                _ => {
                    error::print(&err);
                    if failed {
                        eprintln!("/retry sends it again");
                    }
                }
            },
        }
        Ok(())
    }

    /// The conversation's last answer onto the clipboard, as the model wrote it.
    fn copy_last_answer(&mut self) -> Result<()> {
        let Some(conversation) = &self.conversation else {
            eprintln!("nothing to copy: no answer yet");
            return Ok(());
        };
        let id = conversation.id;
        let messages = self.store.read(|conn| Message::history(conn, id))?;
        let Some(answer) = messages.iter().rev().find(|m| m.role == Role::Assistant) else {
            eprintln!("nothing to copy: no answer yet");
            return Ok(());
        };
        let ways = ui::clipboard::copy(&answer.content);
        if ways.is_empty() {
            eprintln!(
                "could not copy: no terminal or clipboard here; `tm show {id} --last-answer` prints it"
            );
        } else {
            eprintln!(
                "copied the last answer ({}) through the {}",
                fmt::plural(answer.content.chars().count(), "character"),
                ways.join(" and the ")
            );
        }
        Ok(())
    }

    /// Goes on with `options` (another model, or a role) when the effort asked for fits its
    /// model; else says why, and the current ones stay.
    fn switch(&mut self, mut options: Options) -> Result<bool> {
        let info = exchange::model_info(&self.table, &options.model, &self.settings)?;
        options.effort.clone_from(&self.effort);
        match options.fit_effort(info.as_ref()) {
            Ok(()) => {
                self.options = options;
                self.model_info = info;
                Ok(true)
            }
            Err(err) => {
                error::print(&err);
                eprintln!("the model stays {}", self.options.model);
                Ok(false)
            }
        }
    }

    fn command(&mut self, command: &str) -> Result<Flow> {
        let (name, argument) = command
            .split_once(char::is_whitespace)
            .unwrap_or((command, ""));
        let argument = argument.trim();
        match name {
            "help" => ui::outln(HELP)?,
            "exit" | "quit" => return Ok(Flow::Exit),
            "new" => {
                self.conversation = None;
                eprintln!("a new conversation starts with the next question");
            }
            "retry" => return Ok(Flow::Retry),
            "role" if argument.is_empty() => match &self.options.role {
                Some(role) => eprintln!("role: {role} · model: {}", self.options.model),
                None => eprintln!("no role; /role NAME takes one (`tm role list` shows them)"),
            },
            "role" => match self.store.role(Some(argument)) {
                Ok(Some(role)) => {
                    let mut options = self.options.clone();
                    options.take_role(&role);
                    if self.switch(options)? {
                        eprintln!("role: {} · model: {}", role.name, self.options.model);
                    }
                }
                Ok(None) => {}
                Err(err) => error::print(&err),
            },
            "copy" => self.copy_last_answer()?,
            "edit" => match ui::editor::compose(argument) {
                Ok(question) if question.is_empty() => {
                    eprintln!("nothing was sent: the question was left empty");
                }
                Ok(question) => return Ok(Flow::Ask(question)),
                Err(err) => error::print(&err),
            },
            "model" if argument.is_empty() => eprintln!("model: {}", self.options.model),
            "model" => {
                let options = Options {
                    model: argument.to_owned(),
                    ..self.options.clone()
                };
                if self.switch(options)? {
                    eprintln!("model: {argument}");
                }
            }
            "max" if argument.is_empty() => {
                eprintln!("max-messages: {}", self.options.max_messages)
            }
            "max" => match argument.parse::<MaxMessages>() {
                Ok(max) => {
                    self.options.max_messages = max;
                    eprintln!("max-messages: {max}");
                }
                Err(why) => eprintln!("tm: {why}"),
            },
            "system" if argument.is_empty() => {
                self.options.system = None;
                eprintln!("no system prompt");
            }
            "system" => {
                self.options.system = Some(argument.to_owned());
                eprintln!("system prompt set");
            }
            "attach" if argument.is_empty() => {
                eprintln!("/attach FILE adds a file to the next question")
            }
            "attach" => match attach::read(Path::new(argument), Detail::Auto) {
                Ok((file, note)) => {
                    if let Some(note) = note {
                        ui::note(&note);
                    }
                    eprintln!(
                        "{} ({}, {}) goes with the next question",
                        file.name,
                        file.mime,
                        attach::size(file.size)
                    );
                    self.attachments.push(file);
                }
                Err(err) => error::print(&err),
            },
            "tokens" => match self.last_request {
                Some(id) => ui::outln(self.tokens(id)?)?,
                None => eprintln!("no exchange yet"),
            },
            other => {
                eprintln!("unknown command /{other}; nothing was sent. /help lists the commands")
            }
        }
        Ok(Flow::Continue)
    }

    /// `/tokens`: what the last request sent and what it cost, the estimate beside the actual.
    fn tokens(&mut self, id: RequestId) -> Result<String> {
        let request = self
            .store
            .read(|conn| Request::find(conn, id))?
            .ok_or_else(|| anyhow!("request {id} is gone"))?;
        let roles: HashMap<MessageId, String> = match &self.conversation {
            Some(c) => {
                let messages = self.store.read(|conn| Message::history(conn, c.id))?;
                messages
                    .into_iter()
                    .map(|m| (m.id, m.role.as_str().to_owned()))
                    .collect()
            }
            None => HashMap::new(),
        };
        let sent: Vec<String> = request
            .sent_ids()
            .iter()
            .map(|id| format!("#{id} {}", roles.get(id).map_or("?", String::as_str)))
            .collect();
        Ok(record::details(&request, &sent.join(", ")))
    }
}
