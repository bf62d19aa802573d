//! Deno's type conventions (as `deno types` prints them for Deno 2.9): the
//! TypeScript type of each native type as a parameter, as a result and as a
//! static, and the literal type of the descriptor itself.

use ffic_schema::Type;
use ffic_schema::native::{Kind, Pointee};
use ffic_schema::types::Primitive;

/// A native type as a parameter (Deno's `ToNativeType`).
pub fn parameter(ty: &Type) -> &'static str {
    match ty {
        Type::Struct(_) => "AllowSharedBufferSource",
        Type::Primitive(p) => match p.kind() {
            Kind::Pointer(Pointee::Buffer) => "AllowSharedBufferSource | null",
            Kind::Void
            | Kind::Bool
            | Kind::Int(_)
            | Kind::Float(_)
            | Kind::Pointer(Pointee::Opaque | Pointee::Function | Pointee::CString) => value(*p),
        },
    }
}

/// A native type as a function result (Deno's `FromNativeResultType`).
pub fn result(ty: &Type) -> &'static str {
    match ty {
        Type::Struct(_) => "Uint8Array<ArrayBuffer>",
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
    match p.kind() {
        Kind::Void => "void",
        Kind::Bool => "boolean",
        Kind::Int(int) if int.width.fits_number() => "number",
        Kind::Int(_) => "bigint",
        Kind::Float(_) => "number",
        Kind::Pointer(Pointee::CString) => "string | null",
        Kind::Pointer(Pointee::Opaque | Pointee::Buffer | Pointee::Function) => "Deno.PointerValue",
    }
}
