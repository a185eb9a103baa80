//! Who signs receipts: a per-install P-256 key pair. In apps the platform key store holds it (Android Keystore,
//! iOS Secure Enclave or Keychain) behind the foreign `ReceiptKeyStore`; [`KeyFileSigner`] — the private scalar in a
//! file — is the fallback for the JVM, Linux and tests. Every signature is checked against the public key before it
//! leaves the device, so a broken platform implementation fails here with a typed error, not at the receiver.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};

use crate::error::{CoreError, CoreResult};

/// A P-256 key pair that signs receipts. Implementations must be thread-safe; calls come from `pendingReceipts`
/// only (never from a consent write).
pub trait ReceiptSigner: Send + Sync {
    /// The public key, SEC1 uncompressed (65 bytes, `04 ‖ x ‖ y`); creates the key pair on first use.
    fn public_key(&self) -> CoreResult<Vec<u8>>;
    /// ECDSA P-256 with SHA-256 over `data`: DER (X9.62, what the Android Keystore and Apple's
    /// `ecdsaSignatureMessageX962SHA256` return) or raw `r ‖ s` (64 bytes).
    fn sign(&self, data: &[u8]) -> CoreResult<Vec<u8>>;
}

/// The key-file fallback: the 32-byte private scalar in `<db>.receipt-key` (in the integrity directory, beside the
/// device key; keep it out of backups). Created on first use from the operating system's randomness.
#[derive(Debug)]
pub struct KeyFileSigner {
    path: PathBuf,
    key: OnceLock<SigningKey>,
}

impl KeyFileSigner {
    /// The receipt key of the database at `db_path`, kept in `dir` (default: the database's directory).
    pub fn for_database(db_path: &Path, dir: Option<&Path>) -> KeyFileSigner {
        let name = db_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "consent.db".into());
        let dir = dir.map(Path::to_path_buf).or_else(|| db_path.parent().map(Path::to_path_buf)).unwrap_or_default();
        KeyFileSigner { path: dir.join(format!("{name}.receipt-key")), key: OnceLock::new() }
    }

    fn key(&self) -> CoreResult<&SigningKey> {
        if let Some(k) = self.key.get() {
            return Ok(k);
        }
        let io = |what: &str, e: std::io::Error| CoreError::Storage(format!("{what} {}: {e}", self.path.display()));
        let bytes = match fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut scalar = [0u8; 32];
                // A random 32-byte string is a valid P-256 scalar except with probability ~2^-128; retry anyway.
                loop {
                    getrandom::fill(&mut scalar).map_err(|e| CoreError::Storage(format!("no randomness for a receipt key: {e}")))?;
                    if SigningKey::from_slice(&scalar).is_ok() {
                        break;
                    }
                }
                let tmp = self.path.with_extension("tmp");
                fs::write(&tmp, scalar).map_err(|e| io("write", e))?;
                fs::rename(&tmp, &self.path).map_err(|e| io("rename", e))?;
                scalar.to_vec()
            }
            Err(e) => return Err(io("read", e)),
        };
        let key = SigningKey::from_slice(&bytes)
            .map_err(|_| CoreError::Storage(format!("receipt key {} is not a P-256 private key", self.path.display())))?;
        Ok(self.key.get_or_init(|| key))
    }
}

impl ReceiptSigner for KeyFileSigner {
    fn public_key(&self) -> CoreResult<Vec<u8>> {
        Ok(self.key()?.verifying_key().to_encoded_point(false).as_bytes().to_vec())
    }
    fn sign(&self, data: &[u8]) -> CoreResult<Vec<u8>> {
        let sig: Signature = self.key()?.sign(data);
        Ok(sig.to_der().as_bytes().to_vec())
    }
}

/// A signer's public key, parsed (a key store that returns something else fails with a typed error).
pub(crate) fn verifying_key(sec1: &[u8]) -> CoreResult<VerifyingKey> {
    VerifyingKey::from_sec1_bytes(sec1)
        .map_err(|_| CoreError::Storage("the receipt key store returned a public key that is not a P-256 point".into()))
}

/// Signs `data` and checks the signature under `key`; returns it DER-encoded (raw `r ‖ s` is converted).
pub(crate) fn sign_checked(signer: &dyn ReceiptSigner, key: &VerifyingKey, data: &[u8]) -> CoreResult<Vec<u8>> {
    let raw = signer.sign(data)?;
    let sig = Signature::from_der(&raw)
        .or_else(|_| Signature::from_slice(&raw))
        .map_err(|_| CoreError::Storage("the receipt key store returned a signature that is neither DER nor r‖s".into()))?;
    key.verify(data, &sig)
        .map_err(|_| CoreError::Storage("the receipt key store's signature does not verify under its public key".into()))?;
    Ok(sig.to_der().as_bytes().to_vec())
}
