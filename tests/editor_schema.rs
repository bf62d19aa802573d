//! Runs the editor suite (`tests/editor/*.test.mjs`): VS Code's JSON language
//! service validating and completing descriptors with the published schema.
//! Needs Node.js and `npm ci` in tests/editor (both done by `scripts/setup`).

use std::path::Path;
use std::process::Command;

#[test]
fn the_schema_works_in_vs_codes_json_language_service() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/editor");
    assert!(
        dir.join("node_modules/vscode-json-languageservice")
            .is_dir(),
        "tests/editor/node_modules is missing: run scripts/setup"
    );
    let output = Command::new("node")
        .arg("--test")
        .current_dir(&dir)
        .output()
        .expect("node runs (install Node.js; see scripts/setup)");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "editor suite failed:\n{report}");
    assert!(
        report.contains("# fail 0") && !report.contains("# pass 0"),
        "{report}"
    );
}
