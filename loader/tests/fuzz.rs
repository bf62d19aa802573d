//! Bounded fuzzing of what takes untrusted input, in CI for a fixed number
//! of cases (`FFIC_FUZZ_CASES`, 256 by default; set it higher for a longer
//! run by hand): random descriptors through `check`, the compiler, the
//! verifier and the binder (whatever `check` accepts must compile, verify
//! and bind), and forged artifacts (random words, truncations and splices,
//! the checksum resealed as a forger would) through the decoder and the
//! verifier, which must refuse or accept, never panic.

mod support;

use ffic_compiler::artifact::format::{self, CHECKSUM_AT, HEADER_SIZE};
use ffic_loader::{MappedArtifact, Resolved};
use ffic_schema::Target;
use proptest::prelude::*;
use std::sync::Arc;

fn config() -> ProptestConfig {
    let cases = std::env::var("FFIC_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

const PRIMITIVES: [&str; 17] = [
    "void", "bool", "u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64", "usize", "isize", "f32",
    "f64", "pointer", "buffer", "function",
];

/// A type as JSON text: mostly valid primitives and structs (nested up to
/// three deep, sometimes empty, sometimes with `void` or an unknown name
/// inside).
fn native_type() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        12 => proptest::sample::select(&PRIMITIVES[..]).prop_map(|p| format!("\"{p}\"")),
        1 => Just("\"int32\"".to_owned()),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop::collection::vec(inner, 0..6)
            .prop_map(|fields| format!("{{\"struct\": [{}]}}", fields.join(",")))
    })
}

/// A result type: usually any type, now and then a struct just below or
/// above the by-value size limit.
fn result_type() -> impl Strategy<Value = String> {
    prop_oneof![
        40 => native_type(),
        1 => (8188usize..8196).prop_map(|n| format!("{{\"struct\": [{}]}}", vec!["\"u64\""; n].join(","))),
    ]
}

/// A symbol definition as JSON text: a function (optional, so that names
/// the test library lacks are absent rather than errors) or a static.
fn definition() -> impl Strategy<Value = String> {
    let function = (
        prop::collection::vec(native_type(), 0..12),
        result_type(),
        any::<bool>(),
        prop::option::of("[a-z_]{1,8}"),
    )
        .prop_map(|(parameters, result, nonblocking, native)| {
            let name = native.map_or_else(String::new, |n| format!(", \"name\": \"{n}\""));
            format!(
                "{{\"parameters\": [{}], \"result\": {result}, \"nonblocking\": {nonblocking}, \"optional\": true{name}}}",
                parameters.join(",")
            )
        });
    let statics = native_type().prop_map(|ty| format!("{{\"type\": {ty}, \"optional\": true}}"));
    prop_oneof![8 => function, 1 => statics]
}

/// A whole descriptor as JSON text (names may repeat: JSON keeps the last).
fn descriptor() -> impl Strategy<Value = String> {
    prop::collection::vec(("[a-zA-Z_$][a-zA-Z0-9_]{0,6}", definition()), 0..8).prop_map(|symbols| {
        let body: Vec<String> = symbols
            .iter()
            .map(|(name, def)| format!("\"{name}\": {def}"))
            .collect();
        format!("{{{}}}", body.join(", "))
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn what_check_accepts_compiles_verifies_and_binds(text in descriptor()) {
        let report = ffic_schema::check(text.as_bytes(), Target::host());
        prop_assert_eq!(report.library.is_some(), report.is_valid());
        if let Some(library) = report.library {
            let compiled = ffic_compiler::compile_artifact(&library);
            prop_assert!(compiled.is_ok(), "check accepted, compile refused: {:?}\n{}", compiled.err(), text);
            let compiled = compiled.unwrap();
            let verified = ffic_loader::verify::verify(&compiled.bytes, &library);
            prop_assert!(verified.is_ok(), "{:?}", verified.err());
            let resolved = Arc::new(Resolved::new(support::native(), &library).unwrap());
            let bound = MappedArtifact::from_compiled(&compiled.bytes, &library, &resolved, &support::helpers(false));
            prop_assert!(bound.is_ok(), "{:?}", bound.err());
        }
    }

    #[test]
    fn forged_artifacts_are_refused_or_accepted_never_a_panic(
        edits in prop::collection::vec((any::<usize>(), any::<u32>(), 0u8..4), 1..6),
    ) {
        let (good, library) = good();
        let mut bytes = good.clone();
        for (at, value, kind) in edits {
            let len = bytes.len().max(1);
            match kind {
                // A word of the header, where every size and offset lives.
                0 if bytes.len() >= HEADER_SIZE => {
                    let at = at % (HEADER_SIZE - 3);
                    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
                }
                // A word anywhere (tables, strings, code).
                1 if bytes.len() >= 4 => {
                    let at = at % (bytes.len() - 3);
                    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
                }
                2 => bytes.truncate(at % len),
                _ => {
                    // A run of the file copied over another place.
                    let from = at % len;
                    let to = value as usize % len;
                    let run = (len - from.max(to)).min(64);
                    bytes.copy_within(from..from + run, to);
                }
            }
        }
        if bytes.len() >= CHECKSUM_AT + 4 {
            let sum = format::checksum(&bytes);
            bytes[CHECKSUM_AT..CHECKSUM_AT + 4].copy_from_slice(&sum.to_le_bytes());
        }
        // Either verdict is fine; a panic (or a crash) is not. A forgery
        // that only rewrites code passes: integrity is not authenticity.
        let _ = ffic_loader::verify::verify(&bytes, library);
    }
}

/// The test library's artifact and descriptors, compiled once.
fn good() -> &'static (Vec<u8>, ffic_schema::Library) {
    static GOOD: std::sync::OnceLock<(Vec<u8>, ffic_schema::Library)> = std::sync::OnceLock::new();
    GOOD.get_or_init(|| {
        let library = support::library();
        let bytes = ffic_compiler::compile_artifact(&library).unwrap().bytes;
        (bytes, library)
    })
}
