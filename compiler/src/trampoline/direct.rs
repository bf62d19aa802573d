//! The frameless entry of a fast trampoline whose arguments need no
//! conversion, only moving one integer register down (the receiver V8
//! passes first is dropped): x86-64 System V machine code written here,
//! because Cranelift gives every function that calls a frame (and its tail
//! calls need one), and that frame costs about 1 ns a call (measured against
//! a hand-written Rust fast function with the same instructions otherwise).
//!
//! ```text
//! cmpq $0, trace(%rip)   ; --trace-ffi: go through the full trampoline,
//! jne  full              ; which follows this entry and calls the hook
//! mov  %rsi, %rdi        ; one per integer parameter: rsi, rdx, rcx, r8,
//! mov  %rdx, %rsi        ; r9 move down to rdi, rsi, rdx, rcx, r8
//! jmp  *target(%rip)     ; the native function returns straight to V8
//! full:
//! ```
//!
//! Float parameters already sit in xmm0-7 for both calls, and V8's options
//! pointer, last, is simply left where it is.

use crate::emit::Prefix;
use crate::imports::Helper;
use cranelift_codegen::isa::{CallConv, TargetIsa};
use ffic_schema::types::Primitive;
use ffic_schema::{Signature, Type};

/// Integer argument registers of System V, in order (x86 register numbers).
const ARGUMENT_REGISTERS: [u8; 6] = [7, 6, 2, 1, 8, 9]; // rdi rsi rdx rcx r8 r9

/// The frameless entry of the fast trampoline of `sig`, whose target is in
/// import `slot`, or `None` when its arguments or result need converting.
pub fn prefix(sig: &Signature, slot: u32, isa: &dyn TargetIsa) -> Option<Prefix> {
    if isa.name() != "x64" || isa.default_call_conv() != CallConv::SystemV {
        return None;
    }
    let mut integers = 0usize;
    let mut floats = 0usize;
    for ty in &sig.parameters {
        match ty {
            Type::Primitive(Primitive::F32 | Primitive::F64) => floats += 1,
            Type::Primitive(p) if moves_as_is(*p) => integers += 1,
            _ => return None,
        }
    }
    // Five integers leave the native call all in registers (V8's receiver
    // takes the sixth register of its own call).
    if integers > 5 || floats > 8 || !result_as_is(&sig.result) {
        return None;
    }

    let mut bytes = Vec::with_capacity(16 + 3 * integers);
    let mut fixups = Vec::with_capacity(2);
    // cmpq $0, trace(%rip): REX.W 83 /7 with a RIP-relative operand, imm8 0.
    bytes.extend_from_slice(&[0x48, 0x83, 0x3D]);
    fixups.push((bytes.len() as u32, -5, Helper::Trace.slot()));
    bytes.extend_from_slice(&[0, 0, 0, 0, 0x00]);
    // jne rel32 to the end of the prefix, patched below.
    bytes.extend_from_slice(&[0x0F, 0x85]);
    let jne_field = bytes.len();
    bytes.extend_from_slice(&[0, 0, 0, 0]);
    for i in 0..integers {
        mov(&mut bytes, ARGUMENT_REGISTERS[i], ARGUMENT_REGISTERS[i + 1]);
    }
    // jmp *target(%rip): FF /4 with a RIP-relative operand.
    bytes.extend_from_slice(&[0xFF, 0x25]);
    fixups.push((bytes.len() as u32, -4, slot));
    bytes.extend_from_slice(&[0, 0, 0, 0]);
    let rel = (bytes.len() - (jne_field + 4)) as i32;
    bytes[jne_field..jne_field + 4].copy_from_slice(&rel.to_le_bytes());
    Some(Prefix { bytes, fixups })
}

/// Parameter types whose V8 fast value is already the native argument.
fn moves_as_is(p: Primitive) -> bool {
    use Primitive as P;
    matches!(
        p,
        P::U32
            | P::I32
            | P::U64
            | P::I64
            | P::Usize
            | P::Isize
            | P::Pointer
            | P::Function
            | P::F32
            | P::F64
    )
}

/// Whether the native result is what V8 reads back: no widening needed (V8
/// masks a bool to 8 bits itself and reads only the low 32 bits of 32-bit
/// results), and no struct to write.
fn result_as_is(result: &Type) -> bool {
    match result {
        Type::Primitive(p) => !matches!(
            p,
            Primitive::U8 | Primitive::I8 | Primitive::U16 | Primitive::I16
        ),
        Type::Struct(_) => false,
    }
}

/// `mov %src, %dst` (64-bit): REX.W 89 /r.
fn mov(bytes: &mut Vec<u8>, dst: u8, src: u8) {
    let rex = 0x48 | ((src >> 3) << 2) | (dst >> 3);
    bytes.extend_from_slice(&[rex, 0x89, 0xC0 | ((src & 7) << 3) | (dst & 7)]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ffic_schema::Target;

    fn sig(parameters: &[Primitive], result: Primitive) -> Signature {
        Signature {
            parameters: parameters.iter().map(|p| Type::Primitive(*p)).collect(),
            result: Type::Primitive(result),
        }
    }

    #[test]
    fn only_signatures_that_need_no_conversion_get_an_entry() {
        use Primitive::*;
        let isa = crate::isa::build(Target::X86_64_LINUX).unwrap();
        let entry = |s: &Signature| prefix(s, 9, &*isa);
        for s in [
            sig(&[], Void),
            sig(&[I32, I32], I32),
            sig(&[U64], U64),
            sig(&[Pointer, F64, Usize, F32], Bool),
            sig(&[I64, I64, I64, I64, I64], Pointer),
            sig(&[F64; 8], F64),
        ] {
            assert!(entry(&s).is_some(), "{s}");
        }
        for s in [
            sig(&[U8], Void),
            sig(&[Bool], Void),
            sig(&[Buffer], Void),
            sig(&[I32], I16),
            sig(&[I64; 6], Void),
            sig(&[F64; 9], Void),
        ] {
            assert!(entry(&s).is_none(), "{s}");
        }
    }

    #[test]
    fn the_entry_moves_each_integer_down_and_jumps_through_the_slot() {
        use Primitive::*;
        let isa = crate::isa::build(Target::X86_64_LINUX).unwrap();
        let p = prefix(&sig(&[I32, F64, U64], I32), 9, &*isa).unwrap();
        // cmpq $0,trace(%rip); jne +12 (past the entry); mov %rsi,%rdi; mov %rdx,%rsi; jmp *slot(%rip)
        assert_eq!(
            p.bytes,
            [
                0x48, 0x83, 0x3D, 0, 0, 0, 0, 0, 0x0F, 0x85, 12, 0, 0, 0, 0x48, 0x89, 0xF7, 0x48,
                0x89, 0xD6, 0xFF, 0x25, 0, 0, 0, 0
            ]
        );
        assert_eq!(p.fixups, [(3, -5, Helper::Trace.slot()), (22, -4, 9)]);
    }

    #[test]
    fn register_moves_encode_as_the_assembler_does() {
        // Encodings from the Intel SDM (MOV r/m64, r64), as objdump prints them.
        let cases: [(u8, u8, [u8; 3]); 5] = [
            (7, 6, [0x48, 0x89, 0xF7]), // mov %rsi,%rdi
            (6, 2, [0x48, 0x89, 0xD6]), // mov %rdx,%rsi
            (2, 1, [0x48, 0x89, 0xCA]), // mov %rcx,%rdx
            (1, 8, [0x4C, 0x89, 0xC1]), // mov %r8,%rcx
            (8, 9, [0x4D, 0x89, 0xC8]), // mov %r9,%r8
        ];
        for (dst, src, expected) in cases {
            let mut bytes = Vec::new();
            mov(&mut bytes, dst, src);
            assert_eq!(bytes, expected, "mov {src} -> {dst}");
        }
    }
}
