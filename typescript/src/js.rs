//! `NAME.js`: an ES module for stock Deno and for ffic's host. It exports the
//! descriptor (ffic's extensions stripped, deeply frozen), the artifact's URL,
//! and `open(path)`. The artifact and digest also ride on the descriptor
//! under `Symbol.for("ffic")`, a non-enumerable symbol key that
//! `Deno.dlopen` never reads.

use crate::names::{key, string};
use crate::types::literal_value;
use ffic_schema::{Library, Symbol, SymbolKind};
use std::fmt::Write;

/// Renders the module.
pub fn module(library: &Library, name: &str, source: &str) -> String {
    let mut out = crate::header(source);
    let _ = writeln!(out, "// @ts-self-types=\"./{name}.d.ts\"");
    out.push('\n');
    let _ = writeln!(
        out,
        "export const artifact = new URL({}, import.meta.url);\n",
        string(&format!("./{name}.ffic"))
    );
    out.push_str("export const symbols = {\n");
    for symbol in &library.symbols {
        let _ = writeln!(
            out,
            "  {}: {},",
            key(&symbol.name),
            descriptor_value(symbol)
        );
    }
    out.push_str("};\n\n");
    let _ = writeln!(
        out,
        "Object.defineProperty(symbols, Symbol.for(\"ffic\"), {{\n  value: Object.freeze({{ artifact: artifact.href, digest: {} }}),\n}});",
        string(&library.digest().to_string())
    );
    out.push_str(
        "(function freeze(value) {\n  for (const inner of Object.values(value)) {\n    if (typeof inner === \"object\") freeze(inner);\n  }\n  return Object.freeze(value);\n})(symbols);\n\n",
    );
    out.push_str("export function open(path) {\n  return Deno.dlopen(path, symbols);\n}\n");
    out
}

fn descriptor_value(symbol: &Symbol) -> String {
    let mut fields = Vec::new();
    if symbol.native != symbol.name {
        fields.push(format!("name: {}", string(&symbol.native)));
    }
    match &symbol.kind {
        SymbolKind::Function {
            signature,
            nonblocking,
            ..
        } => {
            let params: Vec<String> = signature.parameters.iter().map(literal_value).collect();
            fields.push(format!("parameters: [{}]", params.join(", ")));
            fields.push(format!("result: {}", literal_value(&signature.result)));
            if *nonblocking {
                fields.push("nonblocking: true".into());
            }
        }
        SymbolKind::Static { ty } => fields.push(format!("type: {}", literal_value(ty))),
    }
    if symbol.optional {
        fields.push("optional: true".into());
    }
    format!("{{ {} }}", fields.join(", "))
}
