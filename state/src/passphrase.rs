//! The `passphrase` secrets provider: data keys wrapped under a key derived
//! from a passphrase with Argon2id.
//!
//! Why it is safe: the random salt is stored with each wrapped key (the
//! state holds `salt || nonce || ciphertext`), so equal passphrases on two
//! states give different keys; a wrong passphrase fails the AEAD tag and is
//! reported as such, never used to write. The passphrase itself is never
//! stored, printed or put in a `Debug` output.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use argon2::Argon2;
use skistack_engine::StackKey;

use crate::secrets::{DataKey, KeyWrapper, SecretsError, open_bytes, seal_bytes};

/// Bytes of the Argon2id salt stored before each wrapped key.
const SALT_LEN: usize = 16;

/// The URL naming this provider in the state.
const URL: &str = "passphrase";

/// Wraps data keys under a key derived from a passphrase.
pub struct Passphrase {
    passphrase: String,
    /// The salt of the keys this process wraps: one derivation per run.
    salt: [u8; SALT_LEN],
    derived: Mutex<HashMap<[u8; SALT_LEN], DataKey>>,
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase([redacted])")
    }
}

impl Passphrase {
    /// The provider for `passphrase`; an empty one is refused, since it
    /// would protect nothing.
    pub fn new(passphrase: String) -> Result<Passphrase, SecretsError> {
        if passphrase.is_empty() {
            return Err(SecretsError::Provider {
                provider: URL.into(),
                message: "the passphrase is empty; set SKISTACK_PASSPHRASE".into(),
            });
        }
        Ok(Passphrase {
            passphrase,
            salt: rand::random(),
            derived: Mutex::new(HashMap::new()),
        })
    }

    /// The key-encryption key for `salt`, derived once per salt.
    fn kek(&self, salt: [u8; SALT_LEN]) -> Result<DataKey, SecretsError> {
        let mut cache = self.derived.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = cache.get(&salt) {
            return Ok(found.clone());
        }
        let mut out = [0u8; 32];
        Argon2::default()
            .hash_password_into(self.passphrase.as_bytes(), &salt, &mut out)
            .map_err(|err| SecretsError::Provider {
                provider: URL.into(),
                message: format!("cannot derive the key: {err}"),
            })?;
        let kek = DataKey::from_bytes(out);
        cache.insert(salt, kek.clone());
        Ok(kek)
    }
}

impl KeyWrapper for Passphrase {
    fn url(&self) -> String {
        URL.into()
    }

    fn wrap(&self, key: &StackKey, data_key: &DataKey) -> Result<Vec<u8>, SecretsError> {
        let kek = self.kek(self.salt)?;
        let mut out = self.salt.to_vec();
        out.extend(seal_bytes(&kek, key, data_key.as_bytes()));
        Ok(out)
    }

    fn unwrap(&self, key: &StackKey, wrapped: &[u8]) -> Result<DataKey, SecretsError> {
        let wrong = || SecretsError::WrongPassphrase { key: key.clone() };
        if wrapped.len() < SALT_LEN {
            return Err(wrong());
        }
        let (salt, sealed) = wrapped.split_at(SALT_LEN);
        let salt: [u8; SALT_LEN] = salt.try_into().map_err(|_| wrong())?;
        let plain = open_bytes(&self.kek(salt)?, key, sealed).ok_or_else(wrong)?;
        let bytes: [u8; 32] = plain.try_into().map_err(|_| wrong())?;
        Ok(DataKey::from_bytes(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_right_passphrase_unwraps_and_a_wrong_one_is_named() {
        let key = StackKey::new("web", "default");
        let data_key = DataKey::generate();
        let wrapped = Passphrase::new("correct horse".into())
            .unwrap()
            .wrap(&key, &data_key)
            .unwrap();
        let again = Passphrase::new("correct horse".into()).unwrap();
        assert_eq!(again.unwrap(&key, &wrapped).unwrap(), data_key);
        let err = Passphrase::new("battery staple".into())
            .unwrap()
            .unwrap(&key, &wrapped)
            .unwrap_err();
        assert!(err.to_string().contains("wrong passphrase"), "{err}");
        assert!(Passphrase::new(String::new()).is_err());
    }
}
