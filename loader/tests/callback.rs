//! `NativeCallback` called by C (the test library's `call_*` functions, the
//! compiler being the ABI reference): every scalar class in, narrow and wide
//! results out, structs both ways, and calls from another native thread.

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
