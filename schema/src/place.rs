//! What a place in a descriptor is (a symbol, a type position, a field, ...),
//! decided from its path alone, so messages can say what belongs there.

use crate::path::PathSegment;
use crate::types::{EXTENSION_FIELD, LIBRARY_FIELD, SCHEMA_FIELD};

/// The role of a value in a descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place<'a> {
    /// The whole document.
    Root,
    /// The top-level `$schema` string.
    SchemaRef,
    /// The top-level `$ffic` object (the library's extension).
    Library,
    /// A named constant's value (`$ffic.constants.NAME`).
    Constant,
    /// A named struct's fields (`$ffic.structs.NAME`).
    NamedStruct,
    /// A named struct's field (`$ffic.structs.NAME.FIELD`, nested too).
    StructField,
    /// A symbol definition (function or static).
    Symbol,
    /// A field of a symbol definition other than those below (`name`, `nonblocking`, ...).
    Field(&'a str),
    /// A function's `parameters` array.
    Parameters,
    /// A position that holds a native type (parameter, result, static type, struct field).
    Type,
    /// The `struct` array of a struct type.
    StructFields,
    /// The `ffic` extension object.
    Extension,
    /// A field of the extension object.
    ExtensionField(&'a str),
    /// One entry of `ffic.parameterNames`.
    ParameterName,
    /// One of ffic's own types: an entry of `ffic.parameters`, or `ffic.result`.
    ExtensionType,
    /// A type in a variadic call shape (`ffic.variadic.NAME[i]`).
    VariadicType,
    /// Anything deeper that has no role of its own.
    Other,
}

/// The role of the value at `path`.
pub fn place_of(path: &[PathSegment]) -> Place<'_> {
    use PathSegment::{Index, Key};
    match path {
        [] => Place::Root,
        [Key(k)] if k == SCHEMA_FIELD => Place::SchemaRef,
        [Key(k)] if k == LIBRARY_FIELD => Place::Library,
        [Key(k), Key(c), Key(_)] if k == LIBRARY_FIELD && c == "constants" => Place::Constant,
        [Key(k), Key(c), Key(_)] if k == LIBRARY_FIELD && c == "structs" => Place::NamedStruct,
        [Key(k), Key(c), Key(_), .., Key(_)] if k == LIBRARY_FIELD && c == "structs" => {
            Place::StructField
        }
        [Key(k), ..] if k == LIBRARY_FIELD => Place::Other,
        [_] => Place::Symbol,
        [_, Key(f), rest @ ..] => match (f.as_str(), rest) {
            ("parameters", []) => Place::Parameters,
            ("parameters", [Index(_), inner @ ..]) => type_place(inner),
            ("result" | "type", inner) => type_place(inner),
            (EXTENSION_FIELD, []) => Place::Extension,
            (EXTENSION_FIELD, [Key(e)]) if e == "result" => Place::ExtensionType,
            (EXTENSION_FIELD, [Key(e), Index(_)]) if e == "parameters" => Place::ExtensionType,
            (EXTENSION_FIELD, [Key(e), Key(_), Index(_)]) if e == "variadic" => Place::VariadicType,
            (EXTENSION_FIELD, [Key(e)]) => Place::ExtensionField(e),
            (EXTENSION_FIELD, [Key(e), Index(_)]) if e == "parameterNames" => Place::ParameterName,
            (field, []) => Place::Field(field),
            _ => Place::Other,
        },
        _ => Place::Other,
    }
}

fn type_place(inner: &[PathSegment]) -> Place<'_> {
    use PathSegment::{Index, Key};
    match inner {
        [] => Place::Type,
        [Key(k)] if k == "struct" => Place::StructFields,
        [Key(k), Index(_), deeper @ ..] if k == "struct" => type_place(deeper),
        _ => Place::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PathSegment::{Index, Key};

    fn key(k: &str) -> PathSegment {
        Key(k.into())
    }

    #[test]
    fn classifies_every_role() {
        assert_eq!(place_of(&[]), Place::Root);
        assert_eq!(place_of(&[key("$schema")]), Place::SchemaRef);
        assert_eq!(place_of(&[key("f")]), Place::Symbol);
        assert_eq!(place_of(&[key("f"), key("parameters")]), Place::Parameters);
        assert_eq!(
            place_of(&[key("f"), key("parameters"), Index(2)]),
            Place::Type
        );
        assert_eq!(place_of(&[key("f"), key("result")]), Place::Type);
        assert_eq!(
            place_of(&[key("f"), key("type"), key("struct")]),
            Place::StructFields
        );
        assert_eq!(
            place_of(&[
                key("f"),
                key("result"),
                key("struct"),
                Index(0),
                key("struct"),
                Index(1)
            ]),
            Place::Type
        );
        assert_eq!(
            place_of(&[key("f"), key("nonblocking")]),
            Place::Field("nonblocking")
        );
        assert_eq!(place_of(&[key("f"), key("ffic")]), Place::Extension);
        assert_eq!(
            place_of(&[key("f"), key("ffic"), key("doc")]),
            Place::ExtensionField("doc")
        );
        assert_eq!(
            place_of(&[key("f"), key("ffic"), key("parameterNames"), Index(0)]),
            Place::ParameterName
        );
        assert_eq!(
            place_of(&[key("f"), key("ffic"), key("parameters"), Index(1)]),
            Place::ExtensionType
        );
        assert_eq!(
            place_of(&[key("f"), key("ffic"), key("result")]),
            Place::ExtensionType
        );
        assert_eq!(
            place_of(&[key("f"), key("ffic"), key("parameters")]),
            Place::ExtensionField("parameters")
        );
        assert_eq!(
            place_of(&[key("f"), key("result"), key("bogus")]),
            Place::Other
        );
    }
}
