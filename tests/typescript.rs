//! The generated TypeScript under the real tools: `tsc --strict` (npm
//! `typescript`) and `deno check` (npm `@deno/linux-x64-glibc`, stock Deno)
//! accept the correct usage files and reject each wrong one with its expected
//! error; stock Deno runs the generated module against the test library.
//! The tools are installed by `scripts/setup` into `tests/typescript`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tools() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/typescript")
}

fn deno() -> PathBuf {
    let path = tools().join("node_modules/@deno/linux-x64-glibc/deno");
    assert!(
        path.exists(),
        "{} missing: run scripts/setup",
        path.display()
    );
    path
}

fn tsc() -> PathBuf {
    let path = tools().join("node_modules/typescript/bin/tsc");
    assert!(
        path.exists(),
        "{} missing: run scripts/setup",
        path.display()
    );
    path
}

/// A temporary directory holding the generated outputs for the test library
/// and for `tests/golden/naming.json`, Deno's global types, and every usage file.
struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        for descriptor in [
            "tests/native/ffic_test.json",
            "tests/golden/naming.json",
            "tests/run/cstring.json",
            "tests/run/errno.json",
            "tests/run/variadic_libc.json",
            "tests/import/constructs.json",
        ] {
            let out = Command::new(env!("CARGO_BIN_EXE_ffic"))
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .args(["compile", descriptor, "-o"])
                .arg(dir.path())
                .output()
                .unwrap();
            assert!(out.status.success(), "{out:?}");
        }
        let usage = tools().join("usage");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&usage)
            .unwrap()
            .chain(std::fs::read_dir(usage.join("bad")).unwrap())
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "ts"))
            .collect();
        files.sort();
        for file in files {
            std::fs::copy(&file, dir.path().join(file.file_name().unwrap())).unwrap();
        }
        let w = Workspace { dir };
        let types = w.deno(&["types"]);
        assert!(types.status.success(), "{types:?}");
        std::fs::write(w.path("deno.d.ts"), &types.stdout).unwrap();
        w
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn deno(&self, args: &[&str]) -> Output {
        Command::new(deno())
            .args(args)
            .current_dir(self.dir.path())
            .env("DENO_DIR", self.path(".deno"))
            .env("DENO_NO_UPDATE_CHECK", "1")
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    }

    /// The usage files: (file, expected error code or None for "no errors").
    fn usage(&self) -> BTreeMap<String, Option<String>> {
        std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".ts") && !n.ends_with(".d.ts"))
            .map(|name| {
                let text = std::fs::read_to_string(self.path(&name)).unwrap();
                let code = text
                    .lines()
                    .next()
                    .and_then(|l| l.strip_prefix("// expect "))
                    .map(|l| l.split(':').next().unwrap().to_owned());
                (name, code)
            })
            .collect()
    }
}

/// Error codes per file, from `FILE(L,C): error TSnnnn: ...` lines.
fn tsc_errors(stdout: &str) -> BTreeMap<String, Vec<String>> {
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in stdout.lines() {
        if let Some((file, rest)) = line.split_once('(')
            && let Some((_, message)) = rest.split_once("): error ")
        {
            let code = message.split(':').next().unwrap().to_owned();
            errors.entry(file.to_owned()).or_default().push(code);
        }
    }
    errors
}

/// Error codes per file, from `TSnnnn [ERROR]: ...` followed by `at file:///.../FILE:L:C`.
fn deno_errors(output: &str) -> BTreeMap<String, Vec<String>> {
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut pending: Option<String> = None;
    for line in output.lines() {
        if let Some((code, _)) = line.split_once(" [ERROR]: ") {
            pending = Some(code.trim().to_owned());
        } else if let Some(location) = line.trim().strip_prefix("at file://")
            && let Some(code) = pending.take()
        {
            let file = Path::new(location.split(':').next().unwrap());
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            errors.entry(name).or_default().push(code);
        }
    }
    errors
}

fn assert_expected(
    tool: &str,
    usage: &BTreeMap<String, Option<String>>,
    errors: &BTreeMap<String, Vec<String>>,
    output: &str,
) {
    for (file, expected) in usage {
        let found = errors.get(file).cloned().unwrap_or_default();
        match expected {
            None => assert!(
                found.is_empty(),
                "{tool}: {file} should type-check, got {found:?}\n{output}"
            ),
            Some(code) => assert!(
                found.contains(code),
                "{tool}: {file} should fail with {code}, got {found:?}\n{output}"
            ),
        }
    }
    let unexpected: Vec<&String> = errors.keys().filter(|f| !usage.contains_key(*f)).collect();
    assert!(
        unexpected.is_empty(),
        "{tool}: errors in generated files {unexpected:?}\n{output}"
    );
}

#[test]
fn tsc_strict_accepts_correct_usage_and_rejects_each_mistake() {
    let w = Workspace::new();
    let usage = w.usage();
    assert!(
        usage.values().filter(|c| c.is_some()).count() >= 12,
        "{usage:?}"
    );
    let mut files = vec!["deno.d.ts".to_owned()];
    files.extend(usage.keys().cloned());
    let config = serde_json::json!({
        "compilerOptions": {
            "strict": true, "noEmit": true, "target": "esnext", "module": "esnext",
            "moduleResolution": "bundler", "lib": ["esnext"], "types": [],
            // `deno types` output does not check under plain tsc (node:
            // imports); the usage files still check every generated type.
            "skipLibCheck": true
        },
        "files": files,
    });
    std::fs::write(w.path("tsconfig.json"), config.to_string()).unwrap();
    let out = Command::new("node")
        .arg(tsc())
        .args(["-p", "tsconfig.json"])
        .current_dir(w.dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_expected("tsc", &usage, &tsc_errors(&stdout), &stdout);
}

#[test]
fn deno_check_accepts_correct_usage_and_rejects_each_mistake() {
    let w = Workspace::new();
    let usage = w.usage();
    let mut args = vec!["check"];
    args.extend(usage.keys().map(String::as_str));
    let out = w.deno(&args);
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !out.status.success(),
        "deno check must fail on the wrong usages"
    );
    assert_expected("deno check", &usage, &deno_errors(&output), &output);
}

#[test]
fn stock_deno_runs_the_generated_module_against_the_test_library() {
    let w = Workspace::new();
    let library = ffic_testlib::library_path().to_str().unwrap().to_owned();
    let out = w.deno(&["run", "--allow-ffi", "deno_run.ts", &library]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    let symbols = std::fs::read_to_string(ffic_testlib::descriptor_path()).unwrap();
    let count = serde_json::from_str::<serde_json::Value>(&symbols)
        .unwrap()
        .as_object()
        .unwrap()
        .len()
        - 1;
    assert_eq!(stdout.trim(), format!("ok: {count} symbols"));
}
