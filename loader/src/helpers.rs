//! The runtime helpers a binder supplies for the import table's helper slots
//! (see `ffic_compiler::imports::Helper` for each one's contract).

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
