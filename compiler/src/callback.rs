//! Native-to-host callback code for x86-64 System V, without writable and
//! executable memory at once, and without libffi.
//!
//! A *callback page* is one page of code followed, at a fixed distance, by a
//! page of data. The code page holds one shared entry and a row of 16-byte
//! slots; slot `i` loads the `i`th data word into `r10` and jumps to the
//! entry, so a callback is a slot paired with its own data word, and making
//! one writes only the data page. The code page is written once, before it
//! becomes executable, and never again.
//!
//! The entry spills the six integer and eight vector argument registers to
//! its frame and calls the dispatcher the data word points at (its first
//! field) as `dispatch(data, registers, stack_arguments, returned)`; then it
//! loads `rax`, `rdx`, `xmm0` and `xmm1` from `returned` and returns. Which
//! saved word holds which argument, and where each result byte goes, comes
//! from [`Plan`], derived from the same System V lowering the call
//! trampolines use ([`crate::abi::lower`]).

use crate::CompileError;
use crate::abi::{self, Class, Eightbyte, Passing};
use cranelift_codegen::ir::ArgumentExtension;
use cranelift_codegen::isa::CallConv;
use ffic_schema::Signature;

/// Where the first slot starts in the code page (after the entry).
pub const FIRST_SLOT: usize = 192;
/// The size of one slot.
pub const SLOT_SIZE: usize = 16;
/// The saved argument registers: `rdi rsi rdx rcx r8 r9`, then `xmm0`-`xmm7`.
pub const SAVED_REGISTERS: usize = 14;
/// The scratch buffer struct arguments that came in registers are
/// reassembled in: 16 bytes for each, and at most one per register.
pub const SCRATCH_BYTES: usize = 16 * SAVED_REGISTERS;
/// Where the first vector register is among the saved words.
const FIRST_VECTOR: u8 = 6;

/// The entry: spills the argument registers, calls the dispatcher, loads the
/// return registers. The frame below `rbp` holds 14 saved words then the 4
/// returned ones (`rax rdx xmm0 xmm1`), 144 bytes, keeping `rsp` 16-aligned.
const ENTRY: &[u8] = &[
    0x55, // push rbp
    0x48, 0x89, 0xE5, // mov rbp, rsp
    0x48, 0x81, 0xEC, 0x90, 0x00, 0x00, 0x00, // sub rsp, 144
    0x48, 0x89, 0x3C, 0x24, // mov [rsp], rdi
    0x48, 0x89, 0x74, 0x24, 0x08, // mov [rsp+8], rsi
    0x48, 0x89, 0x54, 0x24, 0x10, // mov [rsp+16], rdx
    0x48, 0x89, 0x4C, 0x24, 0x18, // mov [rsp+24], rcx
    0x4C, 0x89, 0x44, 0x24, 0x20, // mov [rsp+32], r8
    0x4C, 0x89, 0x4C, 0x24, 0x28, // mov [rsp+40], r9
    0x66, 0x0F, 0xD6, 0x44, 0x24, 0x30, // movq [rsp+48], xmm0
    0x66, 0x0F, 0xD6, 0x4C, 0x24, 0x38, // movq [rsp+56], xmm1
    0x66, 0x0F, 0xD6, 0x54, 0x24, 0x40, // movq [rsp+64], xmm2
    0x66, 0x0F, 0xD6, 0x5C, 0x24, 0x48, // movq [rsp+72], xmm3
    0x66, 0x0F, 0xD6, 0x64, 0x24, 0x50, // movq [rsp+80], xmm4
    0x66, 0x0F, 0xD6, 0x6C, 0x24, 0x58, // movq [rsp+88], xmm5
    0x66, 0x0F, 0xD6, 0x74, 0x24, 0x60, // movq [rsp+96], xmm6
    0x66, 0x0F, 0xD6, 0x7C, 0x24, 0x68, // movq [rsp+104], xmm7
    0x4C, 0x89, 0xD7, // mov rdi, r10 (the data word)
    0x48, 0x89, 0xE6, // mov rsi, rsp (the saved registers)
    0x48, 0x8D, 0x55, 0x10, // lea rdx, [rbp+16] (the stack arguments)
    0x48, 0x8D, 0x4C, 0x24, 0x70, // lea rcx, [rsp+112] (the returned words)
    0x41, 0xFF, 0x12, // call [r10] (the dispatcher, the data's first field)
    0x48, 0x8B, 0x44, 0x24, 0x70, // mov rax, [rsp+112]
    0x48, 0x8B, 0x54, 0x24, 0x78, // mov rdx, [rsp+120]
    0xF3, 0x0F, 0x7E, 0x84, 0x24, 0x80, 0x00, 0x00, 0x00, // movq xmm0, [rsp+128]
    0xF3, 0x0F, 0x7E, 0x8C, 0x24, 0x88, 0x00, 0x00, 0x00, // movq xmm1, [rsp+136]
    0xC9, // leave
    0xC3, // ret
];

const _: () = assert!(
    ENTRY.len() <= FIRST_SLOT,
    "the entry ends before the first slot"
);

/// A callback page's code: the entry, then as many slots as the page holds,
/// slot `i` reading the data word at `page_size + 8 * i` from the page's
/// start. `page_size` is a power of two of at least 4096.
pub fn page(page_size: usize) -> Vec<u8> {
    let mut code = vec![0xCC; page_size]; // int3 wherever no code is
    code[..ENTRY.len()].copy_from_slice(ENTRY);
    for i in 0..slots(page_size) {
        let at = FIRST_SLOT + i * SLOT_SIZE;
        // mov r10, [rip + disp32]: disp32 from the end of this 7-byte
        // instruction to the slot's data word.
        let data = (page_size + 8 * i) as i64 - (at + 7) as i64;
        // jmp rel32 from the end of this 5-byte instruction to the entry.
        let entry = -((at + 12) as i64);
        let slot = &mut code[at..at + SLOT_SIZE];
        slot[..3].copy_from_slice(&[0x4C, 0x8B, 0x15]);
        slot[3..7].copy_from_slice(&(data as i32).to_le_bytes());
        slot[7] = 0xE9;
        slot[8..12].copy_from_slice(&(entry as i32).to_le_bytes());
    }
    code
}

/// How many slots a page of `page_size` bytes holds.
pub fn slots(page_size: usize) -> usize {
    (page_size - FIRST_SLOT) / SLOT_SIZE
}

/// Where an argument's bytes were saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Word {
    /// A saved register (0-5 integer, 6-13 vector).
    Register(u8),
    /// A byte offset into the caller's stack arguments.
    Stack(u32),
}

/// One eightbyte of a struct argument and the word it came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    /// The eightbyte's offset and size in the struct.
    pub offset: u32,
    /// Its size (1-8).
    pub size: u32,
    /// Where it was saved.
    pub from: Word,
}

/// Where a callback finds one argument's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Argument {
    /// In place: a scalar's register or stack slot (its low bytes), or a
    /// struct the caller copied to its stack.
    At(Word),
    /// A struct that came in registers, reassembled at this byte offset of
    /// a scratch buffer of [`SCRATCH_BYTES`].
    Split {
        /// Where it is reassembled.
        scratch: u32,
        /// Its eightbytes.
        parts: Vec<Part>,
    },
}

/// A returned register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    /// `rax`.
    Rax = 0,
    /// `rdx`.
    Rdx = 1,
    /// `xmm0`.
    Xmm0 = 2,
    /// `xmm1`.
    Xmm1 = 3,
}

/// How a callback gives its result back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Result {
    /// Nothing (`void`).
    Nothing,
    /// An integer of `size` bytes in `rax`, extended to the whole register
    /// (as libffi does: a caller compiled for a wider type reads it).
    Integer {
        /// Its size in bytes.
        size: u32,
        /// Whether it is sign-extended.
        signed: bool,
    },
    /// A float of `size` bytes in `xmm0`.
    Float {
        /// Its size in bytes.
        size: u32,
    },
    /// A struct in registers, an eightbyte each.
    Split(Vec<(Eightbyte, Returned)>),
    /// A struct written through the hidden pointer the caller passed in
    /// `rdi`, which is also returned in `rax`.
    Memory {
        /// Its size in bytes.
        size: u32,
    },
}

/// Where a callback of one signature finds its arguments and puts its
/// result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Per parameter.
    pub arguments: Vec<Argument>,
    /// How many bytes of scratch the struct arguments in registers use.
    pub scratch: u32,
    /// The result.
    pub result: Result,
}

impl Plan {
    /// The plan for a callback of `signature`.
    pub fn new(signature: &Signature) -> std::result::Result<Plan, CompileError> {
        let lowered = abi::lower(signature, CallConv::SystemV)?;
        let result = match &lowered.result {
            Passing::Nothing => Result::Nothing,
            Passing::Scalar(t, _) if t.is_float() => Result::Float { size: t.bytes() },
            Passing::Scalar(t, extension) => Result::Integer {
                size: t.bytes(),
                signed: *extension == ArgumentExtension::Sext,
            },
            Passing::Registers(eightbytes) => {
                // At most two eightbytes (16 bytes), so at most two of a class.
                let (mut int, mut sse) = (0, 0);
                let split = eightbytes
                    .iter()
                    .map(|e| {
                        let (registers, used) = match e.class {
                            Class::Integer => ([Returned::Rax, Returned::Rdx], &mut int),
                            Class::Sse => ([Returned::Xmm0, Returned::Xmm1], &mut sse),
                        };
                        *used += 1;
                        (*e, registers[*used - 1])
                    })
                    .collect();
                Result::Split(split)
            }
            Passing::Memory { size } => Result::Memory { size: *size },
        };
        // A result in memory takes the first integer register.
        let mut int = u8::from(matches!(result, Result::Memory { .. }));
        let mut sse = 0u8;
        let mut stack = 0u32;
        let mut scratch = 0u32;
        let mut next_word = |class: Class, stack: &mut u32| match class {
            Class::Integer if int < FIRST_VECTOR => {
                int += 1;
                Word::Register(int - 1)
            }
            Class::Sse if sse < 8 => {
                sse += 1;
                Word::Register(FIRST_VECTOR + sse - 1)
            }
            _ => {
                *stack += 8;
                Word::Stack(*stack - 8)
            }
        };
        let mut arguments = Vec::with_capacity(lowered.params.len());
        for passing in &lowered.params {
            arguments.push(match passing {
                Passing::Nothing => return Err(CompileError::VoidParameter),
                Passing::Scalar(t, _) => {
                    let class = if t.is_float() {
                        Class::Sse
                    } else {
                        Class::Integer
                    };
                    Argument::At(next_word(class, &mut stack))
                }
                Passing::Registers(eightbytes) => {
                    // The lowering put it in registers only where all fit.
                    let parts = eightbytes
                        .iter()
                        .map(|e| Part {
                            offset: e.offset,
                            size: e.size,
                            from: next_word(e.class, &mut stack),
                        })
                        .collect();
                    let at = scratch;
                    scratch += 16;
                    Argument::Split { scratch: at, parts }
                }
                Passing::Memory { size } => {
                    let at = stack;
                    stack += size.next_multiple_of(8);
                    Argument::At(Word::Stack(at))
                }
            });
        }
        Ok(Plan {
            arguments,
            scratch,
            result,
        })
    }
}
