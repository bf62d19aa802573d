//! The fast trampoline of one symbol, in the V8 Fast API shape
//! `(receiver, args as V8 CTypes..., [struct out buffer], *FastApiCallbackOptions) -> ret`.
//! It narrows and widens small integers, turns `buffer` and struct arguments
//! (V8Value locals) into data pointers through helpers, raising a TypeError
//! through the `raise` helper when they are not buffers, and calls the target
//! through its import slot. Conversions follow V8-FAST-API.md §1.
//!
//! A symbol returning a primitive value has a second, re-entrant form: it
//! takes a pointer after its parameters, stores the converted result there
//! and returns nothing, because V8 survives JS deoptimizing the caller of a
//! void fast call only (V8-FAST-API.md §2).

use super::{Arg, Returned, call_helper, call_native, import, store_struct};
use crate::CompileError;
use crate::abi::{self, NativeCall};
use crate::imports::{Helper, INVALID_DATA, Raise};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    self, AbiParam, ArgumentExtension, Block, InstBuilder, MemFlagsData, Value, types,
};
use cranelift_codegen::isa::{CallConv, TargetIsa};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use ffic_schema::types::Primitive;
use ffic_schema::{Signature, Type};

/// The type a V8 fast call passes for a parameter (Deno's CType mapping).
fn v8_param(ty: &Type) -> ir::Type {
    match ty {
        // V8Value locals: the address of a slot holding the value.
        Type::Struct(_) => types::I64,
        Type::Primitive(p) => match p {
            Primitive::Bool => types::I8,
            Primitive::U8
            | Primitive::I8
            | Primitive::U16
            | Primitive::I16
            | Primitive::U32
            | Primitive::I32 => types::I32,
            Primitive::F32 => types::F32,
            Primitive::F64 => types::F64,
            _ => types::I64,
        },
    }
}

/// The type a V8 fast call expects back, or `None` (void, and struct results,
/// which are written to the out buffer).
fn v8_result(ty: &Type) -> Option<AbiParam> {
    let Type::Primitive(p) = ty else {
        return None;
    };
    Some(match p {
        Primitive::Void => return None,
        Primitive::Bool => AbiParam::new(types::I8).uext(),
        Primitive::U8 | Primitive::U16 | Primitive::U32 => AbiParam::new(types::I32).uext(),
        Primitive::I8 | Primitive::I16 | Primitive::I32 => AbiParam::new(types::I32).sext(),
        Primitive::F32 => AbiParam::new(types::F32),
        Primitive::F64 => AbiParam::new(types::F64),
        _ => AbiParam::new(types::I64),
    })
}

/// How a fast trampoline hands its result back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Returned to V8 (or, for a struct, written to the out buffer).
    Returned,
    /// Stored through the pointer passed after the parameters; V8 sees a
    /// void function (the re-entrant form, for primitive results only).
    Stored,
}

/// The machine signature V8 calls a fast trampoline with.
pub fn signature(sig: &Signature, output: Output, call_conv: CallConv) -> ir::Signature {
    let mut s = ir::Signature::new(call_conv);
    s.params.push(AbiParam::new(types::I64)); // receiver
    s.params
        .extend(sig.parameters.iter().map(|t| AbiParam::new(v8_param(t))));
    if matches!(sig.result, Type::Struct(_)) || output == Output::Stored {
        // The struct out buffer (V8Value), or where the result is stored.
        s.params.push(AbiParam::new(types::I64));
    }
    s.params.push(AbiParam::new(types::I64)); // options
    if output == Output::Returned {
        s.returns.extend(v8_result(&sig.result));
    }
    s
}

/// Builds the fast trampoline for a symbol whose target is in import `slot`.
pub fn build(
    sig: &Signature,
    slot: u32,
    output: Output,
    isa: &dyn TargetIsa,
    fctx: &mut FunctionBuilderContext,
) -> Result<ir::Function, CompileError> {
    let call_conv = isa.default_call_conv();
    let call = abi::lower(sig, call_conv)?;
    let stored = output == Output::Stored;
    if stored && v8_result(&sig.result).is_none() {
        return Err(CompileError::NoValueResult);
    }
    // The re-entrant form is a second function for the same import slot.
    let mut func = ir::Function::with_name_signature(
        ir::UserFuncName::user(if stored { 3 } else { 1 }, slot),
        signature(sig, output, call_conv),
    );
    let mut b = FunctionBuilder::new(&mut func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let params = b.block_params(entry).to_vec();
    let options = *params.last().expect("options is always last");
    let mut failures = Failures::new(&sig.result, output);

    // The trace hook, when its slot is filled, runs in a cold copy of the
    // body that keeps the arguments in a stack slot across the hook's call:
    // the hot path then makes no call but the native one, and its arguments
    // stay in their registers instead of being saved around the hook.
    let hook = import(&mut b, Helper::Trace.slot());
    let traced = b.create_block();
    let hot = b.create_block();
    b.ins().brif(hook, traced, &[], hot, &[]);
    b.set_cold_block(traced);
    b.switch_to_block(hot);
    b.seal_block(hot);
    body(
        &mut b,
        sig,
        &call,
        slot,
        &params,
        output,
        &mut failures,
        call_conv,
    );
    b.switch_to_block(traced);
    b.seal_block(traced);
    let mut trace_sig = ir::Signature::new(call_conv);
    trace_sig.params.push(AbiParam::new(types::I64));
    let trace_sig = b.import_signature(trace_sig);
    let saved = b.create_sized_stack_slot(ir::StackSlotData::new(
        ir::StackSlotKind::ExplicitSlot,
        8 * params.len() as u32,
        3,
    ));
    for (i, v) in params.iter().enumerate() {
        b.ins().stack_store(types::I64, *v, saved, 8 * i as i32);
    }
    b.ins().call_indirect(trace_sig, hook, &[options]);
    let reloaded: Vec<Value> = params
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let ty = b.func.dfg.value_type(*v);
            b.ins().stack_load(types::I64, ty, saved, 8 * i as i32)
        })
        .collect();
    body(
        &mut b,
        sig,
        &call,
        slot,
        &reloaded,
        output,
        &mut failures,
        call_conv,
    );

    failures.emit(&mut b, options, call_conv);
    b.finalize(isa.frontend_config());
    Ok(func)
}

/// Converts the arguments, calls the target in import `slot` and returns
/// (or stores) its converted result, from the current block.
#[allow(clippy::too_many_arguments)]
fn body(
    b: &mut FunctionBuilder<'_>,
    sig: &Signature,
    call: &NativeCall,
    slot: u32,
    params: &[Value],
    output: Output,
    failures: &mut Failures,
    call_conv: CallConv,
) {
    let mut args = Vec::with_capacity(sig.parameters.len());
    for (i, (ty, v)) in sig.parameters.iter().zip(&params[1..]).enumerate() {
        args.push(convert_arg(b, ty, *v, i as u32, failures, call_conv));
    }
    // A bad result buffer raises before the native call has any effect...
    let out = if let Type::Struct(layout) = &sig.result {
        let local = params[params.len() - 2];
        let data = struct_data(b, local, layout.size, call_conv);
        failures.check(b, data, Raise::InvalidStructReturn, 0);
        Some((local, layout.size))
    } else {
        None
    };

    let target = import(b, slot);
    let returned = call_native(b, call, target, &args, call_conv);
    // ...and its data pointer is fetched again after it, because the native
    // code may have re-entered JS, which can detach or shrink the buffer.
    let out = out.map(|(local, size)| {
        let data = struct_data(b, local, size, call_conv);
        failures.check(b, data, Raise::InvalidStructReturn, 0);
        data
    });
    let ret = convert_result(b, &sig.result, call, returned, out, call_conv);
    match output {
        Output::Returned => {
            b.ins().return_(&ret);
        }
        Output::Stored => {
            // Where the result goes is the argument before the options.
            let dest = params[params.len() - 2];
            for value in ret {
                b.ins().store(MemFlagsData::trusted(), value, dest, 0);
            }
            b.ins().return_(&[]);
        }
    }
}

/// The data pointer of a struct buffer local, or `INVALID_DATA`.
fn struct_data(b: &mut FunctionBuilder<'_>, local: Value, size: u64, call_conv: CallConv) -> Value {
    let size = b.ins().iconst(types::I64, size as i64);
    call_helper(b, Helper::StructData, &[local, size], true, call_conv)
        .expect("struct_data returns")
}

fn convert_arg(
    b: &mut FunctionBuilder<'_>,
    ty: &Type,
    v: Value,
    index: u32,
    failures: &mut Failures,
    call_conv: CallConv,
) -> Arg {
    match ty {
        Type::Struct(layout) => {
            let data = struct_data(b, v, layout.size, call_conv);
            failures.check(b, data, Raise::InvalidStruct, index);
            Arg::Struct(data)
        }
        Type::Primitive(Primitive::Buffer) => {
            let data = call_helper(b, Helper::BufferData, &[v], true, call_conv)
                .expect("buffer_data returns");
            failures.check(b, data, Raise::InvalidBuffer, index);
            Arg::Scalar(data)
        }
        Type::Primitive(p) => {
            let (native, _) = abi::scalar(*p).expect("parameters are never void");
            let from = b.func.dfg.value_type(v);
            // V8 passes 8- and 16-bit integers as 32 bits: wrap them, as the
            // ToInt32/ToUint32 truncation V8 already applied implies.
            Arg::Scalar(if native.bits() < from.bits() {
                b.ins().ireduce(native, v)
            } else {
                v
            })
        }
    }
}

fn convert_result(
    b: &mut FunctionBuilder<'_>,
    ty: &Type,
    call: &NativeCall,
    returned: Returned,
    out: Option<Value>,
    call_conv: CallConv,
) -> Vec<Value> {
    match (returned, out) {
        (Returned::Nothing, _) => vec![],
        (Returned::Scalar(v), _) => {
            let want = v8_result(ty).expect("scalar results have a V8 type");
            let have = b.func.dfg.value_type(v);
            vec![if have.bits() < want.value_type.bits() {
                match want.extension {
                    ArgumentExtension::Sext => b.ins().sextend(want.value_type, v),
                    _ => b.ins().uextend(want.value_type, v),
                }
            } else {
                v
            }]
        }
        (returned, Some(dest)) => {
            store_struct(b, call, returned, dest, call_conv);
            vec![]
        }
        (_, None) => unreachable!("struct results have an out buffer"),
    }
}

/// The cold blocks that raise a TypeError and return zero.
struct Failures {
    result: Option<ir::Type>,
    pending: Vec<(Block, Raise, u32)>,
}

impl Failures {
    fn new(result: &Type, output: Output) -> Failures {
        Failures {
            result: v8_result(result)
                .filter(|_| output == Output::Returned)
                .map(|p| p.value_type),
            pending: Vec::new(),
        }
    }

    /// Branches to a raising block when `data` is the invalid sentinel.
    fn check(&mut self, b: &mut FunctionBuilder<'_>, data: Value, kind: Raise, argument: u32) {
        let bad = b.ins().icmp_imm_s(IntCC::Equal, data, INVALID_DATA);
        let fail = b.create_block();
        let ok = b.create_block();
        b.ins().brif(bad, fail, &[], ok, &[]);
        b.set_cold_block(fail);
        b.switch_to_block(ok);
        b.seal_block(ok);
        self.pending.push((fail, kind, argument));
    }

    fn emit(self, b: &mut FunctionBuilder<'_>, options: Value, call_conv: CallConv) {
        for (block, kind, argument) in self.pending {
            b.switch_to_block(block);
            b.seal_block(block);
            let kind = b.ins().iconst(types::I32, i64::from(kind as u32));
            let argument = b.ins().iconst(types::I32, i64::from(argument));
            call_helper(
                b,
                Helper::Raise,
                &[options, kind, argument],
                false,
                call_conv,
            );
            let zero = self.result.map(|ty| zero(b, ty));
            b.ins().return_(zero.as_slice());
        }
    }
}

fn zero(b: &mut FunctionBuilder<'_>, ty: ir::Type) -> Value {
    match ty {
        types::F32 => b.ins().f32const(0.0),
        types::F64 => b.ins().f64const(0.0),
        _ => b.ins().iconst(ty, 0),
    }
}
