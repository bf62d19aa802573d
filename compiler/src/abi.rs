//! How a native call passes each value under the System V x86-64 ABI: scalars
//! in one register, small structs split into eightbytes (each INTEGER or SSE),
//! larger ones (or ones that no longer fit the registers left) in memory, and
//! the Cranelift signature that realises exactly that.

use crate::CompileError;
use cranelift_codegen::ir::{self, AbiParam, ArgumentExtension, ArgumentPurpose, types};
use cranelift_codegen::isa::CallConv;
use ffic_schema::native::{Float, Int, Kind, Width};
use ffic_schema::types::Primitive;
use ffic_schema::{MAX_BY_VALUE_STRUCT, Signature, StructLayout, Target, Type};
use std::ops::Range;

/// The register class of one eightbyte of a struct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// General-purpose register.
    Integer,
    /// Vector register (floats).
    Sse,
}

/// One eightbyte of a struct passed in registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Eightbyte {
    /// Byte offset in the struct.
    pub offset: u32,
    /// Bytes of the struct it covers (1..=8; less only for the last).
    pub size: u32,
    /// Its register class.
    pub class: Class,
}

impl Eightbyte {
    /// The Cranelift type that carries it in its register.
    pub fn ty(self) -> ir::Type {
        match self.class {
            Class::Integer => types::I64,
            Class::Sse if self.size <= 4 => types::F32,
            Class::Sse => types::F64,
        }
    }
}

/// How one parameter or the result is passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Passing {
    /// No value (a `void` result).
    Nothing,
    /// One register of this type, extended as the C ABI expects.
    Scalar(ir::Type, ArgumentExtension),
    /// A struct split into eightbytes, one register each.
    Registers(Vec<Eightbyte>),
    /// A struct in memory: copied to the stack (parameter) or written through
    /// a hidden pointer (result).
    Memory {
        /// The struct's size in bytes.
        size: u32,
    },
}

/// A native signature lowered for the System V ABI.
#[derive(Debug, Clone)]
pub struct NativeCall {
    /// How each parameter is passed.
    pub params: Vec<Passing>,
    /// How the result comes back.
    pub result: Passing,
    /// The byte ranges of a struct result that no field covers: left
    /// undefined by the ABI (a register's unused bits, whatever a callee
    /// copied), so zeroed before the bytes reach their caller.
    pub result_padding: Vec<Range<u32>>,
    /// The Cranelift signature of the native function.
    pub signature: ir::Signature,
}

/// The Cranelift type and extension of a primitive in a native call, or
/// `None` for `void`.
pub fn scalar(primitive: Primitive) -> Option<(ir::Type, ArgumentExtension)> {
    use ArgumentExtension::{None as NoExt, Sext, Uext};
    let (ty, extension) = match primitive.kind() {
        Kind::Void => return None,
        Kind::Bool => (types::I8, Uext),
        // Extended to the whole register, as libffi does, up to 32 bits: the
        // ABI leaves the upper half undefined, but a callee declared wider
        // (`long` for `i32`) reads it.
        Kind::Int(Int { width, signed }) => match width {
            Width::W8 => (types::I8, if signed { Sext } else { Uext }),
            Width::W16 => (types::I16, if signed { Sext } else { Uext }),
            Width::W32 => (types::I32, if signed { Sext } else { Uext }),
            // The compiler targets 64-bit System V only.
            Width::W64 | Width::Pointer => (types::I64, NoExt),
        },
        Kind::Float(Float::F32) => (types::F32, NoExt),
        Kind::Float(Float::F64) => (types::F64, NoExt),
        Kind::Pointer(_) => (types::I64, NoExt),
    };
    Some((ty, extension))
}

/// Lowers `signature` for a System V call with `call_conv`.
pub fn lower(signature: &Signature, call_conv: CallConv) -> Result<NativeCall, CompileError> {
    let result = classify(&signature.result)?;
    // A result in memory takes the first integer register for its pointer.
    let mut int_left: usize = if matches!(result, Passing::Memory { .. }) {
        5
    } else {
        6
    };
    let mut sse_left: usize = 8;
    let mut params = Vec::with_capacity(signature.parameters.len());
    for ty in &signature.parameters {
        let passing = match classify(ty)? {
            Passing::Nothing => return Err(CompileError::VoidParameter),
            Passing::Scalar(t, ext) => {
                let left = if t.is_float() {
                    &mut sse_left
                } else {
                    &mut int_left
                };
                *left = left.saturating_sub(1);
                Passing::Scalar(t, ext)
            }
            Passing::Registers(eightbytes) => {
                let ints = eightbytes
                    .iter()
                    .filter(|e| e.class == Class::Integer)
                    .count();
                let sses = eightbytes.len() - ints;
                // The ABI never splits a struct between registers and stack.
                if ints <= int_left && sses <= sse_left {
                    int_left -= ints;
                    sse_left -= sses;
                    Passing::Registers(eightbytes)
                } else {
                    Passing::Memory {
                        size: struct_size(ty)?,
                    }
                }
            }
            memory @ Passing::Memory { .. } => memory,
        };
        params.push(passing);
    }
    let result_padding = match &signature.result {
        // Offsets fit u32: struct_size bounded the struct.
        Type::Struct(layout) => layout
            .padding(Target::X86_64_LINUX)
            .into_iter()
            .map(|r| r.start as u32..r.end as u32)
            .collect(),
        Type::Primitive(_) => Vec::new(),
    };
    let signature = cranelift_signature(&params, &result, call_conv);
    Ok(NativeCall {
        params,
        result,
        result_padding,
        signature,
    })
}

fn cranelift_signature(params: &[Passing], result: &Passing, call_conv: CallConv) -> ir::Signature {
    let mut sig = ir::Signature::new(call_conv);
    if matches!(result, Passing::Memory { .. }) {
        sig.params
            .push(AbiParam::special(types::I64, ArgumentPurpose::StructReturn));
    }
    for passing in params {
        match passing {
            Passing::Nothing => {}
            Passing::Scalar(t, ext) => sig.params.push(param(*t, *ext)),
            Passing::Registers(eightbytes) => sig
                .params
                .extend(eightbytes.iter().map(|e| AbiParam::new(e.ty()))),
            Passing::Memory { size } => sig.params.push(AbiParam::special(
                types::I64,
                ArgumentPurpose::StructArgument(size.next_multiple_of(8)),
            )),
        }
    }
    match result {
        Passing::Nothing | Passing::Memory { .. } => {}
        Passing::Scalar(t, ext) => sig.returns.push(param(*t, *ext)),
        Passing::Registers(eightbytes) => sig
            .returns
            .extend(eightbytes.iter().map(|e| AbiParam::new(e.ty()))),
    }
    sig
}

fn param(ty: ir::Type, extension: ArgumentExtension) -> AbiParam {
    AbiParam {
        extension,
        ..AbiParam::new(ty)
    }
}

/// Classifies one type on its own (before registers are counted).
fn classify(ty: &Type) -> Result<Passing, CompileError> {
    match ty {
        Type::Primitive(p) => Ok(match scalar(*p) {
            None => Passing::Nothing,
            Some((t, ext)) => Passing::Scalar(t, ext),
        }),
        Type::Struct(layout) => {
            let size = struct_size(ty)?;
            if size > 16 {
                return Ok(Passing::Memory { size });
            }
            let mut leaves = Vec::new();
            flatten(layout, 0, &mut leaves);
            let eightbytes = (0..size.div_ceil(8))
                .map(|i| {
                    let (start, end) = (i * 8, (i * 8 + 8).min(size));
                    let mut inside = leaves
                        .iter()
                        .filter(|(offset, _)| (start..end).contains(offset));
                    // Only floats: SSE. Any integer (or only padding, which
                    // C layout with 8-byte alignment never produces): INTEGER.
                    let all_float = inside.clone().next().is_some()
                        && inside.all(|(_, p)| matches!(p.kind(), Kind::Float(_)));
                    Eightbyte {
                        offset: start,
                        size: end - start,
                        class: if all_float {
                            Class::Sse
                        } else {
                            Class::Integer
                        },
                    }
                })
                .collect();
            Ok(Passing::Registers(eightbytes))
        }
    }
}

/// The size of a struct type, refused beyond [`MAX_BY_VALUE_STRUCT`].
fn struct_size(ty: &Type) -> Result<u32, CompileError> {
    let Type::Struct(layout) = ty else {
        unreachable!("struct_size is only asked of structs")
    };
    if layout.size > MAX_BY_VALUE_STRUCT {
        return Err(CompileError::StructTooLarge { size: layout.size });
    }
    Ok(layout.size as u32)
}

/// Every primitive field of a (nested) struct with its absolute offset.
fn flatten(layout: &StructLayout, base: u32, out: &mut Vec<(u32, Primitive)>) {
    for (field, offset) in layout.fields.iter().zip(&layout.offsets) {
        let at = base + *offset as u32;
        match field {
            Type::Primitive(p) => out.push((at, *p)),
            Type::Struct(inner) => flatten(inner, at, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ffic_schema::{Target, struct_layout};
    use std::sync::Arc;

    fn struct_of(fields: &[Primitive]) -> Type {
        let target = Target::X86_64_LINUX;
        let sizes: Vec<_> = fields.iter().map(|p| target.primitive_layout(*p)).collect();
        let (offsets, size, align) = struct_layout(&sizes);
        Type::Struct(Arc::new(StructLayout {
            fields: fields.iter().map(|p| Type::Primitive(*p)).collect(),
            offsets,
            size,
            align,
        }))
    }

    fn classes(passing: &Passing) -> Vec<(u32, Class)> {
        match passing {
            Passing::Registers(e) => e.iter().map(|e| (e.size, e.class)).collect(),
            other => panic!("expected registers, got {other:?}"),
        }
    }

    #[test]
    fn eightbytes_follow_the_abi_classes() {
        use Primitive::*;
        let c = |f: &[Primitive]| classify(&struct_of(f)).unwrap();
        assert_eq!(
            classes(&c(&[F32, I32, F64])),
            [(8, Class::Integer), (8, Class::Sse)]
        );
        assert_eq!(
            classes(&c(&[F32, F32, F32])),
            [(8, Class::Sse), (4, Class::Sse)]
        );
        assert_eq!(classes(&c(&[U8, U8, U8])), [(3, Class::Integer)]);
        assert_eq!(
            classes(&c(&[F64, I64])),
            [(8, Class::Sse), (8, Class::Integer)]
        );
        assert_eq!(c(&[I64, I64, I64]), Passing::Memory { size: 24 });
    }

    #[test]
    fn a_struct_that_no_longer_fits_goes_to_memory_whole() {
        use Primitive::*;
        let dl = struct_of(&[F64, I64]);
        let mut parameters = vec![Type::Primitive(I64); 5];
        parameters.push(dl.clone());
        let sig = Signature {
            parameters,
            result: Type::Primitive(Void),
            errno: false,
            variadic: false,
        };
        // Five integers leave one integer register: DL needs one, so it fits.
        let call = lower(&sig, CallConv::SystemV).unwrap();
        assert!(matches!(call.params[5], Passing::Registers(_)));
        // With a struct result in memory, the hidden pointer takes that register.
        let sig = Signature {
            result: struct_of(&[I64, I64, I64]),
            ..sig
        };
        let call = lower(&sig, CallConv::SystemV).unwrap();
        assert_eq!(call.params[5], Passing::Memory { size: 16 });
    }
}
