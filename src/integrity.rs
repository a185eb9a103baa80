//! Integrity keyed to the device (docs/adr/0007-keyed-integrity.md): the store authenticates its chain head and
//! its state checkpoint with a MAC under a key the database file does not contain, and keeps the latest head outside
//! the file too, so a consistent rewrite, a rollback to an older copy and a truncation of the tail are detected at
//! open — without walking the whole ledger.
//!
//! The platform provides the key and the outside place ([`DeviceKey`]): the Android Keystore and the iOS Keychain
//! (`ThisDeviceOnly`) in apps; [`KeyFile`] — a key file and a head file in a directory the app does not back up — is
//! the fallback, and what the JVM and Linux tests use.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{CoreError, CoreResult};

/// Whether the device key existed before this open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStatus {
    /// The key was there: a database keyed under it must authenticate.
    Existing,
    /// There was no key, one was created now: a database keyed earlier cannot be checked under it (its key is gone:
    /// data restored to another device, key store wiped).
    Created,
}

/// What the platform gives the store: a MAC under a device key, and a place outside the database for the latest
/// chain head. Implementations must be quick (called once per open and once per consent write) and thread-safe.
pub trait DeviceKey: Send + Sync {
    /// Makes sure the key exists (creating it if needed) and says whether it was there already. Called once per open.
    fn open(&self) -> CoreResult<KeyStatus>;
    /// HMAC-SHA256 of `data` under the device key (32 bytes).
    fn mac(&self, data: &[u8]) -> CoreResult<Vec<u8>>;
    /// The latest chain head (`seq:hash`) stored outside the database, if any.
    fn load_head(&self) -> CoreResult<Option<String>>;
    /// Stores the latest chain head outside the database (after each consent write).
    fn store_head(&self, head: &str) -> CoreResult<()>;
}

/// The key-file fallback: `<name>.key` (32 random bytes) and `<name>.head` in `dir`. Put `dir` where backups do not
/// go (Android: `noBackupFilesDir`; iOS: a directory marked `isExcludedFromBackup`): a backup that restores the
/// database together with its key and head defeats rollback detection.
#[derive(Debug)]
pub struct KeyFile {
    key: PathBuf,
    head: PathBuf,
    /// The key's bytes, read once (a MAC per consent write must not read a file).
    bytes: std::sync::OnceLock<Vec<u8>>,
}

impl KeyFile {
    /// The key and head files for the database at `db_path`, in `dir` (default: the database's own directory).
    pub fn for_database(db_path: &Path, dir: Option<&Path>) -> KeyFile {
        let name = db_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "consent.db".into());
        let dir = dir.map(Path::to_path_buf).or_else(|| db_path.parent().map(Path::to_path_buf)).unwrap_or_default();
        KeyFile { key: dir.join(format!("{name}.key")), head: dir.join(format!("{name}.head")), bytes: Default::default() }
    }

    fn read_key(&self) -> CoreResult<&[u8]> {
        if let Some(key) = self.bytes.get() {
            return Ok(key);
        }
        let key = fs::read(&self.key).map_err(|e| io("read the device key", &self.key, e))?;
        if key.len() != 32 {
            return Err(CoreError::Storage(format!("device key {} is not 32 bytes", self.key.display())));
        }
        Ok(self.bytes.get_or_init(|| key))
    }
}

fn io(what: &str, path: &Path, e: std::io::Error) -> CoreError {
    CoreError::Storage(format!("{what} ({}): {e}", path.display()))
}

/// Writes `bytes` to `path` atomically (temporary file, rename), fsynced first when `durable`.
fn replace(path: &Path, bytes: &[u8], durable: bool) -> CoreResult<()> {
    let tmp = path.with_extension("tmp");
    let mut f = fs::File::create(&tmp).map_err(|e| io("create", &tmp, e))?;
    f.write_all(bytes).and_then(|_| if durable { f.sync_all() } else { Ok(()) }).map_err(|e| io("write", &tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| io("rename", path, e))
}

impl DeviceKey for KeyFile {
    fn open(&self) -> CoreResult<KeyStatus> {
        if self.key.exists() {
            self.read_key()?;
            return Ok(KeyStatus::Existing);
        }
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| CoreError::Storage(format!("no randomness for a device key: {e}")))?;
        replace(&self.key, &key, true)?;
        // A head left from an earlier key means nothing under the new one.
        let _ = fs::remove_file(&self.head);
        Ok(KeyStatus::Created)
    }

    fn mac(&self, data: &[u8]) -> CoreResult<Vec<u8>> {
        Ok(hmac_sha256(self.read_key()?, data))
    }

    fn load_head(&self) -> CoreResult<Option<String>> {
        match fs::read_to_string(&self.head) {
            Ok(s) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io("read the stored head", &self.head, e)),
        }
    }

    fn store_head(&self, head: &str) -> CoreResult<()> {
        // Replaced atomically but not fsynced: the database's own commit is the durable record, and a head that a
        // power cut leaves one write behind only lags (open accepts a file ahead of it); an fsync here would double
        // the cost of every consent write.
        replace(&self.head, head.as_bytes(), false)
    }
}

/// HMAC-SHA256 of `data` under `key` (for [`DeviceKey`] implementations that hold the key bytes).
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length, so this never fails; an empty result would be refused by `tag`.
    let Ok(mut m) = <Hmac<Sha256> as Mac>::new_from_slice(key) else { return Vec::new() };
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// The MAC of `label ‖ "\n" ‖ text` under the device key, lowercase hex: what the store writes next to a head or a
/// checkpoint. The label keeps a head's MAC from standing in for a checkpoint's.
pub fn tag(key: &dyn DeviceKey, label: &str, text: &str) -> CoreResult<String> {
    let mut data = Vec::with_capacity(label.len() + 1 + text.len());
    data.extend_from_slice(label.as_bytes());
    data.push(b'\n');
    data.extend_from_slice(text.as_bytes());
    let mac = key.mac(&data)?;
    if mac.len() < 16 {
        return Err(CoreError::Storage("the device key's MAC is shorter than 16 bytes".into()));
    }
    Ok(crate::manifest::hex(&mac))
}

/// A key that lives only in memory, with no head kept: for a database that lives only in memory too (the closed
/// stand-in engine of a released handle), so nothing is written beside a file that does not exist.
#[derive(Debug)]
pub struct EphemeralKey {
    key: [u8; 32],
}

impl EphemeralKey {
    /// A fresh random key (all zero if the system has no randomness: it authenticates nothing that outlives it).
    pub fn new() -> Self {
        let mut key = [0u8; 32];
        let _ = getrandom::fill(&mut key);
        EphemeralKey { key }
    }
}

impl Default for EphemeralKey {
    fn default() -> Self {
        Self::new()
    }
}

impl DeviceKey for EphemeralKey {
    fn open(&self) -> CoreResult<KeyStatus> {
        Ok(KeyStatus::Created)
    }
    fn mac(&self, data: &[u8]) -> CoreResult<Vec<u8>> {
        Ok(hmac_sha256(&self.key, data))
    }
    fn load_head(&self) -> CoreResult<Option<String>> {
        Ok(None)
    }
    fn store_head(&self, _head: &str) -> CoreResult<()> {
        Ok(())
    }
}
