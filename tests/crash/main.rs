//! SIGKILL in the middle of a streamed answer, at random points: the database is always
//! sound, the question is always there, and what was printed more than half a second before
//! the kill is always saved.
//!
//! A test binary of its own: cargo runs test binaries one after another, and this one's
//! half-second bound means nothing on a machine the rest of the suite is saturating.

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
/// How far before the kill a piece must have been printed to be owed a place in the database.
const OWED_AFTER: Duration = Duration::from_millis(500);

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
    let server = FakeOpenAi::start(vec![Reply::stream(steps)]);
    let mut child = env
        .spawnable(&server)
        .args(["ask", "-q", "tell me everything"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn tm");
    let mut out = child.stdout.take().expect("stdout");
    let kill_after = random.below(PIECES as u64 + 1) as usize;
    let mut printed: Vec<(Instant, String)> = Vec::new();
    for (i, go) in gates.iter().take(kill_after).enumerate() {
        go.send(()).expect("release a piece");
        let mut piece = [0u8; 8];
        out.read_exact(&mut piece).expect("the piece on stdout");
        printed.push((Instant::now(), String::from_utf8_lossy(&piece).into_owned()));
        assert_eq!(printed[i].1, format!("piece{i:02} "));
        // The stream's pace, not synchronisation: answers arrive over time.
        thread::sleep(Duration::from_millis(random.below(60)));
    }
    thread::sleep(Duration::from_millis(random.below(700)));
    let killed_at = Instant::now();
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");

    assert_eq!(env.rows("PRAGMA integrity_check"), [["ok"]], "seed {seed}");
    assert_eq!(
        env.rows("SELECT role, content FROM messages WHERE id = 1"),
        [["user", "tell me everything"]],
        "seed {seed}"
    );
    let owed: String = printed
        .iter()
        .filter(|(at, _)| killed_at.duration_since(*at) > OWED_AFTER)
        .map(|(_, piece)| piece.as_str())
        .collect();
    let saved = env.rows("SELECT content, status FROM messages WHERE role = 'assistant'");
    match saved.first() {
        Some(row) => {
            assert!(
                row[0].starts_with(&owed),
                "seed {seed}: saved {:?}, owed {owed:?}",
                row[0]
            );
            assert_eq!(row[1], "interrupted", "seed {seed}");
        }
        None => assert_eq!(
            owed, "",
            "seed {seed}: nothing saved, but {owed:?} was printed long before"
        ),
    }
    drop(gates);
}

/// 50 runs, two at a time; each is bounded by its gates, which give up after 20 s.
#[test]
fn sigkill_mid_answer_loses_nothing_older_than_half_a_second() {
    let seeds: Vec<u64> = (1..=50).collect();
    for batch in seeds.chunks(2) {
        let runs: Vec<_> = batch
            .iter()
            .map(|&seed| thread::spawn(move || one_run(seed)))
            .collect();
        for run in runs {
            run.join().expect("a run failed");
        }
    }
}
