//! The one table of native types. Each primitive has a row: its descriptor
//! and C spellings, its digest code, and its [`Kind`], the fact every layer
//! decides on (layout, the System V lowering, the trampolines, libffi, V8
//! conversions, TypeScript). Layers match on the kind, never on the
//! primitive, with no wildcard: a primitive of an existing kind needs only
//! its row, and a new kind makes the compiler list every place to decide.

use crate::types::Primitive;

/// What a primitive is, for every layer below the descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// No value; only a result.
    Void,
    /// C `bool`: one byte, 0 or 1; `boolean` in JavaScript.
    Bool,
    /// An integer of a width and signedness.
    Int(Int),
    /// A binary floating-point number; `number` in JavaScript.
    Float(Float),
    /// A pointer: the same bits to native code, different values in JS.
    Pointer(Pointee),
}

/// An integer's width and signedness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Int {
    /// Its width.
    pub width: Width,
    /// Two's complement when true.
    pub signed: bool,
}

/// An integer's width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// 8 bits.
    W8,
    /// 16 bits.
    W16,
    /// 32 bits.
    W32,
    /// 64 bits.
    W64,
    /// As wide as a pointer on the target (`size_t`).
    Pointer,
}

impl Width {
    /// Bytes in the integer on a target with `pointer_bytes`-byte pointers.
    pub fn bytes(self, pointer_bytes: u64) -> u64 {
        match self {
            Width::W8 => 1,
            Width::W16 => 2,
            Width::W32 => 4,
            Width::W64 => 8,
            Width::Pointer => pointer_bytes,
        }
    }

    /// Whether JavaScript sees it as a `number` (it fits one exactly) rather
    /// than a `bigint` (Deno's rule: 64-bit and pointer-sized integers).
    pub fn fits_number(self) -> bool {
        match self {
            Width::W8 | Width::W16 | Width::W32 => true,
            Width::W64 | Width::Pointer => false,
        }
    }
}

/// A floating-point format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Float {
    /// IEEE binary32, C `float`.
    F32,
    /// IEEE binary64, C `double`.
    F64,
}

impl Float {
    /// Bytes in the number.
    pub fn bytes(self) -> u64 {
        match self {
            Float::F32 => 4,
            Float::F64 => 8,
        }
    }
}

/// What a pointer parameter takes from JavaScript and a pointer result
/// gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pointee {
    /// Opaque: `Deno.PointerValue` (an External, or null) both ways.
    Opaque,
    /// The data of an ArrayBuffer or view (or null) when passed; a
    /// `Deno.PointerValue` when returned.
    Buffer,
    /// A function pointer, e.g. an `UnsafeCallback`'s: `Deno.PointerValue`.
    Function,
    /// NUL-terminated UTF-8 (ffic's): a JS string (or null) passed without
    /// the script encoding it, and a result read into a string (or null).
    CString,
}

/// A primitive's row in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// The primitive the row describes.
    pub primitive: Primitive,
    /// Its spelling in descriptors.
    pub name: &'static str,
    /// Its spelling in C on LP64 targets.
    pub c: &'static str,
    /// Its byte in descriptor digests: fixed forever, since artifacts and
    /// caches are keyed by digests.
    pub code: u8,
    /// What it is.
    pub kind: Kind,
    /// Spelled only in the `ffic` extension (stock Deno has no such type):
    /// the type stock Deno passes it as, and returns it as.
    pub carrier: Option<(Primitive, Primitive)>,
}

/// Shorthand for the table.
const fn int(width: Width, signed: bool) -> Kind {
    Kind::Int(Int { width, signed })
}

/// Every primitive, in the order Deno documents them (the order of
/// [`Primitive`]'s variants, which `row` relies on and a test checks).
#[rustfmt::skip]
pub const TABLE: [Row; 18] = [
    row(Primitive::Void, "void", "void", 0, Kind::Void),
    row(Primitive::Bool, "bool", "bool", 1, Kind::Bool),
    row(Primitive::U8, "u8", "uint8_t", 2, int(Width::W8, false)),
    row(Primitive::I8, "i8", "int8_t", 3, int(Width::W8, true)),
    row(Primitive::U16, "u16", "uint16_t", 4, int(Width::W16, false)),
    row(Primitive::I16, "i16", "int16_t", 5, int(Width::W16, true)),
    row(Primitive::U32, "u32", "uint32_t", 6, int(Width::W32, false)),
    row(Primitive::I32, "i32", "int32_t", 7, int(Width::W32, true)),
    row(Primitive::U64, "u64", "uint64_t", 8, int(Width::W64, false)),
    row(Primitive::I64, "i64", "int64_t", 9, int(Width::W64, true)),
    row(Primitive::Usize, "usize", "size_t", 10, int(Width::Pointer, false)),
    row(Primitive::Isize, "isize", "ptrdiff_t", 11, int(Width::Pointer, true)),
    row(Primitive::F32, "f32", "float", 12, Kind::Float(Float::F32)),
    row(Primitive::F64, "f64", "double", 13, Kind::Float(Float::F64)),
    row(Primitive::Pointer, "pointer", "void *", 14, Kind::Pointer(Pointee::Opaque)),
    row(Primitive::Buffer, "buffer", "uint8_t *", 15, Kind::Pointer(Pointee::Buffer)),
    row(Primitive::Function, "function", "void (*)(void)", 16, Kind::Pointer(Pointee::Function)),
    Row {
        carrier: Some((Primitive::Buffer, Primitive::Pointer)),
        ..row(Primitive::CString, "cstring", "const char *", 17, Kind::Pointer(Pointee::CString))
    },
];

/// Shorthand for the table.
const fn row(
    primitive: Primitive,
    name: &'static str,
    c: &'static str,
    code: u8,
    kind: Kind,
) -> Row {
    Row {
        primitive,
        name,
        c,
        code,
        kind,
        carrier: None,
    }
}

impl Primitive {
    /// The primitive's row in [`TABLE`].
    pub fn row(self) -> &'static Row {
        &TABLE[self as usize]
    }

    /// What the primitive is (its row's kind).
    pub fn kind(self) -> Kind {
        self.row().kind
    }

    /// What C's default argument promotions make of a variadic argument of
    /// this type: `float` becomes `double`, `bool` and integers narrower
    /// than `int` become `int`.
    pub fn promoted(self) -> Primitive {
        match self.kind() {
            Kind::Bool
            | Kind::Int(Int {
                width: Width::W8 | Width::W16,
                ..
            }) => Primitive::I32,
            Kind::Float(Float::F32) => Primitive::F64,
            Kind::Void | Kind::Int(_) | Kind::Float(Float::F64) | Kind::Pointer(_) => self,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_row_sits_at_its_primitives_index_with_a_unique_name_and_code() {
        for (i, row) in TABLE.iter().enumerate() {
            assert_eq!(row.primitive as usize, i, "{}", row.name);
            assert_eq!(row.primitive.row(), row);
            let same_name = TABLE.iter().filter(|r| r.name == row.name).count();
            let same_code = TABLE.iter().filter(|r| r.code == row.code).count();
            assert_eq!((same_name, same_code), (1, 1), "{}", row.name);
        }
    }

    #[test]
    fn each_name_is_the_one_serde_reads_and_ffics_own_are_not_read() {
        for row in TABLE.iter().filter(|row| row.carrier.is_none()) {
            let read: Primitive = serde_json::from_str(&format!("\"{}\"", row.name)).unwrap();
            assert_eq!(read, row.primitive);
        }
        for row in TABLE.iter().filter(|row| row.carrier.is_some()) {
            let read = serde_json::from_str::<Primitive>(&format!("\"{}\"", row.name));
            assert!(read.is_err(), "{}", row.name);
        }
    }
}
