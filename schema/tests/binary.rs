//! A checked library's bytes (`Library::to_bytes`) read back to the same
//! library, for every valid descriptor and on both targets; damaged bytes
//! are refused or read to some library, never a panic.

use ffic_schema::{Library, Target, check};
use std::path::{Path, PathBuf};

/// Every valid descriptor the repository has.
fn descriptors() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files: Vec<_> = std::fs::read_dir(root.join("tests/descriptors/valid"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    for extra in [
        "tests/native/ffic_test.json",
        "tests/import/constructs.json",
        "examples/zlib/symbols.json",
        "tests/run/variadic_libc.json",
    ] {
        files.push(root.join(extra));
    }
    files
}

#[test]
fn every_valid_library_reads_back_the_same() {
    let mut structs = 0;
    for target in [Target::X86_64_LINUX, Target::AARCH64_LINUX] {
        for file in descriptors() {
            let text = std::fs::read(&file).unwrap();
            let library = check(&text, target).library.unwrap();
            structs += library.structs.len();
            let bytes = library.to_bytes();
            let read = Library::from_bytes(&bytes, target);
            assert_eq!(read.as_ref(), Some(&library), "{}", file.display());
            assert_eq!(read.unwrap().digest(), library.digest());
        }
    }
    // The files cover named structs, aliases included.
    assert!(structs > 4);
}

#[test]
fn damaged_bytes_never_panic_and_trailing_or_missing_bytes_are_refused() {
    let text =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/native/ffic_test.json"))
            .unwrap();
    let library = check(&text, Target::host()).library.unwrap();
    let bytes = library.to_bytes();
    for cut in 0..bytes.len() {
        assert_eq!(Library::from_bytes(&bytes[..cut], Target::host()), None);
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(Library::from_bytes(&longer, Target::host()), None);
    let mut other_version = bytes.clone();
    other_version[0] ^= 0xff;
    assert_eq!(Library::from_bytes(&other_version, Target::host()), None);
    // Every single-byte change decodes to something or nothing, in bounds.
    for at in 0..bytes.len() {
        for flip in [0x01, 0x80, 0xff] {
            let mut damaged = bytes.clone();
            damaged[at] ^= flip;
            let _ = Library::from_bytes(&damaged, Target::host());
        }
    }
}
