//! `errno` capture: functions that ask for it record this thread's `errno`
//! right after their native call (the trampolines through the
//! `CaptureErrno` helper, libffi calls in `ffi.rs`), before the host runs
//! anything that could change it; [`last`] reads what was recorded.

use std::cell::Cell;

thread_local! {
    static LAST: Cell<i32> = const { Cell::new(0) };
}

/// The `CaptureErrno` helper: records `errno` as it is now.
pub(crate) extern "C" fn capture() {
    // SAFETY: `__errno_location` returns this thread's errno, always valid.
    let errno = unsafe { *libc::__errno_location() };
    LAST.with(|last| last.set(errno));
}

/// `errno` as the last capturing call on this thread left it (0 before any).
pub fn last() -> i32 {
    LAST.with(Cell::get)
}
