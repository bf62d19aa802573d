//! `NAME.js`: an ES module for stock Deno and for ffic's host. It exports the
//! descriptor (ffic's extensions stripped, deeply frozen), the artifact's URL,
//! and `open(path)`. The descriptor is parsed from a JSON text in the module,
//! and the artifact, the digest, that text and the descriptor itself ride on
//! it under `Symbol.for("ffic")`, a non-enumerable symbol key that
//! `Deno.dlopen` never reads: ffic's host opens the library from the text
//! (what the object was parsed from, so the two cannot differ) instead of
//! serializing the object again, when the key belongs to that object.

use crate::descriptor::{Spelling, entry, has_own_types};
use ffic_schema::types::Primitive;
use ffic_schema::{Library, Symbol, SymbolKind, Type, quoted};
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
    out.push_str("export const symbols = JSON.parse(text);\n");
    let own: Vec<&Symbol> = library
        .symbols
        .iter()
        .filter(|s| has_own_types(s))
        .collect();
    if !own.is_empty() {
        out.push_str(
            "// ffic's own types are named in \"ffic\" fields, which stock Deno does not take.\nfor (const definition of Object.values(symbols)) delete definition.ffic;\n",
        );
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "Object.defineProperty(symbols, Symbol.for(\"ffic\"), {{\n  value: Object.freeze({{\n    artifact: artifact.href,\n    digest: {},\n    text,\n    symbols,\n  }}),\n}});",
        quoted(&library.digest().to_string()),
    );
    out.push_str(
        "(function freeze(value) {\n  for (const inner of Object.values(value)) {\n    if (typeof inner === \"object\") freeze(inner);\n  }\n  return Object.freeze(value);\n})(symbols);\n\n",
    );
    if own.is_empty() {
        out.push_str("export function open(path) {\n  return Deno.dlopen(path, symbols);\n}\n");
    } else {
        out.push_str(&wrappers(&own));
    }
    out
}

/// `open` for a library with types of ffic's own: ffic's host applies them
/// itself; on stock Deno each such symbol is wrapped, a C string argument
/// encoded into a NUL-terminated buffer and a C string result read with
/// `getCString`, with the errors ffic's host raises.
fn wrappers(own: &[&Symbol]) -> String {
    let mut out = String::from(
        "// For stock Deno, which lacks ffic's own types: each symbol's C string\n// parameters, and whether it returns one.\nconst ownTypes = {\n",
    );
    for symbol in own {
        let SymbolKind::Function { signature, .. } = &symbol.kind else {
            continue;
        };
        let strings: Vec<String> = signature
            .parameters
            .iter()
            .enumerate()
            .filter(|(_, ty)| **ty == Type::Primitive(Primitive::CString))
            .map(|(i, _)| i.to_string())
            .collect();
        let returns = signature.result == Type::Primitive(Primitive::CString);
        let _ = writeln!(
            out,
            "  {}: [[{}], {returns}],",
            quoted(&symbol.name),
            strings.join(", ")
        );
    }
    out.push_str(OPEN_WRAPPED);
    out
}

/// The rest of `wrappers`' output.
const OPEN_WRAPPED: &str = r#"};
const encoder = new TextEncoder();

function cstring(value) {
  if (value === null) return null;
  if (typeof value !== "string") {
    throw new TypeError("Invalid FFI cstring type, expected string, or null");
  }
  if (value.includes("\0")) {
    throw new TypeError("Invalid FFI cstring type, expected a string without NUL characters");
  }
  return encoder.encode(value + "\0");
}

function fromCString(pointer) {
  return pointer === null ? null : Deno.UnsafePointerView.getCString(pointer);
}

export function open(path) {
  const library = Deno.dlopen(path, symbols);
  if (library[Symbol.for("ffic")] === true) return library;
  // Deno's nonblocking symbols are read-only: wrap into a copy.
  const wrapped = { ...library.symbols };
  for (const [name, [strings, returnsString]] of Object.entries(ownTypes)) {
    const raw = wrapped[name];
    if (raw === null) continue;
    const nonblocking = symbols[name].nonblocking === true;
    wrapped[name] = (...args) => {
      for (const i of strings) args[i] = cstring(args[i]);
      const result = raw(...args);
      if (!nonblocking) return returnsString ? fromCString(result) : result;
      // The encoded arguments stay referenced until the call is done.
      return result.then((value) => (args, returnsString ? fromCString(value) : value));
    };
  }
  library.symbols = wrapped;
  return library;
}
"#;
