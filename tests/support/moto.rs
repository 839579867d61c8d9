//! A moto server (a local AWS API emulator) on a free port of 127.0.0.1,
//! started through `scripts/moto` and stopped when dropped.

use std::collections::HashSet;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long moto may take to bind its port and answer.
const START_TIMEOUT: Duration = Duration::from_secs(90);

/// A running moto server, killed on drop.
pub struct Moto {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The server's output, for failure messages.
    pub log: PathBuf,
    child: Child,
}

/// The repository root (the root package's directory).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Installs moto into the repo's .venv once per test binary, before any
/// server starts: parallel first starts would otherwise race the install.
fn install() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let status = Command::new("bash")
            .arg(repo_root().join("scripts/moto"))
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
    /// Starts moto on a free port and waits until it answers.
    pub fn start() -> Moto {
        install();
        // Another process may take the port between the probe and moto's
        // bind; moto then exits and another port is tried.
        for _ in 0..5 {
            let port = free_port();
            let log =
                PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("moto-e2e-{port}.log"));
            let out = File::create(&log).expect("create the moto log");
            let mut child = Command::new("bash")
                .arg(repo_root().join("scripts/moto"))
                .args(["start", &port.to_string()])
                .stdin(Stdio::null())
                .stdout(out.try_clone().expect("clone the log handle"))
                .stderr(out)
                .spawn()
                .expect("spawn scripts/moto start");
            // Werkzeug prints this line once it holds the port, so a server
            // that answers afterwards is ours, not another test's.
            let bound = format!("Running on http://127.0.0.1:{port}");
            let deadline = Instant::now() + START_TIMEOUT;
            loop {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                if read(&log).contains(&bound) && answers(port) {
                    return Moto {
                        endpoint: format!("http://127.0.0.1:{port}"),
                        log,
                        child,
                    };
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "moto did not answer on port {port} within {START_TIMEOUT:?}:\n{}",
                        read(&log)
                    );
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.wait();
        }
        panic!("moto failed to start on five ports in a row");
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
