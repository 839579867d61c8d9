//! Secrets at rest: every secret value is sealed with AES-256-GCM under a
//! per-stack data key before it reaches a column, and opened when read.
//!
//! Why it is safe: each encryption takes a fresh random 96-bit nonce, and
//! the stack key (stack and environment) is the associated data, so a
//! ciphertext copied into another stack's rows fails its tag instead of
//! decrypting. The data keys are stored only wrapped by a [`KeyWrapper`]
//! (by default a key file outside the state, see [`KeyFile`]), so a copied
//! or leaked state file reveals no secret. Nothing here is SQLite-specific:
//! another backend seals the same values the same way.

use std::fs::{self, DirBuilder, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, Key, KeyInit, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value as Json;
use skistack_engine::StackKey;

/// The version of the sealed form written by this build.
const SEALED_VERSION: u64 = 1;

/// Bytes of an AES-GCM nonce.
const NONCE_LEN: usize = 12;

/// Why a secret could not be sealed or opened, or a data key wrapped.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// The key file exists but cannot be read or written.
    #[error("key file {}: {source}", .path.display())]
    KeyFileIo { path: PathBuf, source: io::Error },
    /// The state holds wrapped keys but the key file is gone.
    #[error(
        "the state's secrets are encrypted with the key file {}, which is missing; restore it \
         from your backup, or choose the secrets provider that encrypted them \
         (--secrets-provider)",
        .path.display()
    )]
    KeyFileMissing { path: PathBuf },
    /// The key file may be read by other users.
    #[error(
        "key file {} is readable by other users (mode {mode:o}); run `chmod 600 {}`",
        .path.display(), .path.display()
    )]
    KeyFileOpen { path: PathBuf, mode: u32 },
    /// The key file does not hold a base64 32-byte key.
    #[error("key file {} does not hold a skistack key (32 bytes in base64)", .path.display())]
    KeyFileShape { path: PathBuf },
    /// A wrapped data key does not unwrap with the configured provider.
    #[error("the data key of {key} does not unwrap with {provider} (wrong key or passphrase)")]
    Unwrap { key: StackKey, provider: String },
    /// The passphrase does not unwrap the stack's data key.
    #[error(
        "wrong passphrase for the secrets of {key}: SKISTACK_PASSPHRASE does not decrypt them; \
         set the passphrase they were encrypted with"
    )]
    WrongPassphrase { key: StackKey },
    /// A sealed value fails its tag: damaged, or copied from another stack.
    #[error(
        "a secret in the state of {key} does not decrypt with its data key \
         (damaged, or copied from another stack)"
    )]
    Open { key: StackKey },
    /// A sealed value is not in a form this build reads.
    #[error("a secret in the state of {key} is not in a known sealed form ({detail})")]
    Shape { key: StackKey, detail: &'static str },
    /// The state's keys were wrapped by another provider than the one given.
    #[error(
        "the secrets of {key} are encrypted with {recorded}, not {given}; use that provider, or \
         run `skistack state change-secrets-provider {given}` with the old one configured"
    )]
    ProviderMismatch {
        key: StackKey,
        recorded: String,
        given: String,
    },
    /// A provider (for example a KMS key) failed to wrap or unwrap.
    #[error("secrets provider {provider}: {message}")]
    Provider { provider: String, message: String },
}

/// A 256-bit key. Its `Debug` never shows the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKey([u8; 32]);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey([redacted])")
    }
}

impl DataKey {
    /// A fresh random key.
    pub fn generate() -> DataKey {
        DataKey(rand::random())
    }

    /// A key from its bytes (as a provider returns it).
    pub fn from_bytes(bytes: [u8; 32]) -> DataKey {
        DataKey(bytes)
    }

    /// The key's bytes, for a provider to wrap.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&self.0))
    }
}

/// Wraps and unwraps the per-stack data keys: the secrets provider.
pub trait KeyWrapper: Send + Sync {
    /// The provider's URL, recorded beside each key it wraps.
    fn url(&self) -> String;
    /// Wraps a data key for storage; `key` names the stack it belongs to.
    fn wrap(&self, key: &StackKey, data_key: &DataKey) -> Result<Vec<u8>, SecretsError>;
    /// Unwraps what [`KeyWrapper::wrap`] returned.
    fn unwrap(&self, key: &StackKey, wrapped: &[u8]) -> Result<DataKey, SecretsError>;
}

/// The default provider of the local backend: a key-encryption key in a
/// file of its own (mode 0600, directory 0700), created on first use.
///
/// The user's default key file is recorded as [`DEFAULT_KEY_FILE`], not by
/// its path, so a state moved to another machine or user opens with that
/// user's default key file (restored from a backup) without re-wrapping.
#[derive(Clone, Debug)]
pub struct KeyFile {
    path: PathBuf,
    is_default: bool,
}

/// The URL recorded for the user's default key file.
pub const DEFAULT_KEY_FILE: &str = "keyfile";

impl KeyFile {
    /// The key file at `path` (the provider `file://PATH`).
    pub fn new(path: impl Into<PathBuf>) -> KeyFile {
        KeyFile {
            path: path.into(),
            is_default: false,
        }
    }

    /// The user's default key file (the provider [`DEFAULT_KEY_FILE`]), at
    /// [`KeyFile::default_path`]; `None` when it has no place.
    pub fn user_default() -> Option<KeyFile> {
        Some(KeyFile {
            path: KeyFile::default_path()?,
            is_default: true,
        })
    }

    /// `$XDG_CONFIG_HOME/skistack/state.key`, else
    /// `$HOME/.config/skistack/state.key`; `None` when neither is set.
    pub fn default_path() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|v| !v.is_empty())
                    .map(|home| Path::new(&home).join(".config"))
            })?;
        Some(base.join("skistack").join("state.key"))
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io(&self, source: io::Error) -> SecretsError {
        SecretsError::KeyFileIo {
            path: self.path.clone(),
            source,
        }
    }

    /// Reads the key; `Ok(None)` when the file does not exist.
    fn read(&self) -> Result<Option<DataKey>, SecretsError> {
        let meta = match fs::metadata(&self.path) {
            Ok(meta) => meta,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(self.io(err)),
        };
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(SecretsError::KeyFileOpen {
                path: self.path.clone(),
                mode,
            });
        }
        let text = fs::read_to_string(&self.path).map_err(|e| self.io(e))?;
        let shape = || SecretsError::KeyFileShape {
            path: self.path.clone(),
        };
        let bytes = BASE64.decode(text.trim()).map_err(|_| shape())?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| shape())?;
        Ok(Some(DataKey(bytes)))
    }

    /// Reads the key, creating the file with a fresh key when missing.
    fn read_or_create(&self) -> Result<DataKey, SecretsError> {
        if let Some(key) = self.read()? {
            return Ok(key);
        }
        if let Some(dir) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| self.io(e))?;
        }
        let key = DataKey::generate();
        let created = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&self.path);
        match created {
            Ok(mut file) => {
                file.set_permissions(fs::Permissions::from_mode(0o600))
                    .and_then(|()| writeln!(file, "{}", BASE64.encode(key.0)))
                    .and_then(|()| file.sync_all())
                    .map_err(|e| self.io(e))?;
                Ok(key)
            }
            // Another process created it first: use its key.
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                self.read()?.ok_or_else(|| self.io(err))
            }
            Err(err) => Err(self.io(err)),
        }
    }
}

impl KeyWrapper for KeyFile {
    fn url(&self) -> String {
        if self.is_default {
            DEFAULT_KEY_FILE.to_string()
        } else {
            format!("file://{}", self.path.display())
        }
    }

    fn wrap(&self, key: &StackKey, data_key: &DataKey) -> Result<Vec<u8>, SecretsError> {
        let kek = self.read_or_create()?;
        Ok(seal_bytes(&kek, key, &data_key.0))
    }

    fn unwrap(&self, key: &StackKey, wrapped: &[u8]) -> Result<DataKey, SecretsError> {
        let kek = self.read()?.ok_or_else(|| SecretsError::KeyFileMissing {
            path: self.path.clone(),
        })?;
        let unwrap_failed = || SecretsError::Unwrap {
            key: key.clone(),
            provider: self.url(),
        };
        let bytes = open_bytes(&kek, key, wrapped).ok_or_else(unwrap_failed)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| unwrap_failed())?;
        Ok(DataKey(bytes))
    }
}

/// What derives the digest subkey from a data key (never used to encrypt).
const DIGEST_LABEL: &[u8] = b"skistack digest v1";

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    use hmac::{KeyInit as _, Mac};
    // HMAC takes keys of any length, so `new_from_slice` cannot fail.
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// The associated data binding a ciphertext to its stack.
fn associated_data(key: &StackKey) -> Vec<u8> {
    format!("skistack/{}/{}", key.stack, key.env).into_bytes()
}

/// `nonce || ciphertext` of `plain` under `aead_key`, bound to `key`.
pub fn seal_bytes(aead_key: &DataKey, key: &StackKey, plain: &[u8]) -> Vec<u8> {
    let nonce: [u8; NONCE_LEN] = rand::random();
    let aad = associated_data(key);
    let payload = Payload {
        msg: plain,
        aad: &aad,
    };
    // AES-GCM encryption fails only for messages over 64 GiB, far beyond
    // any value a column holds: a true invariant.
    let sealed = aead_key
        .cipher()
        .encrypt(Nonce::from_slice(&nonce), payload)
        .expect("AES-GCM encrypts any message under 64 GiB");
    let mut out = nonce.to_vec();
    out.extend(sealed);
    out
}

/// Opens what [`seal_bytes`] made; `None` when the tag does not match.
pub fn open_bytes(aead_key: &DataKey, key: &StackKey, sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < NONCE_LEN {
        return None;
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    let aad = associated_data(key);
    let payload = Payload {
        msg: ciphertext,
        aad: &aad,
    };
    aead_key
        .cipher()
        .decrypt(Nonce::from_slice(nonce), payload)
        .ok()
}

/// Seals and opens the secret values of one stack with its data key.
#[derive(Debug)]
pub(crate) struct Sealer {
    key: StackKey,
    data_key: DataKey,
}

impl Sealer {
    pub(crate) fn new(key: StackKey, data_key: DataKey) -> Sealer {
        Sealer { key, data_key }
    }

    /// A digest of `plain` keyed by this stack's data key (HMAC-SHA256
    /// under a subkey derived for digests alone), so a saved plan can show
    /// that a secret is unchanged without carrying anything that lets a
    /// reader test guesses of it.
    pub(crate) fn digest(&self, plain: &[u8]) -> [u8; 32] {
        let subkey = hmac_sha256(&self.data_key.0, DIGEST_LABEL);
        hmac_sha256(&subkey, plain)
    }

    /// The sealed JSON of a secret's inner JSON:
    /// `{"v": 1, "n": nonce, "c": ciphertext}` (base64).
    pub(crate) fn seal(&self, inner: &Json) -> Json {
        let plain = inner.to_string();
        let sealed = seal_bytes(&self.data_key, &self.key, plain.as_bytes());
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        serde_json::json!({
            "v": SEALED_VERSION,
            "n": BASE64.encode(nonce),
            "c": BASE64.encode(ciphertext),
        })
    }

    /// The inner JSON of a sealed secret.
    pub(crate) fn open(&self, sealed: &Json) -> Result<Json, SecretsError> {
        let shape = |detail| SecretsError::Shape {
            key: self.key.clone(),
            detail,
        };
        if sealed.get("v").and_then(Json::as_u64) != Some(SEALED_VERSION) {
            return Err(shape("unknown version; upgrade skistack"));
        }
        let field = |name: &str| {
            sealed
                .get(name)
                .and_then(Json::as_str)
                .and_then(|s| BASE64.decode(s).ok())
                .ok_or(shape("a nonce and a ciphertext in base64"))
        };
        let mut bytes = field("n")?;
        if bytes.len() != NONCE_LEN {
            return Err(shape("a 12-byte nonce"));
        }
        bytes.extend(field("c")?);
        let plain = open_bytes(&self.data_key, &self.key, &bytes).ok_or(SecretsError::Open {
            key: self.key.clone(),
        })?;
        serde_json::from_slice(&plain).map_err(|_| shape("JSON inside the ciphertext"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_in_its_own_stack() {
        let data_key = DataKey::generate();
        let web = Sealer::new(StackKey::new("web", "default"), data_key.clone());
        let db = Sealer::new(StackKey::new("db", "default"), data_key);
        let sealed = web.seal(&Json::String("hunter2".into()));
        assert!(!sealed.to_string().contains("hunter2"));
        assert_eq!(web.open(&sealed).unwrap(), Json::String("hunter2".into()));
        assert!(matches!(db.open(&sealed), Err(SecretsError::Open { .. })));
    }

    #[test]
    fn each_seal_takes_a_fresh_nonce() {
        let web = Sealer::new(StackKey::new("web", "default"), DataKey::generate());
        let a = web.seal(&Json::from(1));
        let b = web.seal(&Json::from(1));
        assert_ne!(a["n"], b["n"]);
    }

    #[test]
    fn a_key_file_is_created_private_and_refused_when_open_to_others() {
        let dir = tempfile::tempdir().unwrap();
        let file = KeyFile::new(dir.path().join("conf/skistack/state.key"));
        let key = StackKey::new("web", "default");
        let data_key = DataKey::generate();
        let wrapped = file.wrap(&key, &data_key).unwrap();
        assert_eq!(file.unwrap(&key, &wrapped).unwrap(), data_key);
        let mode = fs::metadata(file.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        fs::set_permissions(file.path(), fs::Permissions::from_mode(0o644)).unwrap();
        let err = file.unwrap(&key, &wrapped).unwrap_err();
        assert!(err.to_string().contains("chmod 600"), "{err}");
        fs::remove_file(file.path()).unwrap();
        let err = file.unwrap(&key, &wrapped).unwrap_err();
        assert!(matches!(err, SecretsError::KeyFileMissing { .. }), "{err}");
    }
}
