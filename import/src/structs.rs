//! A header's named structs for typed views (`"$ffic".structs`): each
//! struct it defines with a tag, or as the only name of a typedef, whose
//! layout a descriptor can say (as [`crate::map`] decides for a struct by
//! value), with its fields by name in order; and each typedef's other
//! name for such a struct, as that struct's name. A field is a primitive's
//! name (every pointer a `pointer`), the name of a struct listed before
//! it, an inline struct (one without a name, or defined elsewhere), or
//! `[primitive, count]` for a fixed array.

// libclang's constants keep their C names.
#![allow(non_upper_case_globals)]

use crate::clang::{Cursor, Ty};
use crate::map::{self, Position};
use clang_sys::*;
use serde_json::{Map, Value, json};

/// Field names a view class keeps for itself.
pub const RESERVED: [&str; 2] = ["bytes", "constructor"];

/// A named struct and its fields (an object), or the name of a struct
/// listed before it that it is another name for (a string).
pub type Named = (String, Value);

/// The struct `declaration` defines (a struct, or a typedef naming an
/// anonymous struct) with its name, unless it is not one or a descriptor
/// cannot lay it out (why, for a warning).
pub fn named(declaration: &Cursor<'_>, known: &[Named]) -> Option<Result<Named, String>> {
    let (name, record) = match declaration.kind() {
        CXCursor_StructDecl if declaration.is_definition() && !unnamed(declaration) => {
            (declaration.name(), declaration.ty())
        }
        CXCursor_TypedefDecl => {
            let record = declaration.underlying().canonical();
            let inner = record.declaration();
            if record.kind() != CXType_Record || inner.kind() != CXCursor_StructDecl {
                return None;
            }
            if !unnamed(&inner) || !inner.is_definition() {
                return None;
            }
            (declaration.name(), record)
        }
        _ => return None,
    };
    if known.iter().any(|(n, _)| *n == name) {
        return None;
    }
    // Refused by value is refused here too, for the same reason.
    if let Err(why) = map::map(record, Position::Parameter) {
        return Some(Err(why));
    }
    Some(fields(record, known).map(|fields| (name, Value::Object(fields))))
}

/// The typedef name `declaration` gives a struct with a tag of its own,
/// and that tag (`typedef struct z_stream_s {...} z_stream;`), unless the
/// two are the same.
pub fn alias(declaration: &Cursor<'_>) -> Option<(String, String)> {
    if declaration.kind() != CXCursor_TypedefDecl {
        return None;
    }
    let record = declaration.underlying().canonical();
    let inner = record.declaration();
    let tagged =
        record.kind() == CXType_Record && inner.kind() == CXCursor_StructDecl && !unnamed(&inner);
    let (name, tag) = (declaration.name(), inner.name());
    (tagged && name != tag).then_some((name, tag))
}

/// Moves each of `aliases` whose struct `listed` holds into `listed`, as a
/// name for that struct (unless the name is taken).
pub fn list_aliases(aliases: &mut Vec<(String, String)>, listed: &mut Vec<Named>) {
    while let Some(i) = aliases
        .iter()
        .position(|(_, tag)| listed.iter().any(|(n, _)| n == tag))
    {
        let (name, tag) = aliases.remove(i);
        if !listed.iter().any(|(n, _)| *n == name) {
            listed.push((name, json!(tag)));
        }
    }
}

/// The fields of `record` (checked by [`map::map`]) by name.
fn fields(record: Ty<'_>, known: &[Named]) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for field in record.canonical().fields() {
        let ty = field.ty().canonical();
        let spec = match ty.kind() {
            CXType_ConstantArray => {
                json!([primitive(ty.element())?, ty.array_len()])
            }
            CXType_Record => {
                let name = ty.declaration().name();
                if !unnamed(&ty.declaration()) && known.iter().any(|(n, _)| *n == name) {
                    json!(name)
                } else {
                    Value::Object(fields(ty, known)?)
                }
            }
            _ => json!(primitive(field.ty())?),
        };
        let name = field.name();
        // The view class has these of its own.
        if RESERVED.contains(&name.as_str()) {
            return Err(format!("its field {name} would hide the view's own {name}"));
        }
        out.insert(name, spec);
    }
    Ok(out)
}

/// Whether a struct has no tag of its own (libclang spells such a struct
/// as nothing, or as `struct (unnamed at FILE:LINE:COL)`).
fn unnamed(declaration: &Cursor<'_>) -> bool {
    let name = declaration.name();
    name.is_empty() || name.contains(' ')
}

/// The primitive a field of type `ty` holds (every pointer a `pointer`).
fn primitive(ty: Ty<'_>) -> Result<Value, String> {
    let field = map::in_struct(map::map(ty, Position::Parameter)?);
    match field {
        Value::String(_) => Ok(field),
        _ => Err("an array of structs has no field type".into()),
    }
}
