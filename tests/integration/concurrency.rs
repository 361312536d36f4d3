//! Four `tm ask` processes at once on one database, with `tm usage` and `tm list` reading
//! beside them: every question and request recorded, no "database is locked", every exit 0.

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
