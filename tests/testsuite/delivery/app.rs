//! The game's stand-in in `app/`, as the image builds and runs it: in a copy
//! holding only what app/.dockerignore admits (and the tests), `npm ci`,
//! `npm test` and `npm run build` succeed, and `node server.js` on a free
//! $PORT answers /health, the path the load balancer checks, and serves the
//! built page and script. Needs Node.js and npm, and the npm registry for
//! `npm ci`; without npm the test fails.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create a directory");
    for entry in std::fs::read_dir(from).expect("read a directory") {
        let entry = entry.expect("a directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

/// A copy of app/ with the files the Docker build context admits, plus the
/// tests, which run before the image is built.
fn app_copy(to: &Path) {
    let app = repo().join("app");
    let ignore = std::fs::read_to_string(app.join(".dockerignore")).expect("app/.dockerignore");
    let admitted = ignore
        .lines()
        .filter_map(|l| l.trim().strip_prefix('!'))
        .map(|p| p.trim_end_matches('/'));
    for path in admitted.chain(["test"]) {
        let from = app.join(path);
        if from.is_dir() {
            copy_tree(&from, &to.join(path));
        } else {
            std::fs::copy(&from, to.join(path)).unwrap_or_else(|e| panic!("copy {path}: {e}"));
        }
    }
}

/// Runs `npm ARGS` in `dir`; panics with its output unless it succeeds.
fn npm(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("npm")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("npm must be installed to test app/ (`npm {args:?}`): {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "`npm {}` failed:\n{text}",
        args.join(" ")
    );
    text
}

/// The node server, killed on drop.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A response: status code, headers (lower-case names) and body.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// GET over HTTP/1.0 (the server closes the connection after the body).
fn get(port: u16, path: &str) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut raw = String::new();
    stream.read_to_string(&mut raw)?;
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    Ok(Response {
        status,
        headers,
        body: body.to_string(),
    })
}

/// The value of `key = "..."` in the [config] of a stack file.
fn stack_config(stack: &str, key: &str) -> String {
    let text = std::fs::read_to_string(repo().join("stacks").join(stack)).expect("the stack file");
    text.lines()
        .find_map(|l| {
            l.strip_prefix(key)
                .and_then(|r| r.trim_start().strip_prefix('='))
        })
        .map(|v| v.trim().trim_matches('"').to_string())
        .unwrap_or_else(|| panic!("{key} not in {stack}"))
}

#[test]
fn the_app_tests_builds_and_serves_health_and_the_page() {
    let dir = tempfile::Builder::new()
        .prefix("skistack-app-")
        .tempdir()
        .expect("a temp dir");
    let app = dir.path();
    app_copy(app);

    npm(app, &["ci", "--no-audit", "--no-fund"]);
    npm(app, &["test"]);
    npm(app, &["run", "build"]);
    let page = std::fs::read_to_string(app.join("dist/index.html")).expect("dist/index.html");
    assert!(page.contains(r#"<script src="main.js">"#), "{page}");
    assert!(app.join("dist/main.js").is_file(), "dist/main.js");

    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new("node")
        .arg("server.js")
        .current_dir(app)
        .env("PORT", port.to_string())
        .env("HOST", "127.0.0.1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("node must be installed to run app/server.js");
    let _server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    let health = loop {
        match get(port, "/health") {
            Ok(r) => break r,
            Err(e) if Instant::now() > deadline => panic!("the server never answered: {e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    };
    assert_eq!(health.status, 200, "{}", health.body);
    assert_eq!(health.body, r#"{"status":"ok"}"#);

    let index = get(port, "/").expect("GET /");
    assert_eq!(index.status, 200);
    assert_eq!(
        index.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(index.body, page, "/ serves the built page");
    let script = get(port, "/main.js").expect("GET /main.js");
    assert_eq!(script.status, 200);
    assert_eq!(
        script.body,
        std::fs::read_to_string(app.join("dist/main.js")).expect("dist/main.js")
    );
    assert_eq!(get(port, "/missing").expect("GET /missing").status, 404);

    // The load balancer's health check of environments must pass too.
    let checked = stack_config("environments.toml", "health_check_path");
    assert_eq!(
        get(port, &checked).expect("GET the checked path").status,
        200,
        "{checked}"
    );
}
