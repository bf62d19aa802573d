//! `NAME.js`: an ES module for stock Deno and for ffic's host. It exports the
//! descriptor (ffic's extensions stripped, deeply frozen), the artifact's URL,
//! and `open(path)`. The descriptor is parsed from a JSON text in the module,
//! and the artifact, the digest, that text and the descriptor itself ride on
//! it under `Symbol.for("ffic")`, a non-enumerable symbol key that
//! `Deno.dlopen` never reads: ffic's host opens the library from the text
//! (what the object was parsed from, so the two cannot differ) instead of
//! serializing the object again, when the key belongs to that object.

use crate::descriptor::{Spelling, entry};
use ffic_schema::{Library, quoted};
use std::fmt::Write;

/// The JSON text the module parses its descriptor from, as the module
/// carries it (`Symbol.for("ffic")`'s `text`). In a raw template literal
/// only a backquote or `${` would end or interpolate; in JSON both can only
/// be inside strings, where \u escapes spell them.
pub fn text(library: &Library) -> String {
    let entries: Vec<String> = library
        .symbols
        .iter()
        .map(|symbol| format!("  {}", entry(symbol, Spelling::Json)))
        .collect();
    format!("{{\n{}\n}}", entries.join(",\n"))
        .replace('`', "\\u0060")
        .replace("${", "\\u0024{")
}

/// Renders the module.
pub fn module(library: &Library, name: &str, source: &str) -> String {
    let mut out = crate::header(source);
    let _ = writeln!(out, "// @ts-self-types=\"./{name}.d.ts\"");
    out.push('\n');
    let _ = writeln!(
        out,
        "export const artifact = new URL({}, import.meta.url);\n",
        quoted(&format!("./{name}.ffic"))
    );
    let json = text(library);
    out.push_str("// What `symbols` is parsed from; ffic's host opens the library from it.\n");
    let _ = writeln!(out, "const text = String.raw`{json}`;\n");
    out.push_str("export const symbols = JSON.parse(text);\n\n");
    let _ = writeln!(
        out,
        "Object.defineProperty(symbols, Symbol.for(\"ffic\"), {{\n  value: Object.freeze({{\n    artifact: artifact.href,\n    digest: {},\n    text,\n    symbols,\n  }}),\n}});",
        quoted(&library.digest().to_string()),
    );
    out.push_str(
        "(function freeze(value) {\n  for (const inner of Object.values(value)) {\n    if (typeof inner === \"object\") freeze(inner);\n  }\n  return Object.freeze(value);\n})(symbols);\n\n",
    );
    out.push_str("export function open(path) {\n  return Deno.dlopen(path, symbols);\n}\n");
    out
}
