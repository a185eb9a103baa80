//! One engine per database file per process: the contract of the app entry point (`ConsentKit::open`).
//!
//! Two engines on one file drift: a withdrawal through one is invisible to the other until it refreshes, and when one
//! sets a damaged file aside the other keeps writing to the moved file (a lost withdrawal). So [`open`] keeps a
//! process-wide map from the canonical database path to the live engine: opening a path that is already open hands
//! out a new [`Handle`] on the same engine. Each handle's close releases only that handle; the last handle's close
//! (or drop) closes the engine and removes it from the map, so the next open reads the file again.
//!
//! One engine serves one manifest and one set of open options: opening an open path with another manifest (or other
//! options: another clock, say) is refused with `InvalidArgument` naming the path rather than silently serving the
//! first manifest's decisions to code that asked about another.
//!
//! [`Engine::open`] itself stays a plain constructor: tooling and tests that open engines directly get separate
//! engines, as a second process would.
//!
//! Each shared engine has a [`Watcher`]: changes written by another process are picked up within about a second.

use std::collections::HashMap;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use crate::clock::SystemClock;
use crate::engine::{Engine, EngineOptions, Listener};
use crate::error::{CoreError, CoreResult};
use crate::manifest::Manifest;
use crate::watch::{Watcher, WATCH_PERIOD, WATCH_THREAD};

/// A live engine with what it was opened with, shared by its handles.
struct Shared {
    /// The canonical path: the key in the map.
    key: PathBuf,
    engine: Arc<Engine>,
    /// The open options it was opened with, as text (`Debug`): a later open must bring the same ones.
    options: String,
    watcher: Watcher,
    /// The closed engine that handles closed while others stay open answer from (made on the first such close).
    stand_in: Mutex<Option<Arc<Engine>>>,
}

/// Open engines by canonical path, each with its number of open handles.
type Registry = HashMap<PathBuf, (Arc<Shared>, usize)>;

/// The process-wide [`Registry`], locked.
fn registry() -> MutexGuard<'static, Registry> {
    static OPEN: OnceLock<Mutex<Registry>> = OnceLock::new();
    lock(OPEN.get_or_init(Default::default))
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The key of a database path: the file itself canonicalised when it exists, else its canonical directory joined
/// with its file name (the file may not exist yet). Two spellings of one file (relative, `..`, a symlinked
/// directory) give one key.
fn canonical(path: &Path) -> CoreResult<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Ok(p);
    }
    let name = path
        .file_name()
        .ok_or_else(|| CoreError::InvalidArgument(format!("database path {} names no file", path.display())))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let dir = dir
        .canonicalize()
        .map_err(|e| CoreError::Storage(format!("database directory {}: {e}", dir.display())))?;
    Ok(dir.join(name))
}

/// Opens the database at `db_path` for the manifest, or joins the engine already open on that file in this process
/// (same manifest and same `options_key` required). `options` is used only when a new engine is opened. Opens are
/// serialised process-wide, so threads opening one file at once get one engine.
pub fn open(db_path: &Path, manifest_json: &[u8], options: EngineOptions, options_key: &str) -> CoreResult<Handle> {
    let key = match canonical(db_path) {
        Ok(key) => key,
        // A path that cannot be resolved cannot be opened either: a refused manifest is said first, as for any
        // open, then the store says why.
        Err(e) => return Err(Engine::open(db_path, manifest_json, options).err().unwrap_or(e)),
    };
    let mut open = registry();
    if let Some((shared, handles)) = open.get_mut(&key) {
        let valid = Manifest::load(manifest_json)?;
        if shared.engine.index().manifest != valid.manifest {
            return Err(CoreError::InvalidArgument(format!(
                "{} is already open with another manifest: one engine cannot serve two manifests (close the other \
                 instance first)",
                key.display()
            )));
        }
        if shared.options != options_key {
            return Err(CoreError::InvalidArgument(format!(
                "{} is already open with other options ({}): one engine has one clock and one batch size (close the \
                 other instance first)",
                key.display(),
                shared.options
            )));
        }
        *handles += 1;
        return Ok(Handle::new(shared.clone()));
    }
    let (watcher, watch_loop) = Watcher::pending(WATCH_PERIOD);
    let engine = Engine::open_with(db_path, manifest_json, options, WATCH_THREAD, watch_loop)?;
    watcher.watch(&engine);
    let shared = Arc::new(Shared {
        key: key.clone(),
        engine,
        options: options_key.to_string(),
        watcher,
        stand_in: Mutex::new(None),
    });
    open.insert(key, (shared.clone(), 1));
    Ok(Handle::new(shared))
}

/// One holder's share of a shared engine: what a `ConsentKit` object owns. It dereferences to the engine while open
/// and to a closed engine of the same manifest after [`Handle::close`], so every engine call on a closed handle
/// answers `Closed` while the other handles keep working.
///
/// `close`, `add_listener` and `remove_listener` are the handle's own (they shadow the engine's): a handle closes
/// only itself, and removes the listeners it added when it closes.
pub struct Handle {
    shared: Arc<Shared>,
    /// Set by close: the closed engine this handle answers from from then on.
    closed: OnceLock<Arc<Engine>>,
    /// Serialises close and drop of this handle; `true` once released.
    released: Mutex<bool>,
    /// The listeners added through this handle (ids on the shared engine).
    listeners: Mutex<Vec<u64>>,
}

impl Deref for Handle {
    type Target = Engine;

    #[inline]
    fn deref(&self) -> &Engine {
        self.closed.get().unwrap_or(&self.shared.engine)
    }
}

impl Handle {
    fn new(shared: Arc<Shared>) -> Handle {
        Handle { shared, closed: OnceLock::new(), released: Mutex::new(false), listeners: Mutex::new(Vec::new()) }
    }

    /// Whether `other` is a handle on the same engine.
    pub fn same_engine(&self, other: &Handle) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// Adds a listener to the engine (it sees changes made through every handle); removed when this handle closes.
    pub fn add_listener(&self, listener: Arc<dyn Listener>) -> u64 {
        let target: &Engine = self;
        let id = target.add_listener(listener);
        if !std::ptr::eq(target, &*self.shared.engine) {
            return id; // added to the closed stand-in: nothing to track
        }
        let mut mine = lock(&self.listeners);
        if self.closed.get().is_some() {
            // Closed meanwhile, after it removed this handle's listeners: remove this one too.
            self.shared.engine.remove_listener(id);
        } else {
            mine.push(id);
        }
        id
    }

    /// Removes a listener this handle added (another handle's listeners are not this handle's to remove).
    pub fn remove_listener(&self, id: u64) {
        let mut mine = lock(&self.listeners);
        if let Some(i) = mine.iter().position(|&m| m == id) {
            mine.swap_remove(i);
            self.shared.engine.remove_listener(id);
        }
    }

    /// Closes this handle: later calls on it return `Closed`, and the listeners it added are removed. The engine
    /// stays open for the other handles (pending access counts are flushed); the last handle's close flushes and
    /// closes the engine, and the next open reads the file again. Closing twice does nothing.
    pub fn close(&self) -> CoreResult<()> {
        self.release(false)
    }

    fn release(&self, dropping: bool) -> CoreResult<()> {
        let mut released = lock(&self.released);
        if *released {
            return Ok(());
        }
        let mut open = registry();
        let key = &self.shared.key;
        let others = match open.get_mut(key) {
            Some((s, handles)) if Arc::ptr_eq(s, &self.shared) && *handles > 1 => Some(handles),
            _ => None,
        };
        if let Some(handles) = others {
            // A dropped handle is never called again: it needs no stand-in.
            let stand_in = if dropping { None } else { Some(self.stand_in()?) };
            *handles -= 1;
            drop(open);
            *released = true;
            if let Some(s) = stand_in {
                let _ = self.closed.set(s);
            }
            self.remove_own_listeners();
            return if dropping { Ok(()) } else { self.shared.engine.flush() };
        }
        if open.get(key).is_some_and(|(s, _)| Arc::ptr_eq(s, &self.shared)) {
            open.remove(key);
        }
        *released = true;
        let _ = self.closed.set(self.shared.engine.clone());
        self.remove_own_listeners();
        self.shared.watcher.stop();
        // Closed under the map lock: an open of the same file waits until this engine has let go of it.
        self.shared.engine.close()
    }

    fn remove_own_listeners(&self) {
        for id in std::mem::take(&mut *lock(&self.listeners)) {
            self.shared.engine.remove_listener(id);
        }
    }

    /// The closed engine of this manifest that closed handles answer from: an in-memory database, opened and closed
    /// once per shared engine.
    fn stand_in(&self) -> CoreResult<Arc<Engine>> {
        let mut slot = lock(&self.shared.stand_in);
        if let Some(s) = &*slot {
            return Ok(s.clone());
        }
        let key: Arc<dyn crate::integrity::DeviceKey> = Arc::new(crate::integrity::EphemeralKey::new());
        let options = EngineOptions { clock: Arc::new(SystemClock), flush_every: 1, device_key: Some(key) };
        let engine = Engine::open_compiled(Path::new(":memory:"), self.shared.engine.shared_index(), options)?;
        engine.close()?;
        *slot = Some(engine.clone());
        Ok(engine)
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if let Err(e) = self.release(true) {
            log::warn!("closing the consent database on drop failed: {e}");
        }
    }
}
