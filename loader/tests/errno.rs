//! errno capture through the loader on every path, against the test
//! library's `fail_with_errno`: the fast trampolines (artifact and JIT, their
//! returning and re-entrant forms), the invoke trampolines and libffi record
//! what the call left in `errno::last()`; a function that does not ask for
//! it leaves the recorded value alone though it changes errno itself.

mod support;

use ffic_loader::{CallPath, DynamicLibrary, Value, errno};
use ffic_schema::Library;
use std::ffi::c_void;

const DESCRIPTOR: &str = r#"{
  "fail": { "name": "fail_with_errno", "parameters": ["i32"], "result": "i32", "ffic": { "errno": true } },
  "failQuietly": { "name": "fail_with_errno", "parameters": ["i32"], "result": "i32" }
}"#;

fn library() -> Library {
    support::checked(DESCRIPTOR.as_bytes())
}

static OPTIONS: u64 = 0;

/// Calls both symbols through their invokers, then (compiled code) their
/// fast trampolines in both forms, checking what each records.
fn captures(lib: &DynamicLibrary) {
    let call = |name: &str, e: i32| {
        // SAFETY: fail_with_errno only sets errno.
        unsafe { lib.function(name).unwrap().unwrap().call(&[Value::I32(e)]) }.unwrap()
    };
    assert_eq!(call("fail", 2), Value::I32(-1));
    assert_eq!(errno::last(), 2);
    call("failQuietly", 9);
    assert_eq!(errno::last(), 2, "a call without capture records nothing");
    call("fail", 34);
    assert_eq!(errno::last(), 34);
    if lib.path() == CallPath::Libffi {
        return;
    }
    // `fail` records 100, then 110 through its re-entrant form; the other
    // symbol's fast calls set errno but record nothing.
    for (name, e, recorded) in [("fail", 100, 100), ("failQuietly", 101, 110)] {
        let fast = lib.function(name).unwrap().unwrap().fast();
        // SAFETY: the fast trampoline of (i32)->i32 takes these V8 arguments.
        let returned = unsafe {
            let f: unsafe extern "C" fn(*const c_void, i32, *const c_void) -> i32 =
                std::mem::transmute(fast.returning.unwrap());
            f(std::ptr::null(), e, (&raw const OPTIONS).cast())
        };
        assert_eq!(returned, -1);
        assert_eq!(errno::last(), recorded, "{name}");
        let mut slot = 0i64;
        // SAFETY: its re-entrant form stores the result through `slot`.
        unsafe {
            let g: unsafe extern "C" fn(*const c_void, i32, *mut i64, *const c_void) =
                std::mem::transmute(fast.reentrant.unwrap());
            g(
                std::ptr::null(),
                e + 10,
                &mut slot,
                (&raw const OPTIONS).cast(),
            );
        }
        assert_eq!(slot as i32, -1);
        assert_eq!(errno::last(), 110, "{name}, re-entrant");
    }
}

#[test]
fn the_artifacts_trampolines_capture_errno() {
    let (lib, _dir) = support::open_on(&library(), CallPath::Artifact);
    captures(&lib);
}

#[test]
fn the_jits_trampolines_capture_errno() {
    captures(&support::open_on(&library(), CallPath::Jit).0);
}

#[test]
fn the_lazy_jits_trampolines_capture_errno() {
    captures(&support::open_lazily(&library()));
}

#[test]
fn libffi_calls_capture_errno() {
    captures(&support::open_on(&library(), CallPath::Libffi).0);
}
