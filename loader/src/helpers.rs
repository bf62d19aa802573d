//! The runtime helpers a binder supplies for the import table's helper slots
//! (see `ffic_compiler::imports::Helper` for each one's contract).

use ffic_compiler::imports::Helper;
use std::ffi::c_void;

/// `buffer_data(value) -> data pointer | INVALID_DATA`.
pub type BufferDataFn = unsafe extern "C" fn(*const c_void) -> *mut u8;
/// `struct_data(value, size) -> data pointer | INVALID_DATA`.
pub type StructDataFn = unsafe extern "C" fn(*const c_void, usize) -> *mut u8;
/// `raise(options, kind, argument)`: throws.
pub type RaiseFn = unsafe extern "C" fn(*const c_void, u32, u32);
/// `trace(options)`: observes a fast call.
pub type TraceFn = unsafe extern "C" fn(*const c_void);

/// The helper functions fast trampolines call.
#[derive(Debug, Clone, Copy)]
pub struct Helpers {
    /// Data pointer of a `buffer` argument.
    pub buffer_data: BufferDataFn,
    /// Data pointer of a struct argument or result buffer.
    pub struct_data: StructDataFn,
    /// Throws a TypeError.
    pub raise: RaiseFn,
    /// Observes fast calls; `None` leaves the slot null and tracing off.
    pub trace: Option<TraceFn>,
}

unsafe extern "C" fn no_data(_value: *const c_void) -> *mut u8 {
    ffic_compiler::imports::INVALID_DATA as usize as *mut u8
}

unsafe extern "C" fn no_struct_data(_value: *const c_void, _size: usize) -> *mut u8 {
    ffic_compiler::imports::INVALID_DATA as usize as *mut u8
}

unsafe extern "C" fn no_raise(_options: *const c_void, _kind: u32, _argument: u32) {}

impl Helpers {
    /// Helpers for binders that never take the fast path (the Rust API): no
    /// value is ever a buffer, and raising does nothing, so a fast trampoline
    /// called by mistake returns zero without calling its target.
    pub fn inert() -> Helpers {
        Helpers {
            buffer_data: no_data,
            struct_data: no_struct_data,
            raise: no_raise,
            trace: None,
        }
    }

    /// The address an artifact's slot for `helper` holds (0: none).
    pub(crate) fn address(&self, helper: Helper) -> usize {
        match helper {
            Helper::BufferData => self.buffer_data as usize,
            Helper::StructData => self.struct_data as usize,
            Helper::Raise => self.raise as usize,
            Helper::Trace => self.trace.map_or(0, |f| f as usize),
            Helper::Memcpy => libc::memcpy as *const () as usize,
            Helper::CStringData => crate::cstring::cstring_data as *const () as usize,
            Helper::CStringFree => crate::cstring::cstring_free as *const () as usize,
            Helper::CaptureErrno => crate::errno::capture as *const () as usize,
        }
    }
}
