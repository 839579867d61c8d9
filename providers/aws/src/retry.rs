//! Retrying around AWS's eventual consistency, and waiting for asynchronous
//! resources. Both try at once first: a local emulator answers immediately,
//! real AWS often needs the backoff.

use std::future::Future;
use std::time::{Duration, Instant};

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use rand::Rng;
use skistack_engine::ProviderError;

use crate::errors::During;

/// How long an eventually-consistent error is retried before it is reported.
pub const EVENTUAL_LIMIT: Duration = Duration::from_secs(120);
/// First pause of [`retry_eventual`].
const EVENTUAL_FIRST: Duration = Duration::from_millis(500);
/// Longest pause of [`retry_eventual`].
const EVENTUAL_MAX: Duration = Duration::from_secs(10);
/// First pause of [`wait_until`].
const WAIT_FIRST: Duration = Duration::from_secs(1);
/// Longest pause of [`wait_until`].
const WAIT_MAX: Duration = Duration::from_secs(15);

/// Calls `f` until it succeeds or fails with an error code not in `codes`
/// (errors of eventual consistency such as a fresh IAM instance profile not
/// yet visible to EC2), backing off exponentially with jitter for up to
/// [`EVENTUAL_LIMIT`]. The last error is reported as `aws_error(what, ..)`.
pub async fn retry_eventual<T, F, Fut, E, R>(
    what: &str,
    codes: &[&str],
    f: F,
) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, R>>>,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    retry_eventual_for(what, codes, EVENTUAL_LIMIT, f).await
}

/// [`retry_eventual`] with a limit of its own.
pub async fn retry_eventual_for<T, F, Fut, E, R>(
    what: &str,
    codes: &[&str],
    limit: Duration,
    f: F,
) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, R>>>,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    retry_codes(codes, limit, f).await.during(what)
}

/// Like [`retry_eventual_for`] but returns the SDK's last error as is, for
/// callers that treat some other codes as success (a detach of a gateway
/// that is no longer attached, say).
pub async fn retry_codes<T, F, Fut, E, R>(
    codes: &[&str],
    limit: Duration,
    mut f: F,
) -> Result<T, SdkError<E, R>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, R>>>,
    E: ProvideErrorMetadata,
{
    let start = Instant::now();
    let mut pause = EVENTUAL_FIRST;
    loop {
        match f().await {
            Ok(v) => return Ok(v),
            Err(err) => {
                let retryable = err.code().is_some_and(|c| codes.contains(&c));
                if !retryable || start.elapsed() + pause > limit {
                    return Err(err);
                }
            }
        }
        tokio::time::sleep(jitter(pause)).await;
        pause = next_pause(pause, EVENTUAL_MAX);
    }
}

/// Polls `f` until it returns true, first at once and then with pauses that
/// grow from 1 s to 15 s, failing with [`ProviderError::Timeout`] after
/// `timeout`. An error from `f` ends the wait.
pub async fn wait_until<F, Fut>(
    what: &str,
    timeout: Duration,
    mut f: F,
) -> Result<(), ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<bool, ProviderError>>,
{
    let start = Instant::now();
    let mut pause = WAIT_FIRST;
    loop {
        if f().await? {
            return Ok(());
        }
        let elapsed = start.elapsed();
        if elapsed >= timeout {
            return Err(ProviderError::Timeout(timeout, what.to_string()));
        }
        // Never sleep past the deadline; one last poll happens at it.
        let sleep = jitter(pause).min(timeout - elapsed);
        tokio::time::sleep(sleep).await;
        pause = next_pause(pause, WAIT_MAX);
    }
}

/// The pause after `pause`: twice as long, up to `max`.
fn next_pause(pause: Duration, max: Duration) -> Duration {
    (pause * 2).min(max)
}

/// A pause between 75% and 100% of `d`, so that many waiters spread out.
fn jitter(d: Duration) -> Duration {
    let factor = rand::rng().random_range(0.75..=1.0);
    d.mul_f64(factor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[tokio::test]
    async fn wait_until_polls_at_once_then_backs_off() {
        let polls = Cell::new(0);
        wait_until("ready", Duration::from_secs(60), || {
            polls.set(polls.get() + 1);
            let n = polls.get();
            async move { Ok(n >= 3) }
        })
        .await
        .expect("becomes ready");
        // Two pauses between the three polls, of about 1 s and 2 s (jittered
        // down by at most 25%): the schedule below, checked without a clock.
        assert_eq!(polls.get(), 3);
        assert_eq!(next_pause(WAIT_FIRST, WAIT_MAX), Duration::from_secs(2));
        assert_eq!(next_pause(Duration::from_secs(8), WAIT_MAX), WAIT_MAX);
    }

    #[tokio::test]
    async fn wait_until_times_out_at_the_deadline() {
        let polls = Cell::new(0);
        let err = wait_until("never", Duration::from_millis(1500), || {
            polls.set(polls.get() + 1);
            async { Ok(false) }
        })
        .await
        .expect_err("times out");
        assert!(
            matches!(err, ProviderError::Timeout(d, ref w) if d == Duration::from_millis(1500) && w == "never"),
            "{err:?}"
        );
        // At once, after a pause of about 1 s, and a last time at the
        // deadline (the pause is cut to it): never a poll past it.
        assert!((2..=3).contains(&polls.get()), "{} polls", polls.get());
    }

    #[tokio::test]
    async fn wait_until_stops_on_an_error() {
        let err = wait_until("broken", Duration::from_secs(60), || async {
            Err(ProviderError::Failed("boom".into()))
        })
        .await
        .expect_err("fails");
        assert!(matches!(err, ProviderError::Failed(ref m) if m == "boom"));
    }

    #[test]
    fn jitter_stays_within_a_quarter_below() {
        for _ in 0..100 {
            let j = jitter(Duration::from_secs(4));
            assert!(
                j >= Duration::from_secs(3) && j <= Duration::from_secs(4),
                "{j:?}"
            );
        }
    }
}
