//! Deno's type conventions (as `deno types` prints them for Deno 2.9): the
//! TypeScript type of each native type as a parameter, as a result and as a
//! static, and the literal type of the descriptor itself.

use ffic_schema::Type;
use ffic_schema::types::Primitive;

/// A native type as a parameter (Deno's `ToNativeType`).
pub fn parameter(ty: &Type) -> &'static str {
    match ty {
        Type::Struct(_) => "AllowSharedBufferSource",
        Type::Primitive(p) => match p {
            Primitive::Buffer => "AllowSharedBufferSource | null",
            other => value(*other),
        },
    }
}

/// A native type as a function result (Deno's `FromNativeResultType`).
pub fn result(ty: &Type) -> &'static str {
    match ty {
        Type::Struct(_) => "Uint8Array<ArrayBuffer>",
        Type::Primitive(Primitive::Void) => "void",
        Type::Primitive(p) => value(*p),
    }
}

/// A static's value (Deno's `FromNativeType`).
pub fn static_value(ty: &Type) -> &'static str {
    match ty {
        Type::Struct(_) => "Uint8Array<ArrayBuffer>",
        Type::Primitive(p) => value(*p),
    }
}

/// What a primitive is in JavaScript when it comes from native code.
fn value(p: Primitive) -> &'static str {
    match p {
        Primitive::Void => "void",
        Primitive::Bool => "boolean",
        Primitive::U8
        | Primitive::I8
        | Primitive::U16
        | Primitive::I16
        | Primitive::U32
        | Primitive::I32
        | Primitive::F32
        | Primitive::F64 => "number",
        Primitive::U64 | Primitive::I64 | Primitive::Usize | Primitive::Isize => "bigint",
        Primitive::Pointer | Primitive::Buffer | Primitive::Function => "Deno.PointerValue",
    }
}
