//! The invoke trampoline of one signature, shared by every symbol with it:
//! `extern "C" fn(target, args: *const [u64], ret: *mut u8)`. Each argument
//! sits in its own 8-byte slot (a scalar in its low bytes, a struct as a
//! pointer to its bytes); the result is written to `ret` at its natural size
//! (a struct: exactly its bytes). It serves the V8 slow path, nonblocking
//! calls, `UnsafeFnPointer` and the Rust API.

use super::{Arg, Returned, call_helper, call_native, store_struct};
use crate::CompileError;
use crate::abi;
use crate::imports::Helper;
use cranelift_codegen::ir::{self, AbiParam, InstBuilder, MemFlagsData, types};
use cranelift_codegen::isa::{CallConv, TargetIsa};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use ffic_schema::{Signature, Type};

/// Bytes per argument slot.
pub const SLOT_SIZE: u32 = 8;

/// The machine signature of every invoke trampoline.
pub fn signature(call_conv: CallConv) -> ir::Signature {
    let mut s = ir::Signature::new(call_conv);
    s.params.extend([AbiParam::new(types::I64); 3]);
    s
}

/// Builds the invoke trampoline for `sig`; `index` only names the function.
pub fn build(
    sig: &Signature,
    index: u32,
    isa: &dyn TargetIsa,
    fctx: &mut FunctionBuilderContext,
) -> Result<ir::Function, CompileError> {
    let call_conv = isa.default_call_conv();
    let call = abi::lower(sig, call_conv)?;
    let mut func =
        ir::Function::with_name_signature(ir::UserFuncName::user(2, index), signature(call_conv));
    let mut b = FunctionBuilder::new(&mut func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let [target, slots, ret] = b.block_params(entry).try_into().expect("three parameters");

    // The caller owns the slot array: aligned and valid for the call.
    let slot_flags = MemFlagsData::trusted();
    let args: Vec<Arg> = sig
        .parameters
        .iter()
        .enumerate()
        .map(|(i, ty)| {
            let offset = (i as u32 * SLOT_SIZE) as i32;
            match ty {
                Type::Struct(_) => Arg::Struct(b.ins().load(types::I64, slot_flags, slots, offset)),
                Type::Primitive(p) => {
                    let (native, _) = abi::scalar(*p).expect("parameters are never void");
                    Arg::Scalar(b.ins().load(native, slot_flags, slots, offset))
                }
            }
        })
        .collect();
    let returned = call_native(&mut b, &call, target, &args, call_conv);
    if sig.errno {
        call_helper(&mut b, Helper::CaptureErrno, &[], false, call_conv);
    }
    match returned {
        Returned::Nothing => {}
        Returned::Scalar(v) => {
            // `ret` may be any byte buffer (a JS typed array on the slow path).
            b.ins().store(MemFlagsData::new(), v, ret, 0);
        }
        struct_result => store_struct(&mut b, &call, struct_result, ret, call_conv),
    }
    b.ins().return_(&[]);
    b.finalize(isa.frontend_config());
    Ok(func)
}
