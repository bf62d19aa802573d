//! What a cache directory holds, and keeping it bounded: its files by kind
//! with their size and last use, eviction of the least recently used ones
//! down to the cache's size limit after each store, and cleaning it out.
//! Only files with the names ffic gives are listed or removed. Last use is
//! the file's access time, which Linux updates when an artifact is mapped or
//! a file read (at most daily under the default `relatime`), so no open
//! pays a write to record it.

use super::Cache;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What a cache file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A trampoline artifact (`KEY.ffic`).
    Artifact,
    /// A marker that a descriptor text passed the check, holding its
    /// checked library (`checked/KEY`).
    Checked,
    /// A transpiled TypeScript module (`ts/KEY.js`).
    Transpiled,
    /// V8's compiled code for a script or module (`v8/KEY.code`).
    Compiled,
    /// A write that never finished (`.ffic-*.tmp`, left by a process that
    /// died while storing).
    Unfinished,
}

impl EntryKind {
    /// Whether eviction may remove it (and the size limit counts it): what
    /// can be made again, and is not possibly being written right now.
    pub fn evictable(self) -> bool {
        matches!(
            self,
            EntryKind::Artifact | EntryKind::Checked | EntryKind::Transpiled | EntryKind::Compiled
        )
    }
}

/// One file of the cache.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Where it is.
    pub path: PathBuf,
    /// What it is.
    pub kind: EntryKind,
    /// Its size in bytes.
    pub bytes: u64,
    /// When it was last used (its access time).
    pub used: SystemTime,
}

/// The subdirectories of a cache and the kind of file each holds.
const PLACES: [(&str, EntryKind); 4] = [
    ("", EntryKind::Artifact),
    ("checked", EntryKind::Checked),
    ("ts", EntryKind::Transpiled),
    ("v8", EntryKind::Compiled),
];

/// The kind of cache file `name` (in the place that holds `kind`) is.
fn kind_of(name: &str, kind: EntryKind) -> Option<EntryKind> {
    if name.starts_with(".ffic-") && name.ends_with(".tmp") {
        return Some(EntryKind::Unfinished);
    }
    let key = match kind {
        EntryKind::Artifact => name.strip_suffix(".ffic")?,
        EntryKind::Transpiled => name.strip_suffix(".js")?,
        EntryKind::Compiled => name.strip_suffix(".code")?,
        EntryKind::Checked | EntryKind::Unfinished => name,
    };
    let is_key = key.len() == 64 && key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    is_key.then_some(kind)
}

impl Cache {
    /// Every file ffic keeps in this cache, in no particular order; none
    /// when the directory does not exist. Symbolic links are not followed.
    pub fn entries(&self) -> std::io::Result<Vec<Entry>> {
        let mut entries = Vec::new();
        for (place, kind) in PLACES {
            let dir = self.dir.join(place);
            let listing = match std::fs::read_dir(&dir) {
                Ok(listing) => listing,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            for item in listing {
                let item = item?;
                let Some(kind) = item.file_name().to_str().and_then(|n| kind_of(n, kind)) else {
                    continue;
                };
                // A file another process removed meanwhile is not listed.
                let metadata = match item.metadata() {
                    Ok(metadata) => metadata,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(e),
                };
                if !metadata.is_file() {
                    continue;
                }
                entries.push(Entry {
                    path: item.path(),
                    kind,
                    bytes: metadata.len(),
                    used: metadata.accessed().unwrap_or(SystemTime::UNIX_EPOCH),
                });
            }
        }
        Ok(entries)
    }

    /// Removes every file ffic keeps here; what was removed.
    pub fn clean(&self) -> std::io::Result<Vec<Entry>> {
        let entries = self.entries()?;
        for entry in &entries {
            remove(&entry.path)?;
        }
        Ok(entries)
    }

    /// Removes evictable files (see [`EntryKind::evictable`]), least recently used first,
    /// until what they take is within the limit, never `keep` (the file
    /// just stored); what was removed. A file another process removed
    /// first counts as removed.
    pub(crate) fn evict(&self, keep: &Path) -> std::io::Result<Vec<Entry>> {
        let mut candidates: Vec<Entry> = self
            .entries()?
            .into_iter()
            .filter(|e| e.kind.evictable())
            .collect();
        let mut total: u64 = candidates.iter().map(|e| e.bytes).sum();
        candidates.sort_by_key(|e| e.used);
        let mut removed = Vec::new();
        for entry in candidates {
            if total <= self.limit {
                break;
            }
            if entry.path == keep {
                continue;
            }
            remove(&entry.path)?;
            total -= entry.bytes;
            removed.push(entry);
        }
        Ok(removed)
    }
}

/// Removes the file at `path`; one already gone (another process cleaned
/// it) is not an error.
fn remove(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}
