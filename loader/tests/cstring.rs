//! ffic's `cstring` through the loader, against the test library, on every
//! path: the fast trampolines (artifact and JIT) called as V8 calls them, with
//! a one-byte string, copying it into NUL-terminated UTF-8 on the stack or
//! the heap, raising for a NUL inside (and freeing the copies made before);
//! and the invoke trampolines and libffi with a C string pointer.

mod support;

use ffic_compiler::imports::Raise;
use ffic_loader::cstring::OneByteString;
use ffic_loader::{CallPath, DynamicLibrary, Value};
use ffic_schema::Library;
use std::ffi::{CStr, c_void};
use support::RAISED;

fn library() -> Library {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/run/cstring.json");
    support::checked(&std::fs::read(path).unwrap())
}

static OPTIONS: u64 = 0;

/// Calls `name`'s fast trampoline with `strings` (Latin-1 bytes) as its C
/// string arguments and `n` between two of them where it takes three.
fn fast(lib: &DynamicLibrary, name: &str, strings: &[&[u8]], n: i32) -> u64 {
    let code = lib
        .function(name)
        .unwrap()
        .unwrap()
        .fast()
        .returning
        .unwrap();
    let one_byte: Vec<OneByteString> = strings
        .iter()
        .map(|s| OneByteString {
            data: s.as_ptr(),
            length: s.len() as u32,
        })
        .collect();
    let receiver = std::ptr::null::<c_void>();
    let options = (&raw const OPTIONS).cast::<c_void>();
    // SAFETY: the fast trampolines of these symbols take exactly these V8
    // arguments (a FastOneByteString pointer per C string).
    unsafe {
        match one_byte.as_slice() {
            [a] => {
                let f: unsafe extern "C" fn(
                    *const c_void,
                    *const OneByteString,
                    *const c_void,
                ) -> u64 = std::mem::transmute(code);
                f(receiver, a, options)
            }
            [a, b] => {
                let f: unsafe extern "C" fn(
                    *const c_void,
                    *const OneByteString,
                    i32,
                    *const OneByteString,
                    *const c_void,
                ) -> i32 = std::mem::transmute(code);
                f(receiver, a, n, b, options) as u32 as u64
            }
            _ => unreachable!("one or two strings"),
        }
    }
}

fn fast_paths(lib: &DynamicLibrary) {
    let length = |s: &[u8]| fast(lib, "cstring_length", &[s], 0);
    assert_eq!(length(b"hello"), 5);
    assert_eq!(length(b""), 0);
    // Latin-1 beyond ASCII takes two UTF-8 bytes per character.
    assert_eq!(length(&[b'a', 0xE9, 0xFF]), 5);
    // Past the stack scratch (256 bytes with the NUL): a heap copy, freed.
    assert_eq!(length(&[b'x'; 255]), 255);
    assert_eq!(length(&[b'x'; 256]), 256);
    assert_eq!(length(&[0xE9; 128]), 256);
    assert_eq!(length(&[b'y'; 100_000]), 100_000);
    // Each string lands in its place around the integer.
    let compare = |a: &[u8], n, b: &[u8]| fast(lib, "cstring_compare", &[a, b], n) as u32 as i32;
    assert_eq!(compare(b"abc", 3, b"abd"), -1);
    assert_eq!(compare(&[b'z'; 300], 2, b"za"), 1);
    assert_eq!(compare(&[0xE9; 200], 400, &[0xE9; 200]), 0);

    // A NUL inside raises with the argument's index and never calls; the
    // copy of the first string (on the heap here) is freed first, which
    // valgrind checks (scripts/valgrind-loader).
    RAISED.with(|r| r.set(None));
    assert_eq!(length(b"a\0b"), 0);
    assert_eq!(
        RAISED.with(|r| r.take()),
        Some((Raise::InvalidCString as u32, 0))
    );
    assert_eq!(compare(&[b'q'; 1000], 1, b"\0"), 0);
    assert_eq!(
        RAISED.with(|r| r.take()),
        Some((Raise::InvalidCString as u32, 2))
    );
    assert_eq!(compare(b"fine", 1, b"fine"), 0);
    assert_eq!(RAISED.with(|r| r.take()), None);
}

/// Through the invoke trampolines (or libffi): C strings are pointers.
fn invoke_paths(lib: &DynamicLibrary) {
    let text = c"héllo";
    let call = |name: &str, args: &[Value<'_>]| {
        // SAFETY: the arguments are live NUL-terminated strings or NULL.
        unsafe { lib.function(name).unwrap().unwrap().call(args) }.unwrap()
    };
    let pointer = |s: &CStr| Value::Pointer(s.as_ptr().cast_mut().cast());
    assert_eq!(call("cstring_length", &[pointer(text)]), Value::Usize(6));
    assert_eq!(
        call("cstring_length", &[Value::Pointer(std::ptr::null_mut())]),
        Value::Usize(usize::MAX)
    );
    assert_eq!(
        call("cstring_echo", &[pointer(text)]),
        pointer(text),
        "a C string result is its pointer in the Rust API"
    );
    assert_eq!(
        call(
            "cstring_compare",
            &[pointer(c"ab"), Value::I32(2), pointer(c"aa")]
        ),
        Value::I32(1)
    );
}

#[test]
fn c_strings_cross_the_artifacts_trampolines() {
    let (lib, _dir) = support::open_on(&library(), CallPath::Artifact);
    fast_paths(&lib);
    invoke_paths(&lib);
}

#[test]
fn c_strings_cross_the_jits_trampolines() {
    let (lib, _) = support::open_on(&library(), CallPath::Jit);
    fast_paths(&lib);
    invoke_paths(&lib);
}

#[test]
fn c_strings_cross_the_lazy_jits_trampolines() {
    let lib = support::open_lazily(&library());
    fast_paths(&lib);
    invoke_paths(&lib);
}

#[test]
fn c_strings_cross_libffi() {
    let (lib, _) = support::open_on(&library(), CallPath::Libffi);
    invoke_paths(&lib);
}
