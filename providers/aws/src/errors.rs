//! Turning AWS SDK errors into provider errors.

use std::any::Any;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use skistack_engine::ProviderError;

/// Error codes that mean the request itself is wrong.
const INVALID_CODES: &[&str] = &[
    "ValidationError",
    "ValidationException",
    "InvalidParameter",
    "InvalidParameterValue",
    "InvalidParameterValueException",
    "InvalidParameterCombination",
    "InvalidParameterException",
    "InvalidInput",
    "InvalidRequest",
    "InvalidRequestException",
    "MissingParameter",
    "MalformedPolicyDocument",
    "InvalidAMIID.Malformed",
    "InvalidSubnet.Conflict",
    "InvalidSubnet.Range",
    "InvalidVpc.Range",
    "InvalidKeyPair.Format",
];

/// Error codes of throttling and server-side trouble, worth retrying later.
const TRANSIENT_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "SlowDown",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "Unavailable",
    "InternalError",
    "InternalFailure",
    "InternalServiceError",
    "ServerException",
];

/// How an AWS error code is classified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    Invalid,
    NotFound,
    Transient,
    Failed,
}

/// Classifies an AWS error code.
pub fn classify_code(code: &str) -> ErrorKind {
    if is_not_found_code(code) {
        ErrorKind::NotFound
    } else if TRANSIENT_CODES.contains(&code) {
        ErrorKind::Transient
    } else if INVALID_CODES.contains(&code) || code.ends_with(".Malformed") {
        ErrorKind::Invalid
    } else {
        ErrorKind::Failed
    }
}

/// True for the codes AWS uses for a missing resource: `InvalidVpcID.NotFound`,
/// `NoSuchEntity`, `ResourceNotFoundException`, `RepositoryNotFoundException`...
pub fn is_not_found_code(code: &str) -> bool {
    code.contains("NotFound") || code.starts_with("NoSuch")
}

/// The AWS error code of a service error; `None` for transport failures.
pub fn error_code<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> Option<&str> {
    err.code()
}

/// True when the error is a service error whose code says the resource is gone.
pub fn is_not_found<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    error_code(err).is_some_and(is_not_found_code)
}

/// What a transient error's message adds: the SDK's standard retry mode
/// (see [`crate::shared`]) has already retried it, and gave up.
fn retried() -> String {
    format!(
        "transient: the SDK retries throttling, 5xx answers and dropped connections with \
         exponential backoff and jitter, up to {} attempts (a create AWS can't make idempotent \
         is not retried once it may have run)",
        crate::shared::MAX_ATTEMPTS
    )
}

/// The HTTP status of the answer an error came with, if any.
/// The HTTP status of the response an SDK error came with, if any.
pub(crate) fn http_status<E, R: 'static>(err: &SdkError<E, R>) -> Option<u16> {
    let raw: &dyn Any = err.raw_response()?;
    raw.downcast_ref::<HttpResponse>()
        .map(|r| r.status().as_u16())
}

/// True for the statuses of throttling and server trouble, whatever the
/// body says (a load balancer's 502 page carries no AWS error code).
fn transient_status(status: Option<u16>) -> bool {
    status.is_some_and(|s| s == 429 || s >= 500)
}

/// Turns an SDK error into a provider error whose message names the action,
/// the AWS error code and AWS's message. Throttling, 5xx answers, timeouts
/// and dropped connections become [`ProviderError::Transient`], saying that
/// they outlasted the SDK's retries.
pub fn aws_error<E, R>(action: &str, err: SdkError<E, R>) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    let status = http_status(&err);
    match &err {
        SdkError::ServiceError(_) => {
            let code = err.code().unwrap_or("Unknown");
            let message = err.message().unwrap_or("no message");
            let text = format!("{action}: {code}: {message}");
            match classify_code(code) {
                ErrorKind::Invalid => ProviderError::Invalid(text),
                ErrorKind::NotFound => ProviderError::NotFound(text),
                ErrorKind::Transient => ProviderError::Transient(format!("{text} [{}]", retried())),
                ErrorKind::Failed if transient_status(status) => ProviderError::Transient(format!(
                    "{text} (HTTP {}) [{}]",
                    status.unwrap_or_default(),
                    retried()
                )),
                ErrorKind::Failed => ProviderError::Failed(text),
            }
        }
        // Without credentials nothing can work: say what to set, not the
        // whole chain of SDK errors.
        SdkError::DispatchFailure(_) if missing_credentials(&err) => {
            ProviderError::Invalid(format!(
                "{action}: no AWS credentials could be loaded; set AWS_ACCESS_KEY_ID and \
             AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (or run `aws sso login`); to use a local \
             emulator instead, set AWS_ENDPOINT_URL (see the README's quick start)"
            ))
        }
        // The SDK already retried these; they outlasted its retries.
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => ProviderError::Transient(
            format!("{action}: {} [{}]", DisplayErrorContext(&err), retried()),
        ),
        SdkError::ResponseError(_) if transient_status(status) => ProviderError::Transient(
            format!("{action}: {} [{}]", DisplayErrorContext(&err), retried()),
        ),
        SdkError::ConstructionFailure(_) => {
            ProviderError::Invalid(format!("{action}: {}", DisplayErrorContext(&err)))
        }
        _ => ProviderError::Failed(format!("{action}: {}", DisplayErrorContext(&err))),
    }
}

/// True when a dispatch failed because no credentials could be loaded.
fn missing_credentials<E, R>(err: &SdkError<E, R>) -> bool
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if e.to_string().contains("loading credentials")
            || e.to_string().contains("no providers in chain")
        {
            return true;
        }
        source = e.source();
    }
    false
}

/// The result of an SDK call with its error turned into a provider error
/// by [`aws_error`], which names `action`: one spelling for every call.
pub trait During<T> {
    /// The value, or the error of `action`.
    fn during(self, action: &str) -> Result<T, ProviderError>;
}

impl<T, E, R> During<T> for Result<T, SdkError<E, R>>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    fn during(self, action: &str) -> Result<T, ProviderError> {
        self.map_err(|e| aws_error(action, e))
    }
}

/// Something a response must hold, as a failure naming what was missing
/// when it does not (AWS answered, but not as documented).
pub trait OrFailed<T> {
    /// The value, or [`ProviderError::Failed`] with `message`.
    fn or_failed(self, message: &str) -> Result<T, ProviderError>;
}

impl<T> OrFailed<T> for Option<T> {
    fn or_failed(self, message: &str) -> Result<T, ProviderError> {
        self.ok_or_else(|| ProviderError::Failed(message.to_string()))
    }
}

/// The result of a call on one resource, with "not found" turned into `None`
/// (for reads of a resource that may be gone).
pub fn found<T, E, R>(
    action: &str,
    res: Result<T, SdkError<E, R>>,
) -> Result<Option<T>, ProviderError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    match res {
        Ok(v) => Ok(Some(v)),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(aws_error(action, e)),
    }
}

/// The result of a delete, with "not found" counted as success: deleting a
/// resource that is already gone succeeds.
pub fn gone_ok<T, E, R>(action: &str, res: Result<T, SdkError<E, R>>) -> Result<(), ProviderError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    found(action, res).map(|_| ())
}

/// Like [`gone_ok`] for a [`ProviderError`] (from [`crate::retry::retry_eventual`]).
pub fn gone_ok_provider(res: Result<(), ProviderError>) -> Result<(), ProviderError> {
    match res {
        Err(ProviderError::NotFound(_)) => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::operation::describe_vpcs::DescribeVpcsError;
    use aws_smithy_runtime_api::client::result::ConnectorError;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    type Sdk = SdkError<DescribeVpcsError, HttpResponse>;

    fn answer(status: u16) -> HttpResponse {
        HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::empty())
    }

    fn service(code: Option<&str>, status: u16) -> Sdk {
        let mut meta = ErrorMetadata::builder().message("it went wrong");
        if let Some(code) = code {
            meta = meta.code(code);
        }
        SdkError::service_error(DescribeVpcsError::generic(meta.build()), answer(status))
    }

    #[test]
    fn throttling_5xx_and_dropped_connections_are_transient_and_say_they_were_retried() {
        let cases: Vec<(&str, Sdk)> = vec![
            ("throttled", service(Some("RequestLimitExceeded"), 503)),
            ("a 500 without a known code", service(Some("Weird"), 500)),
            ("a 502 without a code", service(None, 502)),
            ("a 429", service(Some("TooMany"), 429)),
            (
                "a dropped connection",
                Sdk::dispatch_failure(ConnectorError::io("connection reset".into())),
            ),
            ("a timeout", Sdk::timeout_error("read timed out")),
            (
                "an unparseable 503",
                Sdk::response_error("not XML", answer(503)),
            ),
        ];
        for (what, err) in cases {
            match aws_error("describe VPCs", err) {
                ProviderError::Transient(text) => {
                    assert!(text.starts_with("describe VPCs: "), "{what}: {text}");
                    assert!(text.contains("up to 8 attempts"), "{what}: {text}");
                }
                other => panic!("{what}: {other:?}"),
            }
        }
    }

    #[test]
    fn client_errors_are_not_transient() {
        assert!(matches!(
            aws_error("describe VPCs", service(Some("InvalidVpcID.NotFound"), 400)),
            ProviderError::NotFound(_)
        ));
        assert!(matches!(
            aws_error("describe VPCs", service(Some("DependencyViolation"), 400)),
            ProviderError::Failed(_)
        ));
        assert!(matches!(
            aws_error("describe VPCs", service(Some("InvalidParameterValue"), 400)),
            ProviderError::Invalid(_)
        ));
        assert!(matches!(
            aws_error("describe VPCs", Sdk::response_error("not XML", answer(200))),
            ProviderError::Failed(_)
        ));
    }

    #[test]
    fn codes_are_classified() {
        assert_eq!(classify_code("InvalidVpcID.NotFound"), ErrorKind::NotFound);
        assert_eq!(classify_code("NoSuchEntity"), ErrorKind::NotFound);
        assert_eq!(
            classify_code("ResourceNotFoundException"),
            ErrorKind::NotFound
        );
        assert_eq!(classify_code("RequestLimitExceeded"), ErrorKind::Transient);
        assert_eq!(classify_code("InvalidParameterValue"), ErrorKind::Invalid);
        assert_eq!(classify_code("InvalidAMIID.Malformed"), ErrorKind::Invalid);
        assert_eq!(classify_code("DependencyViolation"), ErrorKind::Failed);
        assert_eq!(
            classify_code("InvalidPermission.Duplicate"),
            ErrorKind::Failed
        );
    }
}
