//! The descriptor digest: SHA-256 over a canonical encoding of exactly what
//! changes generated code (names, native names, types, `nonblocking`,
//! `optional`, errno capture, variadics), independent of key order, formatting and documentation.

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

/// A library's symbol indices in name order, the order its digest encodes
/// them in (and artifact entries are stored in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameOrder(Vec<u32>);

impl NameOrder {
    /// Indices into the library's symbols, by ascending name.
    pub fn indices(&self) -> &[u32] {
        &self.0
    }
}

impl Library {
    /// The digest of this library's code-relevant content.
    pub fn digest(&self) -> Digest {
        self.digest_in(&self.name_order())
    }

    /// Its symbols' indices sorted by name.
    pub fn name_order(&self) -> NameOrder {
        let mut order: Vec<u32> = (0..self.symbols.len() as u32).collect();
        order.sort_by(|&a, &b| {
            self.symbols[a as usize]
                .name
                .cmp(&self.symbols[b as usize].name)
        });
        NameOrder(order)
    }

    /// [`Library::digest`] with this library's `name_order()` already at
    /// hand (the loader needs both at every open; sorting once saves half).
    pub fn digest_in(&self, order: &NameOrder) -> Digest {
        assert_eq!(order.0.len(), self.symbols.len(), "another library's order");
        // One contiguous encoding hashed at once: many small updates cost more.
        let mut out = Vec::with_capacity(64 * self.symbols.len() + 64);
        out.extend_from_slice(DIGEST_TAG);
        out.extend_from_slice(&(self.symbols.len() as u64).to_le_bytes());
        for &i in &order.0 {
            let symbol = &self.symbols[i as usize];
            bytes(&mut out, symbol.name.as_bytes());
            bytes(&mut out, symbol.native.as_bytes());
            out.push(u8::from(symbol.optional));
            match &symbol.kind {
                SymbolKind::Function {
                    signature,
                    nonblocking,
                    ..
                } => {
                    // Distinct tags keep the digests of descriptors without
                    // errno capture or variadics what they were.
                    let tag = match (signature.errno, signature.variadic) {
                        (false, false) => b'F',
                        (true, false) => b'E',
                        (false, true) => b'V',
                        (true, true) => b'W',
                    };
                    out.extend_from_slice(&[tag, u8::from(*nonblocking)]);
                    out.extend_from_slice(&(signature.parameters.len() as u64).to_le_bytes());
                    signature.parameters.iter().for_each(|p| ty(&mut out, p));
                    ty(&mut out, &signature.result);
                }
                SymbolKind::Static { ty: t } => {
                    out.push(b'S');
                    ty(&mut out, t);
                }
            }
        }
        Digest(Sha256::digest(&out).into())
    }
}

/// Length-prefixed bytes, so no two sequences of fields encode alike.
fn bytes(out: &mut Vec<u8>, data: &[u8]) {
    out.extend_from_slice(&(data.len() as u64).to_le_bytes());
    out.extend_from_slice(data);
}

fn ty(out: &mut Vec<u8>, t: &Type) {
    match t {
        Type::Primitive(p) => out.push(p.row().code),
        Type::Struct(s) => {
            out.push(0xff);
            out.extend_from_slice(&(s.fields.len() as u64).to_le_bytes());
            s.fields.iter().for_each(|f| ty(out, f));
        }
    }
}
