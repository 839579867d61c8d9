//! Shared helpers of the end-to-end tests: a temporary project directory with
//! a `stacks/` folder, and a way to run the `skistack` binary in it.

// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary under test, built by cargo for integration tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_skistack");

/// A temporary project: `stacks/` for stack files, `.skistack/state.db` for the state.
pub struct Project {
    dir: tempfile::TempDir,
}

/// How one run of the binary ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    fn from_output(out: Output, elapsed: Duration) -> Run {
        Run {
            // A signal leaves no code; -1 never matches an expected one.
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            elapsed,
        }
    }

    /// Stdout and stderr together, for searching.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// Asserts the exit code, showing both streams when it differs.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "expected exit code {code}, got {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        assert!(
            !self.stderr.contains("panicked"),
            "skistack panicked:\n{}",
            self.stderr
        );
        self
    }

    /// Asserts success.
    #[track_caller]
    pub fn ok(&self) -> &Run {
        self.expect_code(0)
    }

    /// Asserts that stdout or stderr contains `needle`.
    #[track_caller]
    pub fn contains(&self, needle: &str) -> &Run {
        assert!(
            self.all().contains(needle),
            "expected output to contain {needle:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// Asserts that neither stdout nor stderr contains `needle`.
    #[track_caller]
    pub fn lacks(&self, needle: &str) -> &Run {
        assert!(
            !self.all().contains(needle),
            "expected output not to contain {needle:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

impl Project {
    /// An empty project with a `stacks/` directory.
    pub fn new() -> Project {
        let dir = tempfile::Builder::new()
            .prefix("skistack-e2e-")
            .tempdir()
            .expect("create a temp dir");
        std::fs::create_dir(dir.path().join("stacks")).expect("create stacks/");
        Project { dir }
    }

    /// The project's root directory.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The default state file.
    pub fn state_path(&self) -> PathBuf {
        self.root().join(".skistack").join("state.db")
    }

    /// Writes `stacks/<name>.toml` (or any other file under `stacks/` when
    /// `name` has an extension).
    pub fn stack(&self, name: &str, text: &str) -> &Project {
        self.write_bytes(name, text.as_bytes())
    }

    /// Writes raw bytes to `stacks/<name>.toml`.
    pub fn write_bytes(&self, name: &str, bytes: &[u8]) -> &Project {
        let file = if name.contains('.') {
            name.to_string()
        } else {
            format!("{name}.toml")
        };
        std::fs::write(self.root().join("stacks").join(file), bytes).expect("write a stack file");
        self
    }

    /// Removes `stacks/<name>.toml`.
    pub fn remove_stack(&self, name: &str) {
        std::fs::remove_file(self.root().join("stacks").join(format!("{name}.toml")))
            .expect("remove a stack file");
    }

    /// A command for the binary in the project directory, with a clean
    /// environment: no inherited SKISTACK_* or AWS settings, no terminal.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .current_dir(self.root())
            .env("NO_COLOR", "1")
            .env_remove("SKISTACK_STATE")
            .env_remove("SKISTACK_ENV")
            .env_remove("SKISTACK_STACKS_DIR")
            .env_remove("SKISTACK_LOCK_WAIT")
            .env_remove("SKISTACK_AWS_MAX_CONCURRENCY")
            .env_remove("AWS_ENDPOINT_URL")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// Runs the binary to completion.
    pub fn run(&self, args: &[&str]) -> Run {
        let start = Instant::now();
        let out = self.command(args).output().expect("run skistack");
        Run::from_output(out, start.elapsed())
    }

    /// Starts the binary without waiting for it.
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(args).spawn().expect("start skistack")
    }

    /// `up STACK --yes`, asserting success.
    #[track_caller]
    pub fn up(&self, stack: &str) -> Run {
        let r = self.run(&["up", stack, "--yes"]);
        r.ok();
        r
    }

    /// A `preview --json` of one stack, parsed; asserts success.
    #[track_caller]
    pub fn preview_json(&self, stack: &str, extra: &[&str]) -> serde_json::Value {
        let mut args = vec!["preview", stack, "--json"];
        args.extend_from_slice(extra);
        let r = self.run(&args);
        r.ok();
        serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("preview --json is not JSON ({e}):\n{}", r.stdout))
    }

    /// `outputs STACK --json --show-secrets`, parsed; asserts success.
    #[track_caller]
    pub fn outputs(&self, stack: &str) -> serde_json::Value {
        let r = self.run(&["outputs", stack, "--json", "--show-secrets"]);
        r.ok();
        serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("outputs --json is not JSON ({e}):\n{}", r.stdout))
    }

    /// Opens the state file read-only.
    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open_with_flags(
            self.state_path(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("open the state file")
    }

    /// Addresses of the resources recorded for a stack in `env`, sorted.
    pub fn recorded(&self, stack: &str, env: &str) -> Vec<String> {
        if !self.state_path().exists() {
            return Vec::new();
        }
        let db = self.db();
        let mut q = db
            .prepare("SELECT name FROM resources WHERE stack = ?1 AND env = ?2 ORDER BY name")
            .expect("query resources");
        let rows = q
            .query_map([stack, env], |row| row.get::<_, String>(0))
            .expect("query resources");
        rows.map(|r| r.expect("read a resource name")).collect()
    }

    /// The recorded `inputs` of one resource, parsed from the state's JSON.
    pub fn recorded_inputs(&self, stack: &str, name: &str) -> serde_json::Value {
        self.recorded_column(stack, name, "inputs")
    }

    /// The recorded `outputs` of one resource, parsed from the state's JSON.
    pub fn recorded_outputs(&self, stack: &str, name: &str) -> serde_json::Value {
        self.recorded_column(stack, name, "outputs")
    }

    fn recorded_column(&self, stack: &str, name: &str, column: &str) -> serde_json::Value {
        let db = self.db();
        let text: String = db
            .query_row(
                &format!("SELECT {column} FROM resources WHERE stack = ?1 AND env = 'default' AND name = ?2"),
                [stack, name],
                |row| row.get(0),
            )
            .unwrap_or_else(|e| panic!("no recorded resource {stack}/{name}: {e}"));
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("recorded {column} of {name} is not JSON ({e}): {text}"))
    }

    /// The provider id of a recorded resource.
    pub fn recorded_id(&self, stack: &str, name: &str) -> String {
        self.db()
            .query_row(
                "SELECT provider_id FROM resources WHERE stack = ?1 AND env = 'default' AND name = ?2",
                [stack, name],
                |row| row.get(0),
            )
            .unwrap_or_else(|e| panic!("no recorded resource {stack}/{name}: {e}"))
    }

    /// A digest of everything the state holds (except history and locks),
    /// to check that a failed command left it untouched.
    pub fn state_snapshot(&self) -> String {
        if !self.state_path().exists() {
            return String::new();
        }
        let db = self.db();
        let mut out = String::new();
        for sql in [
            "SELECT stack || env || name || type || provider_id || inputs || outputs || dependencies || options FROM resources ORDER BY stack, env, name",
            "SELECT stack || env || outputs FROM stack_outputs ORDER BY stack, env",
            "SELECT stack || env || name || kind FROM pending_ops ORDER BY id",
            "SELECT stack || env || key || value FROM config ORDER BY stack, env, key",
        ] {
            let mut q = db.prepare(sql).expect("prepare a snapshot query");
            let rows = q
                .query_map([], |row| row.get::<_, String>(0))
                .expect("run a snapshot query");
            for row in rows {
                out.push_str(&row.expect("read a snapshot row"));
                out.push('\n');
            }
        }
        out
    }
}

/// Looks up `changes[]` of a JSON preview by address.
#[track_caller]
pub fn change<'a>(preview: &'a serde_json::Value, address: &str) -> &'a serde_json::Value {
    preview["stacks"][0]["changes"]
        .as_array()
        .expect("changes is an array")
        .iter()
        .find(|c| c["address"] == address)
        .unwrap_or_else(|| panic!("no change for {address} in {preview:#}"))
}

/// The action planned for `address` in a JSON preview.
#[track_caller]
pub fn action(preview: &serde_json::Value, address: &str) -> String {
    change(preview, address)["action"]
        .as_str()
        .expect("action is a string")
        .to_string()
}
