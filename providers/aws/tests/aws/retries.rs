//! How the provider's SDK clients behave when AWS answers badly, against a
//! small local stub of the EC2 and IAM query APIs (no moto needed): which
//! failures are retried, which calls are never replayed blindly, how retries
//! are counted, and the per-service limit on calls in flight.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::{ctx, metric};
use skistack_provider_aws::{AwsOptions, AwsProvider, StaticCredentials};

/// What the stub answers a request: given the action and how many requests
/// of that action came before, the status and EC2/IAM-style XML body, or
/// `None` to close the connection without answering.
type Script = dyn Fn(&str, usize) -> Option<(u16, String)> + Send + Sync;

/// Counts the stub keeps.
#[derive(Default)]
struct Seen {
    /// Requests per action.
    requests: BTreeMap<String, usize>,
    /// Per service (`ec2`, `iam`): in flight now and the most at once.
    in_flight: BTreeMap<String, (usize, usize)>,
}

/// A stub AWS endpoint on 127.0.0.1 answering from a script.
struct Stub {
    endpoint: String,
    seen: Arc<Mutex<Seen>>,
}

impl Stub {
    fn start(delay: Duration, script: Arc<Script>) -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Seen::default()));
        let shared = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (seen, script) = (Arc::clone(&shared), Arc::clone(&script));
                std::thread::spawn(move || serve(stream, delay, &seen, script.as_ref()));
            }
        });
        Stub { endpoint, seen }
    }

    fn requests(&self, action: &str) -> usize {
        let seen = self.seen.lock().unwrap();
        seen.requests.get(action).copied().unwrap_or(0)
    }

    fn max_in_flight(&self, service: &str) -> usize {
        let seen = self.seen.lock().unwrap();
        seen.in_flight.get(service).map_or(0, |(_, max)| *max)
    }
}

/// Serves one request on one connection, then closes it.
fn serve(stream: TcpStream, delay: Duration, seen: &Mutex<Seen>, script: &Script) {
    let mut reader = BufReader::new(&stream);
    let mut length = 0;
    let mut service = String::from("unknown");
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if let Some(scope) = line.split("Credential=").nth(1) {
            service = scope.split('/').nth(3).unwrap_or("unknown").to_string();
        }
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let body = String::from_utf8_lossy(&body);
    let action = body
        .split('&')
        .find_map(|kv| kv.strip_prefix("Action="))
        .unwrap_or("unknown")
        .to_string();
    let before = {
        let mut s = seen.lock().unwrap();
        let flight = s.in_flight.entry(service.clone()).or_insert((0, 0));
        flight.0 += 1;
        flight.1 = flight.1.max(flight.0);
        let n = s.requests.entry(action.clone()).or_insert(0);
        *n += 1;
        *n - 1
    };
    std::thread::sleep(delay);
    let answer = script(&action, before);
    // Out of flight before answering: the client's next call may follow at once.
    if let Some(flight) = seen.lock().unwrap().in_flight.get_mut(&service) {
        flight.0 -= 1;
    }
    let mut stream = stream;
    if let Some((status, xml)) = answer {
        let _ = write!(
            stream,
            "HTTP/1.1 {status} X\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}",
            xml.len()
        );
    }
    let _ = stream.flush();
}

fn provider(stub: &Stub, max_concurrency: Option<usize>) -> AwsProvider {
    AwsProvider::new(AwsOptions {
        endpoint_url: Some(stub.endpoint.clone()),
        static_credentials: Some(StaticCredentials {
            access_key_id: "testing".into(),
            secret_access_key: "testing".into(),
        }),
        max_concurrency,
        ..AwsOptions::default()
    })
}

fn ec2_error(code: &str) -> String {
    format!(
        "<Response><Errors><Error><Code>{code}</Code><Message>stub</Message></Error></Errors>\
         <RequestID>stub</RequestID></Response>"
    )
}

const EC2_NS: &str = "http://ec2.amazonaws.com/doc/2016-11-15/";

fn vpc_created() -> String {
    format!(
        "<CreateVpcResponse xmlns=\"{EC2_NS}\"><requestId>stub</requestId>\
         <vpc><vpcId>vpc-0123</vpcId><cidrBlock>10.0.0.0/16</cidrBlock></vpc></CreateVpcResponse>"
    )
}

fn no_vpcs() -> String {
    format!(
        "<DescribeVpcsResponse xmlns=\"{EC2_NS}\"><requestId>stub</requestId><vpcSet/></DescribeVpcsResponse>"
    )
}

#[tokio::test]
async fn a_create_that_may_have_run_is_not_replayed_but_a_read_is() {
    let script: Arc<Script> = Arc::new(|action, before| match action {
        // Every CreateVpc fails as if AWS had made the VPC and then failed.
        "CreateVpc" => Some((500, ec2_error("InternalError"))),
        // The first two reads lose their answer, the third succeeds.
        "DescribeVpcs" if before < 2 => None,
        "DescribeVpcs" => Some((200, no_vpcs())),
        _ => Some((400, ec2_error("InvalidAction"))),
    });
    let stub = Stub::start(Duration::ZERO, script);
    let provider = provider(&stub, None);
    let clients = provider.shared().clients(&ctx("s", "vpc")).await.unwrap();

    let err = clients
        .ec2
        .create_vpc()
        .cidr_block("10.0.0.0/16")
        .send()
        .await
        .expect_err("the stub fails every CreateVpc");
    let text = skistack_provider_aws::errors::aws_error("create VPC", err).to_string();
    assert_eq!(stub.requests("CreateVpc"), 1, "CreateVpc was replayed");
    assert!(text.contains("InternalError"), "{text}");
    assert!(text.contains("gave up after retrying"), "{text}");

    clients
        .ec2
        .describe_vpcs()
        .send()
        .await
        .expect("the third read succeeds");
    assert_eq!(stub.requests("DescribeVpcs"), 3);
    assert_eq!(metric(&provider, "retries.ec2"), 2);
    assert_eq!(metric(&provider, "retries"), 2);
    assert_eq!(metric(&provider, "calls.ec2"), 4);
}

#[tokio::test]
async fn a_throttled_create_is_retried_since_aws_did_not_run_it() {
    let script: Arc<Script> = Arc::new(|action, before| match action {
        "CreateVpc" if before < 2 => Some((503, ec2_error("RequestLimitExceeded"))),
        "CreateVpc" => Some((200, vpc_created())),
        _ => Some((400, ec2_error("InvalidAction"))),
    });
    let stub = Stub::start(Duration::ZERO, script);
    let provider = provider(&stub, None);
    let clients = provider.shared().clients(&ctx("s", "vpc")).await.unwrap();
    let out = clients
        .ec2
        .create_vpc()
        .cidr_block("10.0.0.0/16")
        .send()
        .await
        .expect("the third attempt succeeds");
    assert_eq!(out.vpc().and_then(|v| v.vpc_id()), Some("vpc-0123"));
    assert_eq!(stub.requests("CreateVpc"), 3);
    assert_eq!(metric(&provider, "retries.ec2"), 2);
}

#[tokio::test]
async fn calls_in_flight_are_limited_per_service() {
    let script: Arc<Script> = Arc::new(|action, _| match action {
        "DescribeVpcs" => Some((200, no_vpcs())),
        "ListRoles" => Some((
            200,
            "<ListRolesResponse><ListRolesResult><Roles/><IsTruncated>false</IsTruncated>\
             </ListRolesResult></ListRolesResponse>"
                .to_string(),
        )),
        _ => Some((400, ec2_error("InvalidAction"))),
    });
    let stub = Stub::start(Duration::from_millis(100), script);
    let provider = provider(&stub, Some(3));
    let clients = provider.shared().clients(&ctx("s", "vpc")).await.unwrap();
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let c = Arc::clone(&clients);
        calls.spawn(async move {
            c.ec2
                .describe_vpcs()
                .send()
                .await
                .map(drop)
                .map_err(|e| e.to_string())
        });
        let c = Arc::clone(&clients);
        calls.spawn(async move {
            c.iam
                .list_roles()
                .send()
                .await
                .map(drop)
                .map_err(|e| e.to_string())
        });
    }
    while let Some(done) = calls.join_next().await {
        done.unwrap().unwrap();
    }
    assert_eq!(stub.max_in_flight("ec2"), 3);
    assert_eq!(stub.max_in_flight("iam"), 3);
    assert_eq!(stub.requests("DescribeVpcs"), 12);
}
