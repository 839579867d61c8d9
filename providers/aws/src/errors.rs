//! Turning AWS SDK errors into provider errors.

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

/// Turns an SDK error into a provider error whose message names the action,
/// the AWS error code and AWS's message.
pub fn aws_error<E, R>(action: &str, err: SdkError<E, R>) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    match &err {
        SdkError::ServiceError(_) => {
            let code = err.code().unwrap_or("Unknown");
            let message = err.message().unwrap_or("no message");
            let text = format!("{action}: {code}: {message}");
            match classify_code(code) {
                ErrorKind::Invalid => ProviderError::Invalid(text),
                ErrorKind::NotFound => ProviderError::NotFound(text),
                ErrorKind::Transient => ProviderError::Transient(text),
                ErrorKind::Failed => ProviderError::Failed(text),
            }
        }
        // The SDK already retried these; they outlasted its retries.
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => {
            ProviderError::Transient(format!("{action}: {}", DisplayErrorContext(&err)))
        }
        SdkError::ConstructionFailure(_) => {
            ProviderError::Invalid(format!("{action}: {}", DisplayErrorContext(&err)))
        }
        _ => ProviderError::Failed(format!("{action}: {}", DisplayErrorContext(&err))),
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
    R: std::fmt::Debug,
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
    R: std::fmt::Debug,
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
