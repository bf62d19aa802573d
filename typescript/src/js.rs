//! `NAME.js`: an ES module for stock Deno and for ffic's host. It exports the
//! descriptor (ffic's extensions stripped, deeply frozen), the artifact's URL,
//! and `open(path)`. The artifact and digest also ride on the descriptor
//! under `Symbol.for("ffic")`, a non-enumerable symbol key that
//! `Deno.dlopen` never reads.

use crate::descriptor::{Spelling, entry};
use ffic_schema::{Library, quoted};
use std::fmt::Write;

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
    out.push_str("export const symbols = {\n");
    for symbol in &library.symbols {
        let _ = writeln!(out, "  {},", entry(symbol, Spelling::Value));
    }
    out.push_str("};\n\n");
    let _ = writeln!(
        out,
        "Object.defineProperty(symbols, Symbol.for(\"ffic\"), {{\n  value: Object.freeze({{\n    artifact: artifact.href,\n    digest: {},\n  }}),\n}});",
        quoted(&library.digest().to_string()),
    );
    out.push_str(
        "(function freeze(value) {\n  for (const inner of Object.values(value)) {\n    if (typeof inner === \"object\") freeze(inner);\n  }\n  return Object.freeze(value);\n})(symbols);\n\n",
    );
    out.push_str("export function open(path) {\n  return Deno.dlopen(path, symbols);\n}\n");
    out
}
