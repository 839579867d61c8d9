//! The S3 half of the `s3://BUCKET/PREFIX` state backend: whole objects
//! under one prefix, read, listed, and written or deleted only under a
//! condition (`If-None-Match: *`, `If-Match: ETAG`).
//!
//! Why it is safe: a write whose condition fails is answered as such
//! (`None`/`false`), never retried as an unconditional one, so the state
//! above can tell a lost race from a write. The callers are synchronous
//! (the state store) and may run on the CLI's runtime threads, so requests
//! run on a runtime of this type's own, and the caller waits on a channel,
//! which blocks no runtime. Independent callers' requests run at once.

use std::sync::mpsc;

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::BucketVersioningStatus;
use skistack_engine::ProviderError;

use crate::errors::http_status;
use crate::{AwsOptions, Shared};

/// The statuses S3 answers a failed condition with: 412, and 409 when
/// another conditional write of the same name is in progress.
const CONDITION_FAILED: [u16; 2] = [412, 409];

/// A bucket and prefix, as `s3://BUCKET/PREFIX[?region=R]` names them.
pub struct S3Bucket {
    bucket: String,
    /// Empty, or ending in `/`.
    prefix: String,
    url: String,
    client: aws_sdk_s3::Client,
    runtime: OwnRuntime,
}

/// A runtime that may be dropped anywhere: dropping a runtime waits for
/// its tasks, which is refused inside another runtime (the CLI's), so it
/// is shut down in the background; nothing of ours is left in flight.
struct OwnRuntime(Option<tokio::runtime::Runtime>);

impl Drop for OwnRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

impl std::fmt::Debug for S3Bucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Bucket").field("url", &self.url).finish()
    }
}

impl S3Bucket {
    /// The bucket and prefix of `url`, reached as `options` say; the
    /// region is the URL's `?region=` or the standard chain's.
    pub fn new(url: &str, options: AwsOptions) -> Result<S3Bucket, ProviderError> {
        let (bucket, prefix, region) = parse_url(url)?;
        let runtime = OwnRuntime(Some(
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("skistack-s3")
                .enable_all()
                .build()
                .map_err(|e| {
                    ProviderError::Failed(format!("cannot start a runtime for S3: {e}"))
                })?,
        ));
        let endpoint = options.endpoint_url.is_some();
        let named = url.to_string();
        let config = run_on(&runtime.0, async move {
            if region.is_empty() && chain_region().await.is_none() {
                return Err(ProviderError::Invalid(format!(
                    "the state at {named} needs the bucket's region: add ?region=REGION to \
                     the URL, or set AWS_REGION"
                )));
            }
            Shared::new(options).load_config(&region).await
        })?;
        // Emulators serve buckets under the path, not as host names.
        let s3 = aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(endpoint)
            .build();
        Ok(S3Bucket {
            url: format!("s3://{bucket}/{prefix}"),
            bucket,
            prefix,
            client: aws_sdk_s3::Client::from_conf(s3),
            runtime,
        })
    }

    /// `s3://BUCKET/PREFIX/`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Runs `call` on this type's runtime and waits for it.
    fn run<T, F>(&self, call: F) -> Result<T, ProviderError>
    where
        T: Send + 'static,
        F: std::future::Future<Output = Result<T, ProviderError>> + Send + 'static,
    {
        run_on(&self.runtime.0, call)
    }

    fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// The object `name`'s bytes and entity tag; `None` when there is none.
    pub fn get(&self, name: &str) -> Result<Option<(Vec<u8>, String)>, ProviderError> {
        let (client, bucket, key) = (self.client.clone(), self.bucket.clone(), self.key(name));
        let what = format!("S3 GetObject {}", self.display(name));
        self.run(async move {
            let out = match client.get_object().bucket(bucket).key(key).send().await {
                Ok(out) => out,
                Err(e) if e.code() == Some("NoSuchKey") || http_status(&e) == Some(404) => {
                    return Ok(None);
                }
                Err(e) => return Err(s3_error(&what, e)),
            };
            let etag = out.e_tag.clone().unwrap_or_default();
            let body = out
                .body
                .collect()
                .await
                .map_err(|e| ProviderError::Failed(format!("{what}: reading the body: {e}")))?;
            Ok(Some((body.into_bytes().to_vec(), etag)))
        })
    }

    /// Writes `body` as `name` if no object has the name (`if_match`
    /// `None`) or if the object is the one tagged `if_match`; the new
    /// entity tag, or `None` when the condition did not hold.
    pub fn put(
        &self,
        name: &str,
        body: Vec<u8>,
        if_match: Option<&str>,
    ) -> Result<Option<String>, ProviderError> {
        let mut request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(self.key(name))
            .content_type("application/json")
            .body(ByteStream::from(body));
        request = match if_match {
            Some(etag) => request.if_match(etag),
            None => request.if_none_match("*"),
        };
        let what = format!("S3 PutObject {}", self.display(name));
        self.run(async move {
            match request.send().await {
                Ok(out) => Ok(Some(out.e_tag.unwrap_or_default())),
                Err(e) if failed_condition(&e) => Ok(None),
                Err(e) => Err(s3_error(&what, e)),
            }
        })
    }

    /// The names (without the prefix) that start with `prefix` and sort
    /// after `after`, every page of them.
    pub fn list(&self, prefix: &str, after: Option<&str>) -> Result<Vec<String>, ProviderError> {
        let (client, bucket) = (self.client.clone(), self.bucket.clone());
        let (full, start) = (self.key(prefix), after.map(|a| self.key(a)));
        let strip = self.prefix.len();
        let what = format!("S3 ListObjectsV2 {}", self.display(prefix));
        self.run(async move {
            let mut names = Vec::new();
            let mut token = None;
            loop {
                let out = client
                    .list_objects_v2()
                    .bucket(&bucket)
                    .prefix(&full)
                    .set_start_after(start.clone())
                    .set_continuation_token(token.take())
                    .send()
                    .await
                    .map_err(|e| s3_error(&what, e))?;
                names.extend(
                    (out.contents.unwrap_or_default().into_iter())
                        .filter_map(|o| o.key)
                        .filter_map(|k| k.get(strip..).map(str::to_string)),
                );
                match out.next_continuation_token {
                    Some(next) if out.is_truncated == Some(true) => token = Some(next),
                    _ => return Ok(names),
                }
            }
        })
    }

    /// Deletes `name` (only if tagged `if_match`, when given); `false`
    /// when that condition did not hold.
    pub fn delete(&self, name: &str, if_match: Option<&str>) -> Result<bool, ProviderError> {
        let request = (self.client.delete_object())
            .bucket(&self.bucket)
            .key(self.key(name))
            .set_if_match(if_match.map(str::to_string));
        let what = format!("S3 DeleteObject {}", self.display(name));
        // A missing object fails a condition, and is gone without one.
        let conditional = if_match.is_some();
        self.run(async move {
            match request.send().await {
                Ok(_) => Ok(true),
                Err(e) if failed_condition(&e) => Ok(false),
                Err(e) if e.code() == Some("NoSuchKey") => Ok(!conditional),
                Err(e) => Err(s3_error(&what, e)),
            }
        })
    }

    /// Whether the bucket keeps old versions of objects (`false` when
    /// versioning was never enabled or is suspended).
    pub fn versioned(&self) -> Result<bool, ProviderError> {
        let request = self.client.get_bucket_versioning().bucket(&self.bucket);
        let what = format!("S3 GetBucketVersioning s3://{}", self.bucket);
        self.run(async move {
            match request.send().await {
                Ok(out) => Ok(out.status == Some(BucketVersioningStatus::Enabled)),
                // A bucket never versioned answers an empty configuration;
                // moto 5.2 names its root element wrongly, which the SDK
                // cannot decode. Either way nothing says "Enabled".
                Err(e) if http_status(&e) == Some(200) => Ok(false),
                Err(e) => Err(s3_error(&what, e)),
            }
        })
    }

    fn display(&self, name: &str) -> String {
        format!("{}{name}", self.url)
    }
}

/// The region the standard chain (environment, profile) gives, if any.
async fn chain_region() -> Option<aws_types::region::Region> {
    aws_config::default_provider::region::DefaultRegionChain::builder()
        .build()
        .region()
        .await
}

/// Runs `call` on `runtime` and waits for it on a channel, which works
/// from inside another runtime too (`block_on` would panic there).
fn run_on<T, F>(runtime: &Option<tokio::runtime::Runtime>, call: F) -> Result<T, ProviderError>
where
    T: Send + 'static,
    F: std::future::Future<Output = Result<T, ProviderError>> + Send + 'static,
{
    let Some(runtime) = runtime else {
        return Err(ProviderError::Failed("the S3 client was shut down".into()));
    };
    let (tx, rx) = mpsc::sync_channel(1);
    runtime.spawn(async move {
        let _ = tx.send(call.await);
    });
    rx.recv()
        .map_err(|_| ProviderError::Failed("an S3 request's task ended unanswered".into()))?
}

/// `(bucket, prefix ending in / or empty, region or empty)` of an
/// `s3://BUCKET[/PREFIX][?region=R]` URL.
fn parse_url(url: &str) -> Result<(String, String, String), ProviderError> {
    let invalid = |why: &str| {
        ProviderError::Invalid(format!(
            "state URL `{url}`: {why}; write s3://BUCKET/PREFIX (optionally ?region=REGION)"
        ))
    };
    let rest = url
        .strip_prefix("s3://")
        .ok_or_else(|| invalid("not an s3:// URL"))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut region = String::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("region", r)) if !r.is_empty() => region = r.to_string(),
            _ => return Err(invalid(&format!("unknown option `{pair}`"))),
        }
    }
    let (bucket, prefix) = path.split_once('/').unwrap_or((path, ""));
    let valid = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.');
    if bucket.len() < 3 || bucket.len() > 63 || !bucket.chars().all(valid) {
        return Err(invalid(&format!(
            "`{bucket}` is not an S3 bucket name (3 to 63 lowercase letters, digits, `-`, `.`)"
        )));
    }
    let prefix = prefix.trim_matches('/');
    let prefix = if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}/")
    };
    Ok((bucket.to_string(), prefix, region))
}

fn failed_condition<E, R: 'static>(e: &SdkError<E, R>) -> bool {
    http_status(e).is_some_and(|s| CONDITION_FAILED.contains(&s))
}

/// An S3 error in words a user can act on.
fn s3_error<E, R>(what: &str, e: SdkError<E, R>) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    let hint = match (e.code(), http_status(&e)) {
        (Some("NoSuchBucket"), _) => {
            Some("the bucket does not exist: create it (with versioning) or correct the state URL")
        }
        (Some("AccessDenied"), _) | (_, Some(403)) => Some(
            "access denied: the AWS credentials in use may not use this bucket; grant \
             s3:GetObject, s3:PutObject, s3:DeleteObject and s3:ListBucket on it",
        ),
        _ => None,
    };
    match hint {
        Some(hint) => ProviderError::Invalid(format!("{what}: {hint}")),
        None => crate::errors::aws_error(what, e),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_url;

    #[test]
    fn urls_name_a_bucket_a_prefix_and_a_region() {
        let parse = |u: &str| parse_url(u).map_err(|e| e.to_string());
        assert_eq!(
            parse("s3://ceros-state/team/ski?region=eu-west-1"),
            Ok(("ceros-state".into(), "team/ski/".into(), "eu-west-1".into()))
        );
        assert_eq!(
            parse("s3://ceros-state"),
            Ok(("ceros-state".into(), String::new(), String::new()))
        );
        assert!(
            parse("s3://Bad_Bucket/x")
                .unwrap_err()
                .contains("not an S3 bucket name")
        );
        assert!(
            parse("s3://bucket/x?lease=3")
                .unwrap_err()
                .contains("unknown option `lease=3`")
        );
    }
}
