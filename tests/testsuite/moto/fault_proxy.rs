//! A fault-injecting HTTP proxy in front of moto, on 127.0.0.1.
//!
//! Each request is read whole, then either failed before it reaches moto
//! (a 503 throttling answer, a 500, or the connection closed without an
//! answer: always safe to retry, since moto never saw it), or forwarded.
//! A forwarded request whose action the test marks replay-safe may then
//! lose its answer: moto executed it, the client sees the connection close,
//! and the SDK's retry runs it a second time. Every answer closes the
//! connection, so one connection carries one request.
//!
//! The proxy counts what it did, and the most requests it had in flight
//! per AWS service (from the SigV4 credential scope), which is what the
//! client's per-service concurrency limit must bound.

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the proxy does to requests.
#[derive(Clone)]
pub struct Faults {
    /// The share of requests failed before they reach moto.
    pub before: f64,
    /// The share of forwarded replay-safe requests whose answer is lost.
    pub lost_answer: f64,
    /// Which actions (`DescribeVpcs`, `CreateCluster`) may lose their answer
    /// after moto executed them.
    pub replay_safe: fn(&str) -> bool,
    /// Actions whose faults before moto are always throttling: a 500 or a
    /// dropped connection looks to the client exactly like a lost answer.
    pub throttle_only: fn(&str) -> bool,
    /// A pause before forwarding, so that calls overlap as they would
    /// against AWS's latency.
    pub delay: Duration,
    /// Seeds the proxy's random choices.
    pub seed: u64,
}

impl Default for Faults {
    fn default() -> Faults {
        Faults {
            before: 0.0,
            lost_answer: 0.0,
            replay_safe: read_only,
            throttle_only: |_| false,
            delay: Duration::ZERO,
            seed: 1,
        }
    }
}

/// Actions that only read: a second execution changes nothing.
pub fn read_only(action: &str) -> bool {
    ["Describe", "List", "Get"]
        .iter()
        .any(|p| action.starts_with(p))
}

/// Kinds of faults, as counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    /// 503 with the service's throttling error code.
    Throttled,
    /// 500 with the service's internal error code.
    ServerError,
    /// The connection closed before moto saw the request.
    Dropped,
    /// The connection closed after moto executed the request.
    LostAnswer,
}

#[derive(Default)]
struct Stats {
    requests: AtomicU64,
    faults: Mutex<BTreeMap<Fault, u64>>,
    /// Actions whose answer was lost after moto executed them.
    lost: Mutex<BTreeMap<String, u64>>,
    /// Actions forwarded to moto.
    forwarded: Mutex<BTreeMap<String, u64>>,
    /// Per service: requests in flight now, and the most seen.
    in_flight: Mutex<BTreeMap<String, (usize, usize)>>,
    /// Requests that could not be read or forwarded, with the reason.
    errors: Mutex<Vec<String>>,
}

/// A running proxy; stops accepting when dropped.
pub struct FaultProxy {
    /// `http://127.0.0.1:PORT`, to use as the AWS endpoint.
    pub endpoint: String,
    faults: Arc<Mutex<Faults>>,
    stats: Arc<Stats>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl FaultProxy {
    /// A proxy in front of `upstream` (`http://127.0.0.1:PORT`).
    pub fn start(upstream: &str, faults: Faults) -> FaultProxy {
        let upstream = upstream
            .strip_prefix("http://")
            .unwrap_or(upstream)
            .trim_end_matches('/')
            .to_string();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let endpoint = format!(
            "http://{}",
            listener.local_addr().expect("the proxy's address")
        );
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let rng = Arc::new(Mutex::new(Rng(faults.seed.max(1))));
        let faults = Arc::new(Mutex::new(faults));
        let stats = Arc::new(Stats::default());
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let (stats, stop, current) =
                (Arc::clone(&stats), Arc::clone(&stop), Arc::clone(&faults));
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((client, _)) => {
                            let job = Job {
                                upstream: upstream.clone(),
                                faults: current.lock().unwrap().clone(),
                                stats: Arc::clone(&stats),
                                rng: Arc::clone(&rng),
                            };
                            std::thread::spawn(move || job.serve(client));
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(2));
                        }
                        Err(e) => stats.errors.lock().unwrap().push(format!("accept: {e}")),
                    }
                }
            })
        };
        FaultProxy {
            endpoint,
            faults,
            stats,
            stop,
            acceptor: Some(acceptor),
        }
    }

    /// Changes what the proxy does to the requests that arrive from now on.
    pub fn set_faults(&self, faults: Faults) {
        *self.faults.lock().unwrap() = faults;
    }

    /// Requests received.
    pub fn requests(&self) -> u64 {
        self.stats.requests.load(Ordering::Relaxed)
    }

    /// Faults injected, by kind.
    pub fn faults(&self) -> BTreeMap<Fault, u64> {
        self.stats.faults.lock().unwrap().clone()
    }

    /// All faults injected.
    pub fn fault_count(&self) -> u64 {
        self.faults().values().sum()
    }

    /// Actions whose answer was lost after moto executed them.
    pub fn lost_answers(&self) -> BTreeMap<String, u64> {
        self.stats.lost.lock().unwrap().clone()
    }

    /// Actions forwarded to moto, with how often.
    pub fn forwarded(&self) -> BTreeMap<String, u64> {
        self.stats.forwarded.lock().unwrap().clone()
    }

    /// The most requests in flight at once, per service.
    pub fn max_in_flight(&self) -> BTreeMap<String, usize> {
        self.stats
            .in_flight
            .lock()
            .unwrap()
            .iter()
            .map(|(s, (_, max))| (s.clone(), *max))
            .collect()
    }

    /// Forgets the most requests seen in flight, to measure anew.
    pub fn reset_max_in_flight(&self) {
        for (now, max) in self.stats.in_flight.lock().unwrap().values_mut() {
            *max = *now;
        }
    }

    /// Requests the proxy could not handle (it answers them with a 502).
    pub fn errors(&self) -> Vec<String> {
        self.stats.errors.lock().unwrap().clone()
    }

    /// One line of what happened, for test output.
    pub fn summary(&self) -> String {
        format!(
            "{} requests, faults {:?}, lost answers {:?}, max in flight {:?}",
            self.requests(),
            self.faults(),
            self.lost_answers(),
            self.max_in_flight()
        )
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.acceptor.take() {
            let _ = t.join();
        }
    }
}

/// A small xorshift generator: enough to spread faults, and seedable.
struct Rng(u64);

impl Rng {
    /// A number in [0, 1).
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// One request as read from the client.
struct Request {
    /// The request line and headers, without the blank line.
    head: Vec<String>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.iter().skip(1).find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// The signing name from `Credential=KEY/DATE/REGION/SERVICE/aws4_request`.
    fn service(&self) -> String {
        self.header("authorization")
            .and_then(|a| a.split("Credential=").nth(1))
            .and_then(|c| c.split('/').nth(3))
            .unwrap_or("unknown")
            .to_string()
    }

    /// The action: the part of `X-Amz-Target` after the dot (JSON
    /// protocols), or the `Action` form field (query protocols).
    fn action(&self) -> String {
        if let Some(target) = self.header("x-amz-target") {
            return target.rsplit('.').next().unwrap_or(target).to_string();
        }
        String::from_utf8_lossy(&self.body)
            .split('&')
            .find_map(|kv| kv.strip_prefix("Action="))
            .unwrap_or("unknown")
            .to_string()
    }

    fn is_json(&self) -> bool {
        self.header("x-amz-target").is_some()
    }

    /// The request with `Connection: close`, as bytes.
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for line in self.head.iter().filter(|l| !is_hop_header(l)) {
            out.extend_from_slice(line.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"Connection: close\r\n\r\n");
        out.extend_from_slice(&self.body);
        out
    }
}

fn is_hop_header(line: &str) -> bool {
    let name = line.split(':').next().unwrap_or("").trim();
    name.eq_ignore_ascii_case("connection") || name.eq_ignore_ascii_case("keep-alive")
}

/// Reads one request; `None` when the client closed first.
fn read_request(stream: &TcpStream) -> io::Result<Option<Request>> {
    let mut reader = BufReader::new(stream);
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        if line.is_empty() {
            break;
        }
        head.push(line);
    }
    let mut request = Request {
        head,
        body: Vec::new(),
    };
    if request
        .header("transfer-encoding")
        .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
    {
        return Err(io::Error::other("chunked request bodies are not supported"));
    }
    let length: usize = request
        .header("content-length")
        .map(|v| v.parse().map_err(io::Error::other))
        .transpose()?
        .unwrap_or(0);
    request.body.resize(length, 0);
    reader.read_exact(&mut request.body)?;
    Ok(Some(request))
}

/// What one connection's thread needs.
struct Job {
    upstream: String,
    faults: Faults,
    stats: Arc<Stats>,
    rng: Arc<Mutex<Rng>>,
}

impl Job {
    fn roll(&self) -> f64 {
        self.rng.lock().unwrap().next()
    }

    fn count(&self, fault: Fault) {
        *self.stats.faults.lock().unwrap().entry(fault).or_insert(0) += 1;
    }

    fn serve(self, mut client: TcpStream) {
        let _ = client.set_nonblocking(false);
        let request = match read_request(&client) {
            Ok(Some(r)) => r,
            Ok(None) => return,
            Err(e) => {
                self.stats
                    .errors
                    .lock()
                    .unwrap()
                    .push(format!("reading a request: {e}"));
                let _ = client.write_all(
                    b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
                return;
            }
        };
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let service = request.service();
        self.enter(&service);
        let answer = self.handle(&request, &service);
        // Out of flight before the client can see the answer, so that its
        // next request (made once this one's permit is free) never counts
        // while this one still does.
        self.leave(&service);
        if let Some(bytes) = answer {
            let _ = client.write_all(&bytes);
        }
        let _ = client.flush();
        let _ = client.shutdown(Shutdown::Both);
    }

    /// The bytes to answer with; `None` to close without an answer.
    fn handle(&self, request: &Request, service: &str) -> Option<Vec<u8>> {
        if self.roll() < self.faults.before {
            let roll = self.roll();
            let fault = if roll < 0.4 || (self.faults.throttle_only)(&request.action()) {
                Fault::Throttled
            } else if roll < 0.7 {
                Fault::ServerError
            } else {
                Fault::Dropped
            };
            self.count(fault);
            return match fault {
                Fault::Dropped | Fault::LostAnswer => None,
                _ => Some(error_answer(fault, request, service)),
            };
        }
        if !self.faults.delay.is_zero() {
            std::thread::sleep(self.faults.delay);
        }
        let answer = match self.forward(request) {
            Ok(bytes) => bytes,
            Err(e) => {
                self.stats
                    .errors
                    .lock()
                    .unwrap()
                    .push(format!("forwarding {}: {e}", request.action()));
                return Some(
                    b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_vec(),
                );
            }
        };
        let action = request.action();
        *self
            .stats
            .forwarded
            .lock()
            .unwrap()
            .entry(action.clone())
            .or_insert(0) += 1;
        if (self.faults.replay_safe)(&action) && self.roll() < self.faults.lost_answer {
            self.count(Fault::LostAnswer);
            *self.stats.lost.lock().unwrap().entry(action).or_insert(0) += 1;
            return None;
        }
        Some(answer)
    }

    /// Sends the request to moto and returns its answer, rewritten to close
    /// the connection.
    fn forward(&self, request: &Request) -> io::Result<Vec<u8>> {
        let mut upstream = TcpStream::connect(&self.upstream)?;
        upstream.set_read_timeout(Some(Duration::from_secs(120)))?;
        upstream.write_all(&request.to_bytes())?;
        let mut raw = Vec::new();
        upstream.read_to_end(&mut raw)?;
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or_else(|| io::Error::other("moto's answer has no end of headers"))?;
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut out = Vec::new();
        for line in head.split("\r\n").filter(|l| !is_hop_header(l)) {
            out.extend_from_slice(line.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"Connection: close\r\n\r\n");
        out.extend_from_slice(&raw[split + 4..]);
        Ok(out)
    }

    fn enter(&self, service: &str) {
        let mut flights = self.stats.in_flight.lock().unwrap();
        let (now, max) = flights.entry(service.to_string()).or_insert((0, 0));
        *now += 1;
        *max = (*max).max(*now);
    }

    fn leave(&self, service: &str) {
        if let Some((now, _)) = self.stats.in_flight.lock().unwrap().get_mut(service) {
            *now -= 1;
        }
    }
}

/// An error answer in the service's protocol: JSON for the services that
/// take `X-Amz-Target`, EC2's XML for EC2, the query protocol's otherwise.
fn error_answer(fault: Fault, request: &Request, service: &str) -> Vec<u8> {
    let (status, reason) = match fault {
        Fault::Throttled => (503, "Service Unavailable"),
        _ => (500, "Internal Server Error"),
    };
    let message = "injected by the skistack test proxy";
    let (content_type, code, body) = if request.is_json() {
        let code = match fault {
            Fault::Throttled => "ThrottlingException",
            _ => "InternalFailure",
        };
        (
            "application/x-amz-json-1.1",
            code,
            format!(r#"{{"__type":"{code}","message":"{message}"}}"#),
        )
    } else if service == "ec2" {
        let code = match fault {
            Fault::Throttled => "RequestLimitExceeded",
            _ => "InternalError",
        };
        (
            "text/xml",
            code,
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>{code}</Code>\
                 <Message>{message}</Message></Error></Errors><RequestID>proxy</RequestID></Response>"
            ),
        )
    } else {
        let (kind, code) = match fault {
            Fault::Throttled => ("Sender", "Throttling"),
            _ => ("Receiver", "InternalFailure"),
        };
        (
            "text/xml",
            code,
            format!(
                "<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message>\
                 </Error><RequestId>proxy</RequestId></ErrorResponse>"
            ),
        )
    };
    // JSON protocols may name the error in a header as well as the body.
    let error_type = if request.is_json() {
        format!("x-amzn-ErrorType: {code}\r\n")
    } else {
        String::new()
    };
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n{error_type}\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}
