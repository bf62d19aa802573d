//! Runs `ffic check` on every descriptor under `tests/descriptors/`: each valid
//! one must pass, and each invalid one must give exactly the diagnostics its
//! `.expect` file lists.
//!
//! `.expect` format, one line per diagnostic in output order (`#` comments):
//! `SEVERITY CODE LINE:COLUMN JSON-PATH TEXT`, where TEXT must appear in the
//! diagnostic's message, found, expected or help.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn descriptors(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/descriptors")
        .join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// Runs `ffic check --format json` and returns its exit code and the file's report.
fn check(path: &Path) -> (i32, Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_ffic"))
        .args(["check", "--format", "json"])
        .arg(path)
        .output()
        .expect("ffic runs");
    let document: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{}: output is not JSON ({e})", path.display()));
    (
        output.status.code().expect("ffic exits normally"),
        document["files"][0].clone(),
    )
}

struct Expected {
    severity: String,
    code: String,
    line: u64,
    column: u64,
    path: String,
    text: String,
}

fn parse_expect(path: &Path) -> Vec<Expected> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            let mut parts = line.splitn(4, ' ');
            let mut next = || {
                parts
                    .next()
                    .unwrap_or_else(|| panic!("{}: short line {line:?}", path.display()))
            };
            let (severity, code, at, rest) = (next(), next(), next(), next());
            let (json_path, text) = split_path(rest);
            assert!(
                !text.trim().is_empty(),
                "{}: no TEXT in {line:?}",
                path.display()
            );
            let (l, c) = at
                .split_once(':')
                .unwrap_or_else(|| panic!("bad LINE:COLUMN in {line:?}"));
            Expected {
                severity: severity.into(),
                code: code.into(),
                line: l.parse().expect("line number"),
                column: c.parse().expect("column number"),
                path: json_path.into(),
                text: text.into(),
            }
        })
        .collect()
}

/// Splits `PATH TEXT` at the first space outside a quoted `["key"]`.
fn split_path(rest: &str) -> (&str, &str) {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            ' ' if !quoted => return (&rest[..i], &rest[i + 1..]),
            _ => {}
        }
    }
    (rest, "")
}

#[test]
fn invalid_descriptors_give_their_expected_diagnostics() {
    let files = descriptors("invalid");
    assert!(
        files.len() >= 40,
        "the corpus has {} invalid descriptors",
        files.len()
    );
    let mut failures = Vec::new();
    for file in &files {
        let expect_file = file.with_extension("expect");
        let expected = parse_expect(&expect_file);
        let (code, report) = check(file);
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        if code != 1 || report["valid"] != false {
            failures.push(format!("{name}: exit {code}, expected 1 (invalid)"));
        }
        let actual = report["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if actual.len() != expected.len() {
            failures.push(format!(
                "{name}: {} diagnostics, expected {}:\n{}",
                actual.len(),
                expected.len(),
                serde_json::to_string_pretty(&actual).unwrap_or_default()
            ));
            continue;
        }
        for (i, (d, e)) in actual.iter().zip(&expected).enumerate() {
            let said: String = ["message", "found", "expected", "help"]
                .iter()
                .filter_map(|k| d[k].as_str())
                .collect::<Vec<_>>()
                .join(" | ");
            let ok = d["severity"] == e.severity.as_str()
                && d["code"] == e.code.as_str()
                && d["line"] == e.line
                && d["column"] == e.column
                && d["path"] == e.path.as_str()
                && said.contains(&e.text);
            if !ok {
                failures.push(format!(
                    "{name} #{i}: expected {} {} {}:{} {} {:?}\n  got {} {} {}:{} {} {:?}",
                    e.severity,
                    e.code,
                    e.line,
                    e.column,
                    e.path,
                    e.text,
                    d["severity"],
                    d["code"],
                    d["line"],
                    d["column"],
                    d["path"],
                    said
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn valid_descriptors_pass_with_no_diagnostics() {
    let files = descriptors("valid");
    assert!(!files.is_empty());
    for file in &files {
        let (code, report) = check(file);
        assert_eq!(code, 0, "{}: {report:#}", file.display());
        assert_eq!(report["valid"], true);
        assert_eq!(
            report["diagnostics"],
            serde_json::json!([]),
            "{}",
            file.display()
        );
        assert_eq!(report["digest"].as_str().map(str::len), Some(64));
    }
}
