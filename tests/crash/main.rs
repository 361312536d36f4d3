//! SIGKILL in the middle of a streamed answer, at random points: the database is always
//! sound, the question is always there, what the database showed as saved before the kill is
//! still there after it, and nothing is saved that was not sent. While the stream stalls,
//! what was printed gets saved. How soon (a quarter of a second) is the unit test of the
//! checkpoint schedule in src/exchange, in tokio's paused time: a wall-clock bound here
//! failed once in about twenty runs on a loaded machine.
//!
//! The test never sleeps to wait for tm: it releases the fake server's pieces one by one,
//! reads each from tm's stdout, and, at random points, polls the database until the answer
//! so far is saved.
//!
//! A test binary of its own: cargo runs test binaries one after another, so the polling is
//! not slowed by the rest of the suite.

// Only the environment and the fake server of the shared support are used here.
#[allow(dead_code)]
#[path = "../integration/support/mod.rs"]
mod support;

use std::io::Read as _;
use std::process::Stdio;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use support::fake_openai::{chunk, delta};
use support::{FakeOpenAi, Reply, Step, TmEnv};

/// A small deterministic generator: the same seed replays the same run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

const PIECES: usize = 24;
/// Only stops a broken build from hanging the suite.
const GIVE_UP: Duration = Duration::from_secs(20);

fn saved_answer(env: &TmEnv) -> Option<String> {
    env.rows("SELECT content FROM messages WHERE role = 'assistant'")
        .first()
        .map(|row| row[0].clone())
}

/// Polls until the saved answer is `text` whole, printed while the stream stalls.
fn wait_until_saved(env: &TmEnv, text: &str, seed: u64) {
    let printed_at = Instant::now();
    while saved_answer(env).as_deref() != Some(text) {
        assert!(
            printed_at.elapsed() < GIVE_UP,
            "seed {seed}: {text:?} was never saved while the stream stalled"
        );
        thread::sleep(Duration::from_millis(5));
    }
}

fn one_run(seed: u64) {
    let mut random = Lcg(seed);
    let env = TmEnv::new();
    let mut gates = Vec::new();
    let mut steps = Vec::new();
    for i in 0..PIECES {
        let (go, wait) = mpsc::channel();
        gates.push(go);
        steps.push(Step::Gate(wait));
        steps.push(chunk(&delta(&format!("piece{i:02} "))));
    }
    // Told when tm's request arrives: by then the question is in the database.
    let (arrived, request_arrived) = mpsc::channel();
    let server = FakeOpenAi::start_observed(
        vec![Reply::stream(steps)],
        Some(Box::new(move || {
            arrived.send(()).ok();
            String::new()
        })),
    );
    let mut child = env
        .spawnable(&server)
        .args(["ask", "-q", "tell me everything"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn tm");
    let mut out = child.stdout.take().expect("stdout");
    request_arrived
        .recv_timeout(GIVE_UP)
        .expect("tm's request reaches the server");
    let kill_after = random.below(PIECES as u64 + 1) as usize;
    let mut printed = String::new();
    // What the database was seen to hold before the kill.
    let mut confirmed = String::new();
    for (i, go) in gates.iter().take(kill_after).enumerate() {
        go.send(()).expect("release a piece");
        let mut piece = [0u8; 8];
        out.read_exact(&mut piece).expect("the piece on stdout");
        let piece = String::from_utf8_lossy(&piece).into_owned();
        assert_eq!(piece, format!("piece{i:02} "));
        printed.push_str(&piece);
        if random.below(6) == 0 || (i + 1 == kill_after && random.below(2) == 0) {
            wait_until_saved(&env, &printed, seed);
            confirmed.clone_from(&printed);
        }
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");

    assert_eq!(env.rows("PRAGMA integrity_check"), [["ok"]], "seed {seed}");
    assert_eq!(
        env.rows("SELECT role, content FROM messages WHERE id = 1"),
        [["user", "tell me everything"]],
        "seed {seed}"
    );
    let saved = env.rows("SELECT content, status FROM messages WHERE role = 'assistant'");
    match saved.first() {
        Some(row) => {
            assert!(
                row[0].starts_with(&confirmed) && printed.starts_with(&row[0]),
                "seed {seed}: saved {:?}, seen saved before the kill {confirmed:?}, printed {printed:?}",
                row[0]
            );
            assert_eq!(row[1], "interrupted", "seed {seed}");
        }
        None => assert_eq!(
            confirmed, "",
            "seed {seed}: nothing saved, but {confirmed:?} was seen saved before the kill"
        ),
    }
    drop(gates);
}

/// 50 runs, five at a time; each is bounded by its gates, which give up after 20 s.
#[test]
fn sigkill_mid_answer_loses_nothing_that_was_saved() {
    let seeds: Vec<u64> = (1..=50).collect();
    for batch in seeds.chunks(5) {
        let runs: Vec<_> = batch
            .iter()
            .map(|&seed| thread::spawn(move || one_run(seed)))
            .collect();
        for run in runs {
            run.join().expect("a run failed");
        }
    }
}
