//! One way to call a signature: a compiled invoke trampoline (from an
//! artifact or the JIT) or a prepared libffi call. Both follow the invoke
//! contract, so callers never care which one they hold.

use crate::ffi::FfiInvoke;
use std::ffi::c_void;
use std::sync::Arc;

/// An invoke trampoline's machine signature.
pub type InvokeFn = unsafe extern "C" fn(*const c_void, *const u64, *mut u8);

/// How one signature is called.
#[derive(Debug, Clone)]
pub enum Invoker {
    /// A compiled invoke trampoline; the code that holds it must stay mapped
    /// while this value is called.
    Code(InvokeFn),
    /// libffi.
    Ffi(Arc<FfiInvoke>),
}

impl Invoker {
    /// Calls `target` with one 8-byte slot per argument and writes the result
    /// to `ret` at its natural size.
    ///
    /// # Safety
    /// `target` must be a function of the invoker's signature, `slots` must
    /// hold one slot per parameter (a struct's slot pointing at its bytes),
    /// `ret` must be writable for the result, and compiled code must still be
    /// mapped.
    #[inline]
    pub unsafe fn call(&self, target: *const c_void, slots: *const u64, ret: *mut u8) {
        match self {
            // SAFETY: forwarded from this function's contract.
            Invoker::Code(f) => unsafe { f(target, slots, ret) },
            // SAFETY: forwarded from this function's contract.
            Invoker::Ffi(ffi) => unsafe { ffi.call(target, slots, ret) },
        }
    }
}
