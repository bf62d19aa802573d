//! Hostile artifacts: truncated, bit-flipped, or well-formed but wrong. Each
//! is rejected with its reason before anything is executable, and leaves no
//! mapping of the file behind.

mod support;

use ffic_compiler::artifact::format::{self, CHECKSUM_AT, ENTRY_SIZE, HEADER_SIZE, INVOKE_SIZE};
use ffic_compiler::imports::HELPER_SLOTS;
use ffic_loader::{LoadError, MappedArtifact, Resolved};
use std::path::Path;

fn load_bytes(dir: &Path, name: &str, bytes: &[u8]) -> LoadError {
    let path = dir.join(name);
    support::write_artifact(&path, bytes);
    match support::load(&path, &support::helpers(false)) {
        Ok(_) => panic!("{name}: a hostile artifact was accepted"),
        Err(e) => e,
    }
}

fn reseal(bytes: &mut [u8]) {
    let sum = format::checksum(bytes);
    bytes[CHECKSUM_AT..CHECKSUM_AT + 4].copy_from_slice(&sum.to_le_bytes());
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}

fn put_u32(bytes: &mut [u8], at: usize, v: u32) {
    bytes[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

/// Applies `patch`, reseals the checksum (as a deliberate forger would), loads.
fn forged(dir: &Path, name: &str, good: &[u8], patch: impl FnOnce(&mut Vec<u8>)) -> LoadError {
    let mut bytes = good.to_vec();
    patch(&mut bytes);
    reseal(&mut bytes);
    load_bytes(dir, name, &bytes)
}

fn no_mapping_of(dir: &Path) {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let dir = dir.to_str().unwrap();
    assert!(
        !maps.contains(dir),
        "a rejected artifact stayed mapped:\n{maps}"
    );
}

#[test]
fn truncated_and_garbage_files_are_rejected() {
    let compiled = support::compile();
    let dir = compiled.dir.path();
    let good = &compiled.bytes;
    for len in [
        0,
        1,
        7,
        8,
        HEADER_SIZE - 1,
        HEADER_SIZE,
        4096,
        good.len() / 2,
        good.len() - 1,
    ] {
        let e = load_bytes(dir, "truncated.ffic", &good[..len]);
        assert!(
            matches!(e, LoadError::Malformed(format::DecodeError::Truncated(_))),
            "length {len}: {e}"
        );
    }
    let e = load_bytes(dir, "text.ffic", &b"{\"not\": \"an artifact\"}".repeat(100));
    assert!(
        matches!(e, LoadError::Malformed(format::DecodeError::BadMagic)),
        "{e}"
    );
    let mut longer = good.clone();
    longer.extend_from_slice(&[0; 4096]);
    let e = load_bytes(dir, "longer.ffic", &longer);
    assert!(
        matches!(e, LoadError::Malformed(format::DecodeError::Truncated(_))),
        "{e}"
    );
    no_mapping_of(dir);
}

#[test]
fn every_single_bit_flip_is_rejected() {
    let compiled = support::compile();
    let dir = compiled.dir.path();
    let good = &compiled.bytes;
    // Header fields one by one, the manifest and strings densely, the code sparsely.
    let positions = (0..HEADER_SIZE)
        .chain((HEADER_SIZE..4096).step_by(7))
        .chain((4096..good.len()).step_by(61));
    let mut checked = 0;
    for at in positions {
        let mut bytes = good.clone();
        bytes[at] ^= 1 << (at % 8);
        let e = load_bytes(dir, "flipped.ffic", &bytes);
        assert!(matches!(e, LoadError::Malformed(_)), "flip at {at}: {e}");
        checked += 1;
    }
    assert!(checked > 500, "only {checked} positions");
    no_mapping_of(dir);
}

#[test]
fn forged_but_wrong_artifacts_are_rejected_with_their_reason() {
    let compiled = support::compile();
    let dir = compiled.dir.path();
    let good = &compiled.bytes;
    let artifact = format::decode(good).unwrap();
    let h = artifact.header.clone();
    let strings = h.strings.offset as usize;
    let entry0 = h.entries.offset as usize;
    let invoke0 = h.invokes.offset as usize;
    let msg = |e: LoadError| e.to_string();

    let next = format::FORMAT_VERSION + 1;
    let e = forged(dir, "version.ffic", good, |b| put_u32(b, 8, next));
    assert!(
        matches!(
            e,
            LoadError::Malformed(format::DecodeError::Version { found }) if found == next
        ),
        "{e}"
    );

    let e = forged(dir, "digest.ffic", good, |b| b[32] ^= 0xff);
    assert!(matches!(e, LoadError::DigestMismatch { .. }), "{e}");

    let e = forged(dir, "target.ffic", good, |b| {
        let end = strings + (h.target.offset + h.target.len) as usize;
        b[end - 1] = b'X';
    });
    assert!(
        matches!(e, LoadError::Incompatible { what: "target", .. }),
        "{e}"
    );

    let e = forged(dir, "compiler.ffic", good, |b| {
        b[strings + h.compiler.offset as usize] = b'X';
    });
    assert!(
        matches!(
            e,
            LoadError::Incompatible {
                what: "compiler",
                ..
            }
        ),
        "{e}"
    );

    let e = forged(dir, "features.ffic", good, |b| b[24] |= 0x10);
    assert!(
        matches!(
            e,
            LoadError::Incompatible {
                what: "CPU feature set",
                ..
            }
        ),
        "{e}"
    );

    // Depending on the layout, the code no longer fits 8 KiB pages, or it
    // does and the page size differs from this host's: rejected either way.
    let e = forged(dir, "page.ffic", good, |b| put_u32(b, 20, 8192));
    let text = msg(e);
    assert!(
        text.contains("page size is 8192") || text.contains("malformed code"),
        "{text}"
    );

    let e = forged(dir, "fast-offset.ffic", good, |b| {
        // Entry 0 is a function with a fast trampoline (`absent`, first by name).
        put_u32(b, entry0 + 32, h.code_len as u32 + 16);
    });
    assert!(msg(e).contains("entry 0"), "fast offset past the code");

    let e = forged(dir, "fast-misaligned.ffic", good, |b| {
        let at = entry0 + 32;
        let offset = u32_at(b, at);
        put_u32(b, at, offset + 1);
    });
    assert!(msg(e).contains("not a function inside the code"));

    let e = forged(dir, "invoke-offset.ffic", good, |b| {
        put_u32(b, invoke0 + 8, u32::MAX - 15);
    });
    assert!(msg(e).contains("invoke 0"));

    let e = forged(dir, "invoke-index.ffic", good, |b| {
        put_u32(b, entry0 + 40, 9999)
    });
    assert!(msg(e).contains("invoke index out of range"));

    let e = forged(dir, "slot.ffic", good, |b| put_u32(b, entry0 + 28, 9999));
    assert!(msg(e).contains(&format!("import slot 9999, the code uses {HELPER_SLOTS}")));

    let e = forged(dir, "helper-slot.ffic", good, |b| {
        put_u32(b, entry0 + 28, 0)
    });
    assert!(msg(e).contains(&format!("import slot 0, the code uses {HELPER_SLOTS}")));

    let e = forged(dir, "swapped-slots.ffic", good, |b| {
        let (a, c) = (u32_at(b, entry0 + 28), u32_at(b, entry0 + ENTRY_SIZE + 28));
        put_u32(b, entry0 + 28, c);
        put_u32(b, entry0 + ENTRY_SIZE + 28, a);
    });
    assert!(
        msg(e).contains("the code uses"),
        "slots swapped between two entries"
    );

    let e = forged(dir, "overlap.ffic", good, |b| {
        // Point entry 3's fast trampoline at entry 2's (`add_f64` and `add_f32`).
        let (two, three) = (entry0 + 2 * ENTRY_SIZE, entry0 + 3 * ENTRY_SIZE);
        let first = b[two + 32..two + 40].to_vec();
        b[three + 32..three + 40].copy_from_slice(&first);
    });
    assert!(msg(e).contains("overlaps"));

    // Entry 2 (`add_f64`) returns a value: it has a re-entrant form.
    let two = entry0 + 2 * ENTRY_SIZE;
    assert_ne!(u32_at(good, two + 44), format::NONE);
    let e = forged(dir, "reentrant-overlap.ffic", good, |b| {
        let fast = b[two + 32..two + 40].to_vec();
        b[two + 44..two + 52].copy_from_slice(&fast);
    });
    assert!(
        msg(e).contains("overlaps"),
        "re-entrant form on its fast one"
    );
    let e = forged(dir, "reentrant-alone.ffic", good, |b| {
        put_u32(b, two + 32, format::NONE)
    });
    assert!(msg(e).contains("trampolines do not match its kind"));
    let e = forged(dir, "reentrant-range.ffic", good, |b| {
        put_u32(b, two + 44, 1 << 30)
    });
    assert!(
        msg(e).contains("not a function inside the code"),
        "re-entrant form out of the code"
    );
    let e = forged(dir, "reentrant-missing.ffic", good, |b| {
        put_u32(b, two + 44, format::NONE)
    });
    assert!(msg(e).contains("fast trampoline presence is wrong"));

    let e = forged(dir, "huge-code.ffic", good, |b| {
        b[80..88].copy_from_slice(&0xFFFF_FFFF_FFFF_F001u64.to_le_bytes());
    });
    assert!(msg(e).contains("over 4 GiB"));

    let e = forged(dir, "reserved.ffic", good, |b| b[HEADER_SIZE - 1] = 1);
    assert!(msg(e).contains("reserved field"));

    let e = forged(dir, "kind.ffic", good, |b| b[entry0 + 24] = 7);
    assert!(msg(e).contains("unknown kind 7"));

    let e = forged(dir, "unsorted.ffic", good, |b| {
        let (first, second) = b[entry0..entry0 + 2 * ENTRY_SIZE].split_at_mut(ENTRY_SIZE);
        first.swap_with_slice(second);
        // Keep each slot where the code expects it, so only the order is wrong.
        put_u32(b, entry0 + 28, HELPER_SLOTS);
        put_u32(b, entry0 + ENTRY_SIZE + 28, HELPER_SLOTS + 1);
    });
    assert!(msg(e).contains("not sorted"));

    let e = forged(dir, "string-range.ffic", good, |b| {
        put_u32(b, entry0 + 4, u32::MAX)
    });
    assert!(msg(e).contains("outside the string table"));

    let e = forged(dir, "table-range.ffic", good, |b| {
        put_u32(b, 108, u32::MAX / ENTRY_SIZE as u32)
    });
    let text = msg(e);
    assert!(
        text.contains("entry table") || text.contains("import slots"),
        "{text}"
    );

    let e = forged(dir, "invoke-table.ffic", good, |b| {
        put_u32(b, 112, h.code_offset as u32 - INVOKE_SIZE as u32 + 1)
    });
    assert!(msg(e).contains("invoke table"));

    // The right digest over a manifest that lies: the signature of one entry.
    let e = forged(dir, "signature.ffic", good, |b| {
        let sig = artifact
            .entries
            .iter()
            .find(|e| e.signature == "(i32,i32)->i32")
            .unwrap();
        let span = h.entries.offset as usize
            + artifact
                .entries
                .iter()
                .position(|e| e.name == sig.name)
                .unwrap()
                * ENTRY_SIZE;
        let other = artifact
            .entries
            .iter()
            .find(|e| e.signature == "(u64,u64)->u64")
            .unwrap();
        let other_at = h.entries.offset as usize
            + artifact
                .entries
                .iter()
                .position(|e| e.name == other.name)
                .unwrap()
                * ENTRY_SIZE;
        let other_span = b[other_at + 16..other_at + 24].to_vec();
        b[span + 16..span + 24].copy_from_slice(&other_span);
    });
    assert!(matches!(e, LoadError::ManifestMismatch { .. }), "{e}");
    no_mapping_of(dir);
}

#[test]
fn an_artifact_of_other_descriptors_is_rejected() {
    let libm =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/libm/symbols.json"))
            .unwrap();
    let report = ffic_schema::check(&libm, ffic_schema::Target::host());
    let other = ffic_compiler::compile_artifact(&report.library.unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let e = load_bytes(dir.path(), "libm.ffic", &other.bytes);
    assert!(matches!(e, LoadError::DigestMismatch { .. }), "{e}");
}

#[test]
fn files_that_could_change_under_the_mapping_are_refused() {
    use std::os::unix::fs::PermissionsExt;
    let compiled = support::compile();
    let helpers = support::helpers(false);
    let writable = compiled.dir.path().join("writable.ffic");
    std::fs::write(&writable, &compiled.bytes).unwrap();
    std::fs::set_permissions(&writable, std::fs::Permissions::from_mode(0o664)).unwrap();
    let e = support::load(&writable, &helpers).unwrap_err();
    assert!(
        e.to_string().contains("mode 664 lets other users write it"),
        "{e}"
    );
    // Not regular files: a directory, a device, a FIFO (which must not block).
    let fifo = compiled.dir.path().join("fifo.ffic");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    for path in [compiled.dir.path(), Path::new("/dev/zero"), fifo.as_path()] {
        let e = support::load(path, &helpers).unwrap_err();
        assert!(
            matches!(e, LoadError::Untrusted { .. } | LoadError::Io { .. }),
            "{}: {e}",
            path.display()
        );
    }
    let e = support::load(Path::new("/dev/zero"), &helpers).unwrap_err();
    assert!(e.to_string().contains("not a regular file"), "{e}");
}

#[test]
fn a_forged_digest_does_not_pair_entries_with_other_symbols() {
    let compiled = support::compile();
    let dir = compiled.dir.path();
    let mut names: Vec<String> = support::library()
        .symbols
        .iter()
        .map(|s| s.name.clone())
        .collect();
    names.sort();
    let (first, second) = (names[0].clone(), names[1].clone());
    // A name the artifact lacks, and a name given twice (the second symbol
    // in name order renamed as the first).
    for (renamed, to, reason) in [
        (&first, "zz_not_in_the_artifact", "missing"),
        (&second, first.as_str(), "named twice in the descriptors"),
    ] {
        let mut library = support::library();
        let symbol = library.symbols.iter_mut().find(|s| s.name == *renamed);
        symbol.unwrap().name = to.into();
        let mut bytes = compiled.bytes.clone();
        bytes[32..64].copy_from_slice(&library.digest().0);
        reseal(&mut bytes);
        let path = dir.join("renamed.ffic");
        support::write_artifact(&path, &bytes);
        let resolved = std::sync::Arc::new(Resolved::new(support::native(), &library).unwrap());
        let e =
            MappedArtifact::load(&path, &library, &resolved, &support::helpers(false)).unwrap_err();
        let LoadError::ManifestMismatch {
            symbol,
            reason: why,
        } = &e
        else {
            panic!("{to}: {e}");
        };
        assert_eq!((symbol.as_str(), why.as_str()), (to, reason));
    }
    no_mapping_of(dir);
}
