//! The frameless entry of a fast trampoline whose arguments need only
//! moving (8- and 16-bit integers and bools narrowed and extended on the
//! way): x86-64 System V machine code written here, because Cranelift gives
//! every function that calls a frame (and its tail calls need one). That
//! frame cost about 1 ns on a two-argument call; with stack arguments it
//! also saves and restores callee-saved registers to hold them.
//!
//! V8 calls `(receiver, parameters..., options)` and the native function
//! takes `(parameters...)`. Dropping the receiver moves each integer
//! parameter down one register, V8's first integer on the stack into r9, and
//! every stack argument after that one down one 8-byte slot. Float registers,
//! and float stack arguments before that slot, stay where they are. The
//! native function then returns straight to V8, which pops its own
//! arguments (the caller cleans up in System V, and the callee owns its
//! incoming argument area, so rewriting it is allowed).
//!
//! ```text
//! cmpq $0, trace(%rip)   ; --trace-ffi: go through the full trampoline,
//! jne  full              ; which follows this entry and calls the hook
//! mov  %rsi, %rdi        ; each integer register parameter down one,
//! movzbq %dl, %rsi       ; narrowed and extended if 8 or 16 bits
//! ...
//! mov  8(%rsp), %r9      ; V8's first stack integer into the last register
//! mov  16(%rsp), %r11    ; each later stack argument one slot down
//! mov  %r11, 8(%rsp)
//! jmp  *target(%rip)     ; the native function returns straight to V8
//! full:
//! ```
//!
//! The re-entrant form (V8 passes a result pointer after the parameters and
//! expects nothing back), when every argument is in a register, keeps the
//! pointer on the stack across a real call (which also aligns the stack for
//! it) and stores the result through it. Where the arguments need only
//! moving it calls the target itself; otherwise, and when tracing, it calls
//! the returning form, passing the options where that form expects them, so
//! it needs no code of its own for any conversion.
//!
//! ```text
//! cmpq $0, trace(%rip)   ; only where the arguments need only moving:
//! jne  shim
//! push %rcx              ; the result pointer (for two integer parameters)
//! mov  %rsi, %rdi        ; the moves, as above
//! call *target(%rip)
//! pop  %rcx
//! mov  %eax, (%rcx)      ; the result at its V8 width
//! ret
//! shim:
//! push %rcx
//! mov  %r8, %rcx         ; the options, where the returning form takes them
//! call fast              ; the returning form, right before this one
//! pop  %rcx
//! mov  %eax, (%rcx)
//! ret
//! ```

use crate::emit::{Prefix, Shim};
use crate::imports::Helper;
use cranelift_codegen::isa::{CallConv, TargetIsa};
use ffic_schema::native::{Float, Int, Kind, Pointee, Width as IntWidth};
use ffic_schema::types::Primitive;
use ffic_schema::{Signature, Type};

/// Integer argument registers of System V, in order (x86 register numbers).
const ARGUMENT_REGISTERS: [u8; 6] = [7, 6, 2, 1, 8, 9]; // rdi rsi rdx rcx r8 r9

/// Float argument registers of System V (xmm0-7).
const FLOAT_REGISTERS: usize = 8;

/// r11: free in both calls (neither an argument nor callee-saved).
const SCRATCH: u8 = 11;

/// rsp, the base of every stack operand.
const RSP: u8 = 4;

/// The frameless entry of the fast trampoline of `sig`, whose target is in
/// import `slot`, or `None` when an argument or the result needs more than
/// moving (buffers and structs, 8- and 16-bit results).
pub fn prefix(sig: &Signature, slot: u32, isa: &dyn TargetIsa) -> Option<Prefix> {
    if isa.name() != "x64" || isa.default_call_conv() != CallConv::SystemV {
        return None;
    }
    if !result_as_is(&sig.result) {
        return None;
    }
    let moves = moves(sig)?;
    let mut entry = Entry::new(moves.len());
    entry.moves(&moves);
    // jmp *target(%rip): FF /4 with a RIP-relative operand.
    entry.through_slot(&[0xFF, 0x25], slot);
    Some(entry.finish())
}

/// Whether V8 can call the native function of `sig` itself as the fast
/// function, with no trampoline (on x86-64 System V): its parameters are all
/// floats (so they take the same vector registers either way, and the
/// receiver and options pointer land in integer registers the function
/// never reads), its result needs no widening, and errno is not captured.
pub fn registers_line_up(sig: &Signature) -> bool {
    let floats_only = sig
        .parameters
        .iter()
        .all(|ty| matches!(ty, Type::Primitive(p) if is_float(*p)));
    floats_only && result_as_is(&sig.result) && !sig.errno
}

/// The re-entrant form of `sig`'s fast trampoline, whose target is in
/// import `slot`: a shim calling the returning form, function `target` of
/// the blob, behind a frameless path that calls the target itself where the
/// arguments need only moving (see the module documentation); `None` when
/// an argument, the result pointer or the options are on the stack.
pub fn reentrant_shim(
    sig: &Signature,
    slot: u32,
    target: usize,
    isa: &dyn TargetIsa,
) -> Option<Shim> {
    if isa.name() != "x64" || isa.default_call_conv() != CallConv::SystemV {
        return None;
    }
    let store = store_result(&sig.result)?;
    let mut v8 = Places::default();
    v8.next(false); // the receiver
    for ty in &sig.parameters {
        let float = matches!(ty, Type::Primitive(p) if is_float(*p));
        if let Place::Stack(_) = v8.next(float) {
            return None;
        }
    }
    let (Place::Register(pointer), Place::Register(options)) = (v8.next(false), v8.next(false))
    else {
        return None;
    };
    // push %pointer: 50+r, REX.B for r8-r15. It is never a move's
    // destination (those are the registers below it).
    let push: &[u8] = &[0x41, 0x50 | (pointer & 7)];
    let push = &push[usize::from(pointer < 8)..];
    // pop %rcx; the store; ret.
    let finish = |bytes: &mut Vec<u8>| {
        bytes.push(0x59);
        bytes.extend_from_slice(store);
        bytes.push(0xC3);
    };
    let (mut bytes, fixups) = match moves(sig).filter(|_| result_as_is(&sig.result)) {
        // The frameless path, when not tracing: the moves, then a call of
        // the target itself.
        Some(moves) => {
            let mut entry = Entry::new(moves.len());
            entry.bytes.extend_from_slice(push);
            entry.moves(&moves);
            // call *target(%rip): FF /2 with a RIP-relative operand.
            entry.through_slot(&[0xFF, 0x15], slot);
            finish(&mut entry.bytes);
            let prefix = entry.finish();
            (prefix.bytes, prefix.fixups)
        }
        None => (Vec::with_capacity(24), Vec::new()),
    };
    bytes.extend_from_slice(push);
    // mov %options, %pointer: REX.W 89 /r, the source in ModRM.reg.
    bytes.push(0x48 | ((options >> 3) << 2) | (pointer >> 3));
    bytes.extend_from_slice(&[0x89, 0xC0 | ((options & 7) << 3) | (pointer & 7)]);
    // call rel32, resolved when the blob is laid out.
    bytes.push(0xE8);
    let call_field = bytes.len() as u32;
    bytes.extend_from_slice(&[0, 0, 0, 0]);
    finish(&mut bytes);
    Some(Shim {
        bytes,
        fixups,
        call_field,
        target,
    })
}

/// `mov` of the returning form's result to `(%rcx)` at the width V8 reads
/// it back (8- and 16-bit integers come back widened to 32 bits), or `None`
/// when there is none.
fn store_result(result: &Type) -> Option<&'static [u8]> {
    let Type::Primitive(p) = result else {
        return None;
    };
    Some(match p.kind() {
        Kind::Void => return None,
        Kind::Bool => &[0x88, 0x01], // mov %al, (%rcx)
        Kind::Int(Int { width, .. }) => match width {
            IntWidth::W8 | IntWidth::W16 | IntWidth::W32 => &[0x89, 0x01], // mov %eax, (%rcx)
            IntWidth::W64 | IntWidth::Pointer => &[0x48, 0x89, 0x01],      // mov %rax, (%rcx)
        },
        Kind::Float(Float::F32) => &[0xF3, 0x0F, 0x11, 0x01], // movss %xmm0, (%rcx)
        Kind::Float(Float::F64) => &[0xF2, 0x0F, 0x11, 0x01], // movsd %xmm0, (%rcx)
        Kind::Pointer(_) => &[0x48, 0x89, 0x01],              // mov %rax, (%rcx)
    })
}

/// Whether `p` travels in a vector register.
fn is_float(p: Primitive) -> bool {
    matches!(p.kind(), Kind::Float(_))
}

/// A frameless entry being written: the trace check first, whose jump to
/// the full trampoline after the entry is patched by `finish`.
struct Entry {
    bytes: Vec<u8>,
    fixups: Vec<(u32, i64, u32)>,
    jne_field: usize,
}

impl Entry {
    fn new(moves: usize) -> Entry {
        let mut bytes = Vec::with_capacity(32 + 10 * moves);
        let mut fixups = Vec::with_capacity(2);
        // cmpq $0, trace(%rip): REX.W 83 /7 with a RIP-relative operand, imm8 0.
        bytes.extend_from_slice(&[0x48, 0x83, 0x3D]);
        fixups.push((bytes.len() as u32, -5, Helper::Trace.slot()));
        bytes.extend_from_slice(&[0, 0, 0, 0, 0x00]);
        // jne rel32 to the end of the entry, patched by `finish`.
        bytes.extend_from_slice(&[0x0F, 0x85]);
        let jne_field = bytes.len();
        bytes.extend_from_slice(&[0, 0, 0, 0]);
        Entry {
            bytes,
            fixups,
            jne_field,
        }
    }

    fn moves(&mut self, moves: &[Move]) {
        for m in moves {
            encode(&mut self.bytes, m);
        }
    }

    /// `opcode` with a RIP-relative operand: import `slot`.
    fn through_slot(&mut self, opcode: &[u8], slot: u32) {
        self.bytes.extend_from_slice(opcode);
        self.fixups.push((self.bytes.len() as u32, -4, slot));
        self.bytes.extend_from_slice(&[0, 0, 0, 0]);
    }

    fn finish(mut self) -> Prefix {
        let rel = (self.bytes.len() - (self.jne_field + 4)) as i32;
        self.bytes[self.jne_field..self.jne_field + 4].copy_from_slice(&rel.to_le_bytes());
        Prefix {
            bytes: self.bytes,
            fixups: self.fixups,
        }
    }
}

/// How a parameter's V8 value becomes the native argument. Values are never
/// read wider than V8 wrote them (it stores an f32 stack argument in 4
/// bytes): a wider load from a slot V8 has just stored to misses
/// store-to-load forwarding, which cost about 4 ns a call on 26 parameters
/// (23.5-24.8 ns against 19.9-20.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Width {
    /// A 64-bit integer, pointer or f64, copied whole.
    Whole64,
    /// An f32, copied whole (as 32 bits: the upper half of its slot is
    /// undefined in both calls).
    Whole32,
    /// Zero-extended from its low 32 bits (u32): the C ABI leaves the upper
    /// half undefined, but libffi extends, and callees declared wider than
    /// the descriptor says (`long` for `u32`) read it.
    U32,
    /// Sign-extended from its low 32 bits (i32), for the same reason.
    I32,
    /// Zero-extended from its low 8 bits (u8, and bool, whose V8 value
    /// defines only those).
    U8,
    /// Sign-extended from its low 8 bits.
    I8,
    /// Zero-extended from its low 16 bits.
    U16,
    /// Sign-extended from its low 16 bits.
    I16,
}

/// Where System V passes an argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Place {
    /// An integer register (x86 register number).
    Register(u8),
    /// A float register, xmm0-7.
    Float(u8),
    /// The 8-byte stack slot of this index (at `8 + 8 * index` from rsp on
    /// entry, past the return address).
    Stack(u32),
}

/// One parameter's way from V8's call to the native one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Move {
    width: Width,
    from: Place,
    to: Place,
}

/// Assigns System V places to the arguments of one call, in order.
#[derive(Default)]
struct Places {
    integers: usize,
    floats: usize,
    stack: u32,
}

impl Places {
    fn next(&mut self, float: bool) -> Place {
        let place = if float && self.floats < FLOAT_REGISTERS {
            Place::Float(self.floats as u8)
        } else if !float && self.integers < ARGUMENT_REGISTERS.len() {
            Place::Register(ARGUMENT_REGISTERS[self.integers])
        } else {
            self.stack += 1;
            return Place::Stack(self.stack - 1);
        };
        if float {
            self.floats += 1;
        } else {
            self.integers += 1;
        }
        place
    }
}

/// Each parameter's move, in parameter order, which is also an order that
/// reads every place before it is written: integer registers and stack
/// slots only ever move down, to a place whose own value has already moved.
/// `None` when a parameter needs more than a move, or errno is captured
/// after the call (which a jump straight to the target cannot do).
fn moves(sig: &Signature) -> Option<Vec<Move>> {
    if sig.errno {
        return None;
    }
    let mut v8 = Places::default();
    v8.next(false); // the receiver
    let mut native = Places::default();
    sig.parameters
        .iter()
        .map(|ty| {
            let Type::Primitive(p) = ty else {
                return None;
            };
            let width = width(*p)?;
            let float = is_float(*p);
            Some(Move {
                width,
                from: v8.next(float),
                to: native.next(float),
            })
        })
        .collect()
}

/// How a parameter of type `p` moves, or `None` when it needs converting.
fn width(p: Primitive) -> Option<Width> {
    Some(match p.kind() {
        Kind::Int(Int { width, signed }) => match (width, signed) {
            (IntWidth::W64 | IntWidth::Pointer, _) => Width::Whole64,
            (IntWidth::W32, false) => Width::U32,
            (IntWidth::W32, true) => Width::I32,
            (IntWidth::W16, false) => Width::U16,
            (IntWidth::W16, true) => Width::I16,
            (IntWidth::W8, false) => Width::U8,
            (IntWidth::W8, true) => Width::I8,
        },
        Kind::Bool => Width::U8,
        Kind::Float(Float::F64) => Width::Whole64,
        Kind::Float(Float::F32) => Width::Whole32,
        Kind::Pointer(Pointee::Opaque | Pointee::Function) => Width::Whole64,
        Kind::Pointer(Pointee::Buffer | Pointee::CString) | Kind::Void => return None,
    })
}

/// Whether the native result is what V8 reads back: no widening needed (V8
/// masks a bool to 8 bits itself and reads only the low 32 bits of 32-bit
/// results), and no struct to write.
fn result_as_is(result: &Type) -> bool {
    match result {
        Type::Primitive(p) => match p.kind() {
            Kind::Int(Int {
                width: IntWidth::W8 | IntWidth::W16,
                ..
            }) => false,
            Kind::Void | Kind::Bool | Kind::Int(_) | Kind::Float(_) | Kind::Pointer(_) => true,
        },
        Type::Struct(_) => false,
    }
}

/// Appends the instructions of `m`: none for a value already in place.
fn encode(bytes: &mut Vec<u8>, m: &Move) {
    match (m.from, m.to) {
        (Place::Float(a), Place::Float(b)) => debug_assert_eq!(a, b, "floats keep their registers"),
        (Place::Register(_) | Place::Stack(_), Place::Register(dst)) => {
            load(bytes, m.width, dst, m.from)
        }
        // Only floats keep their slot (every stack integer moves: V8's first
        // into r9, the rest down), so nothing left in place needs extending.
        (Place::Stack(src), Place::Stack(dst)) => {
            if src != dst {
                load(bytes, m.width, SCRATCH, m.from);
                store(bytes, m.width, dst, SCRATCH);
            }
        }
        (from, to) => unreachable!("no parameter moves from {from:?} to {to:?}"),
    }
}

/// `dst = src`, whole or narrowed and extended to 64 bits: `8B /r` (mov,
/// with REX.W for 64 bits; a 32-bit mov zero-extends), or REX.W and `63`
/// (movsxd from 32 bits), `0F B6` (movzx from 8 bits), `0F BE` (movsx from
/// 8), `0F B7` (movzx from 16) or `0F BF` (movsx from 16), with `dst` in
/// ModRM.reg.
fn load(bytes: &mut Vec<u8>, width: Width, dst: u8, src: Place) {
    let opcode: &[u8] = match width {
        Width::Whole64 | Width::Whole32 | Width::U32 => &[0x8B],
        Width::I32 => &[0x63],
        Width::U8 => &[0x0F, 0xB6],
        Width::I8 => &[0x0F, 0xBE],
        Width::U16 => &[0x0F, 0xB7],
        Width::I16 => &[0x0F, 0xBF],
    };
    let base = match src {
        Place::Register(r) => r,
        Place::Stack(_) => RSP,
        Place::Float(_) => unreachable!("floats move only between stack slots"),
    };
    rex(
        bytes,
        !matches!(width, Width::Whole32 | Width::U32),
        dst,
        base,
    );
    bytes.extend_from_slice(opcode);
    match src {
        Place::Stack(slot) => stack_operand(bytes, dst, slot),
        _ => bytes.push(0xC0 | ((dst & 7) << 3) | (base & 7)),
    }
}

/// `mov %src, slot(%rsp)`: `89 /r` with `src` in ModRM.reg, 32 bits for an
/// f32 and 64 for the rest (extended ones included).
fn store(bytes: &mut Vec<u8>, width: Width, slot: u32, src: u8) {
    rex(bytes, width != Width::Whole32, src, RSP);
    bytes.push(0x89);
    stack_operand(bytes, src, slot);
}

/// The REX prefix for ModRM.reg `reg` and base `base`, when one is needed.
fn rex(bytes: &mut Vec<u8>, wide: bool, reg: u8, base: u8) {
    let rex = 0x40 | (u8::from(wide) << 3) | ((reg >> 3) << 2) | (base >> 3);
    if rex != 0x40 {
        bytes.push(rex);
    }
}

/// ModRM, SIB and displacement of `8 + 8 * slot(%rsp)` with `reg` in
/// ModRM.reg: an 8-bit displacement where it fits, else 32 bits.
fn stack_operand(bytes: &mut Vec<u8>, reg: u8, slot: u32) {
    let disp = 8 + 8 * slot;
    let sib = 0x24; // base rsp, no index
    if disp < 0x80 {
        bytes.extend_from_slice(&[0x44 | ((reg & 7) << 3), sib, disp as u8]);
    } else {
        bytes.extend_from_slice(&[0x84 | ((reg & 7) << 3), sib]);
        bytes.extend_from_slice(&disp.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ffic_schema::Target;
    use std::collections::HashMap;

    fn sig(parameters: &[Primitive], result: Primitive) -> Signature {
        Signature {
            parameters: parameters.iter().map(|p| Type::Primitive(*p)).collect(),
            result: Type::Primitive(result),
            errno: false,
            variadic: false,
        }
    }

    #[test]
    fn only_signatures_whose_arguments_just_move_get_an_entry() {
        use Primitive::*;
        let isa = crate::isa::build(Target::X86_64_LINUX).unwrap();
        let entry = |s: &Signature| prefix(s, 9, &*isa);
        for s in [
            sig(&[], Void),
            sig(&[I32, I32], I32),
            sig(&[U64], U64),
            sig(&[Pointer, F64, Usize, F32], Bool),
            sig(&[U8, I8, U16, I16, Bool], Void),
            sig(&[I64; 6], Void),
            sig(&[F64; 9], Void),
            sig(&[I64; 30], Pointer),
        ] {
            assert!(entry(&s).is_some(), "{s}");
        }
        for s in [
            sig(&[Buffer], Void),
            sig(&[I32], I16),
            sig(&[I32], U8),
            sig(&[I64; 8], I8),
        ] {
            assert!(entry(&s).is_none(), "{s}");
        }
    }

    #[test]
    fn the_entry_moves_each_integer_down_and_jumps_through_the_slot() {
        use Primitive::*;
        let isa = crate::isa::build(Target::X86_64_LINUX).unwrap();
        let p = prefix(&sig(&[I32, F64, U64], I32), 9, &*isa).unwrap();
        // cmpq $0,trace(%rip); jne +12 (past the entry); movslq %esi,%rdi; mov %rdx,%rsi; jmp *slot(%rip)
        assert_eq!(
            p.bytes,
            [
                0x48, 0x83, 0x3D, 0, 0, 0, 0, 0, 0x0F, 0x85, 12, 0, 0, 0, 0x48, 0x63, 0xFE, 0x48,
                0x8B, 0xF2, 0xFF, 0x25, 0, 0, 0, 0
            ]
        );
        assert_eq!(p.fixups, [(3, -5, Helper::Trace.slot()), (22, -4, 9)]);
    }

    #[test]
    fn the_reentrant_form_keeps_the_result_pointer_across_the_call() {
        use Primitive::*;
        let isa = crate::isa::build(Target::X86_64_LINUX).unwrap();
        // V8: receiver rdi, i32 esi, f64 xmm0, u64 rdx, result pointer rcx,
        // options r8.
        let shim = reentrant_shim(&sig(&[I32, F64, U64], F64), 9, 7, &*isa).unwrap();
        // cmpq $0,trace(%rip); jne +19 (to the shim); push %rcx;
        // movslq %esi,%rdi; mov %rdx,%rsi; call *slot(%rip); pop %rcx;
        // movsd %xmm0,(%rcx); ret; then the shim: push %rcx; mov %r8,%rcx;
        // call fast; pop %rcx; movsd %xmm0,(%rcx); ret
        assert_eq!(
            shim.bytes,
            [
                0x48, 0x83, 0x3D, 0, 0, 0, 0, 0, 0x0F, 0x85, 19, 0, 0, 0, 0x51, 0x48, 0x63, 0xFE,
                0x48, 0x8B, 0xF2, 0xFF, 0x15, 0, 0, 0, 0, 0x59, 0xF2, 0x0F, 0x11, 0x01, 0xC3, 0x51,
                0x4C, 0x89, 0xC1, 0xE8, 0, 0, 0, 0, 0x59, 0xF2, 0x0F, 0x11, 0x01, 0xC3
            ]
        );
        assert_eq!(shim.fixups, [(3, -5, Helper::Trace.slot()), (23, -4, 9)]);
        assert_eq!((shim.call_field, shim.target), (38, 7));
        // Three integer parameters put the pointer in r8 and the options in
        // r9. An i16 result needs widening: the shim alone (push %r8;
        // mov %r9,%r8; call; pop %rcx; mov %eax,(%rcx); ret).
        let shim = reentrant_shim(&sig(&[U64; 3], I16), 9, 0, &*isa).unwrap();
        assert_eq!(
            shim.bytes,
            [
                0x41, 0x50, 0x4D, 0x89, 0xC8, 0xE8, 0, 0, 0, 0, 0x59, 0x89, 0x01, 0xC3
            ]
        );
        assert!(shim.fixups.is_empty());
        // Four put the options on the stack, as do nine floats' last: the
        // full re-entrant trampoline serves those.
        assert!(reentrant_shim(&sig(&[U64; 4], U64), 9, 0, &*isa).is_none());
        assert!(reentrant_shim(&sig(&[F64; 9], F64), 9, 0, &*isa).is_none());
        assert!(reentrant_shim(&sig(&[F64; 8], F64), 9, 0, &*isa).is_some());
        // No result to store: no re-entrant form at all.
        assert!(reentrant_shim(&sig(&[I32], Void), 9, 0, &*isa).is_none());
    }

    /// Encodes one move alone.
    fn encoded(m: Move) -> Vec<u8> {
        let mut bytes = Vec::new();
        encode(&mut bytes, &m);
        bytes
    }

    #[test]
    fn moves_encode_as_the_assembler_does() {
        use Place::{Register as R, Stack as S};
        use Width::*;
        // The instruction in each comment, from GNU as (`as --64`, then
        // `objdump -d`); for register-to-register moves as picks the `89`
        // form, so these are the `8B` bytes as objdump decodes them.
        let cases: [(Width, Place, Place, &[u8]); 20] = [
            (Whole64, R(6), R(7), &[0x48, 0x8B, 0xFE]), // mov %rsi,%rdi
            (Whole64, R(9), R(8), &[0x4D, 0x8B, 0xC1]), // mov %r9,%r8
            (Whole64, R(8), R(1), &[0x49, 0x8B, 0xC8]), // mov %r8,%rcx
            (U32, R(2), R(6), &[0x8B, 0xF2]),           // mov %edx,%esi
            (U32, R(9), R(8), &[0x45, 0x8B, 0xC1]),     // mov %r9d,%r8d
            (I32, R(2), R(6), &[0x48, 0x63, 0xF2]),     // movslq %edx,%rsi
            (I32, R(9), R(8), &[0x4D, 0x63, 0xC1]),     // movslq %r9d,%r8
            (U8, R(6), R(7), &[0x48, 0x0F, 0xB6, 0xFE]), // movzbq %sil,%rdi
            (I8, R(2), R(6), &[0x48, 0x0F, 0xBE, 0xF2]), // movsbq %dl,%rsi
            (U16, R(9), R(8), &[0x4D, 0x0F, 0xB7, 0xC1]), // movzwq %r9w,%r8
            (I16, R(1), R(2), &[0x48, 0x0F, 0xBF, 0xD1]), // movswq %cx,%rdx
            (Whole64, S(0), R(9), &[0x4C, 0x8B, 0x4C, 0x24, 0x08]), // mov 0x8(%rsp),%r9
            (U32, S(0), R(9), &[0x44, 0x8B, 0x4C, 0x24, 0x08]), // mov 0x8(%rsp),%r9d
            (I32, S(0), R(9), &[0x4C, 0x63, 0x4C, 0x24, 0x08]), // movslq 0x8(%rsp),%r9
            (I8, S(2), R(9), &[0x4C, 0x0F, 0xBE, 0x4C, 0x24, 0x18]), // movsbq 0x18(%rsp),%r9
            // mov 0x10(%rsp),%r11d; mov %r11d,0x8(%rsp)
            (
                Whole32,
                S(1),
                S(0),
                &[0x44, 0x8B, 0x5C, 0x24, 0x10, 0x44, 0x89, 0x5C, 0x24, 0x08],
            ),
            // movslq 0x10(%rsp),%r11; mov %r11,0x8(%rsp)
            (
                I32,
                S(1),
                S(0),
                &[0x4C, 0x63, 0x5C, 0x24, 0x10, 0x4C, 0x89, 0x5C, 0x24, 0x08],
            ),
            // mov 0x10(%rsp),%r11d; mov %r11,0x8(%rsp)
            (
                U32,
                S(1),
                S(0),
                &[0x44, 0x8B, 0x5C, 0x24, 0x10, 0x4C, 0x89, 0x5C, 0x24, 0x08],
            ),
            // movzwq 0x80(%rsp),%r11; mov %r11,0x78(%rsp)
            (
                U16,
                S(15),
                S(14),
                &[
                    0x4C, 0x0F, 0xB7, 0x9C, 0x24, 0x80, 0, 0, 0, 0x4C, 0x89, 0x5C, 0x24, 0x78,
                ],
            ),
            (Whole64, S(3), S(3), &[]),
        ];
        for (width, from, to, expected) in cases {
            let m = Move { width, from, to };
            assert_eq!(encoded(m), expected, "{m:?}");
        }
    }

    /// What each place holds after `moves` run in order, in a model of the
    /// machine where argument `i` of V8's call starts as value `i`.
    fn run(moves: &[Move]) -> HashMap<Place, Option<usize>> {
        let mut machine: HashMap<Place, Option<usize>> = HashMap::new();
        for (i, m) in moves.iter().enumerate() {
            machine.insert(m.from, Some(i));
        }
        for m in moves {
            let value = machine.get(&m.from).copied().flatten();
            machine.insert(m.to, value);
        }
        machine
    }

    #[test]
    fn every_argument_lands_where_the_native_call_reads_it() {
        use Primitive::*;
        // Every mix of integer and float parameters up to 13 long (the bits
        // of a counter, 1 for a float), and long runs of each.
        let mut signatures: Vec<Vec<Primitive>> = (0..=13)
            .flat_map(|len| {
                (0u32..1 << len).map(move |bits| {
                    (0..len)
                        .map(|i| if bits >> i & 1 == 1 { F64 } else { U8 })
                        .collect()
                })
            })
            .collect();
        signatures.push(vec![I64; 30]);
        signatures.push(vec![F32; 30]);
        for parameters in signatures {
            let s = sig(&parameters, Void);
            let moves = moves(&s).unwrap();
            let machine = run(&moves);
            for (i, m) in moves.iter().enumerate() {
                assert_eq!(machine[&m.to], Some(i), "argument {i} of {s}: {moves:?}");
                // `encode` relies on it: nothing that stays needs extending.
                if m.from == m.to {
                    assert!(
                        matches!(parameters[i], F32 | F64),
                        "argument {i} of {s} stays"
                    );
                }
            }
        }
    }
}
