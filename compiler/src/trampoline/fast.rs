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
use crate::imports::{CSTRING_SCRATCH, Helper, INVALID_DATA, Raise};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    self, AbiParam, ArgumentExtension, Block, InstBuilder, MemFlagsData, Value, types,
};
use cranelift_codegen::isa::{CallConv, TargetIsa};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use ffic_schema::native::{Float, Int, Kind, Pointee};
use ffic_schema::types::Primitive;
use ffic_schema::{Signature, Type};

/// A value's type in a V8 Fast API call (V8's `CTypeInfo::Type`, as Deno
/// maps FFI types to it; V8-FAST-API.md §1). The one contract between the
/// fast trampolines compiled here and the binding that registers them with
/// V8: both sides read [`Shape`], so they cannot drift apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CType {
    /// No value.
    Void,
    /// A bool, passed in 8 bits.
    Bool,
    /// Unsigned integers of up to 32 bits (never `Uint8`, which V8 cannot
    /// lower).
    Uint32,
    /// Signed integers of up to 32 bits.
    Int32,
    /// 64-bit unsigned integers (BigInt representation).
    Uint64,
    /// 64-bit signed integers (BigInt representation).
    Int64,
    /// `f32`.
    Float32,
    /// `f64`.
    Float64,
    /// A pointer (External or null in JS).
    Pointer,
    /// A sequential one-byte string, passed as a pointer to its
    /// `FastOneByteString` (V8 takes the slow path for any other value).
    SeqOneByteString,
    /// A `Local<Value>`: the receiver, buffer and struct arguments, the
    /// struct out buffer.
    V8Value,
    /// The trailing `FastApiCallbackOptions*`.
    CallbackOptions,
}

impl CType {
    /// Of a parameter.
    pub fn parameter(ty: &Type) -> CType {
        match ty {
            Type::Struct(_) => CType::V8Value,
            Type::Primitive(p) => CType::primitive(p.kind(), false),
        }
    }

    /// Of a result V8 receives (a struct result goes to the out buffer; a
    /// buffer result is a pointer, as in Deno).
    pub fn result(ty: &Type) -> CType {
        match ty {
            Type::Struct(_) => CType::Void,
            Type::Primitive(p) => CType::primitive(p.kind(), true),
        }
    }

    fn primitive(kind: Kind, result: bool) -> CType {
        match kind {
            Kind::Void => CType::Void,
            Kind::Bool => CType::Bool,
            Kind::Int(Int { width, signed }) => match (width.fits_number(), signed) {
                (true, false) => CType::Uint32,
                (true, true) => CType::Int32,
                (false, false) => CType::Uint64,
                (false, true) => CType::Int64,
            },
            Kind::Float(Float::F32) => CType::Float32,
            Kind::Float(Float::F64) => CType::Float64,
            Kind::Pointer(Pointee::Opaque | Pointee::Function) => CType::Pointer,
            // A buffer argument is the JS value itself (its data is read in
            // the trampoline).
            Kind::Pointer(Pointee::Buffer) => match result {
                true => CType::Pointer,
                false => CType::V8Value,
            },
            // A C string result has no fast call (`Signature::fast_types`).
            Kind::Pointer(Pointee::CString) => match result {
                true => CType::Pointer,
                false => CType::SeqOneByteString,
            },
        }
    }

    /// The register V8 passes it in, or expects it back in (a narrow result
    /// extended as V8 reads it); `None` for `Void`.
    fn machine(self, result: bool) -> Option<AbiParam> {
        let param = match self {
            CType::Void => return None,
            CType::Bool => AbiParam::new(types::I8),
            CType::Uint32 | CType::Int32 => AbiParam::new(types::I32),
            CType::Float32 => AbiParam::new(types::F32),
            CType::Float64 => AbiParam::new(types::F64),
            CType::Uint64
            | CType::Int64
            | CType::Pointer
            | CType::V8Value
            | CType::SeqOneByteString
            | CType::CallbackOptions => AbiParam::new(types::I64),
        };
        Some(match (self, result) {
            (CType::Bool | CType::Uint32, true) => param.uext(),
            (CType::Int32, true) => param.sext(),
            _ => param,
        })
    }
}

/// What V8 passes a symbol's fast trampoline and expects back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// The receiver, the parameters, the struct out buffer or the result's
    /// address (re-entrant form), the options.
    pub params: Vec<CType>,
    /// The result.
    pub result: CType,
}

impl Shape {
    /// The shape of `sig`'s fast trampoline of `output`.
    pub fn of(sig: &Signature, output: Output) -> Shape {
        let mut params = Vec::with_capacity(sig.parameters.len() + 3);
        params.push(CType::V8Value);
        params.extend(sig.parameters.iter().map(CType::parameter));
        let struct_result = matches!(sig.result, Type::Struct(_));
        match output {
            Output::Returned if struct_result => params.push(CType::V8Value),
            Output::Stored => params.push(CType::Pointer),
            Output::Returned => {}
        }
        params.push(CType::CallbackOptions);
        let result = match output {
            Output::Returned => CType::result(&sig.result),
            Output::Stored => CType::Void,
        };
        Shape { params, result }
    }
}

/// The type a V8 fast call expects back, or `None` (void, and struct
/// results, which are written to the out buffer).
fn v8_result(ty: &Type) -> Option<AbiParam> {
    CType::result(ty).machine(true)
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
    let shape = Shape::of(sig, output);
    let mut s = ir::Signature::new(call_conv);
    s.params
        .extend(shape.params.iter().filter_map(|c| c.machine(false)));
    s.returns.extend(shape.result.machine(true));
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
    // C strings are copied last, once nothing else can fail before the
    // call: a failure after a heap copy would have to free it.
    let mut args: Vec<Option<Arg>> = sig
        .parameters
        .iter()
        .zip(&params[1..])
        .enumerate()
        .map(|(i, (ty, v))| convert_arg(b, ty, *v, i as u32, failures, call_conv))
        .collect();
    // A bad result buffer raises before the native call has any effect...
    let out = if let Type::Struct(layout) = &sig.result {
        let local = params[params.len() - 2];
        let data = struct_data(b, local, layout.size, call_conv);
        failures.check(b, data, Raise::InvalidStructReturn, 0);
        Some((local, layout.size))
    } else {
        None
    };
    let mut strings = Vec::new();
    for (i, v) in params[1..=args.len()].iter().enumerate() {
        if args[i].is_none() {
            let string = cstring_data(b, *v, i as u32, &strings, failures, call_conv);
            args[i] = Some(Arg::Scalar(string.data));
            strings.push(string);
        }
    }
    let args: Vec<Arg> = args.into_iter().flatten().collect();

    let target = import(b, slot);
    let returned = call_native(b, call, target, &args, call_conv);
    // First, before the frees below can touch errno.
    if sig.errno {
        call_helper(b, Helper::CaptureErrno, &[], false, call_conv);
    }
    for string in &strings {
        string.free(b, call_conv);
    }
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

/// A `cstring` argument's NUL-terminated copy, and the scratch it may be in.
#[derive(Clone, Copy)]
struct CString {
    data: Value,
    scratch: Value,
}

impl CString {
    /// Frees the copy unless it is in its scratch.
    fn free(self, b: &mut FunctionBuilder<'_>, call_conv: CallConv) {
        let on_heap = b.ins().icmp(IntCC::NotEqual, self.data, self.scratch);
        let free = b.create_block();
        let done = b.create_block();
        b.ins().brif(on_heap, free, &[], done, &[]);
        b.set_cold_block(free);
        b.switch_to_block(free);
        b.seal_block(free);
        call_helper(b, Helper::CStringFree, &[self.data], false, call_conv);
        b.ins().jump(done, &[]);
        b.switch_to_block(done);
        b.seal_block(done);
    }
}

/// Copies the `cstring` argument `string` (a `FastOneByteString` pointer)
/// as NUL-terminated UTF-8 into a stack scratch or the heap, raising
/// (after freeing the copies in `before`) when it holds a NUL.
fn cstring_data(
    b: &mut FunctionBuilder<'_>,
    string: Value,
    index: u32,
    before: &[CString],
    failures: &mut Failures,
    call_conv: CallConv,
) -> CString {
    let slot = b.create_sized_stack_slot(ir::StackSlotData::new(
        ir::StackSlotKind::ExplicitSlot,
        CSTRING_SCRATCH,
        3,
    ));
    let scratch = b.ins().stack_addr(types::I64, slot, 0);
    let room = b.ins().iconst(types::I64, i64::from(CSTRING_SCRATCH));
    let data = call_helper(
        b,
        Helper::CStringData,
        &[string, scratch, room],
        true,
        call_conv,
    )
    .expect("cstring_data returns");
    failures.check_freeing(b, data, Raise::InvalidCString, index, before);
    CString { data, scratch }
}

/// The data pointer of a struct buffer local, or `INVALID_DATA`.
fn struct_data(b: &mut FunctionBuilder<'_>, local: Value, size: u64, call_conv: CallConv) -> Value {
    let size = b.ins().iconst(types::I64, size as i64);
    call_helper(b, Helper::StructData, &[local, size], true, call_conv)
        .expect("struct_data returns")
}

/// An argument converted for the native call; `None` for a C string.
fn convert_arg(
    b: &mut FunctionBuilder<'_>,
    ty: &Type,
    v: Value,
    index: u32,
    failures: &mut Failures,
    call_conv: CallConv,
) -> Option<Arg> {
    Some(match ty {
        Type::Struct(layout) => {
            let data = struct_data(b, v, layout.size, call_conv);
            failures.check(b, data, Raise::InvalidStruct, index);
            Arg::Struct(data)
        }
        Type::Primitive(p) => match p.kind() {
            Kind::Pointer(Pointee::Buffer) => {
                let data = call_helper(b, Helper::BufferData, &[v], true, call_conv)
                    .expect("buffer_data returns");
                failures.check(b, data, Raise::InvalidBuffer, index);
                Arg::Scalar(data)
            }
            Kind::Void
            | Kind::Bool
            | Kind::Int(_)
            | Kind::Float(_)
            | Kind::Pointer(Pointee::Opaque | Pointee::Function) => scalar_arg(b, *p, v),
            // Copied by `body` once every other argument is converted.
            Kind::Pointer(Pointee::CString) => return None,
        },
    })
}

/// A parameter V8 passed in a register of the native type or wider.
fn scalar_arg(b: &mut FunctionBuilder<'_>, p: Primitive, v: Value) -> Arg {
    let (native, _) = abi::scalar(p).expect("parameters are never void");
    let from = b.func.dfg.value_type(v);
    // V8 passes 8- and 16-bit integers as 32 bits: wrap them, as the
    // ToInt32/ToUint32 truncation V8 already applied implies.
    Arg::Scalar(if native.bits() < from.bits() {
        b.ins().ireduce(native, v)
    } else {
        v
    })
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
    /// Each raising block, what it raises, and the C string copies it frees first.
    pending: Vec<(Block, Raise, u32, Vec<CString>)>,
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
        self.check_freeing(b, data, kind, argument, &[]);
    }

    /// As `check`, freeing the C string copies in `copies` before raising.
    fn check_freeing(
        &mut self,
        b: &mut FunctionBuilder<'_>,
        data: Value,
        kind: Raise,
        argument: u32,
        copies: &[CString],
    ) {
        let bad = b.ins().icmp_imm_s(IntCC::Equal, data, INVALID_DATA);
        let fail = b.create_block();
        let ok = b.create_block();
        b.ins().brif(bad, fail, &[], ok, &[]);
        b.set_cold_block(fail);
        b.switch_to_block(ok);
        b.seal_block(ok);
        self.pending.push((fail, kind, argument, copies.to_vec()));
    }

    fn emit(self, b: &mut FunctionBuilder<'_>, options: Value, call_conv: CallConv) {
        for (block, kind, argument, copies) in self.pending {
            b.switch_to_block(block);
            b.seal_block(block);
            for copy in copies {
                copy.free(b, call_conv);
            }
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
