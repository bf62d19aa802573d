//! Native function pointers that call back into Rust (what `UnsafeCallback`
//! hands to C): one libffi closure per callback. Its code gives the handler
//! the address of each argument's bytes and a result buffer of the declared
//! size, then returns the result as the C ABI wants it (small integers
//! widened to a full register).

use crate::LoadError;
use crate::ffi::prepared_cif;
use ffic_schema::types::Primitive;
use ffic_schema::{Signature, Target, Type};
use libffi::low::{closure_free, ffi_cif, ffi_closure, try_closure_alloc};
use libffi::middle::Cif;
use libffi::raw::{ffi_prep_closure_loc, ffi_status_FFI_OK};
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
    /// A struct of `size` bytes, written straight into libffi's result buffer.
    Struct { size: usize },
}

/// The closure's user data. Copied out at the start of each call, so a call
/// still returning never reads it after its handler ran.
#[derive(Debug, Clone, Copy)]
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
    closure: *mut ffi_closure,
    code: *const c_void,
    /// Read by libffi on every call; boxed so its address is stable.
    _cif: Box<Cif>,
    target: *mut CallTarget,
}

// SAFETY: the closure, its cif and its user data are immutable after `new`;
// any thread may call the code, and the handler decides what a call on
// another thread does. Moving the owner moves nothing they point to.
unsafe impl Send for NativeCallback {}

impl NativeCallback {
    /// Makes a function pointer of `signature` that calls `handler(data, ..)`.
    pub fn new(
        signature: &Signature,
        handler: CallbackHandler,
        data: *const c_void,
    ) -> Result<NativeCallback, LoadError> {
        let failed = |message: &str| LoadError::Libffi {
            signature: signature.to_string(),
            message: message.to_owned(),
        };
        let cif = Box::new(prepared_cif(signature)?);
        let ret = match &signature.result {
            Type::Struct(layout) => Return::Struct {
                size: layout.size as usize,
            },
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
        let (closure, code) =
            try_closure_alloc().ok_or_else(|| failed("ffi_closure_alloc failed"))?;
        let target = Box::into_raw(Box::new(CallTarget {
            handler,
            data,
            parameters: signature.parameters.len(),
            ret,
        }));
        // SAFETY: `closure` and `code` come from one ffi_closure_alloc; the
        // cif and `target` outlive the closure (freed after it, in drop).
        let status = unsafe {
            ffi_prep_closure_loc(
                closure,
                cif.as_raw_ptr(),
                Some(trampoline),
                target.cast(),
                code.as_mut_ptr(),
            )
        };
        let callback = NativeCallback {
            closure,
            code: code.as_ptr(),
            _cif: cif,
            target,
        };
        if status != ffi_status_FFI_OK {
            return Err(failed(&format!("ffi_prep_closure_loc: status {status}")));
        }
        Ok(callback)
    }

    /// The function pointer to hand to native code.
    pub fn code(&self) -> *const c_void {
        self.code
    }
}

impl Drop for NativeCallback {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` and freed once, here: the closure first,
        // then the user data it pointed at (the cif goes with the fields).
        unsafe {
            closure_free(self.closure);
            drop(Box::from_raw(self.target));
        }
    }
}

/// What libffi's closure code calls: runs the handler, then returns its
/// result in the form the C caller reads.
unsafe extern "C" fn trampoline(
    _cif: *mut ffi_cif,
    result: *mut c_void,
    args: *mut *mut c_void,
    target: *mut c_void,
) {
    // SAFETY: `target` is the CallTarget given to ffi_prep_closure_loc,
    // alive while the closure can be called.
    let target = unsafe { *target.cast::<CallTarget>() };
    let result = result.cast::<u8>();
    let args: &[*const c_void] = if target.parameters == 0 {
        &[]
    } else {
        // SAFETY: libffi passes one argument address per declared parameter.
        unsafe { std::slice::from_raw_parts(args.cast_const().cast(), target.parameters) }
    };
    let mut word = [0u8; 8];
    match target.ret {
        // SAFETY: the handler's contract; a void result writes nothing.
        Return::Void => unsafe { (target.handler)(target.data, args, word.as_mut_ptr()) },
        // SAFETY: libffi's result buffer holds the whole struct; it is
        // zeroed first, as the handler's contract promises.
        Return::Struct { size } => unsafe {
            std::ptr::write_bytes(result, 0, size);
            (target.handler)(target.data, args, result);
        },
        // SAFETY: the word holds any scalar; libffi's result buffer holds at
        // least a register.
        Return::Word { size } => unsafe {
            (target.handler)(target.data, args, word.as_mut_ptr());
            std::ptr::copy_nonoverlapping(word.as_ptr(), result, size);
        },
        Return::Narrow { size, signed } => {
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
