//! The descriptor digest: SHA-256 over a canonical encoding of exactly what
//! changes generated code (names, native names, types, `nonblocking`,
//! `optional`), independent of key order, formatting and documentation.

use crate::ir::{Library, SymbolKind, Type};
use sha2::{Digest as _, Sha256};
use std::fmt;

/// Domain tag; bump it when the encoding changes.
const DIGEST_TAG: &[u8] = b"ffic-descriptor-digest-v1";

/// A descriptor digest (the artifact cache key's descriptor part).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Digest(pub [u8; 32]);

impl fmt::Display for Digest {
    /// Lower-case hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl Library {
    /// The digest of this library's code-relevant content.
    pub fn digest(&self) -> Digest {
        let mut hasher = Sha256::new();
        hasher.update(DIGEST_TAG);
        let mut symbols: Vec<_> = self.symbols.iter().collect();
        symbols.sort_by(|a, b| a.name.cmp(&b.name));
        hasher.update((symbols.len() as u64).to_le_bytes());
        for symbol in symbols {
            bytes(&mut hasher, symbol.name.as_bytes());
            bytes(&mut hasher, symbol.native.as_bytes());
            hasher.update([u8::from(symbol.optional)]);
            match &symbol.kind {
                SymbolKind::Function {
                    signature,
                    nonblocking,
                    ..
                } => {
                    hasher.update([b'F', u8::from(*nonblocking)]);
                    hasher.update((signature.parameters.len() as u64).to_le_bytes());
                    signature.parameters.iter().for_each(|p| ty(&mut hasher, p));
                    ty(&mut hasher, &signature.result);
                }
                SymbolKind::Static { ty: t } => {
                    hasher.update([b'S']);
                    ty(&mut hasher, t);
                }
            }
        }
        Digest(hasher.finalize().into())
    }
}

/// Length-prefixed bytes, so no two sequences of fields encode alike.
fn bytes(hasher: &mut Sha256, data: &[u8]) {
    hasher.update((data.len() as u64).to_le_bytes());
    hasher.update(data);
}

fn ty(hasher: &mut Sha256, t: &Type) {
    match t {
        Type::Primitive(p) => {
            // Declaration order; changing it changes digests (bump DIGEST_TAG).
            hasher.update([*p as u8]);
        }
        Type::Struct(s) => {
            hasher.update([0xff]);
            hasher.update((s.fields.len() as u64).to_le_bytes());
            s.fields.iter().for_each(|f| ty(hasher, f));
        }
    }
}
