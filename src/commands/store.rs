//! Where the state lives and opening it: a SQLite file (a path, the
//! default `.skistack/state.db`), or an S3 bucket and prefix
//! (`s3://BUCKET/PREFIX`) that machines share.
//!
//! Why it is safe: the location is decided once, from `--state`,
//! `SKISTACK_STATE` or the project file, before anything is opened, and a
//! location that is not a skistack state is refused with nothing written.
//! An S3 bucket that keeps no old versions still works, with a warning:
//! versioning is what lets a team undo a bad write by hand.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use skistack_engine::{ProviderError, StateStore};
use skistack_provider_aws::{AwsOptions, S3Bucket};
use skistack_state::{
    KeyWrapper, Object, ObjectError, ObjectStateStore, ObjectStore, Precondition, Put, SqliteStore,
};

use super::Exit;
use crate::cli::Global;

/// How long a lock in a shared state lives without a heartbeat, unless
/// `SKISTACK_LOCK_LEASE` says otherwise.
const DEFAULT_LEASE: Duration = Duration::from_secs(60);

/// Where the state lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file.
    File(PathBuf),
    /// An S3 bucket and prefix, as its `s3://` URL.
    S3(String),
}

impl Location {
    /// The location `text` names: an `s3://` URL, a `file://` URL or a path.
    pub fn parse(text: &str) -> Location {
        if text.starts_with("s3://") {
            return Location::S3(text.to_string());
        }
        Location::File(PathBuf::from(text.strip_prefix("file://").unwrap_or(text)))
    }

    /// The run's location: `--state`/`SKISTACK_STATE`/the project file, or
    /// `.skistack/state.db` beside the stacks directory.
    pub fn of(global: &Global) -> Location {
        if let Some(text) = &global.state {
            return Location::parse(text);
        }
        let parent = global
            .stacks_dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), PathBuf::from);
        Location::File(parent.join(".skistack").join("state.db"))
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::File(path) => write!(f, "{}", path.display()),
            Location::S3(url) => f.write_str(url),
        }
    }
}

/// An opened state, of either kind.
pub enum Store {
    Sqlite(SqliteStore),
    Objects(ObjectStateStore),
}

impl Store {
    /// Opens the state at `at` with `secrets` wrapping its data keys.
    pub fn open(
        global: &Global,
        at: &Location,
        secrets: Arc<dyn KeyWrapper>,
    ) -> Result<Store, Exit> {
        let failed = |e: skistack_engine::StateError| Exit::Failed(e.to_string());
        match at {
            Location::File(path) => SqliteStore::open(path, secrets)
                .map(Store::Sqlite)
                .map_err(failed),
            Location::S3(url) => {
                let bucket = S3Bucket::new(url, aws_options(global)).map_err(provider_failed)?;
                if !bucket.versioned().map_err(provider_failed)? {
                    eprintln!(
                        "warning: bucket of {url} keeps no old versions of objects; enable \
                         versioning so that a bad write to the state can be undone"
                    );
                }
                let objects: Arc<dyn ObjectStore> = Arc::new(S3Objects(bucket));
                ObjectStateStore::open(objects, secrets, lease()?)
                    .map(Store::Objects)
                    .map_err(failed)
            }
        }
    }

    /// The store as the engine uses it.
    pub fn into_engine(self) -> Arc<dyn StateStore> {
        match self {
            Store::Sqlite(s) => Arc::new(s),
            Store::Objects(s) => Arc::new(s),
        }
    }

    /// Re-wraps every stack's data key with `to`; how many changed.
    pub fn change_secrets_provider(&self, to: &dyn KeyWrapper) -> Result<usize, Exit> {
        match self {
            Store::Sqlite(s) => s.change_secrets_provider(to),
            Store::Objects(s) => s.change_secrets_provider(to),
        }
        .map_err(|e| Exit::Failed(e.to_string()))
    }
}

fn aws_options(global: &Global) -> AwsOptions {
    AwsOptions {
        endpoint_url: global.endpoint_url.clone(),
        ..AwsOptions::default()
    }
}

fn provider_failed(e: ProviderError) -> Exit {
    Exit::Failed(format!("the S3 state: {e}"))
}

/// The lease of this run's locks in a shared state.
fn lease() -> Result<Duration, Exit> {
    let Ok(text) = std::env::var("SKISTACK_LOCK_LEASE") else {
        return Ok(DEFAULT_LEASE);
    };
    let lease = skistack_engine::parse_duration(&text)
        .map_err(|e| Exit::Failed(format!("SKISTACK_LOCK_LEASE=`{text}`: {e}")))?;
    if lease < Duration::from_secs(3) {
        return Err(Exit::Failed(format!(
            "SKISTACK_LOCK_LEASE=`{text}` is shorter than 3s; a heartbeat renews the lock \
             every third of its lease, and lease times are kept in whole seconds"
        )));
    }
    Ok(lease)
}

/// The state's object store on an S3 bucket.
struct S3Objects(S3Bucket);

impl S3Objects {
    fn error(&self, action: &'static str, name: &str, e: ProviderError) -> ObjectError {
        ObjectError {
            action,
            name: format!("{}{name}", self.0.url()),
            message: e.to_string(),
        }
    }
}

impl ObjectStore for S3Objects {
    fn url(&self) -> String {
        self.0.url().to_string()
    }

    fn get(&self, name: &str) -> Result<Option<Object>, ObjectError> {
        let found = self
            .0
            .get(name)
            .map_err(|e| self.error("reading", name, e))?;
        Ok(found.map(|(body, etag)| Object { body, etag }))
    }

    fn put(&self, name: &str, body: Vec<u8>, when: Precondition) -> Result<Put, ObjectError> {
        let if_match = match &when {
            Precondition::Absent => None,
            Precondition::Matches(etag) => Some(etag.as_str()),
        };
        let written =
            (self.0.put(name, body, if_match)).map_err(|e| self.error("writing", name, e))?;
        Ok(written.map_or(Put::Conflict, Put::Written))
    }

    fn list(&self, prefix: &str, after: Option<&str>) -> Result<Vec<String>, ObjectError> {
        (self.0.list(prefix, after)).map_err(|e| self.error("listing", prefix, e))
    }

    fn delete(&self, name: &str, if_match: Option<&str>) -> Result<bool, ObjectError> {
        (self.0.delete(name, if_match)).map_err(|e| self.error("deleting", name, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_is_a_path_a_file_url_or_an_s3_url() {
        assert_eq!(Location::parse("s3://b/p"), Location::S3("s3://b/p".into()));
        assert_eq!(
            Location::parse("file:///tmp/s.db"),
            Location::File("/tmp/s.db".into())
        );
        assert_eq!(
            Location::parse("state.db"),
            Location::File("state.db".into())
        );
    }
}
