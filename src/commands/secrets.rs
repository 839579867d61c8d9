//! Choosing the secrets provider that wraps the state's data keys, and
//! `skistack state change-secrets-provider URL`.
//!
//! The provider comes from `--secrets-provider` / `SKISTACK_SECRETS_PROVIDER`,
//! else the default key file under the user's config directory. An unknown
//! or incomplete choice is refused before the state is opened, so nothing is
//! written with a provider the user did not mean.

use std::sync::Arc;

use skistack_state::{KeyFile, KeyWrapper, Passphrase, SqliteStore};

use super::{Exit, state_path};
use crate::cli::Global;

/// Where the passphrase provider reads the passphrase.
const PASSPHRASE_VAR: &str = "SKISTACK_PASSPHRASE";

/// Where `change-secrets-provider passphrase` reads the new passphrase
/// first (falling back to [`PASSPHRASE_VAR`]), so one passphrase can be
/// replaced by another.
const NEW_PASSPHRASE_VAR: &str = "SKISTACK_NEW_PASSPHRASE";

/// The secrets provider this run uses.
pub fn provider(global: &Global) -> Result<Arc<dyn KeyWrapper>, Exit> {
    from_url(global.secrets_provider.as_deref(), &[PASSPHRASE_VAR])
}

/// The provider named by `url` (`None`: the default key file); a passphrase
/// is read from the first of `passphrase_vars` that is set.
fn from_url(url: Option<&str>, passphrase_vars: &[&str]) -> Result<Arc<dyn KeyWrapper>, Exit> {
    let Some(url) = url.filter(|u| !u.is_empty()) else {
        let path = KeyFile::default_path().ok_or_else(|| {
            Exit::Failed(
                "cannot place the default key file: neither XDG_CONFIG_HOME nor HOME is set; \
                 set one, or choose --secrets-provider passphrase"
                    .into(),
            )
        })?;
        return Ok(Arc::new(KeyFile::new(path)));
    };
    if url == "passphrase" {
        let passphrase = passphrase_vars
            .iter()
            .find_map(|var| std::env::var(var).ok())
            .ok_or_else(|| {
                Exit::Failed(format!(
                    "the passphrase secrets provider needs the passphrase in {}",
                    passphrase_vars.join(" or ")
                ))
            })?;
        let provider = Passphrase::new(passphrase).map_err(|e| Exit::Failed(e.to_string()))?;
        return Ok(Arc::new(provider));
    }
    if let Some(path) = url.strip_prefix("file://").filter(|p| !p.is_empty()) {
        return Ok(Arc::new(KeyFile::new(path)));
    }
    if url.starts_with("awskms://") {
        return Err(Exit::Failed(format!(
            "secrets provider `{url}`: AWS KMS is not supported by this build yet; use \
             passphrase or file://PATH"
        )));
    }
    Err(Exit::Failed(format!(
        "unknown secrets provider `{url}`; use passphrase, file://PATH, or leave it unset for \
         the default key file"
    )))
}

/// `skistack state change-secrets-provider URL`: re-wraps every stack's
/// data key with the provider `url`, in one transaction.
pub fn change(global: &Global, url: &str) -> Result<Exit, Exit> {
    let to = from_url(Some(url), &[NEW_PASSPHRASE_VAR, PASSPHRASE_VAR])?;
    let store = SqliteStore::open(&state_path(global), provider(global)?)
        .map_err(|e| Exit::Failed(e.to_string()))?;
    let n = store
        .change_secrets_provider(to.as_ref())
        .map_err(|e| Exit::Failed(e.to_string()))?;
    println!("re-wrapped the data keys of {n} stack(s) with {}", to.url());
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_provider_or_are_refused() {
        let file = from_url(Some("file:///tmp/k.key"), &[]).unwrap();
        assert_eq!(file.url(), "file:///tmp/k.key");
        for bad in ["awskms://alias/x", "vault://x", "file://"] {
            let Err(Exit::Failed(message)) = from_url(Some(bad), &[]) else {
                panic!("{bad} accepted");
            };
            assert!(message.contains(bad), "{message}");
        }
        let Err(Exit::Failed(message)) = from_url(Some("passphrase"), &["SKISTACK_TEST_UNSET"])
        else {
            panic!("a passphrase provider without a passphrase");
        };
        assert!(message.contains("SKISTACK_TEST_UNSET"), "{message}");
    }
}
