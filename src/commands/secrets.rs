//! Choosing the secrets provider that wraps the state's data keys, and
//! `skistack state change-secrets-provider URL`.
//!
//! The provider comes from `--secrets-provider` / `SKISTACK_SECRETS_PROVIDER`,
//! else the default key file under the user's config directory. An unknown
//! or incomplete choice is refused before the state is opened, so nothing is
//! written with a provider the user did not mean.

use std::sync::Arc;

use skistack_engine::{ProviderError, StackKey};
use skistack_provider_aws::{AwsOptions, KmsKeyWrap};
use skistack_state::{DEFAULT_KEY_FILE, DataKey, KeyFile, KeyWrapper, Passphrase, SecretsError};

use super::Exit;
use super::store::{Location, Store};
use crate::cli::Global;

/// Where the passphrase provider reads the passphrase.
const PASSPHRASE_VAR: &str = "SKISTACK_PASSPHRASE";

/// Where `change-secrets-provider passphrase` reads the new passphrase
/// first (falling back to [`PASSPHRASE_VAR`]), so one passphrase can be
/// replaced by another.
const NEW_PASSPHRASE_VAR: &str = "SKISTACK_NEW_PASSPHRASE";

/// The secrets provider this run uses.
pub fn provider(global: &Global) -> Result<Arc<dyn KeyWrapper>, Exit> {
    from_url(
        global.secrets_provider.as_deref(),
        &[PASSPHRASE_VAR],
        global.endpoint_url.as_deref(),
    )
}

/// The provider named by `url` (`None` or `keyfile`: the user's default key
/// file); a passphrase
/// is read from the first of `passphrase_vars` that is set.
fn from_url(
    url: Option<&str>,
    passphrase_vars: &[&str],
    endpoint_url: Option<&str>,
) -> Result<Arc<dyn KeyWrapper>, Exit> {
    let url = url.filter(|u| !u.is_empty()).unwrap_or(DEFAULT_KEY_FILE);
    if url == DEFAULT_KEY_FILE {
        let file = KeyFile::user_default().ok_or_else(|| {
            Exit::Failed(
                "cannot place the default key file: neither XDG_CONFIG_HOME nor HOME is set; \
                 set one, or choose --secrets-provider passphrase"
                    .into(),
            )
        })?;
        return Ok(Arc::new(file));
    }
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
    if let Some(rest) = url.strip_prefix("awskms://") {
        return Kms::parse(url, rest, endpoint_url).map(|k| Arc::new(k) as Arc<dyn KeyWrapper>);
    }
    Err(Exit::Failed(format!(
        "unknown secrets provider `{url}`; use awskms://KEY, passphrase, file://PATH, or \
         keyfile (the default key file)"
    )))
}

/// The `awskms://KEY-ID-OR-ALIAS[?region=REGION]` provider: each data key
/// is encrypted by a KMS key, bound to its stack.
struct Kms {
    url: String,
    keys: KmsKeyWrap,
}

impl Kms {
    /// The provider of `url`, whose part after the scheme is `rest`.
    fn parse(url: &str, rest: &str, endpoint_url: Option<&str>) -> Result<Kms, Exit> {
        let (key_id, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut region = "";
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("region", r)) if !r.is_empty() => region = r,
                _ => {
                    return Err(Exit::Failed(format!(
                        "secrets provider `{url}`: unknown parameter `{pair}`; the only one is \
                         region=REGION"
                    )));
                }
            }
        }
        if key_id.is_empty() {
            return Err(Exit::Failed(format!(
                "secrets provider `{url}` names no KMS key; write awskms://KEY-ID, \
                 awskms://alias/NAME or awskms://ARN"
            )));
        }
        let options = AwsOptions {
            endpoint_url: endpoint_url.map(str::to_string),
            ..AwsOptions::default()
        };
        Ok(Kms {
            url: url.to_string(),
            keys: KmsKeyWrap::new(key_id, region, options),
        })
    }

    fn failed(&self, e: ProviderError) -> SecretsError {
        SecretsError::Provider {
            provider: self.url.clone(),
            message: e.to_string(),
        }
    }
}

impl KeyWrapper for Kms {
    fn url(&self) -> String {
        self.url.clone()
    }

    fn wrap(&self, key: &StackKey, data_key: &DataKey) -> Result<Vec<u8>, SecretsError> {
        let stack = key.to_string();
        self.keys
            .encrypt(&stack, data_key.as_bytes())
            .map_err(|e| self.failed(e))
    }

    fn unwrap(&self, key: &StackKey, wrapped: &[u8]) -> Result<DataKey, SecretsError> {
        let stack = key.to_string();
        let bytes = self
            .keys
            .decrypt(&stack, wrapped)
            .map_err(|e| self.failed(e))?;
        let n = bytes.len();
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| SecretsError::Provider {
            provider: self.url.clone(),
            message: format!("KMS returned a data key of {n} bytes, not 32"),
        })?;
        Ok(DataKey::from_bytes(bytes))
    }
}

/// A provider that takes over from the run's: a passphrase comes from
/// SKISTACK_NEW_PASSPHRASE first, so one passphrase can replace another.
pub fn new_provider(global: &Global, url: &str) -> Result<Arc<dyn KeyWrapper>, Exit> {
    from_url(
        Some(url),
        &[NEW_PASSPHRASE_VAR, PASSPHRASE_VAR],
        global.endpoint_url.as_deref(),
    )
}

/// `skistack state change-secrets-provider URL`: re-wraps every stack's
/// data key with the provider `url` (in one transaction in a file; in a
/// shared state, after every key has been unwrapped).
pub fn change(global: &Global, url: &str) -> Result<Exit, Exit> {
    let to = new_provider(global, url)?;
    let store = Store::open(global, &Location::of(global), provider(global)?)?;
    let n = store.change_secrets_provider(to.as_ref())?;
    println!("re-wrapped the data keys of {n} stack(s) with {}", to.url());
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_provider_or_are_refused() {
        let file = from_url(Some("file:///tmp/k.key"), &[], None).unwrap();
        assert_eq!(file.url(), "file:///tmp/k.key");
        let kms = from_url(Some("awskms://alias/x?region=eu-west-1"), &[], None).unwrap();
        assert_eq!(kms.url(), "awskms://alias/x?region=eu-west-1");
        for bad in [
            "awskms://",
            "awskms://alias/x?zone=a",
            "vault://x",
            "file://",
        ] {
            let Err(Exit::Failed(message)) = from_url(Some(bad), &[], None) else {
                panic!("{bad} accepted");
            };
            assert!(message.contains(bad), "{message}");
        }
        let Err(Exit::Failed(message)) =
            from_url(Some("passphrase"), &["SKISTACK_TEST_UNSET"], None)
        else {
            panic!("a passphrase provider without a passphrase");
        };
        assert!(message.contains("SKISTACK_TEST_UNSET"), "{message}");
    }
}
