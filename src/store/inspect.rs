//! Read-only inspection of a consent database, for tooling (the `consentkit` CLI, support scripts).
//!
//! Unlike [`Store::open`](super::Store::open), an [`Inspector`] never writes: it does not create the file, does not
//! migrate an older schema, does not set pragmas that persist, and never quarantines a damaged file — it reports what
//! it finds. The connection is opened `SQLITE_OPEN_READ_ONLY` with `query_only` on, so a bug here cannot change
//! the record of consent. A database the app has open at the same time is read consistently (WAL readers).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::access::AccessTotal;
use super::ledger::{self, ChainCheck, LedgerRow};
use super::schema::{self, SCHEMA_VERSION};
use super::state::ConsentState;

/// Why a database cannot be inspected at all (as opposed to a database that opens but does not verify).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InspectError {
    /// No file at the path.
    #[error("{0}: no such file")]
    NotFound(String),
    /// SQLite cannot read it: not a database, or damaged beyond reading.
    #[error("{path}: not a readable SQLite database ({detail})")]
    Unreadable {
        /// The file.
        path: String,
        /// What SQLite said.
        detail: String,
    },
    /// A SQLite file without a consent ledger.
    #[error("{0}: not a ConsentKit database (no ledger table)")]
    NotConsentKit(String),
    /// Written by a newer ConsentKit: its layout is unknown to this code, so nothing is interpreted.
    #[error("{path}: schema version {found} is newer than this tool knows ({supported}); use a newer consentkit")]
    SchemaTooNew {
        /// The file.
        path: String,
        /// Version found.
        found: u32,
        /// Version this code knows.
        supported: u32,
    },
    /// A read failed after opening.
    #[error("{path}: {what}: {detail}")]
    Read {
        /// The file.
        path: String,
        /// What was being read.
        what: &'static str,
        /// What SQLite said.
        detail: String,
    },
}

/// `file:` URI of a path (percent-encoding what a URI reserves) with query parameters.
fn file_uri(path: &Path, query: &str) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(absolute.as_os_str()).to_vec();
    #[cfg(not(unix))]
    let bytes = {
        let text = absolute.to_string_lossy().replace('\\', "/");
        if text.starts_with('/') {
            text.into_bytes()
        } else {
            format!("/{text}").into_bytes()
        }
    };
    let mut uri = String::from("file:");
    for b in bytes {
        if b.is_ascii_alphanumeric() || b"/-._~:".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push('?');
    uri.push_str(query);
    uri
}

/// The result of `PRAGMA quick_check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Integrity {
    /// SQLite found no damage.
    Ok,
    /// What SQLite found.
    Damaged(String),
}

/// A consent database opened read-only.
pub struct Inspector {
    conn: Connection,
    path: PathBuf,
    schema_version: u32,
}

impl std::fmt::Debug for Inspector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inspector").field("path", &self.path).field("schema_version", &self.schema_version).finish()
    }
}

impl Inspector {
    /// Opens the database at `path` read-only. Fails if there is no file, it is not a SQLite database, it has no
    /// ledger, or its schema is newer than this code.
    pub fn open(path: &Path) -> Result<Inspector, InspectError> {
        let shown = path.display().to_string();
        if !path.is_file() {
            return Err(InspectError::NotFound(shown));
        }
        let unreadable = |e: rusqlite::Error| InspectError::Unreadable { path: shown.clone(), detail: e.to_string() };
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        // With a WAL file present (the app has the database open, or was killed), read through it like any reader.
        // Without one, every committed row is in the main file: read it as immutable, so that no -wal/-shm files are
        // created next to it (a read-only directory works too). The app's next writes go to a new WAL file, never
        // into the main file under us, until a checkpoint.
        let wal = PathBuf::from(format!("{}-wal", path.display()));
        let uri = if wal.exists() { file_uri(path, "mode=ro") } else { file_uri(path, "mode=ro&immutable=1") };
        let conn = Connection::open_with_flags(uri, flags).map_err(unreadable)?;
        // Belt and braces: even a statement that tried to write would be refused.
        conn.pragma_update(None, "query_only", true).map_err(unreadable)?;
        let _ = conn.busy_timeout(std::time::Duration::from_secs(5));
        let schema_version = schema::user_version(&conn).map_err(unreadable)?;
        if schema_version > SCHEMA_VERSION {
            return Err(InspectError::SchemaTooNew { path: shown, found: schema_version, supported: SCHEMA_VERSION });
        }
        let has_ledger: Option<String> = conn
            .query_row("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'ledger'", [], |r| r.get(0))
            .optional()
            .map_err(unreadable)?;
        if has_ledger.is_none() {
            return Err(InspectError::NotConsentKit(shown));
        }
        Ok(Inspector { conn, path: path.to_path_buf(), schema_version })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version (`PRAGMA user_version`); older versions are read as they are, never migrated.
    pub fn schema_version(&self) -> u32 {
        self.schema_version
    }

    fn read_err(&self, what: &'static str) -> impl Fn(rusqlite::Error) -> InspectError + '_ {
        move |e| InspectError::Read { path: self.path.display().to_string(), what, detail: e.to_string() }
    }

    /// SQLite's own structural check (`PRAGMA quick_check`).
    pub fn integrity(&self) -> Result<Integrity, InspectError> {
        let mut stmt = self.conn.prepare("PRAGMA quick_check").map_err(self.read_err("quick_check"))?;
        let lines: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .map_err(self.read_err("quick_check"))?
            .collect::<Result<_, _>>()
            .map_err(self.read_err("quick_check"))?;
        if lines.len() == 1 && lines[0] == "ok" {
            Ok(Integrity::Ok)
        } else {
            Ok(Integrity::Damaged(lines.join("; ")))
        }
    }

    /// Number of ledger rows (for a progress bar's length).
    pub fn ledger_len(&self) -> Result<u64, InspectError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM ledger", [], |r| r.get::<_, i64>(0))
            .map(|n| n.max(0) as u64)
            .map_err(self.read_err("count ledger rows"))
    }

    /// Walks the hash chain from the first row and checks the recorded chain head (which catches removed last
    /// rows), exactly as the store does at open. `progress` is called with the number of rows checked so far
    /// (every 4096 rows and at the end).
    pub fn verify_chain(&self, progress: impl FnMut(u64)) -> Result<ChainCheck, InspectError> {
        ledger::verify_with_head(&self.conn, progress).map_err(self.read_err("verify ledger"))
    }

    /// Every ledger row, in order (not verified: call [`verify_chain`](Self::verify_chain) first).
    pub fn ledger(&self) -> Result<Vec<LedgerRow>, InspectError> {
        ledger::rows_after(&self.conn, 0).map_err(self.read_err("read ledger"))
    }

    /// The consent state replayed from the ledger (the same replay the gate uses).
    pub fn state(&self) -> Result<ConsentState, InspectError> {
        Ok(ConsentState::replay(&self.ledger()?))
    }

    /// Access-log totals per (purpose, data type, recipient). Schema 1 had no last-collection time: it reads 0.
    pub fn access_totals(&self) -> Result<Vec<AccessTotal>, InspectError> {
        if self.schema_version >= 2 {
            return super::access::totals(&self.conn).map_err(self.read_err("read access log"));
        }
        let mut stmt = self
            .conn
            .prepare(
                "SELECT purpose, data_type, recipient, SUM(count) FROM access_log \
                 GROUP BY purpose, data_type, recipient ORDER BY purpose, data_type, recipient",
            )
            .map_err(self.read_err("read access log"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(AccessTotal {
                    purpose: r.get(0)?,
                    data_type: r.get(1)?,
                    recipient: r.get(2)?,
                    count: r.get::<_, i64>(3)?.max(0) as u64,
                    last_ms: 0,
                })
            })
            .map_err(self.read_err("read access log"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(self.read_err("read access log"))?;
        Ok(rows)
    }
}
