//! A small Rust library for tests/import.rs, the ground of deno_bindgen:
//! built with rustc as a cdylib, its C header made by cbindgen from this
//! source, imported by `ffic import` and called from JavaScript.

use std::ffi::{CStr, c_char};

/// Returned when asked the question.
pub const ANSWER: i32 = 42;

/// Two values passed by value.
#[repr(C)]
pub struct Pair {
    /// A whole part.
    pub whole: i32,
    /// A fractional part.
    pub part: f64,
}

/// The sum of a pair's parts.
#[unsafe(no_mangle)]
pub extern "C" fn pair_sum(pair: Pair) -> f64 {
    f64::from(pair.whole) + pair.part
}

/// `x` times `by`, wrapping.
#[unsafe(no_mangle)]
pub extern "C" fn scale(x: u64, by: u32) -> u64 {
    x.wrapping_mul(u64::from(by))
}

/// The length in bytes of a NUL-terminated string (0 for NULL).
#[unsafe(no_mangle)]
pub extern "C" fn text_length(text: *const c_char) -> usize {
    if text.is_null() {
        return 0;
    }
    // SAFETY: callers pass a NUL-terminated string (ffic's cstring type
    // makes one), valid for the call.
    unsafe { CStr::from_ptr(text) }.to_bytes().len()
}
