//! The committed schema must be exactly what the types generate.
//! Regenerate with `cargo run -- schema > schema/ffic.schema.json`.

#[test]
fn committed_schema_matches_generated() {
    let generated = ffic_schema::json_schema::generate();
    if generated != ffic_schema::json_schema::COMMITTED_SCHEMA {
        panic!(
            "schema/ffic.schema.json is stale; regenerate it with \
             `cargo run -- schema > schema/ffic.schema.json`\n--- generated ---\n{generated}"
        );
    }
}
