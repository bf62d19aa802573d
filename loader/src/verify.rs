//! Everything checked before an artifact's code may become executable:
//! structure and checksum (the format's decoder), then fitness for this host
//! and this compiler, then agreement with the descriptors being loaded.

use crate::LoadError;
use crate::region::page_size;
use ffic_compiler::COMPILER_VERSION;
use ffic_compiler::artifact::format::{self, Artifact, EntryKind};
use ffic_compiler::isa::{self, CPU_FEATURES};
use ffic_schema::{Digest, Library, SymbolKind};
use std::fmt::Write;

/// Checks that `artifact` was made for this host by this compiler.
pub fn check_host(artifact: &Artifact<'_>) -> Result<(), LoadError> {
    let incompatible = |what, found: String, expected: String| {
        Err(LoadError::Incompatible {
            what,
            found,
            expected,
        })
    };
    let Some(triple) = isa::host_triple() else {
        return incompatible(
            "target",
            artifact.target.into(),
            "a supported host (x86_64 or aarch64 Linux)".into(),
        );
    };
    if artifact.target != triple {
        return incompatible("target", artifact.target.into(), triple.into());
    }
    if artifact.header.page_size as usize != page_size() {
        return incompatible(
            "page size",
            artifact.header.page_size.to_string(),
            page_size().to_string(),
        );
    }
    // The loader knows every feature bit its compiler may set; this host has
    // them all (the baseline), so any other bit is a feature it cannot vouch for.
    let unknown = artifact.header.cpu_features & !CPU_FEATURES;
    if unknown != 0 {
        return incompatible(
            "CPU feature set",
            format!("{:#x}", artifact.header.cpu_features),
            format!("a subset of {CPU_FEATURES:#x}"),
        );
    }
    if artifact.compiler != COMPILER_VERSION {
        return incompatible(
            "compiler",
            artifact.compiler.into(),
            COMPILER_VERSION.into(),
        );
    }
    Ok(())
}

/// Checks that `artifact` was compiled from `library`: the digest, and each
/// manifest entry against the symbol of the same name. Returns, for each
/// descriptor symbol in order, the index of its entry.
pub fn check_library(artifact: &Artifact<'_>, library: &Library) -> Result<Vec<u32>, LoadError> {
    // Entries are stored sorted by unique name (the decoder checks), so the
    // symbols in name order pair with them one to one: one sort serves the
    // digest and the pairing, and this runs at every open.
    let order = library.name_order();
    let expected = library.digest_in(&order);
    if artifact.header.digest != expected.0 {
        return Err(LoadError::DigestMismatch {
            found: Digest(artifact.header.digest).to_string(),
            expected: expected.to_string(),
        });
    }
    if artifact.entries.len() != library.symbols.len() {
        return Err(LoadError::ManifestMismatch {
            symbol: "(all)".into(),
            reason: format!(
                "{} entries for {} symbols",
                artifact.entries.len(),
                library.symbols.len()
            ),
        });
    }
    // One buffer for every canonical spelling.
    let mut signature = String::new();
    let mut entry_of = vec![0u32; library.symbols.len()];
    for (index, (&i, entry)) in order.indices().iter().zip(&artifact.entries).enumerate() {
        let symbol = &library.symbols[i as usize];
        let mismatch = |reason: String| LoadError::ManifestMismatch {
            symbol: symbol.name.clone(),
            reason,
        };
        if entry.name != symbol.name {
            return Err(unpaired(artifact, library));
        }
        entry_of[i as usize] = index as u32;
        signature.clear();
        let (kind, nonblocking) = match &symbol.kind {
            SymbolKind::Function {
                signature: s,
                nonblocking,
                ..
            } => {
                let _ = write!(signature, "{s}");
                (EntryKind::Function, *nonblocking)
            }
            SymbolKind::Static { ty } => {
                let _ = write!(signature, "{ty}");
                (EntryKind::Static, false)
            }
        };
        if entry.kind != kind || entry.signature != signature {
            return Err(mismatch(format!(
                "{:?} {} where the descriptor has {kind:?} {signature}",
                entry.kind, entry.signature
            )));
        }
        if entry.native != symbol.native
            || entry.optional != symbol.optional
            || entry.nonblocking != nonblocking
        {
            return Err(mismatch("native name or flags differ".into()));
        }
        if kind == EntryKind::Function
            && (entry.fast.is_some() != symbol.fast_call()
                || entry.reentrant.is_some() != symbol.reentrant_call())
        {
            return Err(mismatch("fast trampoline presence is wrong".into()));
        }
        if let Some(i) = entry.invoke
            && artifact.invokes[i as usize].signature != signature
        {
            return Err(mismatch(
                "its invoke trampoline has another signature".into(),
            ));
        }
    }
    Ok(entry_of)
}

/// Why the symbols do not pair with the entries one to one: the first
/// symbol, in descriptor order, with no entry or with another's.
fn unpaired(artifact: &Artifact<'_>, library: &Library) -> LoadError {
    let mut paired = vec![false; artifact.entries.len()];
    for symbol in &library.symbols {
        let reason = match artifact
            .entries
            .binary_search_by(|e| e.name.cmp(&symbol.name))
        {
            Err(_) => "missing",
            Ok(i) if std::mem::replace(&mut paired[i], true) => "named twice in the descriptors",
            Ok(_) => continue,
        };
        return LoadError::ManifestMismatch {
            symbol: symbol.name.clone(),
            reason: reason.into(),
        };
    }
    // Equal counts and every symbol on its own entry: a bijection, so the
    // name orders agree and this is not reached.
    LoadError::ManifestMismatch {
        symbol: "(all)".into(),
        reason: "entries and symbols do not pair".into(),
    }
}

/// Decodes `bytes` and runs every check for loading it with `library`;
/// returns the artifact and, per descriptor symbol, its entry's index.
pub fn verify<'a>(
    bytes: &'a [u8],
    library: &Library,
) -> Result<(Artifact<'a>, Vec<u32>), LoadError> {
    let artifact = format::decode(bytes)?;
    check_host(&artifact)?;
    let entry_of = check_library(&artifact, library)?;
    Ok((artifact, entry_of))
}
