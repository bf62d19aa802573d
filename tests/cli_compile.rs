//! `ffic compile` and `ffic inspect` end to end: outputs, exit codes, and
//! inspect on corrupt files (it reports, never crashes).

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn ffic(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ffic"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("ffic runs")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn compile_writes_an_artifact_that_inspect_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let out = ffic(&[
        "compile",
        "examples/libm/symbols.json",
        "-o",
        path(dir.path()),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let artifact = dir.path().join("libm.ffic");
    assert!(
        stdout.starts_with(&format!("wrote {} (", artifact.display())),
        "{stdout}"
    );
    assert!(
        stdout.contains("5 symbols, 4 fast (4 re-entrant) and 4 invoke trampolines"),
        "{stdout}"
    );
    assert!(stdout.trim_end().ends_with(" ms"), "{stdout}");
    // The three outputs, and no temporary file beside them.
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names, ["libm.d.ts", "libm.ffic", "libm.js"]);

    let out = ffic(&[
        "inspect",
        "--descriptor",
        "examples/libm/symbols.json",
        path(&artifact),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("this host    compatible"), "{stdout}");
    assert!(
        stdout.contains("descriptor   matches examples/libm/symbols.json"),
        "{stdout}"
    );
    assert!(stdout.contains("(f64,i32)->f64 (ldexp)"), "{stdout}");

    let out = ffic(&["inspect", "--format", "json", path(&artifact)]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["valid"], true);
    assert_eq!(
        doc["header"]["digest"],
        ffic_digest("examples/libm/symbols.json")
    );
    let entries = doc["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 5);
    assert_eq!(entries[4]["name"], "signgam");
    assert_eq!(entries[4]["kind"], "static");
    assert!(entries[0]["fast"]["size"].as_u64().unwrap() > 0);
}

fn ffic_digest(descriptor: &str) -> String {
    let out = ffic(&["check", "--format", "json", descriptor]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["files"][0]["digest"].as_str().unwrap().to_owned()
}

#[test]
fn compile_names_and_determinism() {
    let dir = tempfile::tempdir().unwrap();
    let d = path(dir.path());
    for name in ["a", "b"] {
        let out = ffic(&[
            "compile",
            "tests/native/ffic_test.json",
            "-o",
            d,
            "--name",
            name,
        ]);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
    }
    let a = std::fs::read(dir.path().join("a.ffic")).unwrap();
    let b = std::fs::read(dir.path().join("b.ffic")).unwrap();
    assert_eq!(a, b, "identical input, identical bytes");
    // --emit chooses the outputs; the default name is the file stem.
    let ts = tempfile::tempdir().unwrap();
    let out = ffic(&[
        "compile",
        "--emit",
        "js",
        "tests/native/ffic_test.json",
        "-o",
        path(ts.path()),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let names: Vec<_> = std::fs::read_dir(ts.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["ffic_test.js"]);
    let out = ffic(&["compile", "tests/native/ffic_test.json", "-o", d]);
    assert_eq!(out.status.code(), Some(0));
    assert!(dir.path().join("ffic_test.ffic").exists());
}

#[test]
fn compile_refuses_invalid_descriptors_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{ "f": { "parameters": ["i33"], "result": "void" } }"#,
    )
    .unwrap();
    let out = ffic(&["compile", path(&bad), "-o", path(dir.path())]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown native type \"i33\""), "{stderr}");
    assert!(!dir.path().join("bad.ffic").exists());
    let out = ffic(&["compile", "no/such/file.json"]);
    assert_eq!(out.status.code(), Some(2));
    // An output directory that cannot be made (under a regular file).
    let out = ffic(&[
        "compile",
        "examples/libm/symbols.json",
        "-o",
        path(&bad.join("dir")),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot create"));
}

/// The test library's descriptor compiled into a fresh directory: the
/// directory and the artifact's bytes.
fn test_library_artifact() -> (tempfile::TempDir, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let out = ffic(&[
        "compile",
        "tests/native/ffic_test.json",
        "-o",
        path(dir.path()),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let good = std::fs::read(dir.path().join("ffic_test.ffic")).unwrap();
    (dir, good)
}

#[test]
fn inspect_reports_corrupt_files_and_never_crashes() {
    let (dir, good) = test_library_artifact();
    let file = dir.path().join("corrupt.ffic");
    // Truncations and single-bit flips across the file: every one is a clean
    // "rejected" with exit 1, in both formats.
    let mut cases: Vec<Vec<u8>> = [0, 3, 100, 144, 5000, good.len() - 1]
        .iter()
        .map(|&n| good[..n].to_vec())
        .collect();
    for at in (0..good.len()).step_by(good.len() / 40) {
        let mut b = good.clone();
        b[at] ^= 0x20;
        cases.push(b);
    }
    for (i, bytes) in cases.iter().enumerate() {
        std::fs::write(&file, bytes).unwrap();
        let out = ffic(&["inspect", path(&file)]);
        assert_eq!(out.status.code(), Some(1), "case {i}: {out:?}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains(": rejected: "), "case {i}: {stdout}");
        let out = ffic(&["inspect", "--format", "json", path(&file)]);
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc["valid"], false, "case {i}");
        assert!(doc["error"].as_str().is_some(), "case {i}");
    }
    let out = ffic(&["inspect", "no/such.ffic"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn compile_makes_a_missing_output_directory() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("new/deeper");
    let out = ffic(&["compile", "examples/libm/symbols.json", "-o", path(&nested)]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    for file in ["libm.ffic", "libm.d.ts", "libm.js"] {
        assert!(nested.join(file).is_file(), "{file}");
    }
}

#[test]
fn inspect_lists_a_name_longer_than_any_column() {
    // 70,000 bytes: format widths past u16::MAX made inspect panic.
    let dir = tempfile::tempdir().unwrap();
    let name = "n".repeat(70_000);
    let descriptor = dir.path().join("long.json");
    std::fs::write(
        &descriptor,
        format!(r#"{{ "{name}": {{ "parameters": [], "result": "void" }} }}"#),
    )
    .unwrap();
    let out = ffic(&["compile", path(&descriptor), "-o", path(dir.path())]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = ffic(&["inspect", path(&dir.path().join("long.ffic"))]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("  {name}  fn ")));
}

#[test]
fn inspect_survives_forged_artifacts_with_a_valid_checksum() {
    use ffic_compiler::artifact::format::{CHECKSUM_AT, HEADER_SIZE, checksum};
    let (dir, good) = test_library_artifact();
    let file = dir.path().join("forged.ffic");
    // xorshift64: a fixed, seeded sequence of forgeries.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut accepted, mut rejected) = (0, 0);
    for case in 0..150 {
        let mut bytes = good.clone();
        for _ in 0..1 + next() % 4 {
            // Words of the header and of the tables after it, where the
            // decoder reads sizes, offsets and string lengths.
            let span = if next() % 2 == 0 {
                HEADER_SIZE
            } else {
                bytes.len().min(4096)
            };
            let at = (next() as usize) % (span - 3);
            let value = match next() % 4 {
                0 => 0,
                1 => u32::MAX,
                2 => (next() % 0x1_0000) as u32,
                _ => next() as u32,
            };
            bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
        }
        let sum = checksum(&bytes);
        bytes[CHECKSUM_AT..CHECKSUM_AT + 4].copy_from_slice(&sum.to_le_bytes());
        std::fs::write(&file, &bytes).unwrap();
        for format in ["human", "json"] {
            let out = ffic(&["inspect", "--format", format, path(&file)]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!stderr.contains("panicked"), "case {case}: {stderr}");
            match out.status.code() {
                Some(0) => accepted += 1,
                Some(1) => rejected += 1,
                other => panic!("case {case} ({format}): exit {other:?}: {stderr}"),
            }
        }
    }
    // Most forgeries break a check; the rest decode as odd but sound files.
    assert!(rejected > 0 && accepted + rejected == 300);
}
