//! A scratch copy of the repository's stacks with its own state file, on
//! which the real `skistack` binary runs against one moto server.

use std::fmt;
use std::path::{Path, PathBuf};

use tempfile::TempDir;
use tokio::process::Command;

use super::moto::{Moto, repo_root};

/// The CIDR the tests allow SSH to the bastion from.
pub const BASTION_CIDR: &str = "203.0.113.7/32";

/// The public key the tests give the bastion.
pub const BASTION_KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBm0M4Hb4F2Wm0ofXW1hyHqkSFT0Kz1Hx7lEYwFO3Lrm e2e-test";

/// A temp dir holding `stacks/` (copied from the repo) and `state.db`.
pub struct Workspace {
    dir: TempDir,
    endpoint: String,
}

/// What one run of the binary did.
pub struct Run {
    /// The arguments after the global options.
    pub args: Vec<String>,
    /// The exit code; None when a signal ended the process.
    pub code: Option<i32>,
    pub stdout: String,
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
    /// Panics unless the run exited 0; returns it for further checks.
    pub fn ok(self) -> Run {
        assert_eq!(self.code, Some(0), "expected success:\n{self}");
        self
    }

    /// Panics unless the run exited with `code`.
    pub fn code(self, code: i32) -> Run {
        assert_eq!(self.code, Some(code), "expected exit code {code}:\n{self}");
        self
    }

    /// stdout parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{self}"))
    }
}

fn copy_stacks(to: &Path) {
    std::fs::create_dir_all(to).expect("create stacks/");
    let from = repo_root().join("stacks");
    for entry in std::fs::read_dir(&from).expect("read the repo's stacks/") {
        let entry = entry.expect("a stacks/ entry");
        let path = entry.path();
        if path.is_file() {
            std::fs::copy(&path, to.join(entry.file_name())).expect("copy a stack file");
        }
    }
}

impl Workspace {
    /// A fresh copy of the stacks, talking to `moto`.
    pub fn new(moto: &Moto) -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix("skistack-e2e-")
            .tempdir()
            .expect("create a temp dir");
        copy_stacks(&dir.path().join("stacks"));
        Workspace {
            dir,
            endpoint: moto.endpoint.clone(),
        }
    }

    /// A fresh copy of the stacks, talking to `endpoint` instead of a
    /// moto server directly (a fault-injecting proxy in front of one, say).
    pub fn with_endpoint(endpoint: &str) -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix("skistack-e2e-")
            .tempdir()
            .expect("create a temp dir");
        copy_stacks(&dir.path().join("stacks"));
        Workspace {
            dir,
            endpoint: endpoint.to_string(),
        }
    }

    /// The state file.
    pub fn state(&self) -> PathBuf {
        self.dir.path().join("state.db")
    }

    /// Writes `stacks/NAME.toml`, a stack of the test's own.
    pub fn write_stack(&self, name: &str, text: &str) {
        std::fs::write(
            self.dir.path().join("stacks").join(format!("{name}.toml")),
            text,
        )
        .expect("write a stack file");
    }

    /// The workspace's copy of `stacks/`, to add stack files to.
    pub fn stacks_dir(&self) -> PathBuf {
        self.dir.path().join("stacks")
    }

    /// Runs `skistack ARGS` in the workspace, with test credentials and no
    /// AWS or skistack settings inherited from the caller's environment.
    pub async fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[]).await
    }

    /// Like [`Workspace::run`], with extra environment variables.
    pub async fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_skistack"));
        for (key, _) in std::env::vars_os() {
            let k = key.to_string_lossy();
            if k.starts_with("AWS_") || k.starts_with("SKISTACK_") {
                cmd.env_remove(&key);
            }
        }
        let nowhere = self.dir.path().join("no-aws-config");
        cmd.current_dir(self.dir.path())
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_CONFIG_FILE", &nowhere)
            .env("AWS_SHARED_CREDENTIALS_FILE", &nowhere)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .arg("--stacks-dir")
            .arg("stacks")
            .arg("--state")
            .arg(self.state())
            .args(args)
            .envs(env.iter().copied())
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        let out = cmd.output().await.expect("run the skistack binary");
        Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `skistack up STACK --yes ARGS`, which must succeed.
    pub async fn up(&self, stack: &str, args: &[&str]) -> Run {
        let mut all = vec!["up", stack, "--yes"];
        all.extend_from_slice(args);
        self.run(&all).await.ok()
    }

    /// `skistack config set STACK KEY VALUE`, which must succeed.
    pub async fn config_set(&self, stack: &str, key: &str, value: &str) {
        self.run(&["config", "set", stack, key, value]).await.ok();
    }

    /// Sets the config values `environments` requires.
    pub async fn configure_environments(&self) {
        self.config_set("environments", "bastion_allowed_cidr", BASTION_CIDR)
            .await;
        self.config_set("environments", "bastion_public_key", BASTION_KEY)
            .await;
    }

    /// Configures and deploys `repositories`, then `environments`.
    pub async fn deploy_both(&self) {
        self.up("repositories", &[]).await;
        self.configure_environments().await;
        self.up("environments", &[]).await;
    }

    /// A deployed stack's outputs.
    pub async fn outputs(&self, stack: &str) -> serde_json::Value {
        self.run(&["outputs", stack, "--json"]).await.ok().json()
    }

    /// `skistack preview --json ARGS`, which must succeed.
    pub async fn preview_json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["preview", "--json"];
        all.extend_from_slice(args);
        self.run(&all).await.ok().json()
    }
}

/// A string output.
pub fn out_str<'a>(outputs: &'a serde_json::Value, name: &str) -> &'a str {
    outputs[name]
        .as_str()
        .unwrap_or_else(|| panic!("output `{name}` is not a string: {outputs}"))
}

/// A list-of-strings output.
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
