//! The `ffic` command line: exit codes, output formats, `schema`, `--help`.

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

fn ffic(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ffic"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("ffic runs")
}

fn temp_file(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ffic-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write");
    path
}

const WARNS_ONLY: &str =
    r#"{ "cos": { "parameters": ["f64"], "result": "f64", "nonblockng": true } }"#;

#[test]
fn the_bundled_example_is_valid() {
    let out = ffic(&["check", "examples/libm/symbols.json"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("ok: examples/libm/symbols.json: 5 symbols, digest "),
        "{stdout}"
    );
}

#[test]
fn warnings_pass_unless_denied() {
    let file = temp_file("warns.json", WARNS_ONLY);
    let file = file.to_str().expect("utf-8 path");
    let out = ffic(&["check", file]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("warning[unknown-field]: unknown field \"nonblockng\""),
        "{stdout}"
    );
    assert!(stdout.contains("did you mean \"nonblocking\"?"), "{stdout}");
    assert!(stdout.contains("1 warning"), "{stdout}");
    assert_eq!(
        ffic(&["check", "--deny-warnings", file]).status.code(),
        Some(1)
    );
}

#[test]
fn unreadable_files_exit_2_and_the_rest_are_still_checked() {
    let out = ffic(&[
        "check",
        "--format",
        "json",
        "no/such/file.json",
        "examples/libm/symbols.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        doc["files"][0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("No such file"))
    );
    assert_eq!(doc["files"][1]["valid"], true);
    assert_eq!(doc["files"][1]["symbols"], 5);

    let human = ffic(&["check", "no/such/file.json"]);
    assert_eq!(human.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&human.stderr).contains("cannot read no/such/file.json"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(ffic(&["check"]).status.code(), Some(2));
    assert_eq!(
        ffic(&["check", "--format", "xml", "a.json"]).status.code(),
        Some(2)
    );
    assert_eq!(ffic(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn schema_prints_the_committed_schema() {
    let out = ffic(&["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let committed = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schema/ffic.schema.json"
    ))
    .expect("schema file");
    assert_eq!(out.stdout, committed);
}

#[test]
fn help_shows_examples() {
    let out = ffic(&["check", "--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Examples:") && text.contains("ffic check examples/libm/symbols.json"),
        "{text}"
    );
}
