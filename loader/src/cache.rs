//! The artifact cache: one file per (descriptor digest, target, CPU features,
//! compiler version) in a directory only this user can write. Files are
//! replaced by rename, so processes filling it at once each leave a complete
//! artifact and readers never see a partial one.

use crate::LoadError;
use ffic_compiler::COMPILER_VERSION;
use ffic_compiler::isa::{self, CPU_FEATURES};
use ffic_schema::Library;
use sha2::{Digest as _, Sha256};
use std::fmt::Write;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

/// A cache directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The cache at `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Cache {
        Cache { dir: dir.into() }
    }

    /// `$FFIC_CACHE_DIR`, else `$XDG_CACHE_HOME/ffic`, else `$HOME/.cache/ffic`;
    /// `None` when none of them is set.
    pub fn from_env() -> Option<Cache> {
        let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
        if let Some(dir) = var("FFIC_CACHE_DIR") {
            return Some(Cache::new(dir));
        }
        if let Some(xdg) = var("XDG_CACHE_HOME") {
            return Some(Cache::new(Path::new(&xdg).join("ffic")));
        }
        var("HOME").map(|home| Cache::new(Path::new(&home).join(".cache").join("ffic")))
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
    /// (private to this user) if needed; returns the file's path.
    pub fn store(&self, library: &Library, bytes: &[u8]) -> Result<PathBuf, LoadError> {
        self.ensure()?;
        let path = self.path_for(library);
        ffic_compiler::write_atomically(&path, bytes).map_err(|e| LoadError::Cache {
            path: self.dir.clone(),
            reason: e.to_string(),
        })?;
        Ok(path)
    }
}
