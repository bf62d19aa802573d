//! The Rust call API: typed values on every path, errors instead of calls for
//! wrong arguments, statics and optional symbols, function pointers, and the
//! fallback order (given artifact → JIT → libffi), asserted through the API.

mod support;

use ffic_loader::{CallError, CallPath, CodeSource, DynamicLibrary, LoadError, OpenOptions, Value};
use ffic_schema::types::Primitive;
use ffic_schema::{Signature, Type};
use std::process::Command;

fn open(options: OpenOptions) -> DynamicLibrary {
    // SAFETY: the descriptor describes the test library truthfully.
    unsafe { options.open(support::library(), ffic_testlib::library_path()) }.unwrap()
}

/// One library per path: the artifact (kept alive by the returned guard),
/// the JIT and libffi.
fn every_path() -> (support::Compiled, Vec<DynamicLibrary>) {
    let compiled = support::compile();
    let libs = vec![
        open(OpenOptions::new().artifact(&compiled.path)),
        open(OpenOptions::new().jit(true)),
        open(OpenOptions::new().jit(false)),
    ];
    let paths: Vec<CallPath> = libs.iter().map(DynamicLibrary::path).collect();
    assert_eq!(paths, [CallPath::Artifact, CallPath::Jit, CallPath::Libffi]);
    (compiled, libs)
}

fn call(lib: &DynamicLibrary, name: &str, args: &[Value<'_>]) -> Value<'static> {
    // SAFETY: the tests pass values that the test library's functions accept.
    unsafe { lib.call(name, args) }.unwrap_or_else(|e| panic!("{}: {e}", lib.path()))
}

#[test]
fn typed_values_cross_every_path_intact() {
    let (_artifact, libs) = every_path();
    let identities = [
        ("id_bool", Value::Bool(true)),
        ("id_bool", Value::Bool(false)),
        ("id_u8", Value::U8(u8::MAX)),
        ("id_i8", Value::I8(i8::MIN)),
        ("id_u16", Value::U16(u16::MAX)),
        ("id_i16", Value::I16(i16::MIN)),
        ("id_u32", Value::U32(u32::MAX)),
        ("id_i32", Value::I32(i32::MIN)),
        ("id_u64", Value::U64(u64::MAX)),
        ("id_i64", Value::I64(i64::MIN)),
        ("id_usize", Value::Usize(usize::MAX)),
        ("id_isize", Value::Isize(isize::MIN)),
        ("id_f32", Value::F32(f32::MIN_POSITIVE / 2.0)),
        ("id_f64", Value::F64(-0.0)),
        ("id_f64", Value::F64(f64::INFINITY)),
        ("id_pointer", Value::Pointer(usize::MAX as *mut _)),
    ];
    for lib in &libs {
        for (name, value) in &identities {
            let got = call(lib, name, std::slice::from_ref(value));
            assert_eq!(&got, value, "{name} on {}", lib.path());
            if let (Value::F64(a), Value::F64(b)) = (&got, value) {
                assert_eq!(a.to_bits(), b.to_bits(), "{name} keeps the sign of zero");
            }
        }
        let Value::F32(nan) = call(lib, "id_f32", &[Value::F32(f32::NAN)]) else {
            panic!("id_f32 returns F32")
        };
        assert!(nan.is_nan());
        assert_eq!(
            call(lib, "widen_i8", &[Value::I8(-1)]),
            Value::I32(-1),
            "{}",
            lib.path()
        );
        assert_eq!(
            call(lib, "add_u8", &[Value::U8(200), Value::U8(100)]),
            Value::U8(44)
        );
        let args = [
            Value::I8(-1),
            Value::U16(2),
            Value::I32(-3),
            Value::I64(4),
            Value::F32(0.5),
            Value::F64(0.25),
        ];
        assert_eq!(
            call(lib, "mix6", &args),
            // mix6 weighs argument k by k.
            Value::F64(-1.0 + 2.0 * 2.0 - 3.0 * 3.0 + 4.0 * 4.0 + 5.0 * 0.5 + 6.0 * 0.25)
        );
        // Structs go in and come out as their C bytes.
        let pt = [7i32.to_le_bytes(), (-9i32).to_le_bytes()].concat();
        assert_eq!(
            call(lib, "swap_pt", &[Value::Struct(pt.as_slice().into())]),
            Value::Struct([(-9i32).to_le_bytes(), 7i32.to_le_bytes()].concat().into())
        );
        assert_eq!(
            call(
                lib,
                "make_tiny",
                &[Value::U8(1), Value::U8(2), Value::U8(3)]
            ),
            Value::Struct(vec![1, 2, 3].into())
        );
        // A buffer is its data pointer.
        let mut bytes = [0u8; 6];
        let ptr = Value::Pointer(bytes.as_mut_ptr().cast());
        assert_eq!(
            call(
                lib,
                "buf_fill",
                &[ptr.clone(), Value::Usize(6), Value::U8(7)]
            ),
            Value::Void
        );
        assert_eq!(bytes, [7; 6]);
        assert_eq!(
            call(lib, "buf_sum", &[ptr, Value::Usize(6)]),
            Value::U32(42)
        );
    }
}

#[test]
fn wrong_arguments_are_errors_and_nothing_is_called() {
    let (_artifact, libs) = every_path();
    for lib in &libs {
        let before = call(lib, "nop_count", &[]);
        // SAFETY: each call is refused before any native code runs.
        let refuse = |name: &str, args: &[Value<'_>]| unsafe { lib.call(name, args) }.unwrap_err();
        assert_eq!(
            refuse("nop", &[Value::I32(1)]),
            CallError::ArgumentCount {
                symbol: "nop".into(),
                expected: 0,
                found: 1
            }
        );
        assert_eq!(
            refuse("add_i32", &[Value::I32(1), Value::I64(2)]),
            CallError::ArgumentType {
                symbol: "add_i32".into(),
                index: 1,
                expected: "i32".into(),
                found: "I64".into()
            }
        );
        assert_eq!(
            refuse("sum_pt", &[Value::Struct(vec![0; 7].into())]).to_string(),
            "sum_pt: argument 0 must be {i32,i32} (8 bytes), got Struct of 7 bytes"
        );
        assert_eq!(
            refuse("id_pointer", &[Value::Usize(0)]).to_string(),
            "id_pointer: argument 0 must be pointer, got Usize"
        );
        assert_eq!(
            refuse("no_such", &[]),
            CallError::UnknownSymbol("no_such".into())
        );
        assert_eq!(
            refuse("absent", &[Value::I32(1)]),
            CallError::Absent("absent".into())
        );
        assert!(matches!(
            refuse("static_i32", &[]),
            CallError::WrongKind {
                actual: "static",
                ..
            }
        ));
        // SAFETY: refused before reading.
        let e = unsafe { lib.read_static("add_i32") }.unwrap_err();
        assert!(
            matches!(
                e,
                CallError::WrongKind {
                    actual: "function",
                    ..
                }
            ),
            "{e}"
        );
        // None of those reached nop, and the library still works.
        assert_eq!(call(lib, "nop_count", &[]), before);
        assert_eq!(
            call(lib, "add_i32", &[Value::I32(2), Value::I32(3)]),
            Value::I32(5)
        );
    }
}

#[test]
fn statics_and_optional_symbols() {
    let (_artifact, libs) = every_path();
    for lib in &libs {
        // SAFETY: nothing writes the test library's statics.
        unsafe {
            assert_eq!(lib.read_static("static_i32"), Ok(Some(Value::I32(-42))));
            assert_eq!(
                lib.read_static("static_u64"),
                Ok(Some(Value::U64(u64::MAX)))
            );
            assert_eq!(lib.read_static("absent_static"), Ok(None));
        }
        assert!(lib.function("absent").unwrap().is_none());
        assert!(lib.function("add_i32").unwrap().is_some());
        let names: Vec<&str> = lib.names().collect();
        assert_eq!(names.first(), Some(&"nop"), "descriptor order");
        assert_eq!(names.last(), Some(&"absent_static"), "descriptor order");
        // By index, in descriptor order: each function is the one of its name.
        for (index, name) in names.iter().enumerate() {
            match lib.function(name) {
                Ok(by_name) => {
                    let at = lib.function_at(index).unwrap();
                    assert_eq!(at.map(|f| f.name()), by_name.map(|f| f.name()));
                    assert_eq!(at.map(|f| f.address()), by_name.map(|f| f.address()));
                }
                Err(e) => assert_eq!(lib.function_at(index).unwrap_err(), e),
            }
        }
        assert!(matches!(
            lib.function_at(names.len()),
            Err(CallError::UnknownSymbol(_))
        ));
    }
}

#[test]
fn function_pointers_use_the_library_trampoline_or_libffi() {
    let (_artifact, libs) = every_path();
    let i32 = Type::Primitive(Primitive::I32);
    let binop = Signature {
        parameters: vec![i32.clone(), i32.clone()],
        result: i32.clone(),
        errno: false,
        variadic: false,
    };
    let unknown = Signature {
        parameters: vec![i32.clone(), i32.clone(), i32.clone()],
        result: i32,
        errno: false,
        variadic: false,
    };
    for lib in &libs {
        let Value::Pointer(add) = call(lib, "get_add_i32", &[]) else {
            panic!("a function result is a pointer")
        };
        let through_lib = lib.fn_pointer(add, &binop).unwrap();
        assert_eq!(
            through_lib.path(),
            lib.path(),
            "(i32,i32)->i32 is in the library"
        );
        let standalone = ffic_loader::FnPointer::new(add, &binop).unwrap();
        assert_eq!(standalone.path(), CallPath::Libffi);
        for f in [&through_lib, &standalone] {
            // SAFETY: add_i32 has this signature.
            assert_eq!(
                unsafe { f.call(&[Value::I32(40), Value::I32(2)]) },
                Ok(Value::I32(42))
            );
            // SAFETY: refused before calling.
            assert!(matches!(
                unsafe { f.call(&[Value::I32(1)]) },
                Err(CallError::ArgumentCount { .. })
            ));
        }
        // A null pointer is refused before any call.
        let null = ffic_loader::FnPointer::new(std::ptr::null(), &binop).unwrap();
        // SAFETY: refused before calling.
        let e = unsafe { null.call(&[Value::I32(1), Value::I32(2)]) }.unwrap_err();
        assert!(matches!(e, CallError::NullFunction(_)), "{e}");
        // A signature the library has no trampoline for goes to libffi.
        assert_eq!(
            lib.fn_pointer(add, &unknown).unwrap().path(),
            CallPath::Libffi
        );
        // And the pointer round-trips into a function parameter.
        let args = [Value::Pointer(add), Value::I32(-1), Value::I32(-2)];
        assert_eq!(call(lib, "apply_binop", &args), Value::I32(-3));
    }
}

#[test]
fn a_struct_layout_that_is_not_c_layout_is_refused_by_libffi() {
    use ffic_schema::StructLayout;
    use std::sync::Arc;
    let i32 = Type::Primitive(Primitive::I32);
    // {i32,i32} claiming 12 bytes: libffi computes 8 and would read fewer
    // bytes than the value checks allowed.
    let lying = Type::Struct(Arc::new(StructLayout {
        fields: vec![i32.clone(), i32.clone()],
        offsets: vec![0, 4],
        size: 12,
        align: 4,
    }));
    let signature = Signature {
        parameters: vec![lying],
        result: i32,
        errno: false,
        variadic: false,
    };
    let e = ffic_loader::FnPointer::new(std::ptr::null(), &signature).unwrap_err();
    assert!(e.to_string().contains("layout differs"), "{e}");
}

#[test]
fn no_artifact_takes_the_jit() {
    let lib = open(OpenOptions::new().jit(true));
    assert_eq!(lib.path(), CallPath::Jit);
    assert_eq!(lib.code_source(), Some(CodeSource::Jit));
    assert!(lib.fallbacks().is_empty(), "{:?}", lib.fallbacks());
    let f = lib.function("add_i32").unwrap().unwrap();
    assert_eq!(f.path(), CallPath::Jit);
    assert!(
        f.fast().returning.is_some(),
        "the JIT compiles fast trampolines too"
    );
    assert!(
        f.fast().reentrant.is_some(),
        "and the re-entrant form of one with a value"
    );
}

#[test]
fn a_rejected_artifact_is_reported_and_never_run() {
    let compiled = support::compile();
    let mut bytes = compiled.bytes.clone();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x40; // in the code: only the checksum can tell
    let bad = compiled.dir.path().join("bad.ffic");
    support::write_artifact(&bad, &bytes);
    for (jit, expected) in [(true, CallPath::Jit), (false, CallPath::Libffi)] {
        let lib = open(OpenOptions::new().artifact(&bad).jit(jit));
        assert_eq!(lib.path(), expected);
        let [fallback] = lib.fallbacks() else {
            panic!("one fallback expected: {:?}", lib.fallbacks())
        };
        assert_eq!(fallback.tried, format!("artifact {}", bad.display()));
        assert!(
            matches!(fallback.reason, LoadError::Malformed(_)),
            "{fallback}"
        );
        assert!(fallback.to_string().contains("checksum"), "{fallback}");
        assert_eq!(
            call(&lib, "add_i32", &[Value::I32(2), Value::I32(3)]),
            Value::I32(5)
        );
        let function = lib.function("add_i32").unwrap().unwrap();
        assert_eq!(function.path(), expected);
    }
    // A missing file is a fallback too, with its reason.
    let missing = compiled.dir.path().join("missing.ffic");
    let lib = open(OpenOptions::new().artifact(&missing).jit(true));
    assert_eq!(lib.path(), CallPath::Jit);
    assert!(matches!(lib.fallbacks()[0].reason, LoadError::Io { .. }));
}

#[test]
fn a_missing_required_symbol_fails_on_every_path() {
    let compiled = support::compile();
    let mut library = support::library();
    let nop = library
        .symbols
        .iter_mut()
        .find(|s| s.name == "nop")
        .unwrap();
    nop.native = "ffic_not_exported".into();
    for options in [
        OpenOptions::new().artifact(&compiled.path),
        OpenOptions::new().jit(true),
        OpenOptions::new().jit(false),
    ] {
        // SAFETY: the open fails before anything is bound.
        let e = unsafe { options.open(library.clone(), ffic_testlib::library_path()) }.unwrap_err();
        assert!(
            e.to_string().starts_with("Failed to register symbol nop: "),
            "{e}"
        );
    }
}

/// Runs `test` of this binary again in a child process with `env`; the child
/// sees `FFIC_TEST_CHILD` and does the child's half.
pub fn run_child(test: &str, env: &[(&str, &str)]) {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("FFIC_TEST_CHILD", "1")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(
        output.status.success() && String::from_utf8_lossy(&output.stdout).contains("1 passed"),
        "child {test} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn ffic_jit_0_sends_everything_to_libffi() {
    if std::env::var_os("FFIC_TEST_CHILD").is_none() {
        return run_child(
            "ffic_jit_0_sends_everything_to_libffi",
            &[("FFIC_JIT", "0")],
        );
    }
    let compiled = support::compile();
    let mut bytes = compiled.bytes.clone();
    bytes[40] ^= 1;
    let bad = compiled.dir.path().join("bad.ffic");
    support::write_artifact(&bad, &bytes);
    let lib = open(OpenOptions::new().artifact(&bad));
    assert_eq!(lib.path(), CallPath::Libffi);
    assert_eq!(lib.fallbacks().len(), 1, "only the artifact was tried");
    assert_eq!(
        call(&lib, "add_f64", &[Value::F64(0.5), Value::F64(0.25)]),
        Value::F64(0.75)
    );
    // A good artifact is still used: FFIC_JIT=0 only stops compiling.
    let lib = open(OpenOptions::new().artifact(&compiled.path));
    assert_eq!(lib.path(), CallPath::Artifact);
}

#[test]
fn reopens_share_the_code_the_jit_compiled_while_it_lives() {
    let fast = |lib: &DynamicLibrary| {
        lib.function("add_i32")
            .unwrap()
            .unwrap()
            .fast()
            .returning
            .unwrap()
    };
    let first = open(OpenOptions::new().jit(true));
    assert_eq!(first.path(), CallPath::Jit);
    let second = open(OpenOptions::new().jit(true));
    assert_eq!(
        fast(&first),
        fast(&second),
        "the second open compiles nothing"
    );
    assert_eq!(
        call(&second, "add_i32", &[Value::I32(40), Value::I32(2)]),
        Value::I32(42)
    );
    // Other descriptors (the same ones reordered bind in another order)
    // get code of their own.
    let mut reordered = support::library();
    reordered.symbols.reverse();
    // SAFETY: the descriptor describes the test library truthfully.
    let third = unsafe {
        OpenOptions::new()
            .jit(true)
            .open(reordered, ffic_testlib::library_path())
    }
    .unwrap();
    assert_ne!(fast(&third), fast(&first));
    assert_eq!(
        call(&third, "add_i32", &[Value::I32(40), Value::I32(2)]),
        Value::I32(42)
    );
}

#[test]
fn opens_of_one_artifact_share_its_verified_mapping() {
    let compiled = support::compile();
    let options = OpenOptions::new().artifact(&compiled.path);
    let fast = |lib: &DynamicLibrary| {
        lib.function("add_i32")
            .unwrap()
            .unwrap()
            .fast()
            .returning
            .unwrap()
    };
    let add = |lib: &DynamicLibrary| call(lib, "add_i32", &[Value::I32(40), Value::I32(2)]);
    let first = open(options.clone());
    let second = open(options.clone());
    assert_eq!(second.path(), CallPath::Artifact);
    assert_eq!(
        fast(&first),
        fast(&second),
        "the second open maps nothing new"
    );
    assert_eq!(add(&second), Value::I32(42));

    // The same descriptors in another order have the same digest, but their
    // symbols bind in another order: mapped and verified anew.
    let mut reordered = support::library();
    reordered.symbols.reverse();
    // SAFETY: the descriptor describes the test library truthfully.
    let third = unsafe { options.open(reordered, ffic_testlib::library_path()) }.unwrap();
    assert_eq!(third.path(), CallPath::Artifact);
    assert_ne!(fast(&third), fast(&first));
    assert_eq!(add(&third), Value::I32(42));

    // A file replaced since (by rename, as `ffic compile` does) is verified
    // afresh: a corrupt one is refused while the old mapping lives on.
    let mut bad = compiled.bytes.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    let staged = compiled.dir.path().join("staged.ffic");
    support::write_artifact(&staged, &bad);
    std::fs::rename(&staged, &compiled.path).unwrap();
    let fourth = open(options);
    assert_eq!(fourth.path(), CallPath::Jit);
    assert!(
        matches!(fourth.fallbacks()[0].reason, LoadError::Malformed(_)),
        "{}",
        fourth.fallbacks()[0]
    );
    assert_eq!(add(&first), Value::I32(42));
}
