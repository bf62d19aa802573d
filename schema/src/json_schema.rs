//! The published JSON Schema: generated from the descriptor types, committed
//! at `schema/ffic.schema.json`, and the validator built from that file.

use crate::types::Descriptor;
use schemars::generate::SchemaSettings;
use serde_json::Value;
use std::sync::OnceLock;

/// The schema's stable identifier; descriptor files may name it in `"$schema"`.
pub const SCHEMA_ID: &str = "urn:ffic:schema:descriptor:v1";

/// The committed schema file, exactly as published.
pub const COMMITTED_SCHEMA: &str = include_str!("../ffic.schema.json");

/// Generates the schema from the descriptor types, as pretty JSON ending in a newline.
pub fn generate() -> String {
    let mut schema = SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<Descriptor>();
    schema.insert("$id".into(), SCHEMA_ID.into());
    schema.insert(
        "title".into(),
        "ffic descriptor (Deno.dlopen symbols)".into(),
    );
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema always serializes");
    text.push('\n');
    text
}

/// Definitions whose unknown fields Deno ignores, so ffic warns rather than
/// fails (a struct type's extra keys, which Deno rejects, stay errors).
const WARN_ONLY_CLOSED: [&str; 4] = [
    "ForeignFunction",
    "ForeignStatic",
    "FunctionExtension",
    "StaticExtension",
];

/// Validators for the committed schema: the whole document, and the
/// definitions a large document is validated piece by piece with.
pub(crate) struct Validators {
    /// The whole descriptor.
    pub root: jsonschema::Validator,
    /// The whole descriptor, allowing the unknown fields that ffic only warns
    /// about: valid here means no schema *errors*.
    pub lenient: jsonschema::Validator,
    /// One symbol definition (`$defs/Symbol`).
    pub symbol: jsonschema::Validator,
    /// One native type (`$defs/NativeType`).
    pub native_type: jsonschema::Validator,
    /// One parameter name (`$defs/ParameterName`).
    pub parameter_name: jsonschema::Validator,
}

/// The validators, built once. Remote references cannot be fetched: the
/// crate is built without its resolvers.
pub(crate) fn validators() -> &'static Validators {
    static VALIDATORS: OnceLock<Validators> = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        let schema: Value =
            serde_json::from_str(COMMITTED_SCHEMA).expect("the committed schema is valid JSON");
        let definition = |name: &str| {
            build(&serde_json::json!({
                "$schema": schema["$schema"],
                "$ref": format!("#/$defs/{name}"),
                "$defs": schema["$defs"],
            }))
        };
        let mut lenient = schema.clone();
        for name in WARN_ONLY_CLOSED {
            if let Some(definition) = lenient["$defs"][name].as_object_mut() {
                definition.remove("additionalProperties");
            }
        }
        Validators {
            root: build(&schema),
            lenient: build(&lenient),
            symbol: definition("Symbol"),
            native_type: definition("NativeType"),
            parameter_name: definition("ParameterName"),
        }
    })
}

fn build(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(schema)
        .expect("the committed schema compiles")
}
