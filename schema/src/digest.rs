//! The descriptor digest: SHA-256 over a canonical encoding of exactly what
//! changes generated code (names, native names, types, `nonblocking`,
//! `optional`, `ffic.callsBack`), independent of key order, formatting and documentation.

use crate::ir::{Library, SymbolKind, Type};
use crate::types::Primitive;
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
                    calls_back,
                    ..
                } => {
                    // Flag bits; descriptors without `callsBack` keep the
                    // digest they had before it existed.
                    let flags = u8::from(*nonblocking) | (u8::from(*calls_back) << 1);
                    hasher.update([b'F', flags]);
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

/// A fixed byte per primitive, independent of the enum's declaration order.
fn primitive_code(p: Primitive) -> u8 {
    match p {
        Primitive::Void => 0,
        Primitive::Bool => 1,
        Primitive::U8 => 2,
        Primitive::I8 => 3,
        Primitive::U16 => 4,
        Primitive::I16 => 5,
        Primitive::U32 => 6,
        Primitive::I32 => 7,
        Primitive::U64 => 8,
        Primitive::I64 => 9,
        Primitive::Usize => 10,
        Primitive::Isize => 11,
        Primitive::F32 => 12,
        Primitive::F64 => 13,
        Primitive::Pointer => 14,
        Primitive::Buffer => 15,
        Primitive::Function => 16,
    }
}

fn ty(hasher: &mut Sha256, t: &Type) {
    match t {
        Type::Primitive(p) => {
            hasher.update([primitive_code(*p)]);
        }
        Type::Struct(s) => {
            hasher.update([0xff]);
            hasher.update((s.fields.len() as u64).to_le_bytes());
            s.fields.iter().for_each(|f| ty(hasher, f));
        }
    }
}
