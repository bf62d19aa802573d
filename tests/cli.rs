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
fn fifos_and_directories_are_refused_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("symbols.json");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let fifo = fifo.to_str().unwrap();
    let here = dir.path().to_str().unwrap();
    for args in [
        vec!["check", fifo],
        vec!["compile", fifo, "-o", here],
        vec!["inspect", fifo],
        vec!["check", here],
    ] {
        // Before, reading a FIFO with no writer blocked forever.
        let mut child = Command::new(env!("CARGO_BIN_EXE_ffic"))
            .args(&args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > std::time::Duration::from_secs(20) {
                child.kill().unwrap();
                panic!("ffic {args:?} hung");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("not a regular file"), "{args:?}: {stderr}");
    }
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

#[test]
fn check_refuses_what_compile_cannot_build_with_a_short_message() {
    let params = |n: usize| vec!["\"i32\""; n].join(",");
    let fields = vec!["\"u64\""; 12_500].join(",");
    let at_limit = format!(
        r#"{{ "f": {{ "parameters": [{}], "result": "void" }} }}"#,
        params(1024)
    );
    let too_many = format!(
        r#"{{ "f": {{ "parameters": [{}], "result": "void" }} }}"#,
        params(1025)
    );
    let big_struct =
        format!(r#"{{ "f": {{ "parameters": ["i32"], "result": {{ "struct": [{fields}] }} }} }}"#);
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().to_str().unwrap();
    let ok = temp_file("at_limit.json", &at_limit);
    assert_eq!(
        ffic(&["check", ok.to_str().unwrap()]).status.code(),
        Some(0)
    );
    for (name, text, code, line) in [
        (
            "too_many.json",
            too_many,
            "too-many-parameters",
            "a function may take at most 1024 parameters",
        ),
        (
            "big_struct.json",
            big_struct,
            "struct-too-large",
            "a struct passed by value may be at most 65536 bytes",
        ),
    ] {
        let file = temp_file(name, &text);
        let file = file.to_str().unwrap();
        let checked = ffic(&["check", "--format", "json", file]);
        assert_eq!(checked.status.code(), Some(1), "{name}");
        let doc: Value = serde_json::from_slice(&checked.stdout).expect("json");
        let first = &doc["files"][0]["diagnostics"][0];
        assert_eq!(first["code"], code, "{name}: {doc}");
        assert_eq!(first["line"], 1, "{name}");
        // compile refuses with the same words, on one short line.
        let compiled = ffic(&["compile", file, "-o", out_dir]);
        assert_eq!(compiled.status.code(), Some(1), "{name}");
        let stderr = String::from_utf8_lossy(&compiled.stderr);
        assert!(stderr.contains(line), "{name}: {stderr}");
        assert!(stderr.lines().all(|l| l.len() < 400), "{name}: a long line");
    }
}

#[test]
fn cache_list_and_clean_see_only_the_caches_own_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let key = "0123456789abcdef".repeat(4);
    std::fs::create_dir(root.join("checked")).unwrap();
    std::fs::create_dir(root.join("ts")).unwrap();
    let planted = [
        (root.join(format!("{key}.ffic")), 8192, "artifact"),
        (root.join("checked").join(&key), 0, "checked"),
        (root.join("ts").join(format!("{key}.js")), 100, "transpiled"),
    ];
    for (path, len, _) in &planted {
        std::fs::write(path, vec![b'x'; *len]).unwrap();
    }
    // Not named as the cache names its files: never listed nor removed.
    let foreign = root.join("mine.ffic");
    std::fs::write(&foreign, "keep").unwrap();
    let in_cache = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ffic"))
            .args(args)
            .env("FFIC_CACHE_DIR", root)
            .output()
            .expect("ffic runs")
    };
    let out = in_cache(&["cache", "list", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed["totalBytes"], 8292);
    assert_eq!(listed["limitBytes"], 256 << 20);
    let mut files: Vec<(String, String, u64)> = listed["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap().to_owned();
            (
                path,
                f["kind"].as_str().unwrap().to_owned(),
                f["bytes"].as_u64().unwrap(),
            )
        })
        .collect();
    files.sort();
    let mut expected: Vec<(String, String, u64)> = planted
        .iter()
        .map(|(p, len, kind)| (p.display().to_string(), kind.to_string(), *len as u64))
        .collect();
    expected.sort();
    assert_eq!(files, expected);
    let human = in_cache(&["cache", "list"]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("8.1 KiB of at most 256.0 MiB"), "{text}");
    let cleaned = in_cache(&["cache", "clean"]);
    assert_eq!(cleaned.status.code(), Some(0), "{cleaned:?}");
    assert!(
        String::from_utf8_lossy(&cleaned.stdout).starts_with("removed 3 files (8.1 KiB)"),
        "{cleaned:?}"
    );
    assert!(planted.iter().all(|(p, _, _)| !p.exists()));
    assert!(foreign.exists());
    // Without any cache directory to use, a usage error.
    let none = Command::new(env!("CARGO_BIN_EXE_ffic"))
        .args(["cache", "list"])
        .env_remove("FFIC_CACHE_DIR")
        .env_remove("XDG_CACHE_HOME")
        .env_remove("HOME")
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(2), "{none:?}");
}
