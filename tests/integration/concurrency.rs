//! Several `tm` processes at once on one database: four `tm ask` with `tm usage` and `tm list`
//! reading beside them, and eight first runs on a file that does not exist yet. Every
//! question and request recorded, no "database is locked", every exit 0.

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use crate::support::{FakeOpenAi, TmEnv, answer, stderr};

const WRITERS: usize = 4;
const QUESTIONS: usize = 25;

#[test]
fn four_writers_and_two_readers() {
    let env = Arc::new(TmEnv::new());
    env.tm().args(["config", "list"]).assert().success();
    let server = Arc::new(FakeOpenAi::start(
        (0..WRITERS * QUESTIONS)
            .map(|i| answer(&format!("answer {i}")))
            .collect(),
    ));
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = ["usage", "list"]
        .into_iter()
        .map(|command| {
            let (env, done) = (Arc::clone(&env), Arc::clone(&done));
            thread::spawn(move || {
                let mut runs = 0;
                // Bounded: it stops when the writers are done, and after 2,000 runs at most.
                while !done.load(Ordering::SeqCst) && runs < 2_000 {
                    let output = env
                        .command()
                        .arg(command)
                        .stdout(Stdio::null())
                        .output()
                        .expect("runs");
                    assert!(output.status.success(), "tm {command}: {}", stderr(&output));
                    runs += 1;
                }
                runs
            })
        })
        .collect();
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let (env, server) = (Arc::clone(&env), Arc::clone(&server));
            thread::spawn(move || {
                for question in 0..QUESTIONS {
                    let output = env
                        .tm_with(&server)
                        .args(["ask", "-q", &format!("writer {writer} question {question}")])
                        .output()
                        .expect("runs");
                    let err = stderr(&output);
                    assert!(
                        output.status.success(),
                        "writer {writer} question {question}: {err}"
                    );
                    assert!(!err.contains("locked") && !err.contains("busy"), "{err}");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().expect("a writer failed");
    }
    done.store(true, Ordering::SeqCst);
    for reader in readers {
        assert!(reader.join().expect("a reader failed") > 0);
    }
    let total = (WRITERS * QUESTIONS).to_string();
    assert_eq!(
        env.rows("SELECT (SELECT count(*) FROM conversations), (SELECT count(*) FROM requests WHERE outcome = 'ok'), (SELECT count(*) FROM messages WHERE status IN ('answered', 'complete'))"),
        [[total.clone(), total, (2 * WRITERS * QUESTIONS).to_string()]]
    );
    assert_eq!(env.rows("PRAGMA integrity_check"), [["ok"]]);
}

/// Eight `tm ask` started together on a database that does not exist yet, ten times over:
/// every one succeeds, and the file ends with one schema and every question.
#[test]
fn eight_first_runs_at_once() {
    const RUNS: usize = 8;
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .expect("migrations/")
        .filter(|entry| entry.as_ref().is_ok_and(|e| e.path().is_dir()))
        .count();
    for round in 0..10 {
        let env = Arc::new(TmEnv::new());
        let server = Arc::new(FakeOpenAi::start(
            (0..RUNS).map(|i| answer(&format!("answer {i}"))).collect(),
        ));
        let start = Arc::new(std::sync::Barrier::new(RUNS));
        let runs: Vec<_> = (0..RUNS)
            .map(|run| {
                let (env, server, start) =
                    (Arc::clone(&env), Arc::clone(&server), Arc::clone(&start));
                thread::spawn(move || {
                    let mut command = env.tm_with(&server);
                    command.args(["ask", "-q", &format!("first question {run}")]);
                    start.wait();
                    command.output().expect("runs")
                })
            })
            .collect();
        for run in runs {
            let output = run.join().expect("a run panicked");
            assert!(
                output.status.success(),
                "round {round}: {}",
                stderr(&output)
            );
        }
        assert_eq!(
            env.rows("SELECT (SELECT count(*) FROM conversations), (SELECT count(*) FROM __diesel_schema_migrations)"),
            [[RUNS.to_string(), migrations.to_string()]],
            "round {round}"
        );
        assert_eq!(env.rows("PRAGMA integrity_check"), [["ok"]]);
    }
}
