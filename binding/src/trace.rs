//! `--trace-ffi`: lines on stderr saying which code each FFI symbol runs
//! and, at exit, how often it was called on each path. Off, it costs one
//! relaxed load per call.

use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Turns tracing on or off.
pub fn enable(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// Whether tracing is on.
#[inline]
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Writes one trace line.
pub fn line(text: &str) {
    eprintln!("ffi-trace: {text}");
}
