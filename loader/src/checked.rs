//! Descriptor texts that passed ffic-schema's check, remembered across
//! processes: a marker per text in `checked/` under the artifact cache
//! (with the cache's trust rules: a private directory, files only the
//! owner writes), named by a SHA-256 over the text, the published JSON
//! Schema's fingerprint, ffic's version and the target, and holding the
//! checked library as bytes (`Library::to_bytes`), sealed (see
//! [`crate::cache::sealed`]).
//! A later process opening the same text gets the library from the marker
//! without parsing or validating the text again (about 0.1 ms for 1000
//! symbols, against a millisecond to read the text and several to check
//! it); a marker that does not verify is as good as none. `ffic compile`
//! marks the text a generated module carries; the V8 binding marks every
//! text it checked.

use crate::Cache;
use ffic_schema::{Library, Target};
use std::path::PathBuf;

/// What kind of sealed file a marker is.
const MAGIC: &[u8; 8] = b"fficchk2";

/// The schema the texts were validated against, as a fingerprint made at
/// compile time (FNV-1a), so that a new schema is a new key without hashing
/// the schema at every open.
const SCHEMA: u64 = fnv1a(include_bytes!("../../schema/ffic.schema.json"));

/// FNV-1a, 64 bits.
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

/// The verdicts kept under one artifact cache.
#[derive(Debug, Clone)]
pub struct Checked {
    dir: Cache,
}

impl Checked {
    /// The verdicts under `cache`.
    pub fn under(cache: &Cache) -> Checked {
        Checked {
            dir: Cache::new(cache.dir().join("checked")),
        }
    }

    /// The marker for `text`.
    fn marker(&self, text: &str) -> PathBuf {
        let target = format!("{:?} {SCHEMA:016x}", ffic_schema::Target::host());
        let parts = ["ffic checked v2", env!("CARGO_PKG_VERSION"), &target, text];
        self.dir.dir().join(crate::cache::sealed::key(&parts))
    }

    /// The library of `text`, as the check gave it when it passed before
    /// on this host; `None` when no trusted marker says so.
    pub fn library(&self, text: &str) -> Option<Library> {
        self.dir.check().ok()?;
        let payload = crate::cache::sealed::read(&self.marker(text), MAGIC)?;
        Library::from_bytes(&payload, Target::host())
    }

    /// Remembers that `text` passed the check and gave `library` (the
    /// caller checked it); a cache that cannot take the marker is skipped.
    pub fn remember(&self, text: &str, library: &Library) {
        if self.dir.ensure().is_ok() {
            let _ = crate::cache::sealed::write(&self.marker(text), MAGIC, &library.to_bytes());
        }
    }
}
