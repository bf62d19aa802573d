//! `NAME.js`: an ES module for stock Deno and for ffic's host. It exports the
//! descriptor (deeply frozen, as stock Deno takes it: ffic's extension
//! stripped, variadic call shapes as symbols of their own), the artifact's
//! URL, `open(path)`, `errno()` where the extension is used, for
//! variadic functions `shape(library, name, types)`, and the library's
//! named `constants` and `structs`. The
//! descriptor is parsed from a JSON text in the module, and the artifact,
//! the digest, that text and the descriptor itself ride on it under
//! `Symbol.for("ffic")`, a non-enumerable symbol key that `Deno.dlopen` never
//! reads: ffic's host opens the library from the text (which keeps the
//! extension) instead of serializing the object, when the key belongs to
//! that object. On stock Deno, `open` wraps the symbols that use the
//! extension.

use crate::descriptor::{
    Spelling, deno_parameter, entry, entry_with, needs_wrapper, variadic_function,
};
use ffic_schema::native::{Kind, TABLE};
use ffic_schema::types::Primitive;
use ffic_schema::{Constant, Library, Symbol, SymbolKind, Type, quoted};
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
            let shapes = variadic_function(symbol).then(|| {
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
    if !own.is_empty() || library.symbols.iter().any(variadic_function) {
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
    let variadics: Vec<&Symbol> = library
        .symbols
        .iter()
        .filter(|s| variadic_function(s))
        .collect();
    let opens = if own.is_empty() && variadics.is_empty() {
        "export function open(path) {\n  return Deno.dlopen(path, symbols);\n}\n".to_owned()
    } else {
        wrappers(&own)
    };
    // A library named in the descriptor is what `open()` opens by default.
    match &library.default_library {
        Some(name) => out.push_str(&opens.replacen(
            "export function open(path) {",
            &format!("export function open(path = {}) {{", quoted(name)),
            1,
        )),
        None => out.push_str(&opens),
    }
    if !variadics.is_empty() {
        out.push_str(&shape_function(&variadics));
    }
    if !library.constants.is_empty() {
        out.push_str(&constants(library));
    }
    if !library.structs.is_empty() {
        out.push_str(&crate::structs::module(library));
    }
    out
}

/// `constants`: the descriptor's named constants, frozen.
fn constants(library: &Library) -> String {
    let entries: Vec<String> = library
        .constants
        .iter()
        // Computed keys: `"__proto__": v` would set the prototype instead.
        .map(|(name, value)| format!("  [{}]: {},", quoted(name), constant_literal(value)))
        .collect();
    format!(
        "\n// The library's named constants.\nexport const constants = Object.freeze({{\n{}\n}});\n",
        entries.join("\n")
    )
}

/// A constant as a JavaScript literal (and TypeScript literal type): an
/// integer beyond 2^53 as a bigint, so that it keeps every digit.
pub fn constant_literal(value: &Constant) -> String {
    const SAFE: u64 = (1 << 53) - 1;
    match value {
        Constant::Number(n) if n.as_u64().is_some_and(|v| v > SAFE) => format!("{n}n"),
        Constant::Number(n) if n.as_i64().is_some_and(|v| v.unsigned_abs() > SAFE) => {
            format!("{n}n")
        }
        Constant::Number(n) => n.to_string(),
        Constant::Text(text) => quoted(text),
    }
}

/// `shape(library, name, types)`: a call shape chosen at run time, which
/// ffic's host compiles on first use (or maps from its cache) as it does
/// any descriptor's, and stock Deno calls as a symbol of its own.
fn shape_function(variadics: &[&Symbol]) -> String {
    let types: Vec<String> = TABLE
        .iter()
        .filter(|row| row.kind != Kind::Void)
        .map(|row| {
            let travels = deno_parameter(row.primitive.promoted());
            format!("{}: {}", quoted(row.name), quoted(travels.name()))
        })
        .collect();
    let names: Vec<String> = variadics.iter().map(|s| quoted(&s.name)).collect();
    format!(
        "\n// Call shapes chosen at run time: each variadic type, and what stock Deno\n// passes it as (promoted as C promotes it; a C string in a buffer).\nconst variadicTypes = {{ {} }};\nconst variadicFunctions = new Set([{}]);\n{SHAPE}",
        types.join(", "),
        names.join(", ")
    )
}

/// The rest of `shape_function`'s output.
const SHAPE: &str = r#"// Each library's shapes made so far, by key: the function and its library.
const made = new WeakMap();

export function shape(library, name, types) {
  if (!variadicFunctions.has(name)) {
    throw new TypeError(`${String(name)} is not a variadic function of this module`);
  }
  if (!Array.isArray(types) || !types.every((t) => Object.hasOwn(variadicTypes, t))) {
    throw new TypeError(
      `Invalid call shape for ${name}: expected an array of ${Object.keys(variadicTypes).join(", ")}`,
    );
  }
  const path = paths.get(library);
  if (path === undefined) throw new TypeError("Not an open library of this module");
  let shapes = made.get(library);
  if (shapes === undefined) {
    shapes = new Map();
    made.set(library, shapes);
    // The shapes' libraries close with the library.
    const close = library.close;
    library.close = function () {
      paths.delete(library);
      for (const [, opened] of shapes.values()) opened.close();
      return close.call(this);
    };
  }
  const key = `${name}(${types.join(", ")})`;
  const known = shapes.get(key);
  if (known !== undefined) return known[0];
  let opened;
  let call;
  if (library[Symbol.for("ffic")] !== undefined) {
    // ffic's host compiles the shape as one of the function's own.
    const definition = JSON.parse(text)[name];
    const ffic = { ...definition.ffic, variadic: { [key]: types } };
    opened = Deno.dlopen(path, { [name]: { ...definition, ffic } });
    call = opened.symbols[key];
  } else {
    const base = symbols[name];
    const [strings = [], returnsString = false, capturesErrno = false] = wrapped[name] ?? [];
    const parameters = [...base.parameters, ...types.map((t) => variadicTypes[t])];
    opened = Deno.dlopen(path, { [key]: { ...base, name: base.name ?? name, parameters } });
    const raw = opened.symbols[key];
    const all = [...strings];
    types.forEach((t, i) => t === "cstring" && all.push(base.parameters.length + i));
    const wrapping = [all, returnsString, capturesErrno];
    call = raw === null ? null : wrap(raw, wrapping, base.nonblocking === true);
  }
  shapes.set(key, [call, opened]);
  return call;
}
"#;

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

// For stock Deno: `raw` with its C string arguments encoded, a C string
// result read and errno read right after the call.
function wrap(raw, [strings, returnsString, capturesErrno], nonblocking) {
  // Bound now: binding it between a call and the read would change errno.
  if (capturesErrno) {
    errnoLocation ??= Deno.dlopen("libc.so.6", {
      __errno_location: { parameters: [], result: "pointer" },
    }).symbols.__errno_location;
  }
  return (...args) => {
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

// The path of each open library this module's open() returned.
const paths = new WeakMap();

export function open(path) {
  const library = Deno.dlopen(path, symbols);
  paths.set(library, path);
  const ffic = library[Symbol.for("ffic")];
  if (ffic !== undefined) {
    host = ffic;
    return library;
  }
  // Deno's nonblocking symbols are read-only: wrap into a copy.
  const own = { ...library.symbols };
  for (const [name, wrapping] of Object.entries(wrapped)) {
    if (own[name] !== null) own[name] = wrap(own[name], wrapping, symbols[name].nonblocking === true);
  }
  library.symbols = own;
  return library;
}
"#;
