//! The IR generator: Cranelift functions for each trampoline kind, independent
//! of where their bytes end up (artifact or JIT). This module holds what the
//! kinds share: reaching import slots, moving struct bytes, and making the
//! native call as [`crate::abi`] lowered it.

pub mod direct;
pub mod fast;
pub mod invoke;

use crate::abi::{Class, Eightbyte, NativeCall, Passing};
use crate::imports::Helper;
use cranelift_codegen::ir::{
    self, AbiParam, ExternalName, GlobalValueData, InstBuilder, MemFlagsData, StackSlotData,
    StackSlotKind, UserExternalName, Value, types,
};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::FunctionBuilder;
use std::ops::Range;

/// Namespace of the external names that stand for import slots.
pub const IMPORT_NAMESPACE: u32 = 0;

/// Largest copy emitted inline; larger ones call the `memcpy` helper.
const INLINE_COPY_LIMIT: u32 = 128;

/// Loads the address held in import `slot`.
pub(crate) fn import(b: &mut FunctionBuilder<'_>, slot: u32) -> Value {
    let name = b
        .func
        .declare_imported_user_function(UserExternalName::new(IMPORT_NAMESPACE, slot));
    let gv = b.create_global_value(GlobalValueData::Symbol {
        name: ExternalName::user(name),
        offset: 0.into(),
        // Not colocated: with PIC this becomes a load from the slot itself.
        colocated: false,
        tls: false,
    });
    b.ins().symbol_value(types::I64, gv)
}

/// Calls a helper with C-ABI integer arguments and results.
pub(crate) fn call_helper(
    b: &mut FunctionBuilder<'_>,
    helper: Helper,
    args: &[Value],
    returns: bool,
    call_conv: CallConv,
) -> Option<Value> {
    let mut sig = ir::Signature::new(call_conv);
    for arg in args {
        sig.params.push(AbiParam::new(b.func.dfg.value_type(*arg)));
    }
    if returns {
        sig.returns.push(AbiParam::new(types::I64));
    }
    let sigref = b.import_signature(sig);
    let address = import(b, helper.slot());
    let call = b.ins().call_indirect(sigref, address, args);
    b.inst_results(call).first().copied()
}

/// A parameter value handed to [`call_native`].
pub(crate) enum Arg {
    /// A scalar, already of the native Cranelift type.
    Scalar(Value),
    /// The address of a struct's bytes.
    Struct(Value),
}

/// What [`call_native`] got back.
pub(crate) enum Returned {
    /// Nothing (`void`).
    Nothing,
    /// A scalar of the native type.
    Scalar(Value),
    /// A struct's eightbytes, in registers.
    Registers(Vec<Value>),
    /// A struct written to this stack address.
    Memory(Value),
}

fn flags() -> MemFlagsData {
    // Struct bytes may come from any JS buffer offset: never claim alignment.
    MemFlagsData::new()
}

/// A 16-byte-aligned stack slot of at least `size` bytes (rounded up to 8).
fn stack_buffer(b: &mut FunctionBuilder<'_>, size: u32) -> Value {
    let slot = b.create_sized_stack_slot(StackSlotData::new(
        StackSlotKind::ExplicitSlot,
        size.next_multiple_of(8),
        4,
    ));
    b.ins().stack_addr(types::I64, slot, 0)
}

/// Calls `target` with `args` as `call` lowered them.
pub(crate) fn call_native(
    b: &mut FunctionBuilder<'_>,
    call: &NativeCall,
    target: Value,
    args: &[Arg],
    call_conv: CallConv,
) -> Returned {
    let mut values = Vec::new();
    let sret = match call.result {
        Passing::Memory { size } => {
            // Zeroed, so that no stale stack byte can reach the caller
            // whatever the callee leaves unwritten.
            let buffer = stack_buffer(b, size);
            zero_stack_buffer(b, buffer, size);
            values.push(buffer);
            Some(buffer)
        }
        _ => None,
    };
    for (passing, arg) in call.params.iter().zip(args) {
        match (passing, arg) {
            (Passing::Scalar(..), Arg::Scalar(v)) => values.push(*v),
            (Passing::Registers(eightbytes), Arg::Struct(p)) => {
                for e in eightbytes {
                    values.push(load_eightbyte(b, *p, *e));
                }
            }
            (Passing::Memory { size }, Arg::Struct(p)) => {
                // Cranelift copies whole eightbytes from the pointer: give it
                // a padded copy when the struct's size would make it overread.
                if size % 8 == 0 {
                    values.push(*p);
                } else {
                    let copy = stack_buffer(b, *size);
                    copy_bytes(b, copy, *p, *size, call_conv);
                    values.push(copy);
                }
            }
            _ => unreachable!("arguments are built from the same lowering"),
        }
    }
    let sigref = b.import_signature(call.signature.clone());
    let inst = b.ins().call_indirect(sigref, target, &values);
    let results = b.inst_results(inst).to_vec();
    match (&call.result, sret) {
        (Passing::Nothing, _) => Returned::Nothing,
        (Passing::Scalar(..), _) => Returned::Scalar(results[0]),
        (Passing::Registers(_), _) => Returned::Registers(results),
        (Passing::Memory { .. }, Some(buffer)) => Returned::Memory(buffer),
        (Passing::Memory { .. }, None) => unreachable!("memory results have a buffer"),
    }
}

/// Writes a struct result to `dest` (exactly the struct's bytes).
pub(crate) fn store_struct(
    b: &mut FunctionBuilder<'_>,
    call: &NativeCall,
    returned: Returned,
    dest: Value,
    call_conv: CallConv,
) {
    match (&call.result, returned) {
        (Passing::Registers(eightbytes), Returned::Registers(values)) => {
            for (e, v) in eightbytes.iter().zip(values) {
                match defined_bytes(*e, &call.result_padding) {
                    None => store_eightbyte(b, dest, *e, v),
                    Some(mask) => {
                        let bits = eightbyte_bits(b, *e, v);
                        let masked = b.ins().band_imm_s(bits, mask as i64);
                        store_eightbyte(
                            b,
                            dest,
                            Eightbyte {
                                class: Class::Integer,
                                ..*e
                            },
                            masked,
                        );
                    }
                }
            }
        }
        (Passing::Memory { size }, Returned::Memory(buffer)) => {
            copy_bytes(b, dest, buffer, *size, call_conv);
            for gap in &call.result_padding {
                zero_bytes(b, dest, gap.start, gap.end - gap.start);
            }
        }
        _ => unreachable!("store_struct is only asked for struct results"),
    }
}

/// The mask of the bytes fields cover in eightbyte `e` of a struct with
/// `padding`, or `None` when every byte it carries is a field's.
fn defined_bytes(e: Eightbyte, padding: &[Range<u32>]) -> Option<u64> {
    let mut mask = 0u64;
    let mut all = true;
    for byte in 0..e.size {
        let at = e.offset + byte;
        if padding.iter().any(|gap| gap.contains(&at)) {
            all = false;
        } else {
            mask |= 0xff << (byte * 8);
        }
    }
    (!all).then_some(mask)
}

/// An eightbyte's register as a 64-bit integer (float bits as they are).
fn eightbyte_bits(b: &mut FunctionBuilder<'_>, e: Eightbyte, value: Value) -> Value {
    match e.ty() {
        types::F64 => b.ins().bitcast(types::I64, MemFlagsData::new(), value),
        types::F32 => {
            let bits = b.ins().bitcast(types::I32, MemFlagsData::new(), value);
            b.ins().uextend(types::I64, bits)
        }
        _ => value,
    }
}

/// Zeroes `len` bytes at `dest + at` with inline stores.
fn zero_bytes(b: &mut FunctionBuilder<'_>, dest: Value, at: u32, len: u32) {
    let mut done = 0;
    while len - done >= 8 {
        let zero = b.ins().iconst(types::I64, 0);
        b.ins().store(flags(), zero, dest, (at + done) as i32);
        done += 8;
    }
    for (rel, ty) in pieces(len - done) {
        let zero = b.ins().iconst(ty, 0);
        b.ins().store(flags(), zero, dest, (at + done + rel) as i32);
    }
}

/// Zeroes a stack buffer of `size` bytes (rounded up to 8, as
/// [`stack_buffer`] makes it): inline when small, else in a loop, which
/// leaves the builder in a new block.
fn zero_stack_buffer(b: &mut FunctionBuilder<'_>, buffer: Value, size: u32) {
    let size = size.next_multiple_of(8);
    if size <= INLINE_COPY_LIMIT {
        return zero_bytes(b, buffer, 0, size);
    }
    let body = b.create_block();
    let done = b.create_block();
    let at = b.append_block_param(body, types::I64);
    let start = b.ins().iconst(types::I64, 0);
    b.ins().jump(body, &[start.into()]);
    b.switch_to_block(body);
    let address = b.ins().iadd(buffer, at);
    let zero = b.ins().iconst(types::I64, 0);
    b.ins().store(MemFlagsData::trusted(), zero, address, 0);
    let next = b.ins().iadd_imm_s(at, 8);
    let more = b.ins().icmp_imm_u(
        ir::condcodes::IntCC::UnsignedLessThan,
        next,
        i64::from(size),
    );
    b.ins().brif(more, body, &[next.into()], done, &[]);
    b.seal_block(body);
    b.switch_to_block(done);
    b.seal_block(done);
}

/// Power-of-two pieces that make up `size` bytes (at most 8), widest first.
fn pieces(size: u32) -> Vec<(u32, ir::Type)> {
    let mut at = 0;
    let mut out = Vec::new();
    for (width, ty) in [
        (8, types::I64),
        (4, types::I32),
        (2, types::I16),
        (1, types::I8),
    ] {
        if size - at >= width {
            out.push((at, ty));
            at += width;
        }
    }
    out
}

fn load_eightbyte(b: &mut FunctionBuilder<'_>, base: Value, e: Eightbyte) -> Value {
    let offset = e.offset as i32;
    if e.class == Class::Sse || e.size == 8 {
        return b.ins().load(e.ty(), flags(), base, offset);
    }
    // A partial INTEGER eightbyte: read only the struct's own bytes.
    let mut acc = None;
    for (at, ty) in pieces(e.size) {
        let part = b.ins().load(ty, flags(), base, offset + at as i32);
        let wide = b.ins().uextend(types::I64, part);
        let shifted = if at == 0 {
            wide
        } else {
            b.ins().ishl_imm_u(wide, i64::from(at * 8))
        };
        acc = Some(match acc {
            None => shifted,
            Some(prev) => b.ins().bor(prev, shifted),
        });
    }
    acc.expect("an eightbyte has at least one byte")
}

fn store_eightbyte(b: &mut FunctionBuilder<'_>, base: Value, e: Eightbyte, value: Value) {
    let offset = e.offset as i32;
    if e.class == Class::Sse || e.size == 8 {
        b.ins().store(flags(), value, base, offset);
        return;
    }
    for (at, ty) in pieces(e.size) {
        let shifted = if at == 0 {
            value
        } else {
            b.ins().ushr_imm_u(value, i64::from(at * 8))
        };
        let part = b.ins().ireduce(ty, shifted);
        b.ins().store(flags(), part, base, offset + at as i32);
    }
}

/// Copies `size` bytes from `src` to `dest` (no overlap).
fn copy_bytes(
    b: &mut FunctionBuilder<'_>,
    dest: Value,
    src: Value,
    size: u32,
    call_conv: CallConv,
) {
    if size > INLINE_COPY_LIMIT {
        let n = b.ins().iconst(types::I64, i64::from(size));
        call_helper(b, Helper::Memcpy, &[dest, src, n], true, call_conv);
        return;
    }
    let mut at = 0;
    while size - at >= 8 {
        let v = b.ins().load(types::I64, flags(), src, at as i32);
        b.ins().store(flags(), v, dest, at as i32);
        at += 8;
    }
    for (rel, ty) in pieces(size - at) {
        let v = b.ins().load(ty, flags(), src, (at + rel) as i32);
        b.ins().store(flags(), v, dest, (at + rel) as i32);
    }
}
