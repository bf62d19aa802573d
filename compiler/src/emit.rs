//! Compiles trampoline functions to machine code and links them into one
//! position-independent blob: functions placed back to back (16-byte
//! aligned, int3 between, each behind its hand-written entry if it has
//! one), and every reference to an import slot resolved PC-relative against
//! an import table that starts on the first page boundary after the code.
//! The result carries no relocations, so it can be mapped read+execute as
//! is, from an artifact or into JIT memory.

use crate::CompileError;
use crate::imports::Helper;
use crate::trampoline::IMPORT_NAMESPACE;
use cranelift_codegen::binemit::Reloc;
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{self, ExternalName, LibCall};
use cranelift_codegen::isa::TargetIsa;
use cranelift_codegen::{Context, FinalizedRelocTarget};

/// Alignment of each function in the blob.
pub const FUNCTION_ALIGN: u32 = 16;
/// Fill between functions: `int3`, so a stray jump traps.
pub const CODE_FILL: u8 = 0xCC;

/// Where one function lies in the blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeRange {
    /// Offset from the start of the code.
    pub offset: u32,
    /// Length in bytes.
    pub len: u32,
}

/// Linked machine code.
#[derive(Debug, Clone)]
pub struct Code {
    /// The code, unpadded.
    pub bytes: Vec<u8>,
    /// Each input function's place, in input order.
    pub ranges: Vec<CodeRange>,
}

/// Machine code placed right in front of a function (its entry), which
/// falls into the function or jumps to it, with the 32-bit PC-relative
/// fields that address import slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefix {
    /// The code.
    pub bytes: Vec<u8>,
    /// `(offset of the field, addend, import slot)`: the field holds
    /// `slot address + addend - field address`, as for a GOTPCREL relocation.
    pub fixups: Vec<(u32, i64, u32)>,
}

/// Hand-written code that calls an earlier function of the same blob:
/// `call rel32` with its field at `call_field`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shim {
    /// The code.
    pub bytes: Vec<u8>,
    /// Its import slot fields, as a [`Prefix`]'s.
    pub fixups: Vec<(u32, i64, u32)>,
    /// Offset of the call's 32-bit displacement.
    pub call_field: u32,
    /// Index, among the pieces before it, of the function it calls.
    pub target: usize,
}

/// One function of a blob.
#[derive(Debug, Clone)]
pub enum Piece {
    /// Compiled by Cranelift, behind its prefix if any.
    Function(Box<ir::Function>, Option<Prefix>),
    /// Written by hand.
    Shim(Shim),
}

/// Compiles `pieces` and links them, for an import table after the code.
pub fn compile_code(
    isa: &dyn TargetIsa,
    pieces: Vec<Piece>,
    page_size: u32,
) -> Result<Code, CompileError> {
    let mut ctx = Context::new();
    let mut bytes = Vec::new();
    let mut ranges: Vec<CodeRange> = Vec::with_capacity(pieces.len());
    // (position in blob, addend, import slot) of every reference.
    let mut fixups = Vec::new();
    for piece in pieces {
        let (func, prefix) = match piece {
            Piece::Function(func, prefix) => (func, prefix),
            Piece::Shim(shim) => {
                let start = bytes.len().next_multiple_of(FUNCTION_ALIGN as usize);
                bytes.resize(start, CODE_FILL);
                let target = ranges.get(shim.target).ok_or(CompileError::ShimTarget)?;
                let next = start as i64 + i64::from(shim.call_field) + 4;
                let rel = i32::try_from(i64::from(target.offset) - next)
                    .map_err(|_| CompileError::TooLarge)?;
                let mut code = shim.bytes;
                let at = shim.call_field as usize;
                code[at..at + 4].copy_from_slice(&rel.to_le_bytes());
                for &(at, addend, slot) in &shim.fixups {
                    fixups.push((start + at as usize, addend, slot));
                }
                bytes.extend_from_slice(&code);
                ranges.push(CodeRange {
                    offset: u32::try_from(start).map_err(|_| CompileError::TooLarge)?,
                    len: code.len() as u32,
                });
                continue;
            }
        };
        let name = func.name.to_string();
        ctx.clear();
        ctx.func = *func;
        let compiled = ctx
            .compile(isa, &mut ControlPlane::default())
            .map_err(|e| CompileError::Codegen {
                function: name.clone(),
                message: format!("{:?}", e.inner),
            })?;
        let start = bytes.len().next_multiple_of(FUNCTION_ALIGN as usize);
        bytes.resize(start, CODE_FILL);
        if let Some(prefix) = &prefix {
            for &(at, addend, slot) in &prefix.fixups {
                fixups.push((start + at as usize, addend, slot));
            }
            bytes.extend_from_slice(&prefix.bytes);
        }
        let body = bytes.len();
        bytes.extend_from_slice(compiled.code_buffer());
        let len = (bytes.len() - start) as u32;
        let relocs = compiled.buffer.relocs().to_vec();
        for reloc in &relocs {
            let unexpected = || CompileError::UnexpectedRelocation {
                function: name.clone(),
                kind: format!("{:?} to {:?}", reloc.kind, reloc.target),
            };
            if reloc.kind != Reloc::X86GOTPCRel4 {
                return Err(unexpected());
            }
            let slot = match &reloc.target {
                FinalizedRelocTarget::ExternalName(ExternalName::User(r)) => {
                    let user = &ctx.func.params.user_named_funcs()[*r];
                    if user.namespace != IMPORT_NAMESPACE {
                        return Err(unexpected());
                    }
                    user.index
                }
                FinalizedRelocTarget::ExternalName(ExternalName::LibCall(LibCall::Memcpy)) => {
                    Helper::Memcpy.slot()
                }
                _ => return Err(unexpected()),
            };
            fixups.push((body + reloc.offset as usize, reloc.addend, slot));
        }
        ranges.push(CodeRange {
            offset: u32::try_from(start).map_err(|_| CompileError::TooLarge)?,
            len,
        });
    }
    let code_len = u32::try_from(bytes.len()).map_err(|_| CompileError::TooLarge)?;
    // The import table starts on the first page boundary after the code.
    let table = i64::from(code_len.next_multiple_of(page_size));
    for (at, addend, slot) in fixups {
        // GOTPCREL: displacement = slot address + addend - address of the field.
        let displacement = table + i64::from(slot) * 8 + addend - at as i64;
        let field = i32::try_from(displacement).map_err(|_| CompileError::TooLarge)?;
        bytes[at..at + 4].copy_from_slice(&field.to_le_bytes());
    }
    Ok(Code { bytes, ranges })
}
