//! Running one shell command (`sh -c`) and turning its result into outputs
//! or a readable error.

use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};

use skistack_engine::ProviderError;
use tokio::process::Command;

/// How many trailing lines of stderr a failure message quotes.
pub const STDERR_TAIL_LINES: usize = 20;

/// A command to run: the script, where, and the extra environment.
#[derive(Clone, Debug)]
pub(crate) struct Script<'a> {
    /// Which of the resource's commands this is (`create`, `update`,
    /// `delete`), for error messages; the script itself may hold secrets.
    pub role: &'static str,
    pub script: &'a str,
    /// The working directory; the current one when `None`.
    pub dir: Option<PathBuf>,
    /// Set on top of the inherited environment, later entries winning.
    pub env: Vec<(String, String)>,
}

/// What a successful command printed.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Printed {
    pub stdout: String,
    pub stderr: String,
}

impl Script<'_> {
    /// Runs the script to completion. The child is killed if the returned
    /// future is dropped (an interrupted `up`), so nothing keeps running
    /// unobserved.
    pub async fn run(&self) -> Result<Printed, ProviderError> {
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(self.script)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(dir) = &self.dir {
            // Checked here because spawn's own error ("No such file or
            // directory") would read as if `sh` were missing.
            if !dir.is_dir() {
                return Err(ProviderError::Failed(format!(
                    "cannot run the `{}` command: working directory {} does not exist",
                    self.role,
                    dir.display()
                )));
            }
            cmd.current_dir(dir);
        }
        let out = cmd.output().await.map_err(|e| {
            ProviderError::Failed(format!(
                "cannot run the `{}` command with sh: {e}",
                self.role
            ))
        })?;
        let stdout = trim_one_newline(String::from_utf8_lossy(&out.stdout).into_owned());
        let stderr = trim_one_newline(String::from_utf8_lossy(&out.stderr).into_owned());
        if out.status.success() {
            Ok(Printed { stdout, stderr })
        } else {
            Err(ProviderError::Failed(failure_message(
                self.role, out.status, &stderr,
            )))
        }
    }
}

/// Removes one trailing newline (`\n` or `\r\n`), as `$(...)` would, so that
/// `echo value` yields `value`.
fn trim_one_newline(mut s: String) -> String {
    if s.ends_with('\n') {
        s.pop();
        if s.ends_with('\r') {
            s.pop();
        }
    }
    s
}

/// "the `create` command exited with code 3" plus the tail of stderr.
fn failure_message(role: &str, status: ExitStatus, stderr: &str) -> String {
    let how = match status.code() {
        Some(code) => format!("exited with code {code}"),
        // No code means a signal ended it; the status's Display names it.
        None => format!("was terminated ({status})"),
    };
    let mut msg = format!("the `{role}` command {how}");
    if stderr.trim().is_empty() {
        msg.push_str(" and printed nothing on stderr");
        return msg;
    }
    let lines: Vec<&str> = stderr.lines().collect();
    let skip = lines.len().saturating_sub(STDERR_TAIL_LINES);
    if skip > 0 {
        msg.push_str(&format!(
            "; stderr (last {STDERR_TAIL_LINES} of {} lines):",
            lines.len()
        ));
    } else {
        msg.push_str("; stderr:");
    }
    for line in &lines[skip..] {
        msg.push_str("\n  ");
        msg.push_str(line);
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_exactly_one_newline() {
        assert_eq!(trim_one_newline("a\n\n".into()), "a\n");
        assert_eq!(trim_one_newline("a\r\n".into()), "a");
        assert_eq!(trim_one_newline("a".into()), "a");
        assert_eq!(trim_one_newline(String::new()), "");
    }

    #[tokio::test]
    async fn long_stderr_is_cut_to_its_tail() {
        let script = Script {
            role: "create",
            script: "i=1; while [ $i -le 30 ]; do echo line$i >&2; i=$((i+1)); done; exit 4",
            dir: None,
            env: Vec::new(),
        };
        let err = script.run().await.unwrap_err().to_string();
        assert!(err.contains("exited with code 4"), "{err}");
        assert!(err.contains("last 20 of 30 lines"), "{err}");
        assert!(err.contains("line30") && err.contains("line11"), "{err}");
        assert!(
            !err.contains("line10\n") && !err.ends_with("line10"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_missing_working_directory_is_named() {
        let script = Script {
            role: "delete",
            script: "true",
            dir: Some(PathBuf::from("/nonexistent/skistack-test-dir")),
            env: Vec::new(),
        };
        let err = script.run().await.unwrap_err().to_string();
        assert!(err.contains("/nonexistent/skistack-test-dir"), "{err}");
        assert!(err.contains("`delete`"), "{err}");
    }
}
