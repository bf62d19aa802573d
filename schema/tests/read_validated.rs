//! `read_validated` gives exactly the library `check` gives for every valid
//! descriptor, and refuses what it cannot read as `check` reads it.

use ffic_schema::{Target, check, read_validated};
use std::path::Path;

#[test]
fn a_validated_text_reads_to_the_same_library() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files: Vec<_> = std::fs::read_dir(root.join("tests/descriptors/valid"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.push(root.join("tests/native/ffic_test.json"));
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let checked = check(&bytes, Target::host()).library.unwrap();
        let read = read_validated(&bytes, Target::host());
        assert_eq!(read.as_ref(), Some(&checked), "{}", file.display());
        assert_eq!(
            read.unwrap().digest(),
            checked.digest(),
            "{}",
            file.display()
        );
    }
}

#[test]
fn what_check_would_read_differently_is_refused() {
    let repeated = br#"{"f": {"parameters": [], "result": "void"}, "f": {"parameters": ["i32"], "result": "i32"}}"#;
    assert!(check(repeated, Target::host()).library.is_some());
    assert_eq!(read_validated(repeated, Target::host()), None);
    assert_eq!(read_validated(b"[]", Target::host()), None);
    assert_eq!(read_validated(b"{\"f\": 1}", Target::host()), None);
}
