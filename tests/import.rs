//! `ffic import` end to end: a header of every construct against its golden
//! descriptor and the warnings for what is refused, the imported structs'
//! layouts against the C compiler's, the system's zlib and SQLite headers
//! imported, checked and compiled, and the errors for headers that do not
//! compile or do not exist.

use ffic_schema::{SymbolKind, Target, Type, check};
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

const HEADER: &str = "tests/import/constructs.h";
const GOLDEN: &str = "tests/import/constructs.json";

/// `ffic import HEADER`'s descriptor (stdout), and its warnings (stderr).
fn import(header: &str, extra: &[&str]) -> (String, String) {
    let out = ffic(&[&["import", header], extra].concat());
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn every_construct_imports_as_the_golden_descriptor_and_refusals_say_why() {
    let (descriptor, warnings) = import(HEADER, &[]);
    let golden =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN)).unwrap();
    assert_eq!(descriptor, golden, "regenerate with scripts/regen-golden");
    // Importing again gives the same bytes.
    assert_eq!(import(HEADER, &[]).0, descriptor);
    for (line, symbol, reason) in [
        (
            67,
            "packed_id",
            "parameter 1 (p): struct packed is packed or over-aligned",
        ),
        (
            71,
            "aligned_id",
            "parameter 1 (a): struct aligned is packed or over-aligned",
        ),
        (76, "union_id", "parameter 1 (e): union either is a union"),
        (
            81,
            "bits_sum",
            "parameter 1 (b): struct bits has the bit-field a",
        ),
        (
            85,
            "opaque_by_value",
            "parameter 1 (o): struct opaque is incomplete",
        ),
        (
            90,
            "flexible_first",
            "parameter 1 (f): struct flexible ends in the flexible array",
        ),
        (
            93,
            "long_double_id",
            "parameter 1 (x): long double has no descriptor type",
        ),
        (
            94,
            "int128_id",
            "parameter 1 (x): 128-bit integers have no descriptor type",
        ),
        (106, "helper", "static: the library exports no such symbol"),
        (107, "no_prototype", "declared without a prototype"),
    ] {
        let expected = format!("{HEADER}:{line}:");
        let found = warnings
            .lines()
            .find(|l| l.contains(&format!(": warning: {symbol}: ")))
            .unwrap_or_else(|| panic!("no warning for {symbol}:\n{warnings}"));
        assert!(found.starts_with(&expected), "{found}");
        assert!(found.contains(reason), "{found}");
    }
    assert!(
        warnings
            .contains("imported 32 functions, 11 constants and 3 structs (2 typedef names) from"),
        "{warnings}"
    );
    // What is imported passes ffic check.
    let report = check(descriptor.as_bytes(), Target::host());
    assert!(report.is_valid(), "{:?}", report.diagnostics);
}

#[test]
fn function_patterns_pick_what_is_imported() {
    let (descriptor, _) = import(HEADER, &["--function", "u.*_id|add"]);
    let parsed: serde_json::Map<String, Value> = serde_json::from_str(&descriptor).unwrap();
    // The library's constants are not functions: all of them stay.
    let names: Vec<&str> = parsed
        .keys()
        .map(String::as_str)
        .filter(|k| *k != "$ffic")
        .collect();
    assert_eq!(parsed["$ffic"]["constants"]["MAX_THINGS"], 16);
    assert_eq!(
        names,
        [
            "add", "u8_id", "u16_id", "u32_id", "ulong_id", "u64_id", "uchar_id"
        ]
    );
    let bad = ffic(&["import", HEADER, "--function", "("]);
    assert_eq!(bad.status.code(), Some(2), "{bad:?}");
}

/// The struct type of parameter `index` of `function` in `descriptor`.
fn struct_parameter(descriptor: &str, function: &str, index: usize) -> ffic_schema::StructLayout {
    let library = check(descriptor.as_bytes(), Target::host())
        .library
        .unwrap();
    let symbol = library.symbols.iter().find(|s| s.name == function).unwrap();
    let SymbolKind::Function { signature, .. } = &symbol.kind else {
        panic!("{function} is a function");
    };
    match &signature.parameters[index] {
        Type::Struct(layout) => (**layout).clone(),
        Type::Primitive(p) => panic!("{function}: {p:?}"),
    }
}

#[test]
fn imported_structs_have_the_c_compilers_layout() {
    let (descriptor, _) = import(HEADER, &[]);
    let point = struct_parameter(&descriptor, "midpoint", 0);
    let weighted = struct_parameter(&descriptor, "weigh", 0);
    // What the C compiler says of the same structs, in the same order.
    let c = format!(
        "#include <stdio.h>\n#include <stddef.h>\n#include \"{}\"\nint main(void) {{\n\
         printf(\"%zu %zu %zu %zu\\n\", sizeof(struct point), _Alignof(struct point), offsetof(struct point, x), offsetof(struct point, y));\n\
         printf(\"%zu %zu %zu %zu %zu %zu %zu %zu\\n\", sizeof(weighted), _Alignof(weighted), offsetof(weighted, at), offsetof(weighted, weight), offsetof(weighted, tag), offsetof(weighted, tag) + 1, offsetof(weighted, tag) + 2, offsetof(weighted, pair));\n\
         return 0;\n}}\n",
        Path::new(env!("CARGO_MANIFEST_DIR")).join(HEADER).display()
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("layout.c"), c).unwrap();
    let built = Command::new("cc")
        .current_dir(dir.path())
        .args(["-o", "layout", "layout.c"])
        .output()
        .unwrap();
    assert!(built.status.success(), "{built:?}");
    let ran = Command::new(dir.path().join("layout")).output().unwrap();
    let printed = String::from_utf8(ran.stdout).unwrap();
    let ours = |l: &ffic_schema::StructLayout| {
        let mut all = vec![l.size, l.align];
        all.extend(&l.offsets);
        all.iter().map(u64::to_string).collect::<Vec<_>>().join(" ")
    };
    assert_eq!(printed, format!("{}\n{}\n", ours(&point), ours(&weighted)));
}

/// Imports a system header into `dir`, checks and compiles it; the parsed
/// descriptor.
fn import_system(
    header: &str,
    dir: &Path,
    name: &str,
    library: &str,
) -> serde_json::Map<String, Value> {
    let out = dir.join(format!("{name}.json"));
    let imported = ffic(&[
        "import",
        header,
        "--library",
        library,
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(imported.status.code(), Some(0), "{imported:?}");
    let checked = ffic(&["check", "--deny-warnings", out.to_str().unwrap()]);
    assert_eq!(checked.status.code(), Some(0), "{checked:?}");
    let compiled = ffic(&[
        "compile",
        out.to_str().unwrap(),
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(compiled.status.code(), Some(0), "{compiled:?}");
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

#[test]
fn the_system_zlib_and_sqlite_headers_import_check_and_compile() {
    let dir = tempfile::tempdir().unwrap();
    let zlib = import_system("/usr/include/zlib.h", dir.path(), "zlib", "libz.so.1");
    assert_eq!(zlib["$ffic"]["library"], "libz.so.1");
    assert!(zlib.len() >= 70, "{}", zlib.len());
    assert_eq!(zlib["zlibVersion"]["result"], "pointer");
    assert_eq!(zlib["zlibVersion"]["ffic"]["result"], "cstring");
    assert_eq!(
        zlib["crc32"]["parameters"],
        serde_json::json!(["u64", "buffer", "u32"])
    );
    assert_eq!(
        zlib["crc32"]["ffic"]["parameterNames"],
        serde_json::json!(["crc", "buf", "len"])
    );
    let sqlite = import_system(
        "/usr/include/sqlite3.h",
        dir.path(),
        "sqlite3",
        "libsqlite3.so.0",
    );
    assert!(sqlite.len() > 200, "{}", sqlite.len());
    assert_eq!(
        sqlite["sqlite3_open"]["parameters"],
        serde_json::json!(["buffer", "pointer"])
    );
    assert_eq!(
        sqlite["sqlite3_open"]["ffic"]["parameters"],
        serde_json::json!(["cstring", null])
    );
    assert_eq!(
        sqlite["sqlite3_mprintf"]["ffic"]["variadic"],
        serde_json::json!({})
    );
    // Constants, expressions over other macros included; pointers are not.
    let constants = &sqlite["$ffic"]["constants"];
    assert_eq!(constants["SQLITE_ROW"], 100);
    assert_eq!(constants["SQLITE_IOERR_READ"], 10 | (1 << 8));
    assert!(constants["SQLITE_VERSION"].is_string());
    assert!(constants.get("SQLITE_TRANSIENT").is_none());
    assert_eq!(zlib["$ffic"]["constants"]["Z_DEFAULT_COMPRESSION"], -1);
}

#[test]
fn a_header_that_does_not_compile_or_exist_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.h");
    std::fs::write(&broken, "int f(undeclared_t x);\n").unwrap();
    let out = ffic(&["import", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("does not compile"), "{stderr}");
    assert!(
        stderr.contains("unknown type name 'undeclared_t'"),
        "{stderr}"
    );
    let missing = ffic(&["import", "tests/import/no-such-header.h"]);
    assert_eq!(missing.status.code(), Some(2), "{missing:?}");
}

/// The stdout of `tests/import/SCRIPT` given the module `dir/MODULE`,
/// asserted the same, byte for byte, under `ffic run` and stock Deno.
fn same_under_ffic_and_deno(script: &str, dir: &Path, module: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = root.join("tests/import").join(script);
    let deno = root.join("tests/typescript/node_modules/@deno/linux-x64-glibc/deno");
    let run = |program: &Path, pre: &[&str]| {
        let out = Command::new(program)
            .args(pre)
            .arg(&script)
            .arg(dir.join(module))
            .env("NO_COLOR", "1")
            .env("FFIC_CACHE_DIR", dir.join("cache"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let ours = run(Path::new(env!("CARGO_BIN_EXE_ffic")), &["run", "-A"]);
    assert_eq!(
        ours,
        run(&deno, &["run", "-A"]),
        "stdout differs from stock Deno"
    );
    ours
}

#[test]
fn an_imported_zlib_runs_alike_under_ffic_and_stock_deno() {
    let dir = tempfile::tempdir().unwrap();
    import_system("/usr/include/zlib.h", dir.path(), "zlib", "libz.so.1");
    let ours = same_under_ffic_and_deno("zlib.js", dir.path(), "zlib.js");
    assert!(ours.starts_with("true 0 9\n"), "{ours}");
    assert!(ours.contains("true hello, imported zlib\ntrue\n"), "{ours}");
    // deflate through the z_stream view: all 600 bytes in, few out; the
    // typedef's name is the tag's class.
    assert!(
        ours.ends_with("true\ntrue 600n true 0 null\ntrue 112\ntrue z_stream_s\n"),
        "{ours}"
    );
}

#[test]
fn a_header_with_structs_and_no_constants_imports() {
    // An include guard is no constant: "$ffic" holds structs only.
    let dir = tempfile::tempdir().unwrap();
    let header = dir.path().join("plain.h");
    std::fs::write(
        &header,
        "#ifndef PLAIN_H\n#define PLAIN_H\nstruct pair { int a; int b; };\nint sum(struct pair p);\n\
         struct wrapper { int bytes; };\nstruct anonymous { int a; struct { int b; }; };\n#endif\n",
    )
    .unwrap();
    let (descriptor, warnings) = import(header.to_str().unwrap(), &[]);
    let parsed: serde_json::Map<String, Value> = serde_json::from_str(&descriptor).unwrap();
    assert_eq!(
        parsed["$ffic"],
        serde_json::json!({"structs": {"pair": {"a": "i32", "b": "i32"}}})
    );
    assert!(parsed.contains_key("sum"));
    // A field the view class keeps for itself, and a member without a name.
    assert!(
        warnings.contains("struct wrapper: its field bytes would hide"),
        "{warnings}"
    );
    assert!(
        warnings.contains("struct anonymous: struct anonymous has an anonymous member"),
        "{warnings}"
    );
}

#[test]
fn a_header_change_is_a_minimal_diff_of_the_import() {
    // A function, a constant and a struct added in the middle of a header
    // add their own lines there and change no other line.
    let dir = tempfile::tempdir().unwrap();
    let header = dir.path().join("grow.h");
    let before = "#define FIRST 1\n#define LAST 3\nstruct a { int x; };\nstruct c { int z; };\n\
                  int first(int x);\nint last(int x);\n";
    let after = "#define FIRST 1\n#define MIDDLE 2\n#define LAST 3\nstruct a { int x; };\n\
                 struct b { double y; };\nstruct c { int z; };\nint first(int x);\n\
                 int middle(const char *text, struct b value);\nint last(int x);\n";
    let mut imports = Vec::new();
    for text in [before, after] {
        std::fs::write(&header, text).unwrap();
        imports.push(import(header.to_str().unwrap(), &[]).0);
    }
    let (old, new): (Vec<&str>, Vec<&str>) =
        (imports[0].lines().collect(), imports[1].lines().collect());
    // Every old line is kept, in order (a JSON separator may gain a
    // comma where something now follows); what is new is the additions.
    let mut added = Vec::new();
    let mut at = 0;
    for line in &new {
        let same = old
            .get(at)
            .is_some_and(|o| o == line || format!("{o},") == *line);
        if same {
            at += 1;
        } else {
            added.push(*line);
        }
    }
    assert_eq!(
        at,
        old.len(),
        "every old line kept, in order:\n{}",
        imports[1]
    );
    assert_eq!(
        added,
        [
            "      \"MIDDLE\": 2,",
            "      \"b\": {\"y\": \"f64\"},",
            "  \"middle\": {",
            "    \"parameters\": [\"buffer\", {\"struct\": [\"f64\"]}],",
            "    \"result\": \"i32\",",
            "    \"ffic\": {\"parameterNames\": [\"text\", \"value\"], \"parameters\": [\"cstring\", null]}",
            "  },",
        ],
        "{}",
        imports[1]
    );
}

#[test]
fn a_rust_librarys_cbindgen_header_imports_and_runs_alike_under_ffic_and_stock_deno() {
    let dir = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import/rustlib.rs");
    let library = dir.path().join("librustlib.so");
    let built = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .args(["--edition", "2024", "--crate-type", "cdylib", "-O", "-o"])
        .arg(&library)
        .arg(&source)
        .output()
        .unwrap();
    assert!(built.status.success(), "{built:?}");
    let header = dir.path().join("rustlib.h");
    cbindgen::Builder::new()
        .with_src(&source)
        .with_language(cbindgen::Language::C)
        .generate()
        .expect("cbindgen reads the library")
        .write_to_file(&header);
    let descriptor = dir.path().join("rustlib.json");
    let imported = ffic(&[
        "import",
        header.to_str().unwrap(),
        "--library",
        library.to_str().unwrap(),
        "-o",
        descriptor.to_str().unwrap(),
    ]);
    assert_eq!(imported.status.code(), Some(0), "{imported:?}");
    let compiled = ffic(&["compile", descriptor.to_str().unwrap()]);
    assert_eq!(compiled.status.code(), Some(0), "{compiled:?}");
    let ours = same_under_ffic_and_deno("rustlib.js", dir.path(), "rustlib.js");
    assert_eq!(ours, "2.5 30n 6n 0n\n42 16\n");
}

#[test]
fn the_examples_descriptors_are_what_import_makes_of_the_system_headers() {
    // examples/zlib and examples/sqlite run over these; a header of another
    // version (its version constant differs) imports differently, so only
    // the same version is compared byte for byte.
    let sqlite_functions = "sqlite3_(open|close|exec|errmsg|prepare_v2|bind_(int64|double|text)|step|reset|finalize|column_(int64|double|text))";
    for (example, args, version) in [
        (
            "examples/zlib/symbols.json",
            vec!["/usr/include/zlib.h", "--library", "libz.so.1"],
            "ZLIB_VERSION",
        ),
        (
            "examples/sqlite/symbols.json",
            vec![
                "/usr/include/sqlite3.h",
                "--library",
                "libsqlite3.so.0",
                "--function",
                sqlite_functions,
            ],
            "SQLITE_VERSION",
        ),
    ] {
        let (fresh, _) = import(args[0], &args[1..]);
        let committed =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(example)).unwrap();
        let version_of = |text: &str| {
            let parsed: Value = serde_json::from_str(text).unwrap();
            parsed["$ffic"]["constants"][version].clone()
        };
        assert!(version_of(&fresh).is_string(), "{version} in {example}");
        if version_of(&fresh) == version_of(&committed) {
            assert_eq!(
                fresh, committed,
                "{example} is stale: import it again (the command is in main.ts beside it)"
            );
        }
    }
}
