//! The libffi fallback: one prepared call interface per signature, called
//! with the invoke trampolines' contract (`target`, 8-byte argument slots,
//! the result written at exactly its natural size), so every caller treats
//! compiled and libffi calls alike.

use crate::LoadError;
use crate::scratch::scratch;
use ffic_schema::native::{Float, Int, Kind, Width};
use ffic_schema::{Signature, Type, types::Primitive};
use libffi::middle::{Cif, Type as FfiType};
use libffi::raw::ffi_call;
use std::ffi::c_void;
use std::ops::Range;

/// Arguments handled without touching the heap.
const INLINE_ARGS: usize = 16;
/// Results (in 8-byte words) received without touching the heap.
const INLINE_RESULT_WORDS: usize = 8;

/// A prepared libffi call interface for one signature.
#[derive(Debug)]
pub struct FfiInvoke {
    cif: Cif,
    /// Which parameters are structs (their slot holds a pointer to the bytes).
    by_pointer: Vec<bool>,
    /// Bytes of the result as the signature declares it (0 for void).
    result_size: usize,
    /// A struct result's padding, zeroed after the call: libffi stores
    /// whole registers, whose unused bytes the ABI leaves undefined.
    result_padding: Vec<Range<u64>>,
    /// Whether errno is captured after the call.
    errno: bool,
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
        Type::Primitive(p) => match p.kind() {
            Kind::Void => FfiType::void(),
            Kind::Bool => FfiType::u8(),
            Kind::Int(Int { width, signed }) => match (width, signed) {
                (Width::W8, false) => FfiType::u8(),
                (Width::W8, true) => FfiType::i8(),
                (Width::W16, false) => FfiType::u16(),
                (Width::W16, true) => FfiType::i16(),
                (Width::W32, false) => FfiType::u32(),
                (Width::W32, true) => FfiType::i32(),
                (Width::W64, false) => FfiType::u64(),
                (Width::W64, true) => FfiType::i64(),
                (Width::Pointer, false) => FfiType::usize(),
                (Width::Pointer, true) => FfiType::isize(),
            },
            Kind::Float(Float::F32) => FfiType::f32(),
            Kind::Float(Float::F64) => FfiType::f64(),
            Kind::Pointer(_) => FfiType::pointer(),
        },
    }
}

impl FfiInvoke {
    /// Prepares the call interface of `signature`.
    pub fn new(signature: &Signature) -> Result<FfiInvoke, LoadError> {
        let cif = prepared_cif(signature)?;
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
            result_padding: match &signature.result {
                Type::Struct(layout) => layout.padding(ffic_schema::Target::host()),
                Type::Primitive(_) => Vec::new(),
            },
            errno: signature.errno,
        })
    }

    /// Records errno when the signature asks for it.
    fn capture_errno(&self) {
        if self.errno {
            crate::errno::capture();
        }
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
        let values = scratch(&mut inline, &mut heap, n, std::ptr::null_mut());
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
        // SAFETY: an Option of a function pointer has the layout of a
        // pointer, and null becomes None; the caller promises a function.
        let target =
            unsafe { std::mem::transmute::<*const c_void, Option<unsafe extern "C" fn()>>(target) };
        if self.result_size == 0 {
            // SAFETY: the cif was prepared for this signature and `values`
            // holds one valid argument address per parameter; a void result
            // writes nothing.
            unsafe {
                ffi_call(
                    self.cif.as_raw_ptr(),
                    target,
                    std::ptr::null_mut(),
                    values.as_mut_ptr(),
                )
            };
            self.capture_errno();
            return;
        }
        // libffi asks for a result buffer of at least a register, aligned,
        // and widens small integers to a full one: receive into aligned
        // words, then copy exactly the declared bytes.
        let words = self.result_size.div_ceil(8).max(1);
        let mut inline = [0u64; INLINE_RESULT_WORDS];
        let mut heap = Vec::new();
        let wide = scratch(&mut inline, &mut heap, words, 0);
        // SAFETY: as above, and `wide` is aligned and holds the result; the
        // caller made `ret` writable for `result_size` bytes.
        unsafe {
            ffi_call(
                self.cif.as_raw_ptr(),
                target,
                wide.as_mut_ptr().cast(),
                values.as_mut_ptr(),
            );
        }
        // Before anything else runs: libffi's return path leaves errno be.
        self.capture_errno();
        // SAFETY: `wide` holds the result; `ret` is writable for its size.
        unsafe {
            std::ptr::copy_nonoverlapping(wide.as_ptr().cast::<u8>(), ret, self.result_size);
        }
        for gap in &self.result_padding {
            // SAFETY: padding lies inside the result, which `ret` holds.
            unsafe {
                std::ptr::write_bytes(
                    ret.add(gap.start as usize),
                    0,
                    (gap.end - gap.start) as usize,
                )
            };
        }
    }
}

/// Whether libffi 3.4 (Debian's 3.4.4, checked over 20,000 random
/// signatures against ffic's own callback entry) passes `signature` wrongly:
/// when a struct argument in registers has its eightbyte in `r9`, the last
/// integer register, followed by a vector eightbyte, and an earlier
/// argument used a vector register, libffi puts that eightbyte in the wrong
/// vector register (`g(u64, u64, u64, {f32, u64}, u64, {u64, f64})` gets
/// the `f32` overwritten by the `f64`). Such calls are refused rather than
/// made with wrong values.
fn miscalled_by_libffi(signature: &Signature) -> bool {
    use ffic_compiler::callback::{Argument, Plan, Word};
    let Ok(plan) = Plan::new(signature) else {
        return false;
    };
    let vector = |word: &Word| matches!(word, Word::Register(r) if *r >= 6);
    let mut vector_before = false;
    for argument in &plan.arguments {
        match argument {
            Argument::At(word) => vector_before |= vector(word),
            Argument::Split { parts, .. } => {
                let last_integer = parts.iter().position(|p| p.from == Word::Register(5));
                if let Some(i) = last_integer
                    && vector_before
                    && parts[i + 1..].iter().any(|p| vector(&p.from))
                {
                    return true;
                }
                vector_before |= parts.iter().any(|p| vector(&p.from));
            }
        }
    }
    false
}

/// The libffi call interface of `signature`, refused when a struct's layout
/// is not the C layout libffi computes (either side would then overrun), or
/// when libffi would pass it wrongly.
pub(crate) fn prepared_cif(signature: &Signature) -> Result<Cif, LoadError> {
    if miscalled_by_libffi(signature) {
        return Err(LoadError::Libffi {
            signature: signature.to_string(),
            message: "libffi 3.4 passes a struct after the last integer register wrongly here; \
                      this signature needs compiled code (the JIT or an artifact)"
                .into(),
        });
    }
    let cif = Cif::try_new(
        signature.parameters.iter().map(ffi_type),
        ffi_type(&signature.result),
    )
    .map_err(|e| LoadError::Libffi {
        signature: signature.to_string(),
        message: format!("{e:?}"),
    })?;
    // Struct sizes are copied by our layout and read by libffi's: a
    // hand-built layout that disagrees would make either overrun.
    let raw = cif.as_raw_ptr();
    let laid_out = |ty: &Type, ffi: *const libffi::low::ffi_type| match ty {
        // SAFETY: ffi_prep_cif succeeded, so every type it points to
        // is initialised with its computed size and alignment.
        Type::Struct(s) => unsafe {
            (*ffi).size as u64 == s.size && u64::from((*ffi).alignment) == s.align
        },
        Type::Primitive(_) => true,
    };
    // SAFETY: as above; arg_types holds one pointer per parameter.
    let agrees = unsafe {
        laid_out(&signature.result, (*raw).rtype)
            && signature
                .parameters
                .iter()
                .enumerate()
                .all(|(i, ty)| laid_out(ty, *(*raw).arg_types.add(i)))
    };
    if !agrees {
        return Err(LoadError::Libffi {
            signature: signature.to_string(),
            message: "a struct's layout differs from the C layout libffi computes".into(),
        });
    }
    Ok(cif)
}
