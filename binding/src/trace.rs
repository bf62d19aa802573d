//! `--trace-ffi`: lines saying which code each FFI symbol runs and, at the
//! end, how often it was called on each path, sent to the diagnostics sink.
//! Off, it costs one thread-local read per call.

use std::cell::Cell;

thread_local! {
    static ENABLED: Cell<bool> = const { Cell::new(false) };
}

/// Turns tracing on or off for this thread's isolate.
pub fn enable(on: bool) {
    ENABLED.with(|e| e.set(on));
}

/// Whether tracing is on.
#[inline]
pub fn enabled() -> bool {
    ENABLED.with(|e| e.get())
}

/// Reports one trace line.
pub fn line(text: &str) {
    crate::config::report(crate::Diagnostic::Trace(text.to_owned()));
}
