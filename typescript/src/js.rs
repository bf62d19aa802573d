//! `NAME.js`: an ES module for stock Deno and for ffic's host. It exports the
//! descriptor (deeply frozen, as stock Deno takes it: ffic's extension
//! stripped, variadic call shapes as symbols of their own), the artifact's
//! URL, `open(path)`, and `errno()` where the extension is used. The
//! descriptor is parsed from a JSON text in the module, and the artifact,
//! the digest, that text and the descriptor itself ride on it under
//! `Symbol.for("ffic")`, a non-enumerable symbol key that `Deno.dlopen` never
//! reads: ffic's host opens the library from the text (which keeps the
//! extension) instead of serializing the object, when the key belongs to
//! that object. On stock Deno, `open` wraps the symbols that use the
//! extension.

use crate::descriptor::{Spelling, entry, entry_with, needs_wrapper};
use ffic_schema::types::Primitive;
use ffic_schema::{Library, Symbol, SymbolKind, Type, quoted};
use std::fmt::Write;

/// The JSON text the module parses its descriptor from, as the module
/// carries it (`Symbol.for("ffic")`'s `text`).
pub fn text(library: &Library) -> String {
    // A variadic function's call shapes are named in its "ffic" field,
    // which ffic's host expands into their symbols again.
    let entries: Vec<String> = library
        .symbols
        .iter()
        .filter(|symbol| symbol.shape_of.is_none())
        .map(|symbol| {
            let shapes = variadic(symbol).then(|| {
                library
                    .symbols
                    .iter()
                    .filter(|s| s.shape_of.as_deref() == Some(symbol.name.as_str()))
                    .collect::<Vec<_>>()
            });
            format!(
                "  {}",
                entry_with(symbol, Spelling::Json, shapes.as_deref())
            )
        })
        .collect();
    raw_safe(&format!("{{\n{}\n}}", entries.join(",\n")))
}

/// JSON text made safe inside a raw template literal, where only a
/// backquote or `${` would end or interpolate; in JSON both can only be
/// inside strings, where \u escapes spell them.
fn raw_safe(json: &str) -> String {
    json.replace('`', "\\u0060").replace("${", "\\u0024{")
}

/// Whether `symbol` is a variadic function (not one of its call shapes).
fn variadic(symbol: &Symbol) -> bool {
    matches!(&symbol.kind, SymbolKind::Function { signature, .. } if signature.variadic)
        && symbol.shape_of.is_none()
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
    let shapes: Vec<String> = library
        .symbols
        .iter()
        .filter(|symbol| symbol.shape_of.is_some())
        .map(|symbol| format!("  {}", entry(symbol, Spelling::Json)))
        .collect();
    if !shapes.is_empty() {
        // Parsed, not a literal: a shape named `__proto__` is a key there.
        let shapes = format!("{{\n{}\n}}", shapes.join(",\n"));
        let _ = writeln!(
            out,
            "// Each call shape of a variadic function, a symbol of its own for stock Deno.\nObject.assign(symbols, JSON.parse(String.raw`{}`));",
            raw_safe(&shapes)
        );
    }
    let own: Vec<&Symbol> = library
        .symbols
        .iter()
        .filter(|s| needs_wrapper(s))
        .collect();
    if !own.is_empty() || library.symbols.iter().any(variadic) {
        out.push_str(
            "// What only ffic's host does is named in \"ffic\" fields, which stock Deno does not take.\nfor (const definition of Object.values(symbols)) delete definition.ffic;\n",
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

/// `open` (and `errno`) for a library with what only ffic's host does:
/// that host applies it itself; on stock Deno each such symbol is wrapped,
/// a C string argument encoded into a NUL-terminated buffer, a C string
/// result read with `getCString`, with the errors ffic's host raises, and
/// errno read from libc right after the call (a nonblocking call's, on a
/// worker thread, cannot be: `null`).
fn wrappers(own: &[&Symbol]) -> String {
    let mut out = String::from(
        "// For stock Deno: each symbol's C string parameters, whether it returns\n// one, and whether it captures errno.\nconst wrapped = {\n",
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
            "  {}: [[{}], {returns}, {}],",
            quoted(&symbol.name),
            strings.join(", "),
            signature.errno
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

// errno: ffic's host keeps what each capturing call left; on stock Deno it
// is read from libc after the call, which is as close as Deno can get.
let host;
let lastErrno = 0;
let errnoLocation;

function readErrno() {
  return new Deno.UnsafePointerView(errnoLocation()).getInt32();
}

export function errno() {
  return host === undefined ? lastErrno : host.errno();
}

export function open(path) {
  const library = Deno.dlopen(path, symbols);
  const ffic = library[Symbol.for("ffic")];
  if (ffic !== undefined) {
    host = ffic;
    return library;
  }
  // Bound now: binding it between a call and the read would change errno.
  if (Object.values(wrapped).some(([, , capturesErrno]) => capturesErrno)) {
    errnoLocation ??= Deno.dlopen("libc.so.6", {
      __errno_location: { parameters: [], result: "pointer" },
    }).symbols.__errno_location;
  }
  // Deno's nonblocking symbols are read-only: wrap into a copy.
  const own = { ...library.symbols };
  for (const [name, [strings, returnsString, capturesErrno]] of Object.entries(wrapped)) {
    const raw = own[name];
    if (raw === null) continue;
    const nonblocking = symbols[name].nonblocking === true;
    own[name] = (...args) => {
      for (const i of strings) args[i] = cstring(args[i]);
      const result = raw(...args);
      if (!nonblocking) {
        if (capturesErrno) lastErrno = readErrno();
        return returnsString ? fromCString(result) : result;
      }
      // The encoded arguments stay referenced until the call is done.
      return result.then((value) => {
        const got = (args, returnsString ? fromCString(value) : value);
        return capturesErrno ? { value: got, errno: null } : got;
      });
    };
  }
  library.symbols = own;
  return library;
}
"#;
