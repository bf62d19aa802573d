//! The descriptor as written: serde + schemars types for a `Deno.dlopen`
//! symbols object, plus ffic's documented extension object (`"ffic"`).
//!
//! These types are the source of the published JSON Schema. Unknown fields are
//! ignored when deserializing (as Deno does); the schema forbids them so editors
//! flag typos, and `ffic check` reports them as warnings.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The name of the per-symbol extension field, stripped before Deno sees the descriptor.
pub const EXTENSION_FIELD: &str = "ffic";

/// The top-level key a descriptor file may use to name its JSON Schema.
pub const SCHEMA_FIELD: &str = "$schema";

/// The top-level key of ffic's extension for the whole library (named
/// constants and structs), stripped before Deno sees the descriptor.
pub const LIBRARY_FIELD: &str = "$ffic";

/// Whether a top-level key names something other than a symbol.
pub fn is_reserved_key(key: &str) -> bool {
    key == SCHEMA_FIELD || key == LIBRARY_FIELD
}

/// A whole descriptor file: symbol definitions in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Descriptor {
    /// The `$schema` reference, if the file names one.
    pub schema: Option<String>,
    /// ffic's extension for the whole library, if the file has one.
    pub library: Option<LibraryExtension>,
    /// Symbols keyed by the property name JavaScript sees, in file order.
    pub symbols: Vec<(String, SymbolDef)>,
}

/// ffic's extension for the whole library (`"$ffic"`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, JsonSchema)]
#[schemars(extend("additionalProperties" = false))]
pub struct LibraryExtension {
    /// Named constants (a C header's enum values and `#define`s), in
    /// order: the generated module exports them as `constants`.
    #[serde(default)]
    #[schemars(with = "BTreeMap<ParameterName, ConstantValue>")]
    pub constants: Option<Map<String, Value>>,
    /// Named structs (a C header's), in order, each mapping its field names
    /// to field types (or, as a C typedef does, naming a struct listed
    /// before it): the generated module gives each a typed view class.
    #[serde(default)]
    #[schemars(with = "BTreeMap<ParameterName, NamedStructEntry>")]
    pub structs: Option<Map<String, Value>>,
    /// The native library to open when the generated module's `open()` is
    /// given no path (`"libz.so.1"`).
    #[schemars(length(min = 1))]
    pub library: Option<String>,
}

/// The most elements a fixed-array field of a named struct holds.
pub const MAX_ARRAY_FIELD: u64 = 1 << 20;

/// A named struct: its fields, or the name of a struct listed before it
/// (another name for the same struct, as a C typedef gives one).
pub struct NamedStructEntry;

impl JsonSchema for NamedStructEntry {
    fn schema_name() -> Cow<'static, str> {
        "NamedStructEntry".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A struct's fields, or the name of a struct listed before it (another name for that struct, as a C typedef gives one).",
            "anyOf": [
                generator.subschema_for::<StructFields>(),
                { "type": "string", "minLength": 1 }
            ]
        })
    }
}

/// A named struct's fields in order: each a primitive's name, the name of
/// a struct listed before this one, an inline struct (nested, unnamed), or
/// `[primitive, count]` for a fixed array.
pub struct StructFields;

impl JsonSchema for StructFields {
    fn schema_name() -> Cow<'static, str> {
        "StructFields".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let nested = generator.subschema_for::<StructFields>();
        json_schema!({
            "description": "A struct's fields in order: a primitive's name, the name of a struct listed before this one, an inline struct, or [primitive, count] for a fixed array.",
            "type": "object",
            "minProperties": 1,
            "patternProperties": {
                r"^[A-Za-z_$][A-Za-z0-9_$]*$": {
                    "anyOf": [
                        { "type": "string" },
                        nested,
                        {
                            "type": "array",
                            "prefixItems": [
                                { "type": "string" },
                                { "type": "integer", "minimum": 1, "maximum": MAX_ARRAY_FIELD }
                            ],
                            "minItems": 2,
                            "maxItems": 2
                        }
                    ]
                }
            },
            "additionalProperties": false
        })
    }
}

/// A constant's value: a number (an integer beyond 2^53 becomes a
/// `bigint` in JavaScript) or a string.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum ConstantValue {
    /// A number.
    Number(f64),
    /// A string.
    Text(String),
}

impl Descriptor {
    /// Builds the typed descriptor from a parsed JSON object (file order kept).
    pub fn from_object(object: &Map<String, Value>) -> Result<Self, serde_json::Error> {
        let mut schema = None;
        let mut library = None;
        let mut symbols = Vec::with_capacity(object.len());
        for (key, value) in object {
            if key == SCHEMA_FIELD {
                schema = Some(String::deserialize(value)?);
            } else if key == LIBRARY_FIELD {
                library = Some(LibraryExtension::deserialize(value)?);
            } else {
                symbols.push((key.clone(), SymbolDef::from_value(value)?));
            }
        }
        Ok(Descriptor {
            schema,
            library,
            symbols,
        })
    }
}

impl JsonSchema for Descriptor {
    fn schema_name() -> Cow<'static, str> {
        "Descriptor".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A Deno.dlopen symbols object: each key is the name JavaScript sees, each value a foreign function or static.",
            "type": "object",
            "properties": {
                SCHEMA_FIELD: {
                    "description": "The JSON Schema this file follows (lets editors validate and complete it). Not a symbol; stripped before Deno sees the descriptor.",
                    "type": "string"
                },
                LIBRARY_FIELD: generator.subschema_for::<LibraryExtension>()
            },
            "additionalProperties": generator.subschema_for::<SymbolDef>()
        })
    }
}

impl SymbolDef {
    /// Reads a definition from its JSON value: in one pass where that works;
    /// else, as a static exactly when it has a `type` field, ignoring what a
    /// static does not have (the one-pass read refuses a malformed
    /// function-only field even beside `type`, since it cannot know yet).
    pub fn from_value(value: &Value) -> Result<SymbolDef, serde_json::Error> {
        SymbolDef::deserialize(value).or_else(|error| match value {
            Value::Object(map) if is_static_definition(map) => {
                ForeignStatic::deserialize(value).map(SymbolDef::Static)
            }
            _ => Err(error),
        })
    }
}

/// Deno's rule: a symbol definition with a `type` field is a static, any other
/// a function. `SymbolDef` and its schema say the same declaratively.
pub fn is_static_definition(definition: &Map<String, Value>) -> bool {
    definition.contains_key("type")
}

/// One symbol: a function, or a static when the object has a `type` field
/// (Deno's rule). Deserialized in one pass (`untagged.rs`).
#[derive(Debug, Clone, PartialEq)]
pub enum SymbolDef {
    /// `{ "type": T, ... }`: a global variable read at open.
    Static(ForeignStatic),
    /// `{ "parameters": [...], "result": T, ... }`.
    Function(ForeignFunction),
}

impl JsonSchema for SymbolDef {
    fn schema_name() -> Cow<'static, str> {
        "Symbol".into()
    }

    // Deno treats an object with a `type` field as a static and anything else as
    // a function. if/then/else says the same and, unlike anyOf, lets validators
    // report errors at the exact field.
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A foreign function, or a foreign static when the object has a \"type\" field.",
            "type": "object",
            "if": { "required": ["type"] },
            "then": generator.subschema_for::<ForeignStatic>(),
            "else": generator.subschema_for::<ForeignFunction>()
        })
    }
}

/// A foreign function, as `Deno.dlopen` takes it.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[schemars(extend("additionalProperties" = false))]
pub struct ForeignFunction {
    /// The native symbol to look up, when it differs from the key (`null`: the key).
    #[schemars(length(min = 1))]
    pub name: Option<String>,
    /// Parameter types, in order.
    pub parameters: Vec<NativeType>,
    /// Result type (`"void"` for none).
    pub result: NativeType,
    /// Call on a worker thread and return a Promise (`null`: false, as in Deno).
    pub nonblocking: Option<bool>,
    /// Resolve to `null` instead of failing when the library lacks the symbol.
    #[serde(default)]
    pub optional: bool,
    /// ffic extensions (documentation, parameter names); stripped for Deno.
    #[serde(default)]
    #[schemars(with = "FunctionExtension")]
    pub ffic: Option<FunctionExtension>,
}

/// A foreign static (global variable), as `Deno.dlopen` takes it.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[schemars(extend("additionalProperties" = false))]
pub struct ForeignStatic {
    /// The native symbol to look up, when it differs from the key (`""` or `null`: the key).
    pub name: Option<String>,
    /// The variable's type.
    #[serde(rename = "type")]
    pub ty: NativeType,
    /// Resolve to `null` instead of failing when the library lacks the symbol.
    #[serde(default)]
    pub optional: bool,
    /// ffic extensions (documentation); stripped for Deno.
    #[serde(default)]
    #[schemars(with = "StaticExtension")]
    pub ffic: Option<StaticExtension>,
}

/// ffic's extension fields on a function.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("additionalProperties" = false))]
pub struct FunctionExtension {
    /// Documentation shown by editors (JSDoc in the generated `.d.ts`).
    pub doc: Option<String>,
    /// A JavaScript identifier for each parameter, used in the generated types.
    #[serde(default)]
    #[schemars(with = "Vec<ParameterName>")]
    pub parameter_names: Option<Vec<ParameterName>>,
    /// ffic's own type of each parameter (`null`: as declared), where the
    /// declared type is the one stock Deno passes it as.
    #[serde(default)]
    #[schemars(with = "Vec<Option<ExtensionType>>")]
    pub parameters: Option<Vec<Option<ExtensionType>>>,
    /// ffic's own type of the result, where the declared type is the one
    /// stock Deno returns it as.
    pub result: Option<ExtensionType>,
    /// Capture `errno` right after each call, before anything else can
    /// change it: the generated module's `errno()` reads it after a call,
    /// and a nonblocking call resolves to `{ value, errno }`.
    #[serde(default)]
    pub errno: bool,
    /// Call shapes of a variadic function, each a symbol of its own: its
    /// name, and the types passed after the fixed parameters (promoted as C
    /// promotes them: `f32` as `f64`, narrower integers and `bool` as `i32`).
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, Vec<VariadicType>>")]
    pub variadic: Option<BTreeMap<String, Vec<VariadicType>>>,
    /// Accepted so descriptors written for earlier versions still check; no
    /// longer needed (re-entering JS from any fast call is safe) and ignored.
    #[serde(default)]
    pub calls_back: bool,
}

/// A type of ffic's own, named in the `ffic` extension over the type stock
/// Deno uses for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum ExtensionType {
    /// NUL-terminated UTF-8 over a `buffer` parameter or a `pointer`
    /// result: a JS string (or null) both ways.
    #[serde(rename = "cstring")]
    CString,
}

impl ExtensionType {
    /// The primitive it stands for.
    pub fn primitive(self) -> Primitive {
        match self {
            ExtensionType::CString => Primitive::CString,
        }
    }
}

/// A type in a variadic call shape: any primitive with a value, `cstring`
/// included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VariadicType(pub Primitive);

impl<'de> Deserialize<'de> for VariadicType {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let name = String::deserialize(de)?;
        crate::native::TABLE
            .iter()
            .find(|row| row.name == name && row.kind != crate::native::Kind::Void)
            .map(|row| VariadicType(row.primitive))
            .ok_or_else(|| serde::de::Error::custom(format!("unknown variadic type {name:?}")))
    }
}

impl JsonSchema for VariadicType {
    fn schema_name() -> Cow<'static, str> {
        "VariadicType".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let names: Vec<&str> = crate::native::TABLE
            .iter()
            .filter(|row| row.kind != crate::native::Kind::Void)
            .map(|row| row.name)
            .collect();
        json_schema!({
            "description": "A type passed in the variadic part of a call (promoted as C promotes it).",
            "enum": names
        })
    }
}

/// ffic's extension fields on a static.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, JsonSchema)]
#[schemars(extend("additionalProperties" = false))]
pub struct StaticExtension {
    /// Documentation shown by editors (JSDoc in the generated `.d.ts`).
    pub doc: Option<String>,
}

/// A parameter name: a plain JavaScript identifier.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(transparent)]
#[schemars(extend("pattern" = r"^[A-Za-z_$][A-Za-z0-9_$]*$"))]
pub struct ParameterName(pub String);

/// A native type: a primitive's name or `{ "struct": [...] }`. Deserialized
/// in one pass (`untagged.rs`).
#[derive(Debug, Clone, PartialEq)]
pub enum NativeType {
    /// `"i32"`, `"pointer"`, ...
    Primitive(Primitive),
    /// `{ "struct": [field types] }`, laid out by the C ABI.
    Struct(StructType),
}

impl JsonSchema for NativeType {
    fn schema_name() -> Cow<'static, str> {
        "NativeType".into()
    }

    // anyOf rather than if/then/else because editors complete values only
    // through anyOf/oneOf; ffic's diagnostics still come from the struct
    // branch's own errors (see STRUCT_BRANCH).
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A native type: a primitive's name, or {\"struct\": [field types]}.",
            "anyOf": [
                generator.subschema_for::<Primitive>(),
                generator.subschema_for::<StructType>()
            ]
        })
    }
}

/// Index of the struct type in [`NativeType`]'s `anyOf`.
pub(crate) const STRUCT_BRANCH: usize = 1;

/// A struct passed or returned by value.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[schemars(extend("additionalProperties" = false))]
pub struct StructType {
    /// Field types in declaration order (C layout rules apply).
    #[serde(rename = "struct")]
    #[schemars(length(min = 1))]
    pub fields: Vec<NativeType>,
}

/// Every primitive type name `Deno.dlopen` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Primitive {
    /// No value; only valid as a result.
    Void,
    /// C `bool` (one byte).
    Bool,
    /// `uint8_t`.
    U8,
    /// `int8_t`.
    I8,
    /// `uint16_t`.
    U16,
    /// `int16_t`.
    I16,
    /// `uint32_t`.
    U32,
    /// `int32_t`.
    I32,
    /// `uint64_t` (`number | bigint` in JavaScript).
    U64,
    /// `int64_t` (`number | bigint` in JavaScript).
    I64,
    /// `size_t`.
    Usize,
    /// `ssize_t` / `ptrdiff_t`.
    Isize,
    /// `float`.
    F32,
    /// `double`.
    F64,
    /// An opaque pointer (`Deno.PointerValue`).
    Pointer,
    /// A pointer to the bytes of a typed array or ArrayBuffer.
    Buffer,
    /// A function pointer (e.g. an `UnsafeCallback`).
    Function,
    /// A C string (ffic's): only in the `ffic` extension, over a `buffer`
    /// parameter or a `pointer` result.
    #[serde(skip)]
    CString,
}

impl Primitive {
    /// Every primitive, in the table's order: Deno's, in the order Deno
    /// documents them, then ffic's own.
    pub const ALL: [Primitive; 18] = {
        let mut all = [Primitive::Void; 18];
        let mut i = 0;
        while i < all.len() {
            all[i] = crate::native::TABLE[i].primitive;
            i += 1;
        }
        all
    };

    /// The name used in descriptors.
    pub fn name(self) -> &'static str {
        self.row().name
    }

    /// Looks a primitive up by its name in Deno's descriptors.
    pub fn from_name(name: &str) -> Option<Primitive> {
        Primitive::deno().find(|p| p.name() == name)
    }

    /// The primitives Deno's descriptors take (not ffic's own).
    pub fn deno() -> impl Iterator<Item = Primitive> {
        Primitive::ALL
            .into_iter()
            .filter(|p| p.row().carrier.is_none())
    }
}
