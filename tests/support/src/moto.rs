//! A moto server (a local AWS API emulator) per test, on a free port of
//! 127.0.0.1, started through `scripts/moto` (which installs moto into the
//! repository's `.venv` and sets the server's options, such as loading the
//! IAM managed policies) and killed when dropped.
//!
//! This is the union of the two launchers the tests had: moto is installed
//! once per test binary before any server starts (parallel first starts
//! would race the install); a port is never handed out twice in a process
//! and a server that lost its port to another process is restarted on
//! another one (five tries); a server counts as up only once its own log
//! says it holds the port, it answers HTTP and it is still running, so a
//! test never talks to another test's server; a server that never comes up
//! is killed and its log shown. Each server logs to a file of its own.

use std::collections::HashSet;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The region the tests run in: moto serves every region, the stacks and
/// the provider tests use this one.
pub const REGION: &str = "us-east-1";

/// How long moto may take by default to bind its port and answer (its
/// first start after an install imports a lot of Python).
pub const START_TIMEOUT: Duration = Duration::from_secs(90);

/// How many ports a start tries before giving up.
const ATTEMPTS: usize = 5;

/// A running moto server, killed on drop.
pub struct Moto {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The port the server listens on.
    pub port: u16,
    /// The server's log (its stdout and stderr), for failure messages.
    pub log: PathBuf,
    child: Child,
}

/// Options of a start; [`Moto::start`] uses the defaults.
#[derive(Debug, Clone)]
pub struct MotoBuilder {
    log_dir: PathBuf,
    timeout: Duration,
}

impl Default for MotoBuilder {
    fn default() -> MotoBuilder {
        MotoBuilder {
            log_dir: std::env::temp_dir().join("skistack-moto"),
            timeout: START_TIMEOUT,
        }
    }
}

impl MotoBuilder {
    /// The directory of the server's log, `moto-PORT.log` (by default
    /// `skistack-moto` in the system's temp dir). Test crates pass
    /// `env!("CARGO_TARGET_TMPDIR")` to keep logs with the build.
    pub fn log_dir(mut self, dir: impl Into<PathBuf>) -> MotoBuilder {
        self.log_dir = dir.into();
        self
    }

    /// How long one attempt may wait for the server to answer.
    pub fn timeout(mut self, timeout: Duration) -> MotoBuilder {
        self.timeout = timeout;
        self
    }

    /// Starts moto on a free port and waits until it answers; panics with
    /// the server's log when it does not.
    pub fn start(self) -> Moto {
        install();
        std::fs::create_dir_all(&self.log_dir).expect("create the moto log directory");
        // Another process may take the port between the probe and moto's
        // bind; moto then exits and another port is tried.
        for _ in 0..ATTEMPTS {
            let port = free_port();
            if let Some(moto) = self.try_port(port) {
                return moto;
            }
        }
        panic!("moto failed to start on {ATTEMPTS} ports in a row");
    }

    /// One attempt on `port`: the server, or None when it exited.
    fn try_port(&self, port: u16) -> Option<Moto> {
        let log = self.log_dir.join(format!("moto-{port}.log"));
        let out = File::create(&log).expect("create the moto log");
        let mut child = Command::new("bash")
            .arg(crate::repo_root().join("scripts/moto"))
            .args(["start", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("clone the log handle"))
            .stderr(out)
            .spawn()
            .expect("spawn scripts/moto start");
        // Werkzeug prints this line once it holds the port, so a server
        // that answers afterwards is ours, not another test's.
        let bound = format!("Running on http://127.0.0.1:{port}");
        let deadline = Instant::now() + self.timeout;
        loop {
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
            if read(&log).contains(&bound) && answers(port) {
                if let Ok(None) = child.try_wait() {
                    return Some(Moto {
                        endpoint: format!("http://127.0.0.1:{port}"),
                        port,
                        log,
                        child,
                    });
                }
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "moto did not answer on port {port} within {:?}:\n{}",
                    self.timeout,
                    read(&log)
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        None
    }
}

/// Installs moto into the repo's .venv once per test binary, before any
/// server starts: parallel first starts would otherwise race the install.
fn install() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let status = Command::new("bash")
            .arg(crate::repo_root().join("scripts/moto"))
            .stdin(Stdio::null())
            .status()
            .expect("run scripts/moto");
        assert!(
            status.success(),
            "scripts/moto could not install moto: {status}"
        );
    });
}

/// A port that no other server of this process was given, free when probed.
fn free_port() -> u16 {
    static GIVEN: OnceLock<Mutex<HashSet<u16>>> = OnceLock::new();
    let given = GIVEN.get_or_init(Default::default);
    loop {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        let port = listener.local_addr().expect("the bound address").port();
        if given.lock().expect("the port set").insert(port) {
            return port;
        }
    }
}

/// True when an HTTP server answers on the port.
fn answers(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = format!("GET /moto-api/ HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 5];
    stream.read_exact(&mut head).is_ok() && &head == b"HTTP/"
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

impl Moto {
    /// Starts moto with the default options (see [`MotoBuilder`]).
    pub fn start() -> Moto {
        MotoBuilder::default().start()
    }

    /// Options for a start: the log directory, the timeout.
    pub fn builder() -> MotoBuilder {
        MotoBuilder::default()
    }

    /// The server's output so far.
    pub fn output(&self) -> String {
        read(&self.log)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        // scripts/moto execs moto_server, so the child is the server itself.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
