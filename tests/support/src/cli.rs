//! The one harness the end-to-end tests run the `skistack` binary through:
//! a scratch project in a temp dir, either with an empty `stacks/` for the
//! test's own std stacks ([`Project::new`]) or with a copy of the
//! repository's stacks talking to an AWS emulator ([`Project::aws`]). Every
//! run gets a clean environment (nothing of the caller's `AWS_*`,
//! `SKISTACK_*` or `RUST_LOG`, no terminal), so a developer's settings
//! never leak into a test; [`Run`] holds what a run printed and asserts on
//! it, and the `recorded*` methods read what it left in the state.
//!
//! The binary's path comes from the test crate (`env!("CARGO_BIN_EXE_skistack")`
//! only exists there), hence the `bin` argument of the constructors.

use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Output, Stdio};

use tempfile::TempDir;

/// The CIDR the ceros-ski tests allow SSH to the bastion from.
pub const BASTION_CIDR: &str = "203.0.113.7/32";

/// The public key the ceros-ski tests give the bastion.
pub const BASTION_KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBm0M4Hb4F2Wm0ofXW1hyHqkSFT0Kz1Hx7lEYwFO3Lrm e2e-test";

/// A scratch project: `stacks/` for stack files and a state file of its
/// own, removed when dropped.
pub struct Project {
    dir: TempDir,
    bin: PathBuf,
    state: PathBuf,
    /// The AWS endpoint of a project made by [`Project::aws`].
    endpoint: Option<String>,
}

/// How one run of the binary ended.
#[derive(Debug)]
pub struct Run {
    /// The arguments given (after the options the harness adds).
    pub args: Vec<String>,
    /// The exit code; `None` when a signal ended the process.
    pub code: Option<i32>,
    /// Everything printed on stdout.
    pub stdout: String,
    /// Everything printed on stderr.
    pub stderr: String,
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`skistack {}` exited with {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        )
    }
}

impl Run {
    /// The run of `args` that produced `out`.
    pub fn from_output(args: &[&str], out: Output) -> Run {
        Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Stdout and stderr together, for searching.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// Asserts the exit code and that the binary did not panic, showing
    /// both streams when either check fails.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(self.code, Some(code), "expected exit code {code}:\n{self}");
        assert!(
            !self.stderr.contains("panicked"),
            "skistack panicked:\n{self}"
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
            "expected output to contain {needle:?}\n{self}"
        );
        self
    }

    /// Asserts that neither stdout nor stderr contains `needle`.
    #[track_caller]
    pub fn lacks(&self, needle: &str) -> &Run {
        assert!(
            !self.all().contains(needle),
            "expected output not to contain {needle:?}\n{self}"
        );
        self
    }

    /// Stdout parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{self}"))
    }

    /// The most steps that were in flight at once, from the order of the
    /// progress lines on stderr (`create ADDR (TYPE)` when a step starts,
    /// `created ADDR (TYPE) in 0.2s` or `failed ...` when it ends). The
    /// engine prints both from inside the step, so this bounds the
    /// parallelism exactly, whatever the speed of the machine.
    pub fn max_steps_in_flight(&self) -> usize {
        let (mut now, mut most) = (0usize, 0usize);
        for line in self.stderr.lines() {
            // `[  0.2s] event`: the timestamp is not used.
            let Some((_, event)) = line.split_once("] ") else {
                continue;
            };
            if event.starts_with("failed ") || event.contains(") in ") {
                now = now.saturating_sub(1);
            } else if event.ends_with(')') && !event.starts_with("note: ") {
                now += 1;
                most = most.max(now);
            }
        }
        most
    }
}

fn copy_files(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create stacks/");
    for entry in std::fs::read_dir(from).expect("read the repo's stacks/") {
        let entry = entry.expect("a stacks/ entry");
        let path = entry.path();
        if path.is_file() {
            std::fs::copy(&path, to.join(entry.file_name())).expect("copy a stack file");
        }
    }
}

fn temp_dir() -> TempDir {
    tempfile::Builder::new()
        .prefix("skistack-e2e-")
        .tempdir()
        .expect("create a temp dir")
}

impl Project {
    /// An empty project with a `stacks/` directory, its state in the
    /// default place (`.skistack/state.db`), running `bin`.
    pub fn new(bin: impl Into<PathBuf>) -> Project {
        let dir = temp_dir();
        std::fs::create_dir(dir.path().join("stacks")).expect("create stacks/");
        let state = dir.path().join(".skistack").join("state.db");
        Project {
            dir,
            bin: bin.into(),
            state,
            endpoint: None,
        }
    }

    /// A fresh copy of the repository's stacks whose runs talk to the AWS
    /// API at `endpoint` (a moto server, or a proxy in front of one) with
    /// test credentials, and no AWS config or instance metadata of the
    /// machine. Runs pass `--stacks-dir stacks --state state.db`.
    pub fn aws(bin: impl Into<PathBuf>, endpoint: &str) -> Project {
        let dir = temp_dir();
        copy_files(
            &crate::repo_root().join("stacks"),
            &dir.path().join("stacks"),
        );
        let state = dir.path().join("state.db");
        Project {
            dir,
            bin: bin.into(),
            state,
            endpoint: Some(endpoint.to_string()),
        }
    }

    /// The same project with its state at `url` (`s3://BUCKET/PREFIX`, on
    /// the project's endpoint) instead of a file: every run passes
    /// `--state URL`. Helpers that read the state file do not apply.
    pub fn with_state(mut self, url: &str) -> Project {
        self.state = PathBuf::from(url);
        self
    }

    /// The project's root directory (the working directory of every run).
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The state file.
    pub fn state_path(&self) -> PathBuf {
        self.state.clone()
    }

    /// The project's `stacks/`, to add files to.
    pub fn stacks_dir(&self) -> PathBuf {
        self.root().join("stacks")
    }

    /// Writes `stacks/<name>.toml` (or any other file under `stacks/` when
    /// `name` has an extension).
    pub fn stack(&self, name: &str, text: &str) -> &Project {
        self.write_bytes(name, text.as_bytes())
    }

    /// Writes raw bytes to `stacks/<name>.toml` (or `stacks/<name>` when it
    /// has an extension).
    pub fn write_bytes(&self, name: &str, bytes: &[u8]) -> &Project {
        let file = if name.contains('.') {
            name.to_string()
        } else {
            format!("{name}.toml")
        };
        std::fs::write(self.stacks_dir().join(file), bytes).expect("write a stack file");
        self
    }

    /// Removes `stacks/<name>.toml`.
    pub fn remove_stack(&self, name: &str) {
        std::fs::remove_file(self.stacks_dir().join(format!("{name}.toml")))
            .expect("remove a stack file");
    }

    /// A command for the binary in the project directory, with a clean
    /// environment (no inherited `AWS_*`, `SKISTACK_*` or `RUST_LOG`,
    /// `NO_COLOR=1`, `HOME` and `XDG_CONFIG_HOME` inside the project), no stdin and piped output; for [`Project::aws`], the
    /// test credentials, the endpoint and the explicit stacks and state.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.bin);
        for (key, _) in std::env::vars_os() {
            let k = key.to_string_lossy();
            if k.starts_with("AWS_") || k.starts_with("SKISTACK_") {
                cmd.env_remove(&key);
            }
        }
        // The default key file lives under the config dir: the project's
        // own, never the user's.
        let config_home = self.root().join("config-home");
        cmd.current_dir(self.root())
            .env("NO_COLOR", "1")
            .env("XDG_CONFIG_HOME", &config_home)
            .env("HOME", self.root())
            .env_remove("RUST_LOG");
        if let Some(endpoint) = &self.endpoint {
            let nowhere = self.root().join("no-aws-config");
            cmd.env("AWS_ACCESS_KEY_ID", "testing")
                .env("AWS_SECRET_ACCESS_KEY", "testing")
                .env("AWS_ENDPOINT_URL", endpoint)
                .env("AWS_CONFIG_FILE", &nowhere)
                .env("AWS_SHARED_CREDENTIALS_FILE", &nowhere)
                .env("AWS_EC2_METADATA_DISABLED", "true")
                // moto runs a request before it answers: one that a killed
                // run sent has landed by the time the next run looks.
                .env("SKISTACK_AWS_LANDING_WINDOW", "0s");
            cmd.arg("--stacks-dir")
                .arg("stacks")
                .arg("--state")
                .arg(&self.state);
        }
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// Runs the binary to completion.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    /// Like [`Project::run`], with extra environment variables.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let out = self
            .command(args)
            .envs(env.iter().copied())
            .output()
            .expect("run skistack");
        Run::from_output(args, out)
    }

    /// Starts the binary without waiting for it.
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(args).spawn().expect("start skistack")
    }

    /// Starts the binary, to read its stderr as it comes (see [`Running`]).
    pub fn start(&self, args: &[&str]) -> Running {
        let mut child = self.spawn(args);
        let stderr = child.stderr.take().expect("a piped stderr");
        Running {
            child,
            args: args.iter().map(|s| s.to_string()).collect(),
            stderr: BufReader::new(stderr),
            seen: String::new(),
        }
    }

    /// `up STACK --yes`, asserting success.
    #[track_caller]
    pub fn up(&self, stack: &str) -> Run {
        self.up_with(stack, &[])
    }

    /// `up STACK --yes ARGS`, asserting success.
    #[track_caller]
    pub fn up_with(&self, stack: &str, args: &[&str]) -> Run {
        let mut all = vec!["up", stack, "--yes"];
        all.extend_from_slice(args);
        let r = self.run(&all);
        r.ok();
        r
    }

    /// `config set STACK KEY VALUE`, asserting success.
    #[track_caller]
    pub fn config_set(&self, stack: &str, key: &str, value: &str) {
        self.run(&["config", "set", stack, key, value]).ok();
    }

    /// Sets the config values the ceros-ski `environments` stack requires.
    #[track_caller]
    pub fn configure_environments(&self) {
        self.config_set("environments", "bastion_allowed_cidr", BASTION_CIDR);
        self.config_set("environments", "bastion_public_key", BASTION_KEY);
    }

    /// Configures and deploys the ceros-ski `repositories`, then `environments`.
    #[track_caller]
    pub fn deploy_both(&self) {
        self.up("repositories");
        self.configure_environments();
        self.up("environments");
    }

    /// A `preview STACK --json EXTRA` of one stack, parsed; asserts success.
    #[track_caller]
    pub fn preview_json(&self, stack: &str, extra: &[&str]) -> serde_json::Value {
        let mut args = vec!["preview", stack, "--json"];
        args.extend_from_slice(extra);
        self.run(&args).ok().json()
    }

    /// A `preview --json ARGS` (any stacks and options), parsed; asserts success.
    #[track_caller]
    pub fn preview_json_args(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["preview", "--json"];
        all.extend_from_slice(args);
        self.run(&all).ok().json()
    }

    /// `outputs STACK --json --show-secrets`, parsed; asserts success.
    #[track_caller]
    pub fn outputs(&self, stack: &str) -> serde_json::Value {
        self.run(&["outputs", stack, "--json", "--show-secrets"])
            .ok()
            .json()
    }

    /// `outputs STACK --json` (secrets masked as a user sees them), parsed;
    /// asserts success.
    #[track_caller]
    pub fn masked_outputs(&self, stack: &str) -> serde_json::Value {
        self.run(&["outputs", stack, "--json"]).ok().json()
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

    /// The pid recorded in the lock of `stack` (any environment), if the
    /// state file exists and the stack is locked.
    pub fn lock_holder(&self, stack: &str) -> Option<u32> {
        if !self.state_path().exists() {
            return None;
        }
        self.db()
            .query_row("SELECT pid FROM locks WHERE stack = ?1", [stack], |r| {
                r.get::<_, u32>(0)
            })
            .ok()
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

    /// Asserts that no byte of the state's files (the database, its WAL and
    /// shared memory) holds any of `plaintexts`.
    #[track_caller]
    pub fn assert_state_lacks(&self, plaintexts: &[&str]) {
        let state = self.state_path();
        let name = state.file_name().expect("the state path names a file");
        let dir = state.parent().expect("the state file is in a directory");
        let mut scanned = 0;
        for entry in std::fs::read_dir(dir).expect("list the state's directory") {
            let path = entry.expect("read a directory entry").path();
            let file = path.file_name().unwrap_or_default().as_encoded_bytes();
            if !file.starts_with(name.as_encoded_bytes()) {
                continue;
            }
            let bytes = std::fs::read(&path).expect("read a state file");
            scanned += 1;
            for text in plaintexts {
                let needle = text.as_bytes();
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle),
                    "{} holds the plaintext of a secret",
                    path.display()
                );
            }
        }
        assert!(scanned > 0, "no state file at {}", state.display());
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

/// Looks up `changes[]` of the first stack of a JSON preview by address.
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

/// A string output of `outputs --json`.
#[track_caller]
pub fn out_str<'a>(outputs: &'a serde_json::Value, name: &str) -> &'a str {
    outputs[name]
        .as_str()
        .unwrap_or_else(|| panic!("output `{name}` is not a string: {outputs}"))
}

/// A list-of-strings output of `outputs --json`.
#[track_caller]
pub fn out_strs(outputs: &serde_json::Value, name: &str) -> Vec<String> {
    outputs[name]
        .as_array()
        .unwrap_or_else(|| panic!("output `{name}` is not a list: {outputs}"))
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("`{name}` holds a non-string: {v}"))
                .to_string()
        })
        .collect()
}

/// A run of the binary in progress whose stderr the test reads line by
/// line, to act at a moment the run itself announces.
pub struct Running {
    child: Child,
    args: Vec<String>,
    stderr: BufReader<ChildStderr>,
    seen: String,
}

impl Running {
    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Reads stderr until a line contains `needle`; panics if the process
    /// closes stderr (it ended) first.
    #[track_caller]
    pub fn wait_for_stderr(&mut self, needle: &str) {
        loop {
            let mut line = String::new();
            let read = self.stderr.read_line(&mut line).expect("read stderr");
            self.seen.push_str(&line);
            if line.contains(needle) {
                return;
            }
            if read == 0 {
                panic!(
                    "`skistack {}` ended without printing {needle:?}:\n{}",
                    self.args.join(" "),
                    self.seen
                );
            }
        }
    }

    /// Waits for the end of the run and returns all it printed.
    pub fn finish(mut self) -> Run {
        // stderr on a thread of its own, so a full stdout pipe can't block
        // the process while the test waits for stderr to close.
        let mut stderr = self.stderr;
        let rest = std::thread::spawn(move || {
            let mut rest = String::new();
            stderr
                .read_to_string(&mut rest)
                .expect("read the rest of stderr");
            rest
        });
        let out = self.child.wait_with_output().expect("wait for skistack");
        self.seen
            .push_str(&rest.join().expect("the stderr reader panicked"));
        Run {
            args: self.args,
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: self.seen,
        }
    }
}
