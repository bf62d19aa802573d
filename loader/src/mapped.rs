//! A verified artifact mapped into memory with its import table filled: the
//! code pages read+execute straight from the file (or from an anonymous copy
//! where the file cannot be mapped executable, or compiled in process by the
//! JIT fallback), the table read-only, and the entry points of every symbol.

use crate::region::{Protection, Region};
use crate::{Helpers, LoadError, Resolved, verify};
use ffic_compiler::artifact::format::{DecodeError, ENTRY_SIZE, EntryKind, HEADER_SIZE};
use ffic_compiler::imports::{HELPER_SLOTS, Helper};
use ffic_schema::Library;
use std::ffi::c_void;
use std::io::Read;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;
use std::sync::Arc;

/// A symbol's bound entry points.
#[derive(Debug, Clone, Copy)]
pub struct BoundSymbol {
    /// Function or static.
    pub kind: EntryKind,
    /// The native address; `None` for an absent optional symbol.
    pub address: Option<*const c_void>,
    /// The fast trampoline (V8 Fast API shape), unless nonblocking or absent.
    pub fast: Option<*const u8>,
    /// The re-entrant fast trampoline, for a fast function with a value.
    pub reentrant: Option<*const u8>,
    /// The invoke trampoline of its signature, unless a static or absent.
    pub invoke: Option<*const u8>,
}

/// What a symbol's entry says, kept past verification; names and
/// signatures stay with the descriptors.
#[derive(Debug)]
struct Bound {
    kind: EntryKind,
    address: usize,
    fast: Option<u32>,
    reentrant: Option<u32>,
    invoke: Option<u32>,
}

/// A mapped, verified and bound artifact. Its code stays mapped, and the
/// native library loaded, for as long as it lives.
#[derive(Debug)]
pub struct MappedArtifact {
    region: Region,
    code_offset: usize,
    /// In descriptor order.
    symbols: Vec<Bound>,
    invokes: Vec<(String, u32)>,
    source: CodeSource,
    /// The file it was mapped from (`None` for JIT code).
    file: Option<FileId>,
    /// The descriptors' digest, as its header holds it.
    digest: [u8; 32],
    /// What its helper slots hold.
    helpers: Helpers,
    _resolved: Arc<Resolved>,
}

/// Which file, in which state, seen by whom: a file replaced (by rename),
/// rewritten, truncated or re-permissioned since has another identity, and
/// so does the same file seen under another effective user (whom its trust
/// check judged it for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileId {
    dev: u64,
    ino: u64,
    len: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
    euid: u32,
}

impl FileId {
    /// The identity of the file `metadata` describes.
    pub(crate) fn of(metadata: &std::fs::Metadata) -> FileId {
        FileId {
            dev: metadata.dev(),
            ino: metadata.ino(),
            len: metadata.len(),
            mtime: (metadata.mtime(), metadata.mtime_nsec()),
            ctime: (metadata.ctime(), metadata.ctime_nsec()),
            // SAFETY: geteuid has no preconditions and cannot fail.
            euid: unsafe { libc::geteuid() },
        }
    }
}

/// Where the running code came from (observable, so tests and benches can
/// assert the path each library took).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeSource {
    /// Mapped read+execute from the artifact file itself.
    File,
    /// A verified copy of the artifact (its file could not be executable).
    Copy,
    /// Compiled in process by the same generator and emitter (no artifact).
    Jit,
}

impl MappedArtifact {
    /// Maps the artifact at `path`, verifies it against `library` and this
    /// host, binds it to `resolved` symbols and `helpers`, and makes its code executable.
    ///
    /// The file must be a regular file owned by this user (or root) and
    /// writable by no one else, and must not be rewritten in place while
    /// mapped: a private mapping shows such writes, and a truncation raises
    /// SIGBUS. `ffic compile` and the cache replace artifacts by rename, which
    /// leaves a mapped file untouched.
    pub fn load(
        path: &Path,
        library: &Library,
        resolved: &Arc<Resolved>,
        helpers: &Helpers,
    ) -> Result<MappedArtifact, LoadError> {
        let io = |source| LoadError::Io {
            path: path.to_owned(),
            source,
        };
        // Non-blocking, so that a FIFO cannot stall the open.
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
            .map_err(io)?;
        let metadata = file.metadata().map_err(io)?;
        trusted(path, &metadata)?;
        let id = Some(FileId::of(&metadata));
        let len = usize::try_from(metadata.len()).unwrap_or(usize::MAX);
        if len < HEADER_SIZE {
            // Too short to map meaningfully: the decoder says why from the bytes.
            let mut bytes = Vec::with_capacity(HEADER_SIZE);
            (&mut file)
                .take(HEADER_SIZE as u64)
                .read_to_end(&mut bytes)
                .map_err(io)?;
            return Err(match verify::verify(&bytes, library) {
                Err(e) => e,
                Ok(_) => DecodeError::Truncated(format!("{len} bytes")).into(),
            });
        }
        // The table has one slot per entry and entries lie inside the file,
        // so this bound needs nothing from the unverified header.
        let table_bytes = (HELPER_SLOTS as usize + len / ENTRY_SIZE) * 8;
        let region = Region::map_file(&file, len, table_bytes).map_err(io)?;
        match Self::publish(region, library, resolved, helpers, (CodeSource::File, id)) {
            Err(Publish::NotExecutable(region)) => {
                // A noexec mount: copy the bytes and verify the copy afresh.
                let copy = Region::copy_of(region.bytes(), table_bytes).map_err(io)?;
                drop(region);
                match Self::publish(copy, library, resolved, helpers, (CodeSource::Copy, id)) {
                    Ok(mapped) => Ok(mapped),
                    Err(Publish::Failed(e)) => Err(e),
                    Err(Publish::NotExecutable(_)) => Err(io(std::io::Error::last_os_error())),
                }
            }
            Err(Publish::Failed(e)) => Err(e),
            Ok(mapped) => Ok(mapped),
        }
    }

    /// The JIT's last step: binds artifact bytes compiled in this process
    /// (by the artifact's own generator and emitter, so byte for byte what
    /// `ffic compile` writes) from fresh memory, verified like any artifact.
    pub fn from_compiled(
        bytes: &[u8],
        library: &Library,
        resolved: &Arc<Resolved>,
        helpers: &Helpers,
    ) -> Result<MappedArtifact, LoadError> {
        let io = |source| LoadError::Io {
            path: "(JIT memory)".into(),
            source,
        };
        let table_bytes = (HELPER_SLOTS as usize + library.symbols.len()) * 8;
        let region = Region::copy_of(bytes, table_bytes).map_err(io)?;
        match Self::publish(region, library, resolved, helpers, (CodeSource::Jit, None)) {
            Ok(mapped) => Ok(mapped),
            Err(Publish::Failed(e)) => Err(e),
            Err(Publish::NotExecutable(_)) => Err(io(std::io::Error::last_os_error())),
        }
    }

    fn publish(
        region: Region,
        library: &Library,
        resolved: &Arc<Resolved>,
        helpers: &Helpers,
        (source, file): (CodeSource, Option<FileId>),
    ) -> Result<MappedArtifact, Publish> {
        let (artifact, entry_of) =
            verify::verify(region.bytes(), library).map_err(Publish::Failed)?;
        let mut slots = vec![0usize; artifact.header.import_slots as usize];
        for helper in Helper::ALL {
            slots[helper.slot() as usize] = helpers.address(helper);
        }
        let Some(addresses) = resolved.addresses_for(library) else {
            return Err(Publish::Failed(LoadError::ManifestMismatch {
                symbol: "(all)".into(),
                reason: "the symbols were resolved for other descriptors".into(),
            }));
        };
        let mut symbols = Vec::with_capacity(entry_of.len());
        for (&e, address) in entry_of.iter().zip(addresses) {
            let entry = &artifact.entries[e as usize];
            slots[entry.import_slot as usize] = address;
            symbols.push(Bound {
                kind: entry.kind,
                address,
                fast: entry.fast.map(|s| s.offset),
                reentrant: entry.reentrant.map(|s| s.offset),
                invoke: entry.invoke,
            });
        }
        let invokes = artifact
            .invokes
            .iter()
            .map(|i| (i.signature.to_owned(), i.code.offset))
            .collect();
        let digest = artifact.header.digest;
        let code_offset = artifact.header.code_offset as usize;
        let code_len = artifact.header.file_len as usize - code_offset;

        let io = |e: std::io::Error| {
            Publish::Failed(LoadError::Io {
                path: "(artifact mapping)".into(),
                source: e,
            })
        };
        let table = region.table_offset();
        let table_len = (slots.len() * 8).next_multiple_of(crate::region::page_size());
        region
            .protect(table, table_len, Protection::ReadWrite)
            .map_err(io)?;
        region.write_table(&slots);
        region
            .protect(table, table_len, Protection::Read)
            .map_err(io)?;
        if let Err(e) = region.protect(code_offset, code_len, Protection::ReadExecute) {
            return match e.raw_os_error() {
                Some(libc::EACCES | libc::EPERM) if source == CodeSource::File => {
                    Err(Publish::NotExecutable(region))
                }
                _ => Err(io(e)),
            };
        }
        Ok(MappedArtifact {
            region,
            code_offset,
            symbols,
            invokes,
            source,
            file,
            digest,
            helpers: *helpers,
            _resolved: Arc::clone(resolved),
        })
    }

    /// The file it was mapped from, as it was then (`None` for JIT code).
    pub(crate) fn file(&self) -> Option<FileId> {
        self.file
    }

    /// Whether this mapping, of a file unchanged since (see [`Self::file`]),
    /// is what loading it again for `library` (whose digest is `digest`),
    /// `resolved` and `helpers` would make: the same descriptors in the same
    /// order, the same addresses in its table.
    pub(crate) fn serves(
        &self,
        digest: &ffic_schema::Digest,
        library: &Library,
        resolved: &Resolved,
        helpers: &Helpers,
    ) -> bool {
        self.digest == digest.0
            && Helper::ALL
                .iter()
                .all(|&h| self.helpers.address(h) == helpers.address(h))
            && self
                ._resolved
                .addresses_for(library)
                .is_some_and(|addresses| addresses.eq(resolved.addresses()))
    }

    fn code(&self, offset: u32) -> *const u8 {
        // In bounds: the decoder checked every code range against the code.
        self.region
            .base()
            .wrapping_add(self.code_offset + offset as usize)
    }

    fn bound(&self, b: &Bound) -> BoundSymbol {
        let present = b.address != 0;
        BoundSymbol {
            kind: b.kind,
            address: present.then_some(b.address as *const c_void),
            fast: b.fast.filter(|_| present).map(|o| self.code(o)),
            reentrant: b.reentrant.filter(|_| present).map(|o| self.code(o)),
            invoke: b
                .invoke
                .filter(|_| present)
                .map(|i| self.code(self.invokes[i as usize].1)),
        }
    }

    /// Every symbol, in descriptor order.
    pub fn symbols(&self) -> impl ExactSizeIterator<Item = BoundSymbol> {
        self.symbols.iter().map(|b| self.bound(b))
    }

    /// The invoke trampoline for a canonical signature, if the artifact has one.
    pub fn invoke(&self, signature: &str) -> Option<*const u8> {
        self.invokes
            .iter()
            .find(|(s, _)| s == signature)
            .map(|(_, offset)| self.code(*offset))
    }

    /// Every invoke trampoline with its signature.
    pub fn invokes(&self) -> impl Iterator<Item = (&str, *const u8)> {
        self.invokes
            .iter()
            .map(|(s, o)| (s.as_str(), self.code(*o)))
    }

    /// Where the running code came from.
    pub fn source(&self) -> CodeSource {
        self.source
    }
}

/// Refuses what could change under the mapping: anything but a regular
/// file, files of other users, files others may write.
fn trusted(path: &Path, metadata: &std::fs::Metadata) -> Result<(), LoadError> {
    let reason = if metadata.is_file() {
        crate::trust::only_owner_writes(metadata)
    } else {
        Err("not a regular file".into())
    };
    reason.map_err(|reason| LoadError::Untrusted {
        path: path.to_owned(),
        reason,
    })
}

/// Why publishing failed: for good, or only because the file's pages cannot
/// be made executable (so a copy may succeed).
enum Publish {
    Failed(LoadError),
    NotExecutable(Region),
}
