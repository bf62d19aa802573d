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

/// The validator for the committed schema, built once, with no remote references.
pub(crate) fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let schema: Value =
            serde_json::from_str(COMMITTED_SCHEMA).expect("the committed schema is valid JSON");
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&schema)
            .expect("the committed schema compiles")
    })
}
