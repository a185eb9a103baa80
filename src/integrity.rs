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
///
/// The head file is written in place, once per consent write, into one of two fixed slots ([`HeadSlots`]): no file
/// is created or renamed on the write path, and a write torn by a crash spoils only the slot being written.
#[derive(Debug)]
pub struct KeyFile {
    key: PathBuf,
    head: PathBuf,
    /// The key's bytes, read once (a MAC per consent write must not read a file).
    bytes: std::sync::OnceLock<Vec<u8>>,
    /// The head file, kept open for the in-place writes; opened on the first one.
    head_file: std::sync::Mutex<Option<fs::File>>,
}

impl KeyFile {
    /// The key and head files for the database at `db_path`, in `dir` (default: the database's own directory).
    pub fn for_database(db_path: &Path, dir: Option<&Path>) -> KeyFile {
        let name = db_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "consent.db".into());
        let dir = dir.map(Path::to_path_buf).or_else(|| db_path.parent().map(Path::to_path_buf)).unwrap_or_default();
        KeyFile {
            key: dir.join(format!("{name}.key")),
            head: dir.join(format!("{name}.head")),
            bytes: Default::default(),
            head_file: Default::default(),
        }
    }

    fn read_key(&self) -> CoreResult<&[u8]> {
        self.load_key()?.ok_or_else(|| {
            io("read the device key", &self.key, std::io::Error::from(std::io::ErrorKind::NotFound))
        })
    }

    /// The key's bytes (read once, then kept), or `None` when there is no key file.
    fn load_key(&self) -> CoreResult<Option<&[u8]>> {
        if let Some(key) = self.bytes.get() {
            return Ok(Some(key));
        }
        let key = match fs::read(&self.key) {
            Ok(key) => key,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io("read the device key", &self.key, e)),
        };
        if key.len() != 32 {
            return Err(CoreError::Storage(format!("device key {} is not 32 bytes", self.key.display())));
        }
        Ok(Some(self.bytes.get_or_init(|| key)))
    }
}

fn io(what: &str, path: &Path, e: std::io::Error) -> CoreError {
    CoreError::Storage(format!("{what} ({}): {e}", path.display()))
}

/// Writes `bytes` to `path` atomically and durably (temporary file, fsync, rename): how the key is created.
fn replace(path: &Path, bytes: &[u8]) -> CoreResult<()> {
    let tmp = path.with_extension("tmp");
    let mut f = fs::File::create(&tmp).map_err(|e| io("create", &tmp, e))?;
    f.write_all(bytes).and_then(|_| f.sync_all()).map_err(|e| io("write", &tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| io("rename", path, e))
}

impl DeviceKey for KeyFile {
    fn open(&self) -> CoreResult<KeyStatus> {
        // Read straight away (no existence check first: open is latency-bound); only a missing key is created.
        if self.load_key()?.is_some() {
            return Ok(KeyStatus::Existing);
        }
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| CoreError::Storage(format!("no randomness for a device key: {e}")))?;
        replace(&self.key, &key)?;
        // A head left from an earlier key means nothing under the new one.
        *self.head_file.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let _ = fs::remove_file(&self.head);
        Ok(KeyStatus::Created)
    }

    fn mac(&self, data: &[u8]) -> CoreResult<Vec<u8>> {
        Ok(hmac_sha256(self.read_key()?, data))
    }

    fn load_head(&self) -> CoreResult<Option<String>> {
        match fs::read(&self.head) {
            Ok(bytes) => Ok(HeadSlots::latest(&bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io("read the stored head", &self.head, e)),
        }
    }

    fn store_head(&self, head: &str) -> CoreResult<()> {
        // Written in place, not fsynced: the database's own commit is the durable record, and a head that a power
        // cut leaves behind (or tears: the other slot still holds the one before) only lags — open accepts a file
        // ahead of it. An fsync, or a new file renamed over the old, would each cost about as much as the
        // consent write's own commit.
        let (slot, bytes) = HeadSlots::encode(head)?;
        let mut file = self.head_file.lock().unwrap_or_else(|e| e.into_inner());
        if file.is_none() {
            let opened = fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&self.head);
            *file = Some(opened.map_err(|e| io("open the head file", &self.head, e))?);
        }
        let Some(f) = file.as_ref() else { return Ok(()) };
        write_at(f, &bytes, slot * HeadSlots::SLOT as u64).map_err(|e| io("write the head", &self.head, e))
    }
}

/// The head file's layout: two slots of [`HeadSlots::SLOT`] bytes, each `seq:hash`, a newline, a checksum of that
/// text and a newline, zero-padded. A head goes to slot `seq % 2`, so a write never touches the slot holding the
/// head before it; reading takes the valid slot with the highest seq. A slot whose checksum does not match (a torn
/// write, or nothing written yet) is ignored. The checksum guards against tearing, not tampering: what the head
/// stands for is checked against the database's MAC'd rows (docs/adr/0007). A file of one plain `seq:hash` line
/// (written before the slots) still reads.
pub struct HeadSlots;

impl HeadSlots {
    /// Bytes per slot: a 512-byte sector, so a slot is never split across sectors.
    pub const SLOT: usize = 512;

    /// The slot `head` goes to and its bytes.
    pub fn encode(head: &str) -> CoreResult<(u64, Vec<u8>)> {
        let seq: u64 = head
            .split_once(':')
            .and_then(|(seq, _)| seq.parse().ok())
            .ok_or_else(|| CoreError::Storage(format!("not a chain head: {}", crate::error::clip(head))))?;
        let text = format!("{head}\n{}\n", Self::checksum(head));
        if text.len() > Self::SLOT {
            return Err(CoreError::Storage("a chain head longer than its slot".into()));
        }
        let mut bytes = text.into_bytes();
        bytes.resize(Self::SLOT, 0);
        Ok((seq % 2, bytes))
    }

    /// The latest valid head in a head file's bytes, if any.
    pub fn latest(bytes: &[u8]) -> Option<String> {
        let slot = |i: usize| -> Option<(u64, String)> {
            let raw = bytes.get(i * Self::SLOT..((i + 1) * Self::SLOT).min(bytes.len()))?;
            let text = std::str::from_utf8(raw.split(|&b| b == 0).next()?).ok()?;
            let mut lines = text.split('\n');
            let (head, check) = (lines.next()?, lines.next()?);
            (check == Self::checksum(head)).then_some(())?;
            Some((head.split_once(':')?.0.parse().ok()?, head.to_string()))
        };
        if let Some((_, head)) = [slot(0), slot(1)].into_iter().flatten().max_by_key(|(seq, _)| *seq) {
            return Some(head);
        }
        // The one-line file of earlier versions.
        let text = std::str::from_utf8(bytes).ok()?.trim();
        (text.split_once(':').is_some_and(|(seq, _)| seq.parse::<u64>().is_ok()) && !text.contains('\n'))
            .then(|| text.to_string())
    }

    fn checksum(head: &str) -> String {
        use sha2::Digest;
        crate::manifest::hex(&Sha256::digest(head.as_bytes())[..8])
    }
}

#[cfg(unix)]
fn write_at(f: &fs::File, bytes: &[u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(f, bytes, offset)
}

#[cfg(windows)]
fn write_at(f: &fs::File, mut bytes: &[u8], mut offset: u64) -> std::io::Result<()> {
    while !bytes.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_write(f, bytes, offset)?;
        bytes = &bytes[n..];
        offset += n as u64;
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn head(seq: u64) -> String {
        format!("{seq}:{}", "ab".repeat(32))
    }

    #[test]
    fn the_latest_valid_slot_wins_and_a_torn_slot_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let key = KeyFile::for_database(&dir.path().join("c.db"), None);
        key.open().unwrap();
        assert_eq!(key.load_head().unwrap(), None);
        for seq in 1..=5 {
            key.store_head(&head(seq)).unwrap();
            assert_eq!(key.load_head().unwrap(), Some(head(seq)));
        }
        // A crash tore the write of head 6 (slot 0): the head before it (5, slot 1) is what reads back.
        let path = dir.path().join("c.db.head");
        let mut bytes = fs::read(&path).unwrap();
        let (_, six) = HeadSlots::encode(&head(6)).unwrap();
        bytes[..40].copy_from_slice(&six[..40]);
        fs::write(&path, &bytes).unwrap();
        assert_eq!(KeyFile::for_database(&dir.path().join("c.db"), None).load_head().unwrap(), Some(head(5)));
        // Garbage in both slots reads as no head (open then treats the file as having none recorded).
        fs::write(&path, vec![7u8; 2 * HeadSlots::SLOT]).unwrap();
        assert_eq!(KeyFile::for_database(&dir.path().join("c.db"), None).load_head().unwrap(), None);
    }

    #[test]
    fn a_one_line_head_file_of_earlier_versions_still_reads() {
        assert_eq!(HeadSlots::latest(format!("{}\n", head(12)).as_bytes()), Some(head(12)));
        assert_eq!(HeadSlots::latest(b"not a head"), None);
    }

    #[test]
    fn a_new_key_forgets_the_old_head() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c.db");
        let key = KeyFile::for_database(&db, None);
        key.open().unwrap();
        key.store_head(&head(3)).unwrap();
        fs::remove_file(dir.path().join("c.db.key")).unwrap();
        let again = KeyFile::for_database(&db, None);
        assert_eq!(again.open().unwrap(), KeyStatus::Created);
        assert_eq!(again.load_head().unwrap(), None);
    }
}
