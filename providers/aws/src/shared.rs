//! State shared by every AWS resource type: the options, one set of SDK
//! clients per region, the API-call and retry counters, and the per-service
//! limit on calls in flight.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_ec2::config::Credentials;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use skistack_engine::{CallContext, ProviderError};
use tokio::sync::{Mutex, OnceCell, Semaphore};

use crate::AwsOptions;
use crate::limits::{self, DEFAULT_MAX_CONCURRENCY};
use crate::replay::NoBlindReplay;

/// Attempts per API call, counting the first: the SDK's standard retry mode
/// backs off exponentially with jitter on throttling, 5xx and connection errors.
pub(crate) const MAX_ATTEMPTS: u32 = 8;
/// The longest pause between two attempts of one call.
const MAX_BACKOFF: Duration = Duration::from_secs(20);

/// The services the provider talks to, in the order metrics are reported.
pub const SERVICES: [&str; 9] = [
    "ec2",
    "ecs",
    "ecr",
    "iam",
    "autoscaling",
    "elbv2",
    "logs",
    "ssm",
    "sts",
];

/// One SDK client per service, all for one region.
#[derive(Clone, Debug)]
pub struct Clients {
    /// The region the clients talk to.
    pub region: String,
    pub ec2: aws_sdk_ec2::Client,
    pub ecs: aws_sdk_ecs::Client,
    pub ecr: aws_sdk_ecr::Client,
    pub iam: aws_sdk_iam::Client,
    pub autoscaling: aws_sdk_autoscaling::Client,
    pub elbv2: aws_sdk_elasticloadbalancingv2::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub ssm: aws_sdk_ssm::Client,
    pub sts: aws_sdk_sts::Client,
}

impl Clients {
    /// An ARN in the clients' region: `arn:<partition>:<service>:<region>:<account>:<resource>`.
    pub fn arn(&self, service: &str, account: &str, resource: &str) -> String {
        arn(&self.region, service, account, resource)
    }
}

/// What all resource types of the provider share.
#[derive(Debug)]
pub struct Shared {
    options: AwsOptions,
    /// Clients by region; the key "" holds those of the default region.
    /// A tokio mutex, held while a region's config loads, so that concurrent
    /// first calls load it once.
    clients: Mutex<HashMap<String, Arc<Clients>>>,
    /// Per service, in the order of [`SERVICES`].
    services: Vec<Service>,
    /// The account id, asked of STS once.
    account: OnceCell<String>,
}

impl Shared {
    /// Shared state for a provider built with `options`.
    pub fn new(options: AwsOptions) -> Shared {
        let limit = options
            .max_concurrency
            .unwrap_or(DEFAULT_MAX_CONCURRENCY)
            .max(1);
        Shared {
            options,
            clients: Mutex::new(HashMap::new()),
            services: SERVICES
                .iter()
                .map(|name| Service {
                    name,
                    calls: Arc::new(AtomicU64::new(0)),
                    retries: Arc::new(AtomicU64::new(0)),
                    permits: Arc::new(Semaphore::new(limit)),
                })
                .collect(),
            account: OnceCell::new(),
        }
    }

    /// The AWS account the credentials act for (for ARNs and registry
    /// URLs), from STS GetCallerIdentity on first use.
    pub async fn account(&self, clients: &Clients) -> Result<String, ProviderError> {
        self.account
            .get_or_try_init(|| async {
                let out = clients
                    .sts
                    .get_caller_identity()
                    .send()
                    .await
                    .map_err(|e| crate::errors::aws_error("get the caller's account", e))?;
                Ok(out.account().unwrap_or_default().to_string())
            })
            .await
            .cloned()
    }

    /// The options the provider was built with.
    pub fn options(&self) -> &AwsOptions {
        &self.options
    }

    /// The clients for the stack's region (`region` in its config, else the
    /// standard region chain), built on first use and cached.
    pub async fn clients(&self, ctx: &CallContext) -> Result<Arc<Clients>, ProviderError> {
        let region = match ctx.config.get("region") {
            None | Some(skistack_engine::Value::Null) => String::new(),
            Some(v) => v
                .as_str()
                .ok_or_else(|| {
                    ProviderError::Invalid(format!(
                        "config `region` must be a string, not {}",
                        v.kind()
                    ))
                })?
                .to_string(),
        };
        let mut cache = self.clients.lock().await;
        if let Some(c) = cache.get(&region) {
            return Ok(Arc::clone(c));
        }
        let sdk = self.load_config(&region).await?;
        let clients = Arc::new(self.build_clients(&sdk));
        cache.insert(region, Arc::clone(&clients));
        Ok(clients)
    }

    /// API calls (HTTP attempts) so far, per service, then the total as
    /// `calls`; then the retries among them (attempts after a call's first,
    /// after throttling, a 5xx answer or a dropped connection) the same way.
    pub fn call_counts(&self) -> Vec<(String, u64)> {
        let mut out = Vec::new();
        self.tally("calls", |s| &s.calls, &mut out);
        self.tally("retries", |s| &s.retries, &mut out);
        out
    }

    /// One counter per service as `KIND.SERVICE`, then their sum as `KIND`.
    fn tally(
        &self,
        kind: &str,
        counter: impl Fn(&Service) -> &AtomicU64,
        out: &mut Vec<(String, u64)>,
    ) {
        let mut total = 0;
        for s in &self.services {
            let n = counter(s).load(Ordering::Relaxed);
            total += n;
            out.push((format!("{kind}.{}", s.name), n));
        }
        out.push((kind.to_string(), total));
    }

    /// The most API calls each service has in flight at once.
    pub fn max_concurrency(&self) -> usize {
        self.options
            .max_concurrency
            .unwrap_or(DEFAULT_MAX_CONCURRENCY)
            .max(1)
    }

    /// The SDK config for `region` (empty: the standard chain's), with the
    /// provider's endpoint, credentials and retry policy.
    pub(crate) async fn load_config(&self, region: &str) -> Result<SdkConfig, ProviderError> {
        let retry = RetryConfig::standard()
            .with_max_attempts(MAX_ATTEMPTS)
            .with_max_backoff(MAX_BACKOFF);
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).retry_config(retry);
        if !region.is_empty() {
            loader = loader.region(Region::new(region.to_string()));
        }
        if let Some(url) = &self.options.endpoint_url {
            loader = loader.endpoint_url(url.clone());
        }
        if let Some(keys) = &self.options.static_credentials {
            loader = loader.credentials_provider(Credentials::new(
                keys.access_key_id.clone(),
                keys.secret_access_key.clone(),
                None,
                None,
                "skistack-static",
            ));
        }
        let sdk = loader.load().await;
        if sdk.region().is_none() {
            return Err(ProviderError::Invalid(
                "no AWS region: set `region` in the stack's config or AWS_REGION".to_string(),
            ));
        }
        Ok(sdk)
    }

    fn service(&self, name: &'static str) -> Service {
        self.services
            .iter()
            .find(|s| s.name == name)
            .cloned()
            // Every service is in SERVICES; an unknown one still counts and
            // is limited, with state of its own that metrics don't list.
            .unwrap_or_else(|| Service {
                name,
                calls: Arc::default(),
                retries: Arc::default(),
                permits: Arc::new(Semaphore::new(self.max_concurrency())),
            })
    }

    fn counter(&self, service: &'static str) -> CallCounter {
        let s = self.service(service);
        CallCounter {
            calls: s.calls,
            retries: s.retries,
        }
    }

    /// `http` limited to the service's calls in flight.
    fn http_client(&self, http: &SharedHttpClient, service: &'static str) -> SharedHttpClient {
        limits::limited(http.clone(), self.service(service).permits)
    }

    fn build_clients(&self, sdk: &SdkConfig) -> Clients {
        // One client (and connection pool) for every service of the region.
        let http = sdk
            .http_client()
            .unwrap_or_else(limits::default_http_client);
        // Each client counts its calls, never replays a call that may have
        // made a resource, and shares the service's limit on calls in flight.
        // Its retries are bounded per call (attempts, backoff) and by that
        // limit, not by the SDK's shared retry quota: the quota loses tokens
        // for good whenever a retried call ends in an error, such as every
        // DependencyViolation a delete waits out, so one long run against a
        // flaky endpoint would stop retrying anything at all.
        macro_rules! client {
            ($sdk:ident, $name:literal) => {{
                use $sdk::config::retry::{RetryPartition, TokenBucket};
                let partition = RetryPartition::custom(concat!("skistack-", $name))
                    .token_bucket(TokenBucket::unlimited())
                    .build();
                $sdk::Client::from_conf(
                    $sdk::config::Builder::from(sdk)
                        .interceptor(self.counter($name))
                        .interceptor(NoBlindReplay)
                        .http_client(self.http_client(&http, $name))
                        .retry_partition(partition)
                        .build(),
                )
            }};
        }
        Clients {
            region: sdk.region().map(|r| r.to_string()).unwrap_or_default(),
            ec2: client!(aws_sdk_ec2, "ec2"),
            ecs: client!(aws_sdk_ecs, "ecs"),
            ecr: client!(aws_sdk_ecr, "ecr"),
            iam: client!(aws_sdk_iam, "iam"),
            autoscaling: client!(aws_sdk_autoscaling, "autoscaling"),
            elbv2: client!(aws_sdk_elasticloadbalancingv2, "elbv2"),
            logs: client!(aws_sdk_cloudwatchlogs, "logs"),
            ssm: client!(aws_sdk_ssm, "ssm"),
            sts: client!(aws_sdk_sts, "sts"),
        }
    }
}

/// An ARN: `arn:<partition>:<service>:<region>:<account>:<resource>`, the
/// partition following from the region.
pub fn arn(region: &str, service: &str, account: &str, resource: &str) -> String {
    format!(
        "arn:{}:{service}:{region}:{account}:{resource}",
        partition(region)
    )
}

/// The AWS partition a region belongs to.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else {
        "aws"
    }
}

/// The counters and the limit of one service, shared by its clients in
/// every region.
#[derive(Clone, Debug)]
struct Service {
    name: &'static str,
    calls: Arc<AtomicU64>,
    retries: Arc<AtomicU64>,
    /// Calls in flight (see [`crate::limits`]).
    permits: Arc<Semaphore>,
}

/// An SDK interceptor that counts every HTTP attempt of one service's client,
/// retries included, since each counts against the account's rate limits.
#[derive(Debug)]
struct CallCounter {
    calls: Arc<AtomicU64>,
    /// Attempts after the first of a call: the SDK's retries.
    retries: Arc<AtomicU64>,
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "skistack-call-counter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        if cfg
            .load::<RequestAttempts>()
            .is_some_and(|a| a.attempts() > 1)
        {
            self.retries.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }
}
