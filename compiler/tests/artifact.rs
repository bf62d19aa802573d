//! The artifact writer against the format's own decoder: every symbol of the
//! test library appears with its trampolines, and output is deterministic.

use ffic_compiler::artifact::format::{self, EntryKind};
use ffic_compiler::compile_artifact;
use ffic_schema::{Library, Target};

fn test_library() -> Library {
    let bytes = std::fs::read(ffic_testlib::descriptor_path()).unwrap();
    let report = ffic_schema::check(&bytes, Target::X86_64_LINUX);
    assert!(report.is_valid(), "{:?}", report.diagnostics);
    report.library.unwrap()
}

#[test]
fn compiling_twice_gives_identical_bytes() {
    let library = test_library();
    let a = compile_artifact(&library).unwrap();
    let b = compile_artifact(&library).unwrap();
    assert_eq!(a.bytes, b.bytes);
}

#[test]
fn every_symbol_is_in_the_manifest_with_its_trampolines() {
    let library = test_library();
    let compiled = compile_artifact(&library).unwrap();
    let artifact = format::decode(&compiled.bytes).unwrap();
    assert_eq!(artifact.entries.len(), library.symbols.len());
    assert_eq!(artifact.header.digest, library.digest().0);
    for symbol in &library.symbols {
        let entry = artifact
            .entries
            .iter()
            .find(|e| e.name == symbol.name)
            .unwrap_or_else(|| panic!("{} missing", symbol.name));
        assert_eq!(entry.native, symbol.native);
        match &symbol.kind {
            ffic_schema::SymbolKind::Function {
                signature,
                nonblocking,
                ..
            } => {
                assert_eq!(entry.kind, EntryKind::Function);
                assert_eq!(entry.signature, signature.to_string());
                assert_eq!(entry.fast.is_some(), symbol.fast_call(), "{}", symbol.name);
                if *nonblocking {
                    assert!(entry.fast.is_none(), "{}", symbol.name);
                }
                let invoke = &artifact.invokes[entry.invoke.unwrap() as usize];
                assert_eq!(invoke.signature, entry.signature);
            }
            ffic_schema::SymbolKind::Static { ty } => {
                assert_eq!(entry.kind, EntryKind::Static);
                assert_eq!(entry.signature, ty.to_string());
            }
        }
    }
}
