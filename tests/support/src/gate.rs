//! Gates: shell snippets for `std:Command` resources that block until the
//! test opens them (a file appears), so a test can hold a step, and the
//! stack lock its run holds, for exactly as long as it needs instead of
//! sleeping for a duration it hopes is long enough. A gate opens when
//! dropped, so a failing test never leaves a blocked process behind, and
//! a blocked script gives up (exit 1, failing its step) after
//! [`PATIENCE`](crate::poll::PATIENCE).

use std::path::{Path, PathBuf};

use crate::poll::PATIENCE;

/// A file-backed gate in a project's directory.
pub struct Gate {
    file: PathBuf,
}

impl Gate {
    /// A closed gate named `name` (a file name) in `dir`.
    pub fn new(dir: &Path, name: &str) -> Gate {
        Gate {
            file: dir.join(format!("gate-{name}")),
        }
    }

    /// A shell snippet that waits until the gate is open and then goes on
    /// to what follows it, or fails the script after [`PATIENCE`]. It uses no double quote or backslash, so
    /// it can go into a TOML basic string as is.
    pub fn wait_script(&self) -> String {
        let polls = PATIENCE.as_millis() / 50;
        let file = self.quoted();
        format!(
            "i=0; while [ ! -e {file} ] && [ $i -lt {polls} ]; do sleep 0.05; i=$((i+1)); done; \
             [ -e {file} ] || {{ echo gate {file} never opened >&2; exit 1; }}"
        )
    }

    /// A shell snippet that opens the gate (for a rendezvous of two runs,
    /// each opening one gate and waiting for the other).
    pub fn open_script(&self) -> String {
        format!("touch {}", self.quoted())
    }

    /// A stack whose `up` holds its lock until the gate opens: `wait`, a
    /// `std:Command` blocked at the gate, and `after`, a `std:Data` that
    /// depends on it (so the run has a step left to start afterwards).
    pub fn held_stack(&self) -> String {
        format!(
            "[resources.wait]\ntype = \"std:Command\"\ncreate = \"{}\"\n\n\
             [resources.after]\ntype = \"std:Data\"\ninput = \"${{wait.id}}\"\n",
            self.wait_script()
        )
    }

    /// Opens the gate: blocked scripts go on.
    pub fn open(&self) {
        std::fs::write(&self.file, b"").expect("open a gate");
    }

    /// Whether the gate is open.
    pub fn is_open(&self) -> bool {
        self.file.exists()
    }

    fn quoted(&self) -> String {
        let path = self.file.to_str().expect("a UTF-8 gate path");
        assert!(!path.contains('\''), "a gate path without quotes: {path}");
        format!("'{path}'")
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        let _ = std::fs::write(&self.file, b"");
    }
}
