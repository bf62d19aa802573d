//! Native function pointers that call back into Rust (what `UnsafeCallback`
//! hands to C): one libffi closure per callback. Its code gives the handler
//! the address of each argument's bytes and a result buffer of the declared
//! size, then returns the result as the C ABI wants it (small integers
//! widened to a full register).

use crate::LoadError;
use crate::ffi::prepared_cif;
use ffic_schema::types::Primitive;
use ffic_schema::{Signature, Target, Type};
use libffi::low::ffi_cif;
use libffi::middle::Closure;
use std::ffi::c_void;

/// What a callback runs: `data` as given to [`NativeCallback::new`], one
/// pointer per parameter to that argument's bytes, and the result buffer
/// (zeroed, as large as the result; nothing for `void`).
pub type CallbackHandler = unsafe fn(data: *const c_void, args: &[*const c_void], result: *mut u8);

/// How the closure returns what the handler wrote.
#[derive(Debug, Clone, Copy)]
enum Return {
    /// Nothing.
    Void,
    /// An integer narrower than a register, widened (signed or not).
    Narrow { size: usize, signed: bool },
    /// Written as is (64-bit integers, floats, pointers).
    Word { size: usize },
    /// A struct, written straight into libffi's result buffer.
    Struct,
}

/// The closure's user data.
#[derive(Debug)]
struct CallTarget {
    handler: CallbackHandler,
    data: *const c_void,
    parameters: usize,
    ret: Return,
}

/// A C function pointer of a given signature whose calls run a Rust handler.
/// Dropping it frees the code: native code must not call it afterwards.
#[derive(Debug)]
pub struct NativeCallback {
    /// Declared before `target`, so the code is freed first on drop.
    closure: Closure<'static>,
    _target: OwnedTarget,
}

/// The closure's user data, freed after the closure (a raw pointer rather
/// than a `Box`, since the closure holds a shared reference into it).
#[derive(Debug)]
struct OwnedTarget(*mut CallTarget);

impl Drop for OwnedTarget {
    fn drop(&mut self) {
        // SAFETY: made by Box::into_raw in `NativeCallback::new` and freed
        // once, here, after the closure that referred to it.
        drop(unsafe { Box::from_raw(self.0) });
    }
}

// SAFETY: the closure code and its user data are immutable after `new`; any
// thread may call the code, and the handler decides what a call on another
// thread does. Moving the owner between threads moves nothing they point to.
unsafe impl Send for NativeCallback {}

impl NativeCallback {
    /// Makes a function pointer of `signature` that calls `handler(data, ..)`.
    pub fn new(
        signature: &Signature,
        handler: CallbackHandler,
        data: *const c_void,
    ) -> Result<NativeCallback, LoadError> {
        let cif = prepared_cif(signature)?;
        let ret = match &signature.result {
            Type::Struct(_) => Return::Struct,
            Type::Primitive(Primitive::Void) => Return::Void,
            Type::Primitive(p) => {
                let size = Type::Primitive(*p).layout(Target::host()).0 as usize;
                let signed = matches!(p, Primitive::I8 | Primitive::I16 | Primitive::I32);
                let integer = !matches!(p, Primitive::F32 | Primitive::F64);
                if integer && size < 8 {
                    Return::Narrow { size, signed }
                } else {
                    Return::Word { size }
                }
            }
        };
        let target = Box::into_raw(Box::new(CallTarget {
            handler,
            data,
            parameters: signature.parameters.len(),
            ret,
        }));
        // SAFETY: `target` is a live allocation freed only in `drop`, after
        // the closure that refers to it.
        let userdata: &'static CallTarget = unsafe { &*target };
        let closure = Closure::try_new(cif, trampoline, userdata).map_err(|e| {
            // SAFETY: nothing refers to `target` when preparation failed.
            drop(unsafe { Box::from_raw(target) });
            LoadError::Libffi {
                signature: signature.to_string(),
                message: format!("{e:?}"),
            }
        })?;
        Ok(NativeCallback {
            closure,
            _target: OwnedTarget(target),
        })
    }

    /// The function pointer to hand to native code.
    pub fn code(&self) -> *const c_void {
        *self.closure.code_ptr() as *const c_void
    }
}

/// What libffi's closure code calls: runs the handler, then returns its
/// result in the form the C caller reads.
unsafe extern "C" fn trampoline(
    _cif: &ffi_cif,
    result: &mut u8,
    args: *const *const c_void,
    target: &CallTarget,
) {
    let result: *mut u8 = result;
    // SAFETY: libffi passes one argument address per declared parameter.
    let args = unsafe { std::slice::from_raw_parts(args, target.parameters) };
    match target.ret {
        Return::Void => {
            let mut none = [0u8; 8];
            // SAFETY: the handler's contract; a void result writes nothing.
            unsafe { (target.handler)(target.data, args, none.as_mut_ptr()) };
        }
        // SAFETY: libffi's result buffer holds the whole struct.
        Return::Struct => unsafe { (target.handler)(target.data, args, result) },
        Return::Word { size } => {
            let mut word = [0u8; 8];
            // SAFETY: the buffer holds any scalar; libffi's result buffer
            // holds at least a register.
            unsafe {
                (target.handler)(target.data, args, word.as_mut_ptr());
                std::ptr::copy_nonoverlapping(word.as_ptr(), result, size);
            }
        }
        Return::Narrow { size, signed } => {
            let mut word = [0u8; 8];
            // SAFETY: as above.
            unsafe { (target.handler)(target.data, args, word.as_mut_ptr()) };
            let raw = u64::from_le_bytes(word);
            let bits = size * 8;
            let value = if signed {
                (((raw << (64 - bits)) as i64) >> (64 - bits)) as u64
            } else {
                raw & ((1u64 << bits) - 1)
            };
            // SAFETY: libffi wants narrow integers returned as a full
            // `ffi_arg` (a register) in its result buffer, which holds one.
            unsafe { result.cast::<u64>().write_unaligned(value) };
        }
    }
}
