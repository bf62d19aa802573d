//! Typed values of the Rust call API, checked against a signature before any
//! native code runs, and the conversion to and from invoke slots and result
//! bytes.

use crate::CallError;
use ffic_schema::{Signature, Type, types::Primitive};
use std::borrow::Cow;
use std::ffi::c_void;

/// An argument or result. Each native type takes exactly one variant:
/// `pointer`, `buffer`, `function` and `cstring` all take [`Value::Pointer`]
/// (a buffer is its data pointer, a C string its NUL-terminated bytes, as C
/// sees them), a struct takes its bytes in C layout.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// The result of a `void` function.
    Void,
    /// `bool`.
    Bool(bool),
    /// `u8`.
    U8(u8),
    /// `i8`.
    I8(i8),
    /// `u16`.
    U16(u16),
    /// `i16`.
    I16(i16),
    /// `u32`.
    U32(u32),
    /// `i32`.
    I32(i32),
    /// `u64`.
    U64(u64),
    /// `i64`.
    I64(i64),
    /// `usize`.
    Usize(usize),
    /// `isize`.
    Isize(isize),
    /// `f32`.
    F32(f32),
    /// `f64`.
    F64(f64),
    /// `pointer`, `buffer` (the data pointer), `function` or `cstring`.
    Pointer(*mut c_void),
    /// A struct's bytes, exactly its size, in C layout.
    Struct(Cow<'a, [u8]>),
}

impl Value<'_> {
    /// The variant's name, for errors.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Void => "Void",
            Value::Bool(_) => "Bool",
            Value::U8(_) => "U8",
            Value::I8(_) => "I8",
            Value::U16(_) => "U16",
            Value::I16(_) => "I16",
            Value::U32(_) => "U32",
            Value::I32(_) => "I32",
            Value::U64(_) => "U64",
            Value::I64(_) => "I64",
            Value::Usize(_) => "Usize",
            Value::Isize(_) => "Isize",
            Value::F32(_) => "F32",
            Value::F64(_) => "F64",
            Value::Pointer(_) => "Pointer",
            Value::Struct(_) => "Struct",
        }
    }

    /// The value in an invoke slot: a scalar zero-extended into its low
    /// bytes, a struct as a pointer to its bytes (which must outlive the call).
    /// `None` when the value does not fit `ty`.
    fn slot(&self, ty: &Type) -> Option<u64> {
        use Primitive as P;
        let Type::Primitive(p) = ty else {
            return match (self, ty) {
                (Value::Struct(bytes), Type::Struct(s)) if bytes.len() as u64 == s.size => {
                    Some(bytes.as_ptr() as u64)
                }
                _ => None,
            };
        };
        Some(match (self, p) {
            (Value::Bool(v), P::Bool) => u64::from(*v),
            (Value::U8(v), P::U8) => u64::from(*v),
            (Value::I8(v), P::I8) => u64::from(*v as u8),
            (Value::U16(v), P::U16) => u64::from(*v),
            (Value::I16(v), P::I16) => u64::from(*v as u16),
            (Value::U32(v), P::U32) => u64::from(*v),
            (Value::I32(v), P::I32) => u64::from(*v as u32),
            (Value::U64(v), P::U64) => *v,
            (Value::I64(v), P::I64) => *v as u64,
            (Value::Usize(v), P::Usize) => *v as u64,
            (Value::Isize(v), P::Isize) => *v as u64,
            (Value::F32(v), P::F32) => u64::from(v.to_bits()),
            (Value::F64(v), P::F64) => v.to_bits(),
            (Value::Pointer(v), P::Pointer | P::Buffer | P::Function | P::CString) => *v as u64,
            _ => return None,
        })
    }

    /// Reads a value of `ty` from the start of `bytes` (a result buffer or a
    /// static's memory), which holds at least its size.
    pub fn read(ty: &Type, bytes: &[u8]) -> Value<'static> {
        use Primitive as P;
        fn le<const N: usize>(bytes: &[u8]) -> [u8; N] {
            bytes[..N].try_into().expect("N bytes")
        }
        let p = match ty {
            Type::Struct(s) => return Value::Struct(Cow::Owned(bytes[..s.size as usize].to_vec())),
            Type::Primitive(p) => p,
        };
        match p {
            P::Void => Value::Void,
            // C's bool is 0 or 1; anything else is read as true, as C would.
            P::Bool => Value::Bool(bytes[0] != 0),
            P::U8 => Value::U8(bytes[0]),
            P::I8 => Value::I8(bytes[0] as i8),
            P::U16 => Value::U16(u16::from_le_bytes(le(bytes))),
            P::I16 => Value::I16(i16::from_le_bytes(le(bytes))),
            P::U32 => Value::U32(u32::from_le_bytes(le(bytes))),
            P::I32 => Value::I32(i32::from_le_bytes(le(bytes))),
            P::U64 => Value::U64(u64::from_le_bytes(le(bytes))),
            P::I64 => Value::I64(i64::from_le_bytes(le(bytes))),
            P::Usize => Value::Usize(usize::from_le_bytes(le(bytes))),
            P::Isize => Value::Isize(isize::from_le_bytes(le(bytes))),
            P::F32 => Value::F32(f32::from_le_bytes(le(bytes))),
            P::F64 => Value::F64(f64::from_le_bytes(le(bytes))),
            P::Pointer | P::Buffer | P::Function | P::CString => {
                Value::Pointer(usize::from_le_bytes(le(bytes)) as *mut c_void)
            }
        }
    }
}

/// Fills `slots` (one per parameter) from `args`, checking count and types.
/// Struct slots point into `args`, which must outlive the call.
pub(crate) fn fill_slots(
    name: &dyn std::fmt::Display,
    signature: &Signature,
    args: &[Value<'_>],
    slots: &mut [u64],
) -> Result<(), CallError> {
    if args.len() != signature.parameters.len() {
        return Err(CallError::ArgumentCount {
            symbol: name.to_string(),
            expected: signature.parameters.len(),
            found: args.len(),
        });
    }
    for (i, ((arg, ty), slot)) in args
        .iter()
        .zip(&signature.parameters)
        .zip(slots.iter_mut())
        .enumerate()
    {
        *slot = arg.slot(ty).ok_or_else(|| CallError::ArgumentType {
            symbol: name.to_string(),
            index: i,
            expected: match ty {
                Type::Struct(s) => format!("{ty} ({} bytes)", s.size),
                _ => ty.to_string(),
            },
            found: match arg {
                Value::Struct(bytes) => format!("Struct of {} bytes", bytes.len()),
                other => other.kind().into(),
            },
        })?;
    }
    Ok(())
}
