//! The `awskms://KEY` secrets provider's AWS half: a data key of the state
//! encrypted and decrypted by a KMS key, bound to its stack by an
//! encryption context.
//!
//! Why it is safe: the plaintext data key goes to KMS only over the SDK's
//! TLS client and is never logged; the encryption context names the stack,
//! so a wrapped key copied to another stack's row does not decrypt there;
//! decrypting names the key it expects, so a ciphertext made under another
//! key is refused rather than opened with it. The callers are synchronous
//! (the state store) and may run inside the CLI's runtime, so each call
//! runs on a thread of its own with a runtime of its own, which cannot
//! block or be blocked by the caller's.

use aws_sdk_kms::primitives::Blob;
use skistack_engine::ProviderError;

use crate::errors::aws_error;
use crate::{AwsOptions, Shared};

/// The encryption context key that binds a wrapped data key to its stack.
const CONTEXT_KEY: &str = "skistack:stack";

/// Wraps and unwraps data keys with one KMS key.
#[derive(Clone, Debug)]
pub struct KmsKeyWrap {
    key_id: String,
    region: String,
    options: AwsOptions,
}

impl KmsKeyWrap {
    /// The KMS key `key_id` (an id, ARN or `alias/NAME`), in `region`
    /// (empty: the standard chain's region), reached as `options` say.
    pub fn new(key_id: &str, region: &str, options: AwsOptions) -> KmsKeyWrap {
        KmsKeyWrap {
            key_id: key_id.to_string(),
            region: region.to_string(),
            options,
        }
    }

    /// Encrypts `plaintext` for the stack named `stack`.
    pub fn encrypt(&self, stack: &str, plaintext: &[u8]) -> Result<Vec<u8>, ProviderError> {
        let plaintext = Blob::new(plaintext);
        self.on_own_runtime(stack, move |kms, key_id, stack| async move {
            let out = kms
                .encrypt()
                .key_id(key_id)
                .plaintext(plaintext)
                .encryption_context(CONTEXT_KEY, stack)
                .send()
                .await
                .map_err(|e| aws_error("KMS Encrypt", e))?;
            out.ciphertext_blob
                .map(Blob::into_inner)
                .ok_or_else(|| ProviderError::Failed("KMS Encrypt returned no ciphertext".into()))
        })
    }

    /// Decrypts what [`KmsKeyWrap::encrypt`] returned for `stack`.
    pub fn decrypt(&self, stack: &str, ciphertext: &[u8]) -> Result<Vec<u8>, ProviderError> {
        let ciphertext = Blob::new(ciphertext);
        self.on_own_runtime(stack, move |kms, key_id, stack| async move {
            let out = kms
                .decrypt()
                .key_id(key_id)
                .ciphertext_blob(ciphertext)
                .encryption_context(CONTEXT_KEY, stack)
                .send()
                .await
                .map_err(|e| aws_error("KMS Decrypt", e))?;
            out.plaintext
                .map(Blob::into_inner)
                .ok_or_else(|| ProviderError::Failed("KMS Decrypt returned no plaintext".into()))
        })
    }

    /// Runs `call` with a KMS client on a thread and runtime of its own.
    fn on_own_runtime<F, Fut>(&self, stack: &str, call: F) -> Result<Vec<u8>, ProviderError>
    where
        F: FnOnce(aws_sdk_kms::Client, String, String) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<Vec<u8>, ProviderError>>,
    {
        let this = self.clone();
        let stack = stack.to_string();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| {
                    ProviderError::Failed(format!("cannot start a runtime for KMS: {e}"))
                })?;
            runtime.block_on(async move {
                let shared = Shared::new(this.options.clone());
                let config = shared.load_config(&this.region).await?;
                call(aws_sdk_kms::Client::new(&config), this.key_id, stack).await
            })
        });
        thread
            .join()
            .map_err(|_| ProviderError::Failed("the KMS call's thread panicked".into()))?
    }
}
