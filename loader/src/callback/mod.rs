//! Native function pointers that call back into Rust (what `UnsafeCallback`
//! hands to C): each one a slot of a callback page (`slots`), whose shared
//! entry saves the argument registers and calls [`dispatch`]. The dispatcher
//! follows the signature's plan (`ffic_compiler::callback::Plan`) to give the
//! handler the address of each argument's bytes and a result buffer of the
//! declared size, then puts the result where the C ABI wants it (small
//! integers widened to a full register). No libffi, and no memory is ever
//! writable and executable at once.

mod slots;

use crate::LoadError;
use ffic_compiler::callback::{Argument, Plan, Result as Returning, SCRATCH_BYTES, Word};
use ffic_schema::Signature;
use slots::{Entry, Slot};
use std::ffi::c_void;
use std::mem::MaybeUninit;

/// What a callback runs: `data` as given to [`NativeCallback::new`], one
/// pointer per parameter to that argument's bytes, and the result buffer
/// (zeroed, as large as the result; 8 unused bytes for `void`).
pub type CallbackHandler = unsafe fn(data: *const c_void, args: &[*const c_void], result: *mut u8);

/// What a slot's data word points at.
#[repr(C)]
struct Target {
    /// First, as the entry code reads it.
    entry: Entry,
    plan: Plan,
    handler: CallbackHandler,
    data: *const c_void,
}

/// A C function pointer of a given signature whose calls run a Rust handler.
/// Dropping it releases the code: native code calling it afterwards gets
/// zero (a struct result in memory is left as the caller had it, its
/// address returned), until the slot serves another callback. No call of it may still be
/// running when it is dropped (its handler's data goes with it).
#[derive(Debug)]
pub struct NativeCallback {
    slot: Option<Slot>,
    target: *mut Target,
}

// SAFETY: the target is immutable after `new`; any thread may call the code,
// and the handler decides what a call on another thread does. Moving the
// owner moves nothing they point to.
unsafe impl Send for NativeCallback {}

impl NativeCallback {
    /// Makes a function pointer of `signature` that calls `handler(data, ..)`.
    pub fn new(
        signature: &Signature,
        handler: CallbackHandler,
        data: *const c_void,
    ) -> Result<NativeCallback, LoadError> {
        let plan = Plan::new(signature)?;
        let target = Box::into_raw(Box::new(Target {
            entry: Entry { dispatch },
            plan,
            handler,
            data,
        }));
        // SAFETY: the target lives until `drop`, which releases the slot
        // first; the owner keeps calls from outliving it (the contract of
        // dropping a callback).
        match unsafe { slots::take(target.cast_const().cast()) } {
            Ok(slot) => Ok(NativeCallback {
                slot: Some(slot),
                target,
            }),
            Err(e) => {
                // SAFETY: made above and never shared.
                drop(unsafe { Box::from_raw(target) });
                Err(e)
            }
        }
    }

    /// The function pointer to hand to native code.
    pub fn code(&self) -> *const c_void {
        self.slot
            .as_ref()
            .map_or(std::ptr::null(), |slot| slot.code().cast())
    }
}

impl Drop for NativeCallback {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            // SAFETY: made in `new`, still alive.
            let in_memory = matches!(
                unsafe { &*self.target }.plan.result,
                Returning::Memory { .. }
            );
            slots::release(slot, in_memory);
        }
        // SAFETY: made in `new`; the slot no longer leads here.
        drop(unsafe { Box::from_raw(self.target) });
    }
}

/// Arguments passed inline up to this many; more go on the heap.
const INLINE_ARGUMENTS: usize = 16;

/// What the entry code calls for every callback.
///
/// # Safety
/// Called only by the callback entry: `entry` is a live [`Target`],
/// `registers` its 14 saved argument registers, `stack` the caller's stack
/// arguments, `returned` the 4 words it loads into `rax rdx xmm0 xmm1`.
unsafe extern "C" fn dispatch(
    entry: *const Entry,
    registers: *const u64,
    stack: *const u8,
    returned: *mut u64,
) {
    // SAFETY: the entry is the first field of a live Target (#[repr(C)]).
    let target = unsafe { &*entry.cast::<Target>() };
    let word = |word: Word| -> *const u8 {
        match word {
            // SAFETY: the entry saved 14 registers; plans index below 14.
            Word::Register(i) => unsafe { registers.add(usize::from(i)).cast() },
            // SAFETY: the caller passed its stack arguments there, as the
            // plan (the same lowering as the caller's) says.
            Word::Stack(offset) => unsafe { stack.add(offset as usize) },
        }
    };
    // Only what struct arguments use is zeroed (their padding reaches the
    // handler as zeros); the rest stays untouched, as do unused pointers.
    // With no struct argument memset is not called at all (1% of a call).
    let mut scratch = [const { MaybeUninit::<u64>::uninit() }; SCRATCH_BYTES / 8];
    let scratch_bytes = scratch.as_mut_ptr().cast::<u8>();
    if target.plan.scratch > 0 {
        // SAFETY: the plan's scratch length is within the buffer.
        unsafe { std::ptr::write_bytes(scratch_bytes, 0, target.plan.scratch as usize) };
    }
    let mut inline = [const { MaybeUninit::<*const c_void>::uninit() }; INLINE_ARGUMENTS];
    let mut spilled = Vec::new();
    let count = target.plan.arguments.len();
    let pointers: &mut [MaybeUninit<*const c_void>] = if count <= INLINE_ARGUMENTS {
        &mut inline[..count]
    } else {
        spilled.resize(count, MaybeUninit::uninit());
        &mut spilled
    };
    for (pointer, argument) in pointers.iter_mut().zip(&target.plan.arguments) {
        pointer.write(match argument {
            Argument::At(at) => word(*at).cast(),
            Argument::Split { scratch, parts } => {
                // SAFETY: the plan keeps each struct inside the scratch
                // buffer, and each part inside its struct's 16 bytes.
                let base = unsafe { scratch_bytes.add(*scratch as usize) };
                for part in parts {
                    // SAFETY: as above; the source is a saved word.
                    unsafe {
                        std::ptr::copy_nonoverlapping(
                            word(part.from),
                            base.add(part.offset as usize),
                            part.size as usize,
                        );
                    }
                }
                base.cast_const().cast()
            }
        });
    }
    // SAFETY: every element was written by the loop (one per argument).
    let pointers = unsafe { &*(std::ptr::from_ref(pointers) as *const [*const c_void]) };
    let call = |result: *mut u8| {
        // SAFETY: the pointers address arguments of the target's signature;
        // `result` holds its result (the handler's contract).
        unsafe { (target.handler)(target.data, pointers, result) }
    };
    match &target.plan.result {
        Returning::Nothing => call([0u8; 8].as_mut_ptr()),
        Returning::Integer { size, signed } => {
            let mut bytes = [0u8; 8];
            call(bytes.as_mut_ptr());
            let raw = u64::from_le_bytes(bytes);
            let shift = 64 - size * 8;
            let value = match (signed, shift) {
                (_, 0) => raw,
                (true, _) => (((raw << shift) as i64) >> shift) as u64,
                (false, _) => raw & (u64::MAX >> shift),
            };
            // SAFETY: `returned` holds 4 words (rax first).
            unsafe { returned.write(value) };
        }
        Returning::Float { .. } => {
            let mut bytes = [0u8; 8];
            call(bytes.as_mut_ptr());
            // SAFETY: `returned` holds 4 words (xmm0 third).
            unsafe { returned.add(2).write(u64::from_le_bytes(bytes)) };
        }
        Returning::Split(eightbytes) => {
            let mut bytes = [0u8; 16];
            call(bytes.as_mut_ptr());
            for (e, register) in eightbytes {
                let mut word = [0u8; 8];
                let at = e.offset as usize;
                word[..e.size as usize].copy_from_slice(&bytes[at..at + e.size as usize]);
                // SAFETY: `returned` holds 4 words; a register indexes one.
                unsafe {
                    returned
                        .add(*register as usize)
                        .write(u64::from_le_bytes(word))
                };
            }
        }
        Returning::Memory { size } => {
            // SAFETY: the caller passed the result's address in rdi (saved
            // first), with room for the struct.
            let out = unsafe { registers.read() } as *mut u8;
            // SAFETY: as above: the caller's buffer holds `size` bytes.
            unsafe { std::ptr::write_bytes(out, 0, *size as usize) };
            call(out);
            // SAFETY: `returned` holds 4 words; the ABI returns the
            // address in rax.
            unsafe { returned.write(out as u64) };
        }
    }
}
