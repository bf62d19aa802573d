//! Descriptor texts that passed ffic-schema's check, remembered across
//! processes: an empty marker per text in `checked/` under the artifact
//! cache (with the cache's trust rules), named by a SHA-256 over the text,
//! the published JSON Schema's fingerprint, ffic's version and the target, so
//! that a later process reads the same text without validating it again
//! (milliseconds for 1000 symbols; hashing it and looking for the marker
//! take microseconds). `ffic compile` marks the text a generated module
//! carries; the V8 binding marks every text it checked.

use crate::Cache;
use sha2::{Digest as _, Sha256};
use std::fmt::Write as _;
use std::path::PathBuf;

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
        let mut hash = Sha256::new();
        let target = format!("{:?} {SCHEMA:016x}", ffic_schema::Target::host());
        for part in ["ffic checked v1", env!("CARGO_PKG_VERSION"), &target, text] {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part.as_bytes());
        }
        let name = hash.finalize().iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
        self.dir.dir().join(name)
    }

    /// Whether `text` passed the check before, as a trusted marker says.
    pub fn knows(&self, text: &str) -> bool {
        self.dir.check().is_ok() && self.marker(text).is_file()
    }

    /// Remembers that `text` passed the check (the caller checked it); a
    /// cache that cannot take the marker is skipped.
    pub fn remember(&self, text: &str) {
        if self.dir.ensure().is_ok() {
            let _ = ffic_compiler::write_atomically(&self.marker(text), b"");
        }
    }
}
