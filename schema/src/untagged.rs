//! Deserializing the descriptor's two either-or types, [`SymbolDef`] and
//! [`NativeType`], in one pass. serde's derived `untagged` enums buffer
//! every value into an intermediate tree and try each variant in turn,
//! which was most of the time reading a 1000-symbol descriptor took. The rules are the derived ones: a definition with a `type` field
//! is a static (Deno's rule), anything else a function; a type is a
//! primitive's name or `{"struct": [...]}`; unknown fields are ignored and
//! a field given twice is an error. Where the two differ, it is on input
//! the JSON Schema refuses anyway (both readers only see validated text):
//! the derived enums also took a malformed `type` beside `parameters` and
//! `result` as a function, and other serde shapes (sequences for structs).
//! One difference reaches valid input: a malformed function-only field
//! (`parameters`, `result`, `nonblocking`) is an error even beside a `type`
//! field that comes later, which makes it a static's ignored unknown field;
//! `SymbolDef::from_value` reads such a definition again as a static.

use crate::types::{
    ForeignFunction, ForeignStatic, FunctionExtension, NativeType, Primitive, StaticExtension,
    StructType, SymbolDef,
};
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use std::fmt;

/// The one field of a struct type, read without allocating.
#[derive(Deserialize)]
#[serde(field_identifier)]
enum StructField {
    #[serde(rename = "struct")]
    Struct,
    #[serde(other)]
    Other,
}

/// A definition's fields, read without allocating.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum Field {
    Name,
    Parameters,
    Result,
    Nonblocking,
    Optional,
    Type,
    Ffic,
    #[serde(other)]
    Other,
}

impl<'de> Deserialize<'de> for NativeType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Native;
        impl<'de> Visitor<'de> for Native {
            type Value = NativeType;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a native type name or {\"struct\": [...]}")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<NativeType, E> {
                Primitive::deserialize(de::value::StrDeserializer::<E>::new(name))
                    .map(NativeType::Primitive)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NativeType, A::Error> {
                let mut fields = None;
                while let Some(key) = map.next_key::<StructField>()? {
                    if matches!(key, StructField::Other) {
                        map.next_value::<IgnoredAny>()?;
                    } else if fields.is_some() {
                        return Err(de::Error::duplicate_field("struct"));
                    } else {
                        fields = Some(map.next_value::<Vec<NativeType>>()?);
                    }
                }
                let fields = fields.ok_or_else(|| de::Error::missing_field("struct"))?;
                Ok(NativeType::Struct(StructType { fields }))
            }
        }
        deserializer.deserialize_any(Native)
    }
}

/// Sets `slot` from the map's next value, refusing a second one.
fn once<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// The `ffic` extension object as `T` (a static's or a function's).
fn extension<T: serde::de::DeserializeOwned, E: de::Error>(
    value: Option<Value>,
) -> Result<Option<T>, E> {
    value
        .map(|value| serde_json::from_value(value).map_err(E::custom))
        .transpose()
}

impl<'de> Deserialize<'de> for SymbolDef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Definition;
        impl<'de> Visitor<'de> for Definition {
            type Value = SymbolDef;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a foreign function or static definition")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SymbolDef, A::Error> {
                // `name` and `nonblocking` may be null, hence the double Option.
                let mut name: Option<Option<String>> = None;
                let mut parameters: Option<Vec<NativeType>> = None;
                let mut result: Option<NativeType> = None;
                let mut nonblocking: Option<Option<bool>> = None;
                let mut optional: Option<bool> = None;
                let mut ty: Option<NativeType> = None;
                // Which extension it is depends on `type`, which may come after.
                let mut ffic: Option<Option<Value>> = None;
                while let Some(key) = map.next_key::<Field>()? {
                    match key {
                        Field::Name => once(&mut map, &mut name, "name")?,
                        Field::Parameters => once(&mut map, &mut parameters, "parameters")?,
                        Field::Result => once(&mut map, &mut result, "result")?,
                        Field::Nonblocking => once(&mut map, &mut nonblocking, "nonblocking")?,
                        Field::Optional => once(&mut map, &mut optional, "optional")?,
                        Field::Type => once(&mut map, &mut ty, "type")?,
                        Field::Ffic => once(&mut map, &mut ffic, "ffic")?,
                        Field::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                let name = name.flatten();
                let optional = optional.unwrap_or(false);
                let ffic = ffic.flatten();
                if let Some(ty) = ty {
                    return Ok(SymbolDef::Static(ForeignStatic {
                        name,
                        ty,
                        optional,
                        ffic: extension::<StaticExtension, A::Error>(ffic)?,
                    }));
                }
                Ok(SymbolDef::Function(ForeignFunction {
                    name,
                    parameters: parameters.ok_or_else(|| de::Error::missing_field("parameters"))?,
                    result: result.ok_or_else(|| de::Error::missing_field("result"))?,
                    nonblocking: nonblocking.flatten(),
                    optional,
                    ffic: extension::<FunctionExtension, A::Error>(ffic)?,
                }))
            }
        }
        deserializer.deserialize_map(Definition)
    }
}

#[cfg(test)]
mod tests {
    use crate::{SymbolKind, Target, check};

    /// Beside `type`, function-only fields are a static's unknown fields,
    /// ignored whatever they hold (found by the robustness fuzzer): `check`
    /// reads such a definition as a static.
    #[test]
    fn a_static_ignores_malformed_function_fields() {
        for text in [
            r#"{"a": {"nonblocking": 0, "type": "i32"}}"#,
            r#"{"a": {"parameters": 5, "result": [], "type": "u8"}}"#,
        ] {
            let report = check(text.as_bytes(), Target::host());
            let library = report.library.expect("valid, with warnings");
            assert!(matches!(library.symbols[0].kind, SymbolKind::Static { .. }));
        }
    }
}
