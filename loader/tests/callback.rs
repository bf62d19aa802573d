//! `NativeCallback` called by C (the test library's `call_*` functions, the
//! compiler being the ABI reference): every scalar class in, narrow and wide
//! results out, structs both ways, and calls from another native thread.

mod support;

use ffic_loader::NativeCallback;
use ffic_schema::{Signature, SymbolKind, Target};
use std::ffi::c_void;
use std::sync::atomic::{AtomicU32, Ordering};

fn signature(definition: &str) -> Signature {
    let report = ffic_schema::check(
        format!("{{\"f\": {definition}}}").as_bytes(),
        Target::host(),
    );
    let library = report.library.expect("a valid definition");
    match &library.symbols[0].kind {
        SymbolKind::Function { signature, .. } => signature.clone(),
        SymbolKind::Static { .. } => unreachable!("a function definition"),
    }
}

fn library() -> libloading::Library {
    // SAFETY: the test library has no initialisers.
    unsafe { libloading::Library::new(ffic_testlib::library_path()) }.unwrap()
}

/// The function `name` of the test library as `T`.
fn function<T: Copy>(lib: &libloading::Library, name: &str) -> T {
    // SAFETY: each caller names the C prototype of the symbol as `T`.
    unsafe { *lib.get::<T>(name.as_bytes()).unwrap() }
}

/// Reads argument `i` as `T`.
///
/// # Safety
/// Argument `i` must exist and hold a `T`.
unsafe fn arg<T: Copy>(args: &[*const c_void], i: usize) -> T {
    // SAFETY: forwarded to the caller.
    unsafe { args[i].cast::<T>().read_unaligned() }
}

/// Writes `value` as the result.
///
/// # Safety
/// The result buffer must hold a `T`.
unsafe fn put<T>(result: *mut u8, value: T) {
    // SAFETY: forwarded to the caller.
    unsafe { result.cast::<T>().write_unaligned(value) }
}

#[test]
fn every_scalar_class_arrives_and_the_result_returns() {
    unsafe fn mix(data: *const c_void, args: &[*const c_void], result: *mut u8) {
        // SAFETY: the signature below declares these types in this order.
        unsafe {
            assert!(arg::<bool>(args, 0));
            assert_eq!(arg::<i8>(args, 1), -8);
            assert_eq!(arg::<u16>(args, 2), 65535);
            assert_eq!(arg::<i32>(args, 3), i32::MIN);
            assert_eq!(arg::<i64>(args, 4), -(1 << 62));
            assert_eq!(arg::<u64>(args, 5), u64::MAX);
            assert_eq!(arg::<f32>(args, 6), 1.5);
            assert_eq!(arg::<f64>(args, 7), -0.25);
            assert_eq!(arg::<*const c_void>(args, 8), data);
            put(result, 6.5f64);
        }
    }
    let lib = library();
    let sig = signature(
        r#"{"parameters": ["bool","i8","u16","i32","i64","u64","f32","f64","pointer"], "result": "f64"}"#,
    );
    let marker = 0x1234 as *const c_void;
    let callback = NativeCallback::new(&sig, mix, marker).unwrap();
    let call_mix: unsafe extern "C" fn(*const c_void, *const c_void) -> f64 =
        function(&lib, "call_mix");
    // SAFETY: `call_mix` calls its first argument with the declared types.
    assert_eq!(unsafe { call_mix(callback.code(), marker) }, 6.5);
}

#[test]
fn narrow_results_are_extended_as_declared() {
    unsafe fn minus_one(_: *const c_void, _: &[*const c_void], result: *mut u8) {
        // SAFETY: the results below are at least a byte.
        unsafe { put(result, 0xFFu8) }
    }
    let lib = library();
    let i8_cb = NativeCallback::new(
        &signature(r#"{"parameters": ["i8"], "result": "i8"}"#),
        minus_one,
        std::ptr::null(),
    )
    .unwrap();
    let u16_cb = NativeCallback::new(
        &signature(r#"{"parameters": ["u16"], "result": "u16"}"#),
        minus_one,
        std::ptr::null(),
    )
    .unwrap();
    let call_i8: unsafe extern "C" fn(*const c_void, i8) -> i32 = function(&lib, "call_i8");
    let call_u16: unsafe extern "C" fn(*const c_void, u16) -> u32 = function(&lib, "call_u16");
    // SAFETY: each calls its callback with the declared types.
    unsafe {
        assert_eq!(call_i8(i8_cb.code(), 3), -1);
        assert_eq!(call_u16(u16_cb.code(), 3), 0xFF);
    }
}

#[test]
fn structs_pass_by_value_both_ways() {
    unsafe fn sum_pt(_: *const c_void, args: &[*const c_void], result: *mut u8) {
        // SAFETY: one `{i32, i32}` argument and an f64 result.
        unsafe {
            let p = arg::<[i32; 2]>(args, 0);
            put(result, f64::from(p[0]) + 2.0 * f64::from(p[1]));
        }
    }
    unsafe fn make_pt(_: *const c_void, args: &[*const c_void], result: *mut u8) {
        // SAFETY: one i32 argument and a `{i32, i32}` result.
        unsafe {
            let x = arg::<i32>(args, 0);
            put(result, [x, x + 1]);
        }
    }
    let lib = library();
    let sum = NativeCallback::new(
        &signature(r#"{"parameters": [{"struct": ["i32","i32"]}], "result": "f64"}"#),
        sum_pt,
        std::ptr::null(),
    )
    .unwrap();
    let make = NativeCallback::new(
        &signature(r#"{"parameters": ["i32"], "result": {"struct": ["i32","i32"]}}"#),
        make_pt,
        std::ptr::null(),
    )
    .unwrap();
    let call_pt: unsafe extern "C" fn(*const c_void, i32, i32) -> f64 = function(&lib, "call_pt");
    let call_make_pt: unsafe extern "C" fn(*const c_void, i32) -> i32 =
        function(&lib, "call_make_pt");
    // SAFETY: each calls its callback with the declared types.
    unsafe {
        assert_eq!(call_pt(sum.code(), 3, 4), 11.0);
        assert_eq!(call_make_pt(make.code(), 7), 7008);
    }
}

#[test]
fn another_native_thread_can_call() {
    static SEEN: AtomicU32 = AtomicU32::new(0);
    unsafe fn count(_: *const c_void, args: &[*const c_void], _: *mut u8) {
        // SAFETY: one u32 argument.
        let i = unsafe { arg::<u32>(args, 0) };
        SEEN.fetch_add(i + 1, Ordering::SeqCst);
    }
    let lib = library();
    let sink = NativeCallback::new(
        &signature(r#"{"parameters": ["u32"], "result": "void"}"#),
        count,
        std::ptr::null(),
    )
    .unwrap();
    let join: unsafe extern "C" fn(*const c_void, u32) -> u32 =
        function(&lib, "call_on_thread_join");
    // SAFETY: calls the sink with a u32 from a thread it joins.
    assert_eq!(unsafe { join(sink.code(), 100) }, 100);
    assert_eq!(SEEN.load(Ordering::SeqCst), (1..=100).sum::<u32>());
}

/// What the recording handler got: each argument's bytes, and the result
/// bytes it writes.
struct Record {
    sizes: Vec<usize>,
    seen: std::cell::RefCell<Vec<Vec<u8>>>,
    result: Vec<u8>,
}

/// Copies each argument's bytes and writes the planned result.
unsafe fn record(data: *const c_void, args: &[*const c_void], result: *mut u8) {
    // SAFETY: `data` is the test's Record, alive during the call.
    let record = unsafe { &*data.cast::<Record>() };
    let seen = args
        .iter()
        .zip(&record.sizes)
        // SAFETY: each pointer addresses an argument of that size.
        .map(|(&a, &n)| unsafe { std::slice::from_raw_parts(a.cast::<u8>(), n) }.to_vec())
        .collect();
    *record.seen.borrow_mut() = seen;
    // SAFETY: the result buffer holds the result's size.
    unsafe { std::ptr::copy_nonoverlapping(record.result.as_ptr(), result, record.result.len()) };
}

mod abi_against_compiled_calls {
    use super::*;
    use ffic_schema::Type;
    use ffic_schema::types::Primitive;
    use proptest::prelude::*;

    const SCALARS: [&str; 14] = [
        "bool", "u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64", "usize", "f32", "f64",
        "pointer", "function",
    ];

    /// A parameter type: scalars, and structs (nested, mixed integer and
    /// float fields, some small enough for registers, some in memory).
    fn parameter() -> impl Strategy<Value = String> {
        let leaf = proptest::sample::select(&SCALARS[..]).prop_map(|p| format!("\"{p}\""));
        leaf.prop_recursive(2, 12, 5, |inner| {
            prop::collection::vec(inner, 1..5)
                .prop_map(|fields| format!("{{\"struct\": [{}]}}", fields.join(",")))
        })
    }

    fn result() -> impl Strategy<Value = String> {
        prop_oneof![1 => Just("\"void\"".to_owned()), 6 => parameter()]
    }

    /// Bytes for a value of `ty`: a bool 0 or 1, a float a finite number,
    /// anything else random (struct padding included; it is not compared).
    fn bytes(ty: &Type, seed: &mut u64) -> Vec<u8> {
        let mut next = || {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            *seed
        };
        match ty {
            Type::Primitive(Primitive::Bool) => vec![(next() & 1) as u8],
            Type::Primitive(Primitive::F32) => ((next() % 2000) as f32 / 7.0 - 100.0)
                .to_le_bytes()
                .to_vec(),
            Type::Primitive(Primitive::F64) => ((next() % 20000) as f64 / 7.0 - 1000.0)
                .to_le_bytes()
                .to_vec(),
            Type::Primitive(p) => {
                let n = Type::Primitive(*p).layout(Target::host()).0 as usize;
                next().to_le_bytes()[..n].to_vec()
            }
            Type::Struct(layout) => {
                let mut out = vec![0u8; layout.size as usize];
                for (field, &offset) in layout.fields.iter().zip(&layout.offsets) {
                    let offset = offset as usize;
                    let value = bytes(field, seed);
                    out[offset..offset + value.len()].copy_from_slice(&value);
                }
                out
            }
        }
    }

    /// The invoke trampoline of `sig`, compiled and mapped as the JIT maps
    /// it (the mapping keeps it alive).
    fn compiled_invoke(definition: &str) -> (ffic_loader::MappedArtifact, *const u8) {
        let text = format!(
            "{{\"f\": {}, \"name\": \"ffic_absent\", \"optional\": true}}}}",
            definition.strip_suffix('}').expect("an object")
        );
        let library = ffic_schema::check(text.as_bytes(), Target::host())
            .library
            .unwrap();
        let SymbolKind::Function { signature, .. } = &library.symbols[0].kind else {
            unreachable!("a function definition")
        };
        let compiled = ffic_compiler::compile_artifact(&library).unwrap();
        let resolved =
            std::sync::Arc::new(ffic_loader::Resolved::new(support::native(), &library).unwrap());
        let mapped = ffic_loader::MappedArtifact::from_compiled(
            &compiled.bytes,
            &library,
            &resolved,
            &support::helpers(false),
        )
        .unwrap();
        let invoke = mapped
            .invoke(&signature.to_string())
            .expect("an invoke trampoline");
        (mapped, invoke)
    }

    /// `bytes` with the padding of `ty` zeroed (the ABI does not carry it).
    fn meaningful(ty: &Type, mut bytes: Vec<u8>) -> Vec<u8> {
        if let Type::Struct(layout) = ty {
            for gap in layout.padding(Target::host()) {
                bytes[gap.start as usize..gap.end as usize].fill(0);
            }
        }
        bytes
    }

    proptest! {
        // As many cases as the fuzz tests (fewer under valgrind).
        #![proptest_config(ProptestConfig {
            cases: std::env::var("FFIC_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256),
            ..ProptestConfig::default()
        })]

        /// The compiled invoke trampoline of a random signature (the call
        /// path `conformance.rs` checks against C) calls a callback of that
        /// signature: every argument arrives with the bytes sent, and the
        /// result comes back as the handler wrote it. (libffi 3.4.4 cannot
        /// be the reference: it loses a float in `xmm0` when a later struct
        /// takes the last integer register, `g(u64, u64, u64, {f32, u64},
        /// u64, {u64, f64})`.)
        #[test]
        fn callbacks_agree_with_compiled_calls(
            parameters in prop::collection::vec(parameter(), 0..16),
            result in result(),
            seed in 1u64..,
        ) {
            let definition = format!(
                "{{\"parameters\": [{}], \"result\": {result}}}",
                parameters.join(",")
            );
            let sig = signature(&definition);
            let mut seed = seed;
            let args: Vec<Vec<u8>> = sig.parameters.iter().map(|t| bytes(t, &mut seed)).collect();
            let result_size = sig.result.layout(Target::host()).0 as usize;
            let planned = match &sig.result {
                Type::Primitive(Primitive::Void) => Vec::new(),
                ty => bytes(ty, &mut seed),
            };
            let record = Record {
                sizes: sig.parameters.iter().map(|t| t.layout(Target::host()).0 as usize).collect(),
                seen: std::cell::RefCell::new(Vec::new()),
                result: planned.clone(),
            };
            let callback = NativeCallback::new(&sig, super::record, std::ptr::from_ref(&record).cast()).unwrap();
            let slots: Vec<u64> = sig
                .parameters
                .iter()
                .zip(&args)
                .map(|(ty, bytes)| match ty {
                    Type::Struct(_) => bytes.as_ptr() as u64,
                    Type::Primitive(_) => {
                        let mut word = [0u8; 8];
                        word[..bytes.len()].copy_from_slice(bytes);
                        u64::from_le_bytes(word)
                    }
                })
                .collect();
            let mut returned = vec![0u8; result_size.max(8)];
            let (code, invoke) = compiled_invoke(&definition);
            // SAFETY: an invoke trampoline has this type.
            let invoke = unsafe { std::mem::transmute::<*const u8, ffic_loader::invoker::InvokeFn>(invoke) };
            // SAFETY: the callback has the signature the trampoline calls;
            // the slots hold its arguments, struct slots pointing at bytes;
            // `code` keeps the trampoline mapped.
            unsafe { invoke(callback.code(), slots.as_ptr(), returned.as_mut_ptr()) };
            drop(code);
            let seen = record.seen.borrow().clone();
            prop_assert_eq!(seen.len(), args.len());
            for ((ty, sent), got) in sig.parameters.iter().zip(&args).zip(seen) {
                prop_assert_eq!(meaningful(ty, got), meaningful(ty, sent.clone()), "{}", ty);
            }
            returned.truncate(result_size);
            prop_assert_eq!(meaningful(&sig.result, returned), meaningful(&sig.result, planned));
        }
    }
}

/// A signature libffi 3.4 passes wrongly is refused on the libffi path (the
/// compiled path calls it correctly: `callbacks_agree_with_compiled_calls`);
/// one integer argument fewer, libffi gets it right and is allowed.
#[test]
fn libffi_is_refused_where_it_would_pass_arguments_wrongly() {
    let bad = r#"{"parameters": ["u64","u64","u64",{"struct":["f32","u64"]},"u64",{"struct":["u64","f64"]}], "result": "f64"}"#;
    let good = r#"{"parameters": ["u64","u64","u64",{"struct":["f32","u64"]},{"struct":["u64","f64"]}], "result": "f64"}"#;
    let refused = ffic_loader::ffi::FfiInvoke::new(&signature(bad)).unwrap_err();
    assert!(
        refused.to_string().contains("needs compiled code"),
        "{refused}"
    );
    assert!(ffic_loader::ffi::FfiInvoke::new(&signature(good)).is_ok());
}
