//! The artifact cache: one file per (descriptor digest, target, CPU features,
//! compiler version) in a directory only this user can write. Files are
//! replaced by rename, so processes filling it at once each leave a complete
//! artifact and readers never see a partial one. Code the JIT compiled is
//! stored from a background thread, off the open that compiled it;
//! [`finish_stores`] waits for those writes before a process exits. Each
//! store then keeps the cache within its size limit (see [`usage`]).

pub mod sealed;
mod usage;

pub use usage::{Entry, EntryKind};

use crate::LoadError;
use ffic_compiler::COMPILER_VERSION;
use ffic_compiler::isa::{self, CPU_FEATURES};
use ffic_schema::Library;
use sha2::{Digest as _, Sha256};
use std::fmt::Write;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// The most bytes of evictable files (see [`EntryKind::evictable`]) a cache keeps unless
/// told otherwise: some thousand large descriptor sets.
pub const DEFAULT_LIMIT: u64 = 256 << 20;

/// A cache directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    dir: PathBuf,
    /// Bytes of evictable files kept at most.
    limit: u64,
}

impl Cache {
    /// The cache at `dir`, kept within [`DEFAULT_LIMIT`].
    pub fn new(dir: impl Into<PathBuf>) -> Cache {
        Cache {
            dir: dir.into(),
            limit: DEFAULT_LIMIT,
        }
    }

    /// The same cache kept within `bytes` of evictable files.
    pub fn with_limit(self, bytes: u64) -> Cache {
        Cache {
            limit: bytes,
            ..self
        }
    }

    /// `$FFIC_CACHE_DIR`, else `$XDG_CACHE_HOME/ffic`, else `$HOME/.cache/ffic`;
    /// `None` when none of them is set. `$FFIC_CACHE_LIMIT_MB` (a whole
    /// number of MiB) sets its limit.
    pub fn from_env() -> Option<Cache> {
        let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
        let dir = if let Some(dir) = var("FFIC_CACHE_DIR") {
            PathBuf::from(dir)
        } else if let Some(xdg) = var("XDG_CACHE_HOME") {
            Path::new(&xdg).join("ffic")
        } else {
            Path::new(&var("HOME")?).join(".cache").join("ffic")
        };
        let limit = var("FFIC_CACHE_LIMIT_MB")
            .and_then(|v| v.to_str()?.parse::<u64>().ok())
            .map_or(DEFAULT_LIMIT, |mb| mb.saturating_mul(1 << 20));
        Some(Cache::new(dir).with_limit(limit))
    }

    /// Bytes of evictable files it keeps at most.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The cache key of `library` on this host: a SHA-256 over the digest of
    /// the descriptors, the target triple, the CPU features and the compiler
    /// version, everything that must match for an artifact to be used.
    pub fn key(library: &Library) -> String {
        let mut hash = Sha256::new();
        for part in [
            "ffic cache v1",
            &library.digest().to_string(),
            isa::host_triple().unwrap_or("unsupported"),
            &format!("{CPU_FEATURES:x}"),
            COMPILER_VERSION,
        ] {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part.as_bytes());
        }
        hash.finalize()
            .iter()
            .fold(String::with_capacity(64), |mut s, b| {
                let _ = write!(s, "{b:02x}");
                s
            })
    }

    /// Where the artifact of `library` lives in this cache.
    pub fn path_for(&self, library: &Library) -> PathBuf {
        self.dir.join(format!("{}.ffic", Cache::key(library)))
    }

    /// Checks that the directory exists, is a directory, belongs to this user
    /// (or root) and that no other user may write it.
    pub fn check(&self) -> Result<(), LoadError> {
        let reason = match std::fs::metadata(&self.dir) {
            Err(e) => Err(e.to_string()),
            Ok(m) if !m.is_dir() => Err("not a directory".into()),
            Ok(m) => crate::trust::only_owner_writes(&m),
        };
        reason.map_err(|reason| LoadError::Cache {
            path: self.dir.clone(),
            reason,
        })
    }

    /// Creates the directory (private to this user) if it is missing, and
    /// [`check`](Cache::check)s it: what must hold before anything is
    /// written there.
    pub fn ensure(&self) -> Result<(), LoadError> {
        if !self.dir.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&self.dir)
                .map_err(|e| LoadError::Cache {
                    path: self.dir.clone(),
                    reason: format!("cannot create it: {e}"),
                })?;
        }
        self.check()
    }

    /// Stores `bytes` as the artifact of `library`, creating the directory
    /// (private to this user) if needed, then evicts what is over the
    /// limit (least recently used first, never this file); returns the
    /// file's path.
    pub fn store(&self, library: &Library, bytes: &[u8]) -> Result<PathBuf, LoadError> {
        self.ensure()?;
        let path = self.path_for(library);
        ffic_compiler::write_atomically(&path, bytes).map_err(|e| LoadError::Cache {
            path: self.dir.clone(),
            reason: e.to_string(),
        })?;
        // Eviction that fails leaves the cache larger, nothing worse.
        let _ = self.evict(&path);
        Ok(path)
    }

    /// Stores the artifact `make` compiles for `library` from a background
    /// thread, unless this process is storing that file already. A store
    /// that fails is only a later miss.
    pub(crate) fn store_later(
        &self,
        library: Arc<Library>,
        make: impl FnOnce() -> Result<Vec<u8>, LoadError> + Send + 'static,
    ) {
        let path = self.path_for(&library);
        let mut running = lock_running();
        if running.contains(&path) {
            return;
        }
        running.push(path.clone());
        drop(running);
        let done = Running(path);
        let cache = self.clone();
        let spawned = std::thread::Builder::new()
            .name("ffic-cache-store".into())
            .spawn(move || {
                // Dropped last, even if compiling panics: the store is over.
                let _done = done;
                if let Ok(bytes) = make() {
                    let _ = cache.store(&library, &bytes);
                }
            });
        // No thread to spare (its closure, and so `done`, are dropped): the
        // next process compiles it instead.
        drop(spawned);
    }
}

/// Files being stored by background threads.
static RUNNING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Signalled whenever a background store ends.
static ENDED: Condvar = Condvar::new();

/// A background store of the file it names; dropped, the store is over.
struct Running(PathBuf);

impl Drop for Running {
    fn drop(&mut self) {
        lock_running().retain(|p| *p != self.0);
        ENDED.notify_all();
    }
}

/// Waits until every artifact being stored in the background has been
/// written (or has failed): a process calls it before exiting, so that its
/// next run maps what this one compiled.
pub fn finish_stores() {
    let mut running = lock_running();
    while !running.is_empty() {
        running = ENDED.wait(running).unwrap_or_else(|e| e.into_inner());
    }
}

/// The files being stored, even if a thread panicked holding the list.
fn lock_running() -> MutexGuard<'static, Vec<PathBuf>> {
    RUNNING.lock().unwrap_or_else(|e| e.into_inner())
}
