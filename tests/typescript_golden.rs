//! Golden outputs of `ffic compile --emit dts,js` for a few descriptors, so
//! reviewers can read what is generated. Fails when the output drifts;
//! regenerate with `scripts/regen-golden`.

use std::path::Path;
use std::process::Command;

const GOLDEN: [(&str, &str); 3] = [
    ("tests/native/ffic_test.json", "ffic_test"),
    ("examples/libm/symbols.json", "libm"),
    ("tests/golden/naming.json", "naming"),
];

#[test]
fn generated_typescript_matches_the_golden_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for (descriptor, name) in GOLDEN {
        let out = Command::new(env!("CARGO_BIN_EXE_ffic"))
            .current_dir(root)
            .args([
                "compile", "--emit", "dts,js", descriptor, "--name", name, "-o",
            ])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        for extension in ["d.ts", "js"] {
            let file = format!("{name}.{extension}");
            let generated = std::fs::read_to_string(dir.path().join(&file)).unwrap();
            let golden = std::fs::read_to_string(root.join("tests/golden").join(&file))
                .unwrap_or_else(|e| panic!("tests/golden/{file}: {e}; run scripts/regen-golden"));
            assert!(
                generated == golden,
                "tests/golden/{file} is stale: run scripts/regen-golden and review the diff"
            );
        }
    }
}
