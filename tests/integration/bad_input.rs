//! Bad input of every kind: the right exit status, an error naming the value and what
//! is accepted, and the database byte for byte as it was.

use std::fs;

use crate::support::{FakeOpenAi, TmEnv, answer, stderr, stdout, wrap};

struct Case {
    args: &'static [&'static str],
    stdin: &'static [u8],
    env: Option<(&'static str, &'static str)>,
    code: i32,
    says: &'static str,
}

const fn case(args: &'static [&'static str], code: i32, says: &'static str) -> Case {
    Case {
        args,
        stdin: b"",
        env: None,
        code,
        says,
    }
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("the one real answer")]);
    env.tm_with(&server)
        .args(["ask", "-q", "first"])
        .assert()
        .success();
    fs::create_dir(env.dir().join("folder")).expect("mkdir");
    fs::write(env.dir().join("empty.txt"), b"").expect("write");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(env.dir().join("pipe"))
            .status()
            .expect("mkfifo")
            .success()
    );
    let before = env.db_bytes();
    let cases = [
        Case {
            args: &["ask", "summarise"],
            stdin: b"caf\xe9 au lait",
            ..case(&[], 2, "stdin is not UTF-8 text (invalid byte at offset 3)")
        },
        case(
            &["ask", "--conv", "0", "hi"],
            2,
            "invalid value '0' for '--conv <ID>': 0 is not in 1..=2147483647",
        ),
        case(
            &["ask", "--conv", "-1", "hi"],
            2,
            "unexpected argument '-1'",
        ),
        case(
            &["ask", "--conv", "abc", "hi"],
            2,
            "invalid value 'abc' for '--conv <ID>'",
        ),
        case(
            &["ask", "--conv", "99999999999999999999", "hi"],
            2,
            "invalid value '99999999999999999999' for '--conv <ID>'",
        ),
        case(
            &["ask", "--max-messages", "0", "hi"],
            2,
            "'0' is not a message count: use a whole number from 1 up, or 'all'",
        ),
        case(
            &["ask", "--max-messages", "-3", "hi"],
            2,
            "unexpected argument '-3'",
        ),
        case(
            &["ask", "-m", " ", "hi"],
            2,
            "bad value for --model: it must not be empty",
        ),
        case(
            &["usage", "--since", "the other day"],
            2,
            "'the other day' is not a time: use 7d, 2w, 3m",
        ),
        case(
            &["config", "set", "colour", "blue"],
            2,
            "unknown setting 'colour'; the settings are api-key, model",
        ),
        case(
            &["config", "set", "price.gpt-4o", "input=2.5"],
            2,
            "bad value for price.gpt-4o: 'input=2.5' lacks input or output: use input=N,output=N[,cached=N]",
        ),
        case(
            &["config", "set", "base-url", "api.example.test/v1"],
            2,
            "bad value for base-url: 'api.example.test/v1' is not a URL",
        ),
        Case {
            env: Some(("OPENAI_BASE_URL", "localhost:8080")),
            ..case(
                &["config", "list"],
                2,
                "bad value for base-url: 'localhost:8080' must start with http:// or https://",
            )
        },
        Case {
            env: Some(("OPENAI_BASE_URL", "localhost:8080")),
            ..case(
                &["ask", "hi"],
                2,
                "bad value for base-url in the environment variable OPENAI_BASE_URL: 'localhost:8080' must start with http:// or https://",
            )
        },
        case(
            &["ask", "-a", "folder", "hi"],
            1,
            "cannot attach folder: it is a directory",
        ),
        case(
            &["ask", "-a", "pipe", "hi"],
            1,
            "cannot attach pipe: it is not a regular file",
        ),
        case(
            &["ask", "-a", "empty.txt", "hi"],
            1,
            "cannot attach empty.txt: it is empty",
        ),
        case(
            &["ask", "--db", "folder", "hi"],
            1,
            "folder is a directory; the database must be a file",
        ),
        case(
            &["ask", "--db", "no/such/dir/tm.db", "hi"],
            1,
            "the folder no/such/dir does not exist; create it or pass another --db",
        ),
    ];
    for case in cases {
        let mut command = env.tm_with(&server);
        if let Some((name, value)) = case.env {
            command.env(name, value);
        }
        let output = command
            .args(case.args)
            .write_stdin(case.stdin)
            .output()
            .expect("runs");
        assert_eq!(
            output.status.code(),
            Some(case.code),
            "{:?}: {}",
            case.args,
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(case.says),
            "{:?}: {}",
            case.args,
            stderr(&output)
        );
        assert_eq!(
            env.db_bytes(),
            before,
            "{:?} changed the database",
            case.args
        );
    }
}

/// Root ignores file permissions, and these tests may run as root: `setpriv` drops every
/// capability, so that a read-only database and an unreadable file are what they say.
#[test]
fn a_read_only_database_and_an_unreadable_file() {
    use std::os::unix::fs::PermissionsExt as _;
    let env = TmEnv::new();
    let server = FakeOpenAi::start(vec![answer("fine")]);
    env.tm_with(&server)
        .args(["ask", "-q", "first"])
        .assert()
        .success();
    fs::write(env.dir().join("secret.txt"), "not for you\n").expect("write");
    fs::set_permissions(
        env.dir().join("secret.txt"),
        fs::Permissions::from_mode(0o000),
    )
    .expect("chmod");
    let before = env.db_bytes();
    let unprivileged = |args: &[&str]| {
        let mut command = env.spawnable(&server);
        command.args(args);
        wrap(&command, &["setpriv", "--bounding-set=-all"])
            .output()
            .expect("runs")
    };
    let output = unprivileged(&["ask", "-a", "secret.txt", "hi"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("cannot attach secret.txt: Permission denied"),
        "{}",
        stderr(&output)
    );

    // A read-only file, then one in a read-only folder too (what a read-only mount looks
    // like, where SQLite cannot make its -wal and -shm): reports work, a write says why not.
    let read_only = format!(
        "tm: error: the database {} is read-only here (the file, its folder or the disk it is on); tm can show it but not change it",
        env.db().display()
    );
    for (file, folder) in [(0o400, 0o755), (0o400, 0o555)] {
        // A tm that can write closes the file whole, as a read-only mount would find it.
        fs::set_permissions(env.db(), fs::Permissions::from_mode(0o600)).expect("chmod");
        env.tm().arg("list").assert().success();
        assert!(!env.dir().join("tm.db-wal").exists());
        fs::set_permissions(env.db(), fs::Permissions::from_mode(file)).expect("chmod");
        fs::set_permissions(env.dir(), fs::Permissions::from_mode(folder)).expect("chmod");
        for report in [&["list"][..], &["usage"][..], &["show", "1"][..]] {
            let output = unprivileged(report);
            assert_eq!(
                output.status.code(),
                Some(0),
                "{report:?}: {}",
                stderr(&output)
            );
        }
        let list = stdout(&unprivileged(&["list"]));
        assert!(list.contains("first"), "{list}");
        let output = unprivileged(&["ask", "hi"]);
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert!(stderr(&output).contains(&read_only), "{}", stderr(&output));
        fs::set_permissions(env.dir(), fs::Permissions::from_mode(0o755)).expect("chmod back");
        assert_eq!(env.db_bytes(), before);
    }
    fs::set_permissions(env.db(), fs::Permissions::from_mode(0o600)).expect("chmod back");
}

/// A `--db` path refused before it is opened leaves no empty file behind.
#[test]
fn a_refused_db_path_leaves_no_file() {
    use std::os::unix::ffi::OsStrExt as _;
    let env = TmEnv::new();
    let name = std::ffi::OsStr::from_bytes(b"not-utf8-\xff.db");
    let output = env
        .tm()
        .arg("list")
        .arg("--db")
        .arg(name)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("the database path must be valid UTF-8 (pass another --db)"),
        "{}",
        stderr(&output)
    );
    assert!(!env.dir().join(name).exists());
}

/// A device, or a link to one, is refused before SQLite writes anything beside it.
#[test]
fn a_device_is_not_a_database() {
    let env = TmEnv::new();
    std::os::unix::fs::symlink("/dev/null", env.dir().join("link.db")).expect("symlink");
    for db in ["/dev/null", "link.db"] {
        let output = env.tm().args(["list", "--db", db]).output().expect("runs");
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert!(
            stderr(&output).contains(&format!(
                "{db} is not a regular file (a device, a pipe or a socket); the database must be a file"
            )),
            "{}",
            stderr(&output)
        );
    }
    for beside in ["/dev/null-journal", "/dev/null-wal", "/dev/null-shm"] {
        assert!(!std::path::Path::new(beside).exists(), "{beside}");
    }
    assert!(!env.dir().join("link.db-wal").exists());
}

/// The history and the key are the owner's alone; found readable by others, each is warned
/// about with the command that fixes it.
#[test]
fn files_readable_by_others_are_warned_about() {
    use std::os::unix::fs::PermissionsExt as _;
    let env = TmEnv::new();
    env.tm()
        .args(["config", "set", "api-key", "sk-test-0123456789abcdef"])
        .assert()
        .success();
    let output = env.tm().arg("list").output().expect("runs");
    assert_eq!(stderr(&output), "");
    for file in [env.db(), env.key_file()] {
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    let output = env.tm().arg("list").output().expect("runs");
    assert_eq!(output.status.code(), Some(0));
    for file in [env.db(), env.key_file()] {
        let shown = file.display();
        assert!(
            stderr(&output).contains(&format!(
                "tm: warning: {shown} can be read by others (mode 644); `chmod 600 {shown}` makes it yours alone"
            )),
            "{}",
            stderr(&output)
        );
    }
}
