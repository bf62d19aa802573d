//! The libffi fallback: one prepared call interface per signature, called
//! with the invoke trampolines' contract (`target`, 8-byte argument slots,
//! the result written at exactly its natural size), so every caller treats
//! compiled and libffi calls alike.

use crate::LoadError;
use ffic_schema::{Signature, Type, types::Primitive};
use libffi::middle::{Cif, Type as FfiType};
use libffi::raw::ffi_call;
use std::ffi::c_void;

/// Arguments handled without touching the heap.
const INLINE_ARGS: usize = 16;

/// A prepared libffi call interface for one signature.
#[derive(Debug)]
pub struct FfiInvoke {
    cif: Cif,
    /// Which parameters are structs (their slot holds a pointer to the bytes).
    by_pointer: Vec<bool>,
    /// Bytes of the result as the signature declares it (0 for void).
    result_size: usize,
    /// A scalar result, which libffi may widen to a full register.
    scalar_result: bool,
}

// SAFETY: the `ffi_cif` and the type descriptions it points to are written
// once by `ffi_prep_cif` in `new` and only read afterwards; `ffi_call` takes
// the cif as read-only input, so sharing it between threads is sound.
unsafe impl Send for FfiInvoke {}
// SAFETY: as above: nothing mutates the cif after preparation.
unsafe impl Sync for FfiInvoke {}

fn ffi_type(ty: &Type) -> FfiType {
    match ty {
        Type::Struct(layout) => FfiType::structure(layout.fields.iter().map(ffi_type)),
        Type::Primitive(p) => match p {
            Primitive::Void => FfiType::void(),
            Primitive::Bool | Primitive::U8 => FfiType::u8(),
            Primitive::I8 => FfiType::i8(),
            Primitive::U16 => FfiType::u16(),
            Primitive::I16 => FfiType::i16(),
            Primitive::U32 => FfiType::u32(),
            Primitive::I32 => FfiType::i32(),
            Primitive::U64 => FfiType::u64(),
            Primitive::I64 => FfiType::i64(),
            Primitive::Usize => FfiType::usize(),
            Primitive::Isize => FfiType::isize(),
            Primitive::F32 => FfiType::f32(),
            Primitive::F64 => FfiType::f64(),
            Primitive::Pointer | Primitive::Buffer | Primitive::Function => FfiType::pointer(),
        },
    }
}

impl FfiInvoke {
    /// Prepares the call interface of `signature`.
    pub fn new(signature: &Signature) -> Result<FfiInvoke, LoadError> {
        let cif = Cif::try_new(
            signature.parameters.iter().map(ffi_type),
            ffi_type(&signature.result),
        )
        .map_err(|e| LoadError::Libffi {
            signature: signature.to_string(),
            message: format!("{e:?}"),
        })?;
        let result_size = match &signature.result {
            Type::Primitive(Primitive::Void) => 0,
            ty => ty.layout(ffic_schema::Target::host()).0 as usize,
        };
        Ok(FfiInvoke {
            cif,
            by_pointer: signature
                .parameters
                .iter()
                .map(|t| matches!(t, Type::Struct(_)))
                .collect(),
            result_size,
            scalar_result: matches!(signature.result, Type::Primitive(_)),
        })
    }

    /// Calls `target` as an invoke trampoline would.
    ///
    /// # Safety
    /// `target` must be a function of the prepared signature; `slots` must
    /// hold one 8-byte slot per parameter (a struct's slot pointing at its
    /// bytes); `ret` must be writable for the result's size.
    pub unsafe fn call(&self, target: *const c_void, slots: *const u64, ret: *mut u8) {
        let n = self.by_pointer.len();
        let mut inline = [std::ptr::null_mut::<c_void>(); INLINE_ARGS];
        let mut heap = Vec::new();
        let values: &mut [*mut c_void] = if n <= INLINE_ARGS {
            &mut inline[..n]
        } else {
            heap.resize(n, std::ptr::null_mut());
            &mut heap
        };
        for (i, (value, by_pointer)) in values.iter_mut().zip(&self.by_pointer).enumerate() {
            // SAFETY: the caller provides one slot per parameter.
            let slot = unsafe { slots.add(i) };
            // libffi wants the address of each value: the slot itself for a
            // scalar (held in its low bytes, little-endian), the pointer the
            // slot holds for a struct.
            *value = if *by_pointer {
                // SAFETY: in bounds, as above.
                unsafe { *slot as *mut c_void }
            } else {
                slot as *mut c_void
            };
        }
        let target = Some(
            // SAFETY: a non-null code address of the prepared signature (the
            // caller's contract); libffi only calls it.
            unsafe { std::mem::transmute::<*const c_void, unsafe extern "C" fn()>(target) },
        );
        if self.scalar_result && self.result_size > 0 {
            // libffi widens small integer results to a full register: let it
            // write a register, then copy only the declared bytes.
            let mut wide = 0u64;
            // SAFETY: the cif was prepared for this signature, `values` holds
            // one valid argument address per parameter, and `wide` has room
            // for any scalar result.
            unsafe {
                ffi_call(
                    self.cif.as_raw_ptr(),
                    target,
                    (&raw mut wide).cast(),
                    values.as_mut_ptr(),
                );
                std::ptr::copy_nonoverlapping(
                    (&raw const wide).cast::<u8>(),
                    ret,
                    self.result_size,
                );
            }
        } else {
            // SAFETY: as above; a struct result is written at exactly its
            // size into `ret`, which the caller sized for it (void writes nothing).
            unsafe {
                ffi_call(
                    self.cif.as_raw_ptr(),
                    target,
                    ret.cast(),
                    values.as_mut_ptr(),
                )
            };
        }
    }
}
