//! C types as descriptor types, on x86-64 and aarch64 Linux (LP64): integer
//! widths from the C ABI (`long` is 64 bits), `size_t`-like typedefs as
//! `usize`/`isize`, `const char *` as a C string, other pointers to numbers
//! as buffers, function pointers as `function`, structs by value as
//! `{"struct": [...]}` (fixed arrays spelled out element by element).
//! What a descriptor cannot say is refused with the reason: unions and
//! bit-fields by value, `long double`, 128-bit integers, incomplete structs
//! by value, and structs whose layout is not C's natural one (packed or
//! over-aligned), which a descriptor's struct would lay out differently.

// libclang's constants keep their C names.
#![allow(non_upper_case_globals)]

use crate::clang::Ty;
use clang_sys::*;
use ffic_schema::types::Primitive;
use serde_json::{Value, json};

/// Where a type is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// A function parameter.
    Parameter,
    /// A function result.
    Result,
}

/// A C type as a descriptor type.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped {
    /// The type stock Deno takes (`"i32"`, `{"struct": [...]}`).
    pub ty: Value,
    /// ffic's own type over it, if one applies (`"cstring"`).
    pub own: Option<&'static str>,
}

impl Mapped {
    fn plain(p: Primitive) -> Mapped {
        Mapped {
            ty: Value::from(p.name()),
            own: None,
        }
    }
}

/// The longest fixed array in a struct spelled out element by element.
const MAX_ARRAY: i64 = 256;

/// `ty` in `position`, or why a descriptor cannot say it.
pub fn map(ty: Ty<'_>, position: Position) -> Result<Mapped, String> {
    if let Some(name) = pointer_sized(ty) {
        return Ok(Mapped::plain(name));
    }
    let canonical = ty.canonical();
    let spelled = || ty.spelling();
    match canonical.kind() {
        CXType_Void => match position {
            Position::Result => Ok(Mapped::plain(Primitive::Void)),
            Position::Parameter => Err("a void parameter".into()),
        },
        CXType_Enum => {
            let integer = canonical.declaration().enum_integer_type();
            scalar(integer.canonical().kind())
                .map(Mapped::plain)
                .ok_or_else(|| format!("enum {} has an integer type ffic cannot pass", spelled()))
        }
        CXType_Pointer => Ok(pointer(canonical, position)),
        CXType_Record => structure(canonical).map(|ty| Mapped { ty, own: None }),
        kind => match scalar(kind) {
            Some(name) => Ok(Mapped::plain(name)),
            None => Err(refusal(kind, &spelled())),
        },
    }
}

/// `usize` or `isize` for the typedefs C code uses for sizes and
/// addresses, wherever they are in `ty`'s chain of typedefs.
fn pointer_sized(ty: Ty<'_>) -> Option<Primitive> {
    let mut layer = Some(ty);
    while let Some(ty) = layer {
        if ty.kind() == CXType_Typedef {
            match ty.typedef_name().as_str() {
                "size_t" | "uintptr_t" => return Some(Primitive::Usize),
                "ssize_t" | "ptrdiff_t" | "intptr_t" => return Some(Primitive::Isize),
                _ => {}
            }
        }
        layer = ty.desugared();
    }
    None
}

/// The primitive of a scalar C type kind (LP64).
fn scalar(kind: CXTypeKind) -> Option<Primitive> {
    Some(match kind {
        CXType_Bool => Primitive::Bool,
        CXType_Char_S | CXType_SChar => Primitive::I8,
        CXType_Char_U | CXType_UChar => Primitive::U8,
        CXType_Short => Primitive::I16,
        CXType_UShort => Primitive::U16,
        CXType_Int => Primitive::I32,
        CXType_UInt => Primitive::U32,
        CXType_Long | CXType_LongLong => Primitive::I64,
        CXType_ULong | CXType_ULongLong => Primitive::U64,
        CXType_Float => Primitive::F32,
        CXType_Double => Primitive::F64,
        _ => return None,
    })
}

/// Why a type of `kind` (spelled `spelled`) cannot be passed.
fn refusal(kind: CXTypeKind, spelled: &str) -> String {
    match kind {
        CXType_LongDouble => "long double has no descriptor type".into(),
        CXType_Int128 | CXType_UInt128 => "128-bit integers have no descriptor type".into(),
        _ => format!("{spelled} has no descriptor type"),
    }
}

/// A pointer: a function pointer as `function`, a pointer to `char` as a
/// buffer (a C string when `const char`), a parameter pointing to numbers
/// as a buffer (a typed array passes), anything else (`void`, structs,
/// pointers) as `pointer`.
fn pointer(canonical: Ty<'_>, position: Position) -> Mapped {
    let pointee = canonical.pointee();
    match pointee.canonical().kind() {
        CXType_FunctionProto | CXType_FunctionNoProto => Mapped::plain(Primitive::Function),
        CXType_Char_S | CXType_Char_U | CXType_SChar | CXType_UChar => {
            let text = matches!(pointee.canonical().kind(), CXType_Char_S | CXType_Char_U);
            let own = (text && pointee.is_const()).then_some(Primitive::CString.name());
            match position {
                Position::Parameter => Mapped {
                    ty: Value::from(Primitive::Buffer.name()),
                    own,
                },
                Position::Result => Mapped {
                    ty: Value::from(Primitive::Pointer.name()),
                    own,
                },
            }
        }
        // Arrays and out-parameters of numbers: a typed array passes.
        kind if scalar(kind).is_some() || kind == CXType_Enum => match position {
            Position::Parameter => Mapped::plain(Primitive::Buffer),
            Position::Result => Mapped::plain(Primitive::Pointer),
        },
        _ => Mapped::plain(Primitive::Pointer),
    }
}

/// A struct by value as `{"struct": [...]}`, checked against clang's own
/// layout of it.
fn structure(record: Ty<'_>) -> Result<Value, String> {
    let declaration = record.declaration();
    let name = record.spelling();
    if declaration.kind() == CXCursor_UnionDecl {
        return Err(format!(
            "{name} is a union, which a descriptor cannot pass by value"
        ));
    }
    if record.size() < 0 {
        return Err(format!(
            "{name} is incomplete here, so its layout is unknown"
        ));
    }
    let mut fields = Vec::new();
    // (offset in bytes, size, alignment) of each descriptor field.
    let mut placed = Vec::new();
    for field in record.fields() {
        let field_name = field.name();
        if field.is_bit_field() {
            return Err(format!("{name} has the bit-field {field_name}"));
        }
        if field_name.is_empty() {
            return Err(format!(
                "{name} has an anonymous member, whose fields a descriptor cannot name"
            ));
        }
        // libclang's errors are negative: no offset is known then.
        let offset = field.field_offset();
        let ty = field.ty();
        let (element, count) = match ty.canonical().kind() {
            CXType_ConstantArray if ty.canonical().array_len() <= MAX_ARRAY => {
                (ty.canonical().element(), ty.canonical().array_len())
            }
            CXType_ConstantArray => {
                return Err(format!(
                    "{name}'s field {field_name} is an array of more than {MAX_ARRAY} elements"
                ));
            }
            CXType_IncompleteArray => {
                return Err(format!("{name} ends in the flexible array {field_name}"));
            }
            _ => (ty, 1),
        };
        let mapped = map(element, Position::Parameter)
            .map_err(|why| format!("{name}'s field {field_name}: {why}"))?;
        let ty = in_struct(mapped);
        fields.extend((0..count).map(|_| ty.clone()));
        let (size, align) = (element.canonical().size(), element.canonical().align());
        let (Ok(offset), Ok(size), Ok(align), Ok(count)) = (
            u64::try_from(offset),
            u64::try_from(size),
            u64::try_from(align),
            u64::try_from(count),
        ) else {
            return Err(format!("{name}'s field {field_name} has no known layout"));
        };
        let offset = offset / 8;
        placed.extend((0..count).map(|i| (offset + i * size, size, align)));
    }
    if fields.is_empty() {
        return Err(format!("{name} has no fields"));
    }
    if !natural(&placed, record.size() as u64, record.align() as u64) {
        return Err(format!(
            "{name} is packed or over-aligned: a descriptor's struct would lay it out differently"
        ));
    }
    Ok(json!({ "struct": fields }))
}

/// A field's type inside a struct, where every pointer is a plain pointer.
pub fn in_struct(mapped: Mapped) -> Value {
    let pointer_like = [Primitive::Buffer, Primitive::Function].map(Primitive::name);
    if mapped.own.is_some() || pointer_like.iter().any(|p| mapped.ty == *p) {
        Value::from(Primitive::Pointer.name())
    } else {
        mapped.ty
    }
}

/// Whether fields of these (offset, size, alignment) in this order, in a
/// struct of `size` bytes aligned to `align`, are where C's natural layout
/// (as a descriptor's struct is laid out) puts them.
fn natural(placed: &[(u64, u64, u64)], size: u64, align: u64) -> bool {
    if placed.iter().any(|&(_, _, a)| !a.is_power_of_two()) {
        return false;
    }
    let sizes: Vec<(u64, u64)> = placed.iter().map(|&(_, s, a)| (s, a)).collect();
    let (offsets, natural_size, natural_align) = ffic_schema::struct_layout(&sizes);
    offsets.iter().eq(placed.iter().map(|(o, _, _)| o))
        && natural_size == size
        && natural_align == align
}

#[cfg(test)]
mod tests {
    use super::natural;

    #[test]
    fn natural_layout_is_recognised_and_packing_is_not() {
        // struct { char c; int i; }: 4 bytes of padding, 8 in all.
        assert!(natural(&[(0, 1, 1), (4, 4, 4)], 8, 4));
        // The same, packed: the int right after the char.
        assert!(!natural(&[(0, 1, 1), (1, 4, 4)], 5, 1));
        // Over-aligned: 16 bytes where 8 would do.
        assert!(!natural(&[(0, 1, 1), (4, 4, 4)], 16, 16));
        // Over-aligned at its natural size: two doubles aligned to 16.
        assert!(!natural(&[(0, 8, 8), (8, 8, 8)], 16, 16));
    }
}
