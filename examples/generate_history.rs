//! Writes a realistic history through tm's own store code, for the benchmark (bench/run.sh).
//! Deterministic for a given seed.
//!
//! cargo run --release --example generate_history -- --db FILE [--conversations N]
//!     [--messages N] [--days N] [--seed N]
//!
//! `--messages` is the total; every conversation gets about the same number, except that
//! conversation 1 gets 2,000 and conversation 2 gets 50 (the cases of `tm show` and
//! `tm ask --dry-run`). One request per exchange, over the last `--days` days up to now; an
//! attachment on one question in 50, and an image request (one image, with its record and
//! cost) every 100 exchanges. Conversations 3 and up are in English, Korean, Chinese and
//! Japanese in turn from a seed's draw (about half English), and one word in a million is a
//! rare one (`zeppelin`, `비행선`, `飞艇`, `飛行船`), so that search is measured for common
//! and rare words in every script.

use std::path::PathBuf;

use anyhow::Result;
use clap::Parser;
use tm::attach::{self, Attachment, Detail, Kind};
use tm::money::Money;
use tm::store::image::{self, Image};
use tm::store::request::{self, NewRequest, Outcome, RequestResult};
use tm::store::{self, Conversation, ImageId, Message, Role, Status, Store, attachment};

struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        // The high bits are the good ones in an LCG; 53 of them reach past a year of milliseconds.
        (self.0 >> 11) % n.max(1)
    }
}

const MODELS: [&str; 4] = ["gpt-5.4-mini", "gpt-5.5", "gpt-4o", "o4-mini"];
/// A language of the generated text: its words, the endings that attach to them, what
/// separates words, and a rare word.
struct Language {
    words: &'static [&'static str],
    endings: &'static [&'static str],
    separator: &'static str,
    rare: &'static str,
}

const ENGLISH: Language = Language {
    words: &[
        "monad", "borrow", "checker", "lifetime", "tokio", "future", "sqlite", "index", "query",
        "stream", "token", "price", "context", "window", "vector", "closure",
    ],
    endings: &[""],
    separator: " ",
    rare: "zeppelin",
};
/// Korean separates words with spaces; particles attach to the word before them.
const KOREAN: Language = Language {
    words: &[
        "모나드",
        "펑터",
        "빌림",
        "검사기",
        "수명",
        "비동기",
        "데이터베이스",
        "색인",
        "질의",
        "토큰",
        "가격",
        "문맥",
        "클로저",
        "설명",
        "벡터",
        "스트림",
    ],
    endings: &[
        "", "은", "는", "이", "가", "을", "를", "의", "와", "에서", "으로", "해",
    ],
    separator: " ",
    rare: "비행선",
};
/// Chinese and Japanese write a sentence without spaces.
const CHINESE: Language = Language {
    words: &[
        "数据库",
        "索引",
        "查询",
        "闭包",
        "生命周期",
        "借用",
        "检查器",
        "异步",
        "令牌",
        "价格",
        "上下文",
        "窗口",
        "向量",
        "流",
        "单子",
        "函子",
    ],
    endings: &["", "", "的", "是", "和", "在"],
    separator: "",
    rare: "飞艇",
};
const JAPANESE: Language = Language {
    words: &[
        "データベース",
        "索引",
        "クエリ",
        "クロージャ",
        "ライフタイム",
        "借用",
        "非同期",
        "トークン",
        "価格",
        "文脈",
        "東京",
        "モナド",
        "ベクトル",
        "窓",
        "検査",
        "説明",
    ],
    endings: &["の", "を", "は", "が", "に", "で", "と", ""],
    separator: "",
    rare: "飛行船",
};

/// Half English; the rest Korean, Chinese and Japanese alike.
fn language(random: &mut Random) -> &'static Language {
    match random.below(6) {
        0..=2 => &ENGLISH,
        3 => &KOREAN,
        4 => &CHINESE,
        _ => &JAPANESE,
    }
}

fn sentence(random: &mut Random, language: &Language, words: u64) -> String {
    (0..words)
        .map(|_| {
            if random.below(1_000_000) == 0 {
                return language.rare.to_owned();
            }
            let word = language.words[random.below(language.words.len() as u64) as usize];
            let ending = language.endings[random.below(language.endings.len() as u64) as usize];
            format!("{word}{ending}")
        })
        .collect::<Vec<_>>()
        .join(language.separator)
}

/// A history for the benchmark, written through tm's own store code.
#[derive(Parser)]
struct Args {
    /// The database to write; created when missing.
    #[arg(long)]
    db: PathBuf,
    #[arg(long, default_value_t = 500)]
    conversations: u64,
    /// All messages, questions and answers.
    #[arg(long, default_value_t = 10_000)]
    messages: u64,
    /// How far back the history reaches from now.
    #[arg(long, default_value_t = 365)]
    days: u64,
    /// The same seed writes the same history.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

fn main() -> Result<()> {
    let Args {
        db,
        conversations,
        messages,
        days,
        seed,
    } = Args::parse();
    let mut random = Random(seed);
    let mut store = Store::open(&db, false)?;
    let start = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * days as i64);
    let span_ms = days * 24 * 3_600_000;
    let photo = Attachment {
        name: "photo.png".into(),
        mime: "image/png".into(),
        kind: Kind::Image,
        bytes: b"\x89PNG\r\n\x1a\n a stand-in image".to_vec(),
        sha256: attach::sha256_hex(b"\x89PNG\r\n\x1a\n a stand-in image"),
        size: 26,
        width: Some(1024),
        height: Some(768),
        detail: Some(Detail::Auto),
    };
    let rest = messages.saturating_sub(2_050);
    // Whole exchanges, as close to the asked total as they come.
    let per_conversation =
        ((rest as f64 / conversations.saturating_sub(2).max(1) as f64 / 2.0).round() as u64).max(1)
            * 2;
    let mut exchange = 0u64;
    for c in 1..=conversations {
        let count = match c {
            1 => 2_000,
            2 => 50,
            _ => per_conversation,
        };
        // Each conversation lives within a few hours somewhere in the period.
        let at_ms = |offset: u64| start + jiff::SignedDuration::from_millis(offset as i64);
        let begin = random.below(span_ms.saturating_sub(10 * 3_600_000).max(1));
        // The conversations of the `show` and dry-run cases stay English, as they were.
        let language = if c <= 2 {
            &ENGLISH
        } else {
            language(&mut random)
        };
        store.write(|conn| {
            let title = sentence(&mut random, language, 5);
            let conversation = Conversation::create(conn, &title, &store::timestamp(at_ms(begin)))?;
            let mut last = begin;
            for pair in 0..count / 2 {
                exchange += 1;
                let when = begin + pair * 20_000 + random.below(10_000);
                last = when;
                let stamp = store::timestamp(at_ms(when));
                let length = 8 + random.below(40);
                let question_text = sentence(&mut random, language, length);
                let question = Message::insert(
                    conn,
                    conversation.id,
                    Role::User,
                    &question_text,
                    Status::Answered,
                    &stamp,
                )?;
                if exchange.is_multiple_of(50) {
                    attachment::insert(conn, question, &photo)?;
                }
                let model = MODELS[random.below(MODELS.len() as u64) as usize];
                let id = request::insert(
                    conn,
                    &NewRequest {
                        conversation_id: Some(conversation.id),
                        question_id: Some(question),
                        kind: request::Kind::Chat,
                        model,
                        sent_message_ids: format!("[{}]", question),
                        system_prompt: None,
                        started_at: &stamp,
                        outcome: Outcome::Pending,
                        role: None,
                        options: None,
                    },
                )?;
                let length = 30 + random.below(200);
                let answer_text = sentence(&mut random, language, length);
                let answer = Message::insert(
                    conn,
                    conversation.id,
                    Role::Assistant,
                    &answer_text,
                    Status::Complete,
                    &stamp,
                )?;
                let prompt = 50 + random.below(5_000) as i32;
                let completion = 20 + random.below(1_500) as i32;
                let (input, cached, output) = (
                    Money::per_token(0.75),
                    Money::per_token(0.075),
                    Money::per_token(4.5),
                );
                let cost = input.times(prompt.unsigned_abs().into())
                    + output.times(completion.unsigned_abs().into());
                request::finish(
                    conn,
                    id,
                    &RequestResult {
                        answer_id: Some(answer),
                        estimated_prompt_tokens: Some(prompt),
                        prompt_tokens: Some(prompt),
                        cached_tokens: Some(prompt / 4),
                        completion_tokens: Some(completion),
                        reasoning_tokens: Some(completion / 3),
                        input_price: Some(input),
                        cached_price: Some(cached),
                        output_price: Some(output),
                        cost: Some(cost),
                        first_token_ms: Some(300),
                        ..RequestResult::ended(Outcome::Ok, 1_500)
                    },
                )?;
                if exchange.is_multiple_of(100) {
                    let id = request::insert(
                        conn,
                        &NewRequest {
                            conversation_id: None,
                            question_id: None,
                            kind: request::Kind::Image,
                            model: "gpt-image-2",
                            sent_message_ids: "[]".into(),
                            system_prompt: None,
                            started_at: &stamp,
                            outcome: Outcome::Pending,
                            role: None,
                            options: None,
                        },
                    )?;
                    // 20 text tokens in, 4,160 image tokens out, at gpt-image-2's prices.
                    request::finish(
                        conn,
                        id,
                        &RequestResult {
                            prompt_tokens: Some(20),
                            cached_tokens: Some(0),
                            completion_tokens: Some(4_160),
                            reasoning_tokens: Some(0),
                            images: 1,
                            input_price: Some(Money::per_token(5.0)),
                            cached_price: Some(Money::per_token(1.25)),
                            output_price: Some(Money::per_token(30.0)),
                            cost: Some(
                                Money::per_token(5.0).times(20)
                                    + Money::per_token(30.0).times(4_160),
                            ),
                            ..RequestResult::ended(Outcome::Ok, 20_000)
                        },
                    )?;
                    image::insert(
                        conn,
                        &Image {
                            id: ImageId(0),
                            request_id: id,
                            prompt: "a red fox".into(),
                            revised_prompt: None,
                            model: "gpt-image-2".into(),
                            size: "1024x1024".into(),
                            quality: Some("auto".into()),
                            path: format!("tm-image-{id}.png"),
                            copy_path: format!("images/{id}.png"),
                            sha256: format!("{:064x}", id.0),
                            created_at: stamp.clone(),
                        },
                    )?;
                }
            }
            Conversation::touch(conn, conversation.id, &store::timestamp(at_ms(last)))
        })?;
    }
    eprintln!(
        "{exchange} exchanges in {conversations} conversations written to {}",
        db.display()
    );
    Ok(())
}
