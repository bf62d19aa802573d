//! Where the native test library and its descriptor are. Tests across the
//! workspace call this library on every path (artifact, JIT, libffi, V8).

use std::path::{Path, PathBuf};

/// Path of the built `libffic_test.so`.
pub fn library_path() -> &'static Path {
    Path::new(env!("FFIC_TEST_LIBRARY"))
}

/// Path of `ffic_test.json`, the descriptor that binds every symbol of the library.
pub fn descriptor_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("ffic_test.json")
}

/// Natives of the test library with their descriptor entries, used to build
/// synthetic descriptors of any size with mixed signatures.
const MIX: &[(&str, &str)] = &[
    (
        "add_i32",
        r#""parameters": ["i32", "i32"], "result": "i32""#,
    ),
    (
        "add_f64",
        r#""parameters": ["f64", "f64"], "result": "f64""#,
    ),
    ("nop", r#""parameters": [], "result": "void""#),
    (
        "mix6",
        r#""parameters": ["i8", "u16", "i32", "i64", "f32", "f64"], "result": "f64""#,
    ),
    (
        "buf_sum",
        r#""parameters": ["buffer", "usize"], "result": "u32""#,
    ),
    ("id_u64", r#""parameters": ["u64"], "result": "u64""#),
    ("is_null", r#""parameters": ["pointer"], "result": "bool""#),
    (
        "sum_dl",
        r#""parameters": [{"struct": ["f64", "i64"]}], "result": "f64""#,
    ),
    (
        "make_big",
        r#""parameters": ["i64", "i64", "i64", "f64"], "result": {"struct": ["i64", "i64", "i64", "f64"]}"#,
    ),
    ("id_u8", r#""parameters": ["u8"], "result": "u8""#),
    (
        "apply_binop",
        r#""parameters": ["function", "i32", "i32"], "result": "i32""#,
    ),
    (
        "add_i32",
        r#""parameters": ["i32", "i32"], "result": "i32", "nonblocking": true"#,
    ),
    ("static_i32", r#""type": "i32""#),
];

/// A descriptor of `n` symbols (`s0`, `s1`, ...) cycling through mixed
/// signatures, every one bound to a real symbol of the test library.
pub fn synthetic_descriptor(n: usize) -> String {
    let symbols: Vec<String> = (0..n)
        .map(|i| {
            let (native, body) = MIX[i % MIX.len()];
            format!(r#"  "s{i}": {{ "name": "{native}", {body} }}"#)
        })
        .collect();
    format!("{{\n{}\n}}\n", symbols.join(",\n"))
}
