//! The artifact cache: compile-on-miss stores atomically and later opens map
//! from it; untrusted directories and files are refused with a reason; a
//! corrupt entry is replaced; two processes filling one cache at once leave
//! one valid artifact per key.

mod support;

use ffic_loader::{Cache, CallPath, CodeSource, DynamicLibrary, LoadError, OpenOptions, Value};
use ffic_schema::{Library, Target};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn open_lib(library: &Library, options: OpenOptions) -> DynamicLibrary {
    // SAFETY: the descriptors bind the test library truthfully.
    unsafe { options.open(library.clone(), ffic_testlib::library_path()) }.unwrap()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Every file in `dir`, by name.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

fn add_works(lib: &DynamicLibrary) {
    add_works_as(lib, "add_i32");
}

/// `name`, bound to add_i32, adds.
fn add_works_as(lib: &DynamicLibrary, name: &str) {
    // SAFETY: add_i32 takes any two i32.
    let sum = unsafe { lib.call(name, &[Value::I32(20), Value::I32(22)]) };
    assert_eq!(sum, Ok(Value::I32(42)));
}

#[test]
fn compile_on_miss_stores_and_later_opens_map_the_cached_file() {
    let root = tempfile::tempdir().unwrap();
    let cache = Cache::new(root.path().join("nested").join("ffic"));
    let library = support::library();
    let filled = open_lib(
        &library,
        OpenOptions::new()
            .cache(cache.clone())
            .compile_on_miss(true),
    );
    assert_eq!(filled.path(), CallPath::Artifact);
    assert_eq!(filled.code_source(), Some(CodeSource::File));
    assert!(filled.fallbacks().is_empty(), "{:?}", filled.fallbacks());
    add_works(&filled);
    assert_eq!(mode(cache.dir()), 0o700, "the cache directory is private");
    let stored = cache.path_for(&library);
    assert_eq!(mode(&stored), 0o644);
    assert_eq!(
        files(cache.dir()),
        [stored.file_name().unwrap().to_str().unwrap()],
        "one artifact, no temporary files"
    );
    // A later open finds it without compiling anything: lookup alone, JIT off.
    let again = open_lib(&library, OpenOptions::new().cache(cache.clone()).jit(false));
    assert_eq!(again.path(), CallPath::Artifact);
    add_works(&again);
}

#[test]
fn a_miss_without_compile_on_miss_takes_the_jit_and_writes_nothing() {
    let root = tempfile::tempdir().unwrap();
    let cache = Cache::new(root.path());
    let lib = open_lib(
        &support::library(),
        OpenOptions::new().cache(cache).jit(true),
    );
    assert_eq!(lib.path(), CallPath::Jit);
    assert!(lib.fallbacks().is_empty(), "a miss is not a rejection");
    assert!(files(root.path()).is_empty());
}

#[test]
fn store_jit_runs_the_jit_and_leaves_the_artifact_for_the_next_open() {
    let root = tempfile::tempdir().unwrap();
    let cache = Cache::new(root.path().join("ffic"));
    // A descriptor of its own, so no other test's JIT code is shared with it.
    let report = ffic_schema::check(
        br#"{"store_jit_probe": {"name": "add_i32", "parameters": ["i32", "i32"], "result": "i32"}}"#,
        Target::host(),
    );
    let library = report.library.unwrap();
    let first = open_lib(
        &library,
        OpenOptions::new().cache(cache.clone()).store_jit(true),
    );
    assert_eq!(first.path(), CallPath::Jit);
    // Stored from a background thread, which the process waits for.
    ffic_loader::cache::finish_stores();
    let stored = cache.path_for(&library);
    assert!(stored.exists(), "{:?}", files(cache.dir()));
    // SAFETY: add_i32 takes any two i32.
    let sum = unsafe { first.call("store_jit_probe", &[Value::I32(40), Value::I32(2)]) };
    assert_eq!(sum, Ok(Value::I32(42)));
    let next = open_lib(&library, OpenOptions::new().cache(cache.clone()).jit(false));
    assert_eq!(next.path(), CallPath::Artifact);
    assert_eq!(next.code_source(), Some(CodeSource::File));
}

#[test]
fn the_lazy_jit_compiles_what_is_looked_up_and_stores_the_whole_artifact() {
    let root = tempfile::tempdir().unwrap();
    let cache = Cache::new(root.path().join("ffic"));
    // Descriptors of their own, so no other test's JIT code is shared.
    let library = support::checked(
        br#"{
            "lazy_add": {"name": "add_i32", "parameters": ["i32", "i32"], "result": "i32"},
            "lazy_mul": {"name": "add_f64", "parameters": ["f64", "f64"], "result": "f64"},
            "lazy_nop": {"name": "nop", "parameters": [], "result": "void"},
            "lazy_absent": {"name": "ffic_no_such_symbol", "parameters": [], "result": "void", "optional": true}
        }"#,
    );
    let first = open_lib(
        &library,
        OpenOptions::new()
            .cache(cache.clone())
            .store_jit(true)
            .lazy_jit(true),
    );
    assert_eq!(first.path(), CallPath::Jit);
    assert!(first.code().is_empty(), "nothing compiled at open");
    add_works_as(&first, "lazy_add");
    assert_eq!(first.code().len(), 1, "only lazy_add was compiled");
    add_works_as(&first, "lazy_add");
    assert_eq!(first.code().len(), 1, "compiled once");
    assert!(first.function("lazy_absent").unwrap().is_none());
    assert_eq!(first.code().len(), 1, "an absent function is not compiled");
    let add = first.function("lazy_add").unwrap().unwrap();
    assert_eq!(add.path(), CallPath::Jit);
    assert!(add.fast().returning.is_some());
    // The whole artifact went to the cache: the next open maps it.
    ffic_loader::cache::finish_stores();
    let next = open_lib(&library, OpenOptions::new().cache(cache).jit(false));
    assert_eq!(next.path(), CallPath::Artifact, "{:?}", next.fallbacks());
    add_works_as(&next, "lazy_add");
}

#[test]
fn stores_evict_the_least_recently_used_artifacts_beyond_the_limit() {
    let root = tempfile::tempdir().unwrap();
    let libraries: Vec<Library> = (0..5)
        .map(|i| {
            support::checked(
                format!(r#"{{"evict_{i}": {{"name": "add_i32", "parameters": ["i32", "i32"], "result": "i32"}}}}"#)
                    .as_bytes(),
            )
        })
        .collect();
    let bytes: Vec<Vec<u8>> = libraries
        .iter()
        .map(|l| ffic_compiler::compile_artifact(l).unwrap().bytes)
        .collect();
    let size = bytes[0].len() as u64;
    assert!(bytes.iter().all(|b| b.len() as u64 == size));
    // Room for two artifacts and a half.
    let cache = Cache::new(root.path()).with_limit(size * 5 / 2);
    // Files the eviction must leave: an unfinished write, a file that is
    // not the cache's.
    let unfinished = root.path().join(".ffic-x.tmp");
    let foreign = root.path().join("notes.ffic");
    for file in [&unfinished, &foreign] {
        std::fs::write(file, vec![0u8; size as usize]).unwrap();
    }
    let used = |path: &Path, seconds_ago: u64| {
        let at = std::time::SystemTime::now() - Duration::from_secs(seconds_ago);
        let file = std::fs::File::options().write(true).open(path).unwrap();
        file.set_times(std::fs::FileTimes::new().set_accessed(at))
            .unwrap();
    };
    let a = cache.store(&libraries[0], &bytes[0]).unwrap();
    let b = cache.store(&libraries[1], &bytes[1]).unwrap();
    // `a` was used after `b`: `b` is the least recently used.
    used(&b, 3600);
    used(&a, 60);
    let c = cache.store(&libraries[2], &bytes[2]).unwrap();
    assert!(!b.exists() && a.exists() && c.exists());
    // The file just stored stays even when it is the oldest.
    used(&a, 60);
    used(&c, 30);
    let d = cache.store(&libraries[3], &bytes[3]).unwrap();
    assert!(!a.exists() && c.exists() && d.exists());
    // A marker and compiled code count and go like artifacts: the marker,
    // used longest ago, goes first.
    for (dir, name) in [
        ("checked", "a".repeat(64)),
        ("v8", format!("{}.code", "b".repeat(64))),
    ] {
        std::fs::create_dir(root.path().join(dir)).unwrap();
        std::fs::write(
            root.path().join(dir).join(name),
            vec![0u8; size as usize / 4],
        )
        .unwrap();
    }
    let marker = root.path().join("checked").join("a".repeat(64));
    let code = root
        .path()
        .join("v8")
        .join(format!("{}.code", "b".repeat(64)));
    used(&marker, 7200);
    used(&code, 10);
    used(&c, 60);
    used(&d, 30);
    let e = cache.store(&libraries[4], &bytes[4]).unwrap();
    assert!(!marker.exists() && !c.exists(), "oldest first");
    assert!(code.exists() && d.exists() && e.exists());
    for file in [&unfinished, &foreign] {
        assert!(file.exists(), "{}", file.display());
    }
    let kinds: Vec<_> = cache.entries().unwrap().iter().map(|e| e.kind).collect();
    assert_eq!(kinds.len(), 4, "{kinds:?}");
    // Cleaning removes the cache's files only.
    assert_eq!(cache.clean().unwrap().len(), 4);
    assert!(foreign.exists());
    assert_eq!(files(root.path()), ["checked", "notes.ffic", "v8"]);
}

#[test]
fn a_cache_directory_others_can_write_is_refused() {
    let root = tempfile::tempdir().unwrap();
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let cache = Cache::new(root.path());
    let library = support::library();
    // Even a valid artifact planted there is not used.
    support::write_artifact(&cache.path_for(&library), &support::compile().bytes);
    let lib = open_lib(
        &library,
        OpenOptions::new().cache(cache).compile_on_miss(true),
    );
    assert_eq!(lib.path(), CallPath::Jit);
    let [refused] = lib.fallbacks() else {
        panic!("{:?}", lib.fallbacks())
    };
    assert!(
        matches!(refused.reason, LoadError::Cache { .. }),
        "{refused}"
    );
    assert!(
        refused.to_string().contains("lets other users write it"),
        "{refused}"
    );
    add_works(&lib);
}

#[test]
fn untrusted_or_corrupt_cached_files_are_rejected_and_replaced() {
    let root = tempfile::tempdir().unwrap();
    let cache = Cache::new(root.path());
    let library = support::library();
    let path = cache.path_for(&library);
    let good = support::compile().bytes;

    let mut corrupt = good.clone();
    corrupt[200] ^= 0xff;
    support::write_artifact(&path, &corrupt);
    let group_writable = |path: &Path| {
        support::write_artifact(path, &good);
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o664)).unwrap();
    };
    for (plant, expect) in [
        (
            Box::new(|p: &Path| support::write_artifact(p, &corrupt)) as Box<dyn Fn(&Path)>,
            "checksum",
        ),
        (Box::new(group_writable), "lets other users write it"),
    ] {
        plant(&path);
        let lib = open_lib(
            &library,
            OpenOptions::new()
                .cache(cache.clone())
                .compile_on_miss(true),
        );
        assert_eq!(lib.path(), CallPath::Artifact, "recompiled into the cache");
        let [rejected] = lib.fallbacks() else {
            panic!("{:?}", lib.fallbacks())
        };
        assert_eq!(
            rejected.tried,
            format!("cached artifact {}", path.display())
        );
        assert!(rejected.to_string().contains(expect), "{rejected}");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            good,
            "replaced by a good one"
        );
        assert_eq!(mode(&path), 0o644);
        add_works(&lib);
    }
}

#[test]
fn the_key_follows_what_changes_code_and_nothing_else() {
    let check = |text: &str| {
        ffic_schema::check(text.as_bytes(), Target::host())
            .library
            .unwrap()
    };
    let a = check(r#"{"f": {"parameters": ["i32"], "result": "i32"}, "g": {"type": "u8"}}"#);
    let same = check(
        r#"{ "g": {"type": "u8", "ffic": {"doc": "a byte"}},
             "f": {"parameters": ["i32"], "result": "i32"} }"#,
    );
    let other = check(r#"{"f": {"parameters": ["i64"], "result": "i32"}, "g": {"type": "u8"}}"#);
    assert_eq!(Cache::key(&a), Cache::key(&same));
    assert_ne!(Cache::key(&a), Cache::key(&other));
    assert_eq!(Cache::key(&a).len(), 64);
}

/// Descriptors of several sizes, so the two processes race on many keys.
fn race_descriptors() -> Vec<Library> {
    (1..=12)
        .map(|i| {
            let text = ffic_testlib::synthetic_descriptor(i * 13);
            ffic_schema::check(text.as_bytes(), Target::host())
                .library
                .unwrap()
        })
        .collect()
}

#[test]
fn two_processes_filling_one_cache_leave_one_valid_artifact_per_key() {
    if std::env::var_os("FFIC_TEST_CHILD").is_some() {
        return fill_as_child();
    }
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("cache");
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args([
                    "two_processes_filling_one_cache_leave_one_valid_artifact_per_key",
                    "--exact",
                    "--nocapture",
                ])
                .env("FFIC_TEST_CHILD", "1")
                .env("FFIC_CACHE_DIR", &dir)
                .env("FFIC_TEST_READY_DIR", root.path())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let cache = Cache::new(&dir);
    let descriptors = race_descriptors();
    let mut expected: Vec<String> = descriptors
        .iter()
        .map(|l| format!("{}.ffic", Cache::key(l)))
        .collect();
    expected.sort();
    assert_eq!(
        files(&dir),
        expected,
        "one artifact per key, no temporary files"
    );
    for library in &descriptors {
        let lib = open_lib(library, OpenOptions::new().cache(cache.clone()).jit(false));
        assert_eq!(lib.path(), CallPath::Artifact, "{:?}", lib.fallbacks());
    }
}

/// One of the racing processes: waits for the other, then opens every
/// descriptor with compile-on-miss through the cache named by the environment.
fn fill_as_child() {
    let ready = Path::new(&std::env::var_os("FFIC_TEST_READY_DIR").unwrap()).to_owned();
    std::fs::write(ready.join(format!("ready-{}", std::process::id())), "").unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while files(&ready)
        .iter()
        .filter(|f| f.starts_with("ready-"))
        .count()
        < 2
    {
        assert!(Instant::now() < deadline, "the other process never started");
        std::thread::sleep(Duration::from_millis(1));
    }
    let cache = Cache::from_env().expect("FFIC_CACHE_DIR is set");
    for library in race_descriptors() {
        let lib = open_lib(
            &library,
            OpenOptions::new()
                .cache(cache.clone())
                .compile_on_miss(true),
        );
        assert_eq!(lib.path(), CallPath::Artifact, "{:?}", lib.fallbacks());
        // SAFETY: s0 is add_i32 in every synthetic descriptor.
        let sum = unsafe { lib.call("s0", &[Value::I32(1), Value::I32(2)]) };
        assert_eq!(sum, Ok(Value::I32(3)));
    }
}

#[test]
fn a_checked_text_gives_back_its_library_and_a_damaged_marker_gives_none() {
    let root = tempfile::tempdir().unwrap();
    let checked = ffic_loader::Checked::under(&Cache::new(root.path()));
    let text = std::fs::read_to_string(ffic_testlib::descriptor_path()).unwrap();
    let library = support::library();
    assert_eq!(checked.library(&text), None);
    checked.remember(&text, &library);
    assert_eq!(checked.library(&text).as_ref(), Some(&library));
    // Another text (one more space) has no marker.
    assert_eq!(checked.library(&format!("{text} ")), None);
    let dir = root.path().join("checked");
    let marker = dir.join(&files(&dir)[0]);
    let good = std::fs::read(&marker).unwrap();
    let damaged = |bytes: &[u8]| {
        std::fs::write(&marker, bytes).unwrap();
        checked.library(&text)
    };
    // A changed byte of the library fails its SHA-256; a cut, a marker of
    // the former kind (empty) and another magic are no marker.
    let mut flipped = good.clone();
    *flipped.last_mut().unwrap() ^= 1;
    assert_eq!(damaged(&flipped), None);
    assert_eq!(damaged(&good[..good.len() - 1]), None);
    assert_eq!(damaged(b""), None);
    let mut magic = good.clone();
    magic[0] ^= 1;
    assert_eq!(damaged(&magic), None);
    assert!(damaged(&good).is_some());
    // A marker others may write is not trusted.
    std::fs::set_permissions(&marker, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert!(checked.library(&text).is_some());
    std::fs::set_permissions(&marker, std::fs::Permissions::from_mode(0o666)).unwrap();
    assert_eq!(checked.library(&text), None);
}
