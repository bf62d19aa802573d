//! Code shared by opens of the same descriptors: a file already mapped and
//! verified in this process, unchanged since, or code the JIT compiled in
//! this process, for descriptors with the same digest in the same order,
//! the same native addresses and the same helpers, is used again instead of
//! being mapped or compiled anew. A binder that keeps closed libraries'
//! code (V8's optimized code may still call it) then holds one copy per
//! artifact or descriptor set rather than one per open, so a host that
//! reopens a library in a loop stays flat, and reopening skips the mapping,
//! the byte checks and the compiler.

use crate::mapped::FileId;
use crate::{Helpers, LoadError, MappedArtifact, Resolved};
use ffic_schema::Library;
use std::path::Path;
use std::sync::{Arc, Mutex, Weak};

/// Every artifact mapping made from a file, and all code the JIT made,
/// still alive somewhere.
static MAPPINGS: Mutex<Vec<Weak<MappedArtifact>>> = Mutex::new(Vec::new());

/// The artifact at `path` bound for `library`: a live mapping that serves
/// exactly this (see [`MappedArtifact::serves`]), else a new one from
/// [`MappedArtifact::load`].
pub(crate) fn load(
    path: &Path,
    library: &Library,
    resolved: &Arc<Resolved>,
    helpers: &Helpers,
) -> Result<Arc<MappedArtifact>, LoadError> {
    // The file as `load` would open it now (symbolic links followed); any
    // change to it since the live mapping was verified changes its identity.
    if let Ok(metadata) = std::fs::metadata(path) {
        let file = Some(FileId::of(&metadata));
        if let Some(mapped) = live(file, library, resolved, helpers) {
            return Ok(mapped);
        }
    }
    let mapped = Arc::new(MappedArtifact::load(path, library, resolved, helpers)?);
    remember(&mapped);
    Ok(mapped)
}

/// The JIT's code for `library`: code compiled earlier in this process
/// that serves exactly this and is still alive, else what `compile` makes.
pub(crate) fn jit(
    library: &Library,
    resolved: &Arc<Resolved>,
    helpers: &Helpers,
    compile: impl FnOnce() -> Result<MappedArtifact, LoadError>,
) -> Result<Arc<MappedArtifact>, LoadError> {
    if let Some(code) = live(None, library, resolved, helpers) {
        return Ok(code);
    }
    let code = Arc::new(compile()?);
    remember(&code);
    Ok(code)
}

/// Live code from `file` (`None`: from the JIT) that serves exactly
/// `library` with these addresses and helpers.
fn live(
    file: Option<FileId>,
    library: &Library,
    resolved: &Resolved,
    helpers: &Helpers,
) -> Option<Arc<MappedArtifact>> {
    // Upgraded under the lock, filtered after it: dropping the last
    // reference to a mapping unmaps it and may close a native library,
    // which must not happen while the list is locked.
    let mut candidates: Vec<_> = lock().iter().filter_map(Weak::upgrade).collect();
    candidates.retain(|mapped| mapped.file() == file);
    // The digest only when some candidate is alive.
    if candidates.is_empty() {
        return None;
    }
    let digest = library.digest();
    candidates
        .into_iter()
        .find(|mapped| mapped.serves(&digest, library, resolved, helpers))
}

/// Lists `code` for later opens, forgetting code that is gone.
fn remember(code: &Arc<MappedArtifact>) {
    let mut mappings = lock();
    mappings.retain(|m| m.strong_count() > 0);
    mappings.push(Arc::downgrade(code));
}

/// The list, even if a thread panicked holding it (it only holds weak
/// pointers, which stay consistent).
fn lock() -> std::sync::MutexGuard<'static, Vec<Weak<MappedArtifact>>> {
    MAPPINGS.lock().unwrap_or_else(|e| e.into_inner())
}
