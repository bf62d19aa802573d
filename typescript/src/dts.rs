//! `NAME.d.ts`: the descriptor's literal type, one explicit signature per
//! symbol with its documentation, and `open` returning a `Library` that
//! extends `Deno.DynamicLibrary<typeof symbols>`, so the compiler itself
//! checks that every signature here is what Deno's own types give.

use crate::descriptor::{Spelling, entry, needs_wrapper, variadic_function};
use crate::js::constant_literal;
use crate::names::{comment_text, key};
use crate::types::{parameter, result, static_value};
use ffic_schema::native::{Kind, TABLE};
use ffic_schema::{Library, Signature, Symbol, SymbolKind, Type, quoted};
use std::fmt::Write;

/// Renders the declarations.
pub fn declarations(library: &Library, name: &str, source: &str) -> String {
    let mut out = crate::header(source);
    out.push('\n');
    out.push_str(
        "/** The symbols object handed to `Deno.dlopen` (ffic's extensions stripped). */\n",
    );
    out.push_str("export declare const symbols: {\n");
    for symbol in &library.symbols {
        let _ = writeln!(out, "  readonly {};", entry(symbol, Spelling::Type));
    }
    out.push_str("};\n\n");
    let _ = writeln!(
        out,
        "/** Where the precompiled trampolines are: `{name}.ffic` beside this module. */"
    );
    out.push_str("export declare const artifact: URL;\n\n");
    out.push_str("/** The bound symbols of the library. */\n");
    out.push_str("export interface Symbols {\n");
    for (i, symbol) in library.symbols.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&doc_comment(symbol));
        out.push_str(&member(symbol));
    }
    out.push_str("}\n\n");
    let wrapped = library.symbols.iter().any(needs_wrapper);
    if wrapped {
        // Deno's types give the carriers' signatures, not ffic's own.
        out.push_str(
            "/** What `open` returns: Deno's `DynamicLibrary`, with ffic's own types. */\n",
        );
        out.push_str(
            "export interface Library extends Omit<Deno.DynamicLibrary<typeof symbols>, \"symbols\"> {\n",
        );
    } else {
        out.push_str("/** What `open` returns: Deno's `DynamicLibrary` for these symbols. */\n");
        out.push_str("export interface Library extends Deno.DynamicLibrary<typeof symbols> {\n");
    }
    out.push_str("  readonly symbols: Symbols;\n");
    out.push_str("}\n\n");
    out.push_str("/** Opens the native library at `path` with these symbols (`Deno.dlopen`). */\n");
    match &library.default_library {
        Some(name) => {
            let _ = writeln!(
                out,
                "/** Opens `{}` when no path is given. */\nexport declare function open(path?: string | URL): Library;",
                comment_text(name)
            );
        }
        None => out.push_str("export declare function open(path: string | URL): Library;\n"),
    }
    let variadics: Vec<&Symbol> = library
        .symbols
        .iter()
        .filter(|s| variadic_function(s))
        .collect();
    if wrapped || !variadics.is_empty() {
        out.push_str(
            "\n/**\n * `errno` as the last call of a symbol that captures it left it, on this\n * thread (ffic's host reads it inside the call; stock Deno right after).\n */\nexport declare function errno(): number;\n",
        );
    }
    if !variadics.is_empty() {
        out.push_str(&shape_declarations(&variadics));
    }
    if !library.constants.is_empty() {
        out.push_str(
            "\n/** The library's named constants. */\nexport declare const constants: {\n",
        );
        for (name, value) in &library.constants {
            let _ = writeln!(
                out,
                "  readonly {}: {};",
                quoted(name),
                constant_literal(value)
            );
        }
        out.push_str("};\n");
    }
    if !library.structs.is_empty() {
        out.push_str(&crate::structs::declarations(library));
    }
    out
}

/// Parameter names: the descriptor's, else `arg0`, `arg1`, ...
fn parameter_names(symbol: &Symbol) -> Vec<String> {
    let SymbolKind::Function {
        signature,
        parameter_names,
        ..
    } = &symbol.kind
    else {
        return Vec::new();
    };
    match parameter_names {
        Some(names) if names.len() == signature.parameters.len() => names.clone(),
        _ => (0..signature.parameters.len())
            .map(|i| format!("arg{i}"))
            .collect(),
    }
}

/// A function's parameters, named, as TypeScript declares them.
fn parameters(symbol: &Symbol, signature: &Signature) -> Vec<String> {
    parameter_names(symbol)
        .iter()
        .zip(&signature.parameters)
        .map(|(n, t)| format!("{n}: {}", parameter(t)))
        .collect()
}

/// What calling a function gives.
fn returns(signature: &Signature, nonblocking: bool) -> String {
    match (nonblocking, signature.errno) {
        (true, true) => format!(
            "Promise<{{ value: {}; errno: number | null }}>",
            result(&signature.result)
        ),
        (true, false) => format!("Promise<{}>", result(&signature.result)),
        (false, _) => result(&signature.result).to_owned(),
    }
}

/// `shape` for each variadic function, and the argument type of each
/// variadic type.
fn shape_declarations(variadics: &[&Symbol]) -> String {
    let mut out = String::from(
        "\n/** The argument each type of a variadic call shape takes. */\nexport interface VariadicArgument {\n",
    );
    for row in TABLE.iter().filter(|row| row.kind != Kind::Void) {
        // It travels promoted (a `bool` as an `int`), and takes what that takes.
        let ty = Type::Primitive(row.primitive.promoted());
        let _ = writeln!(out, "  {}: {};", row.name, parameter(&ty));
    }
    out.push_str("}\n");
    for symbol in variadics {
        let SymbolKind::Function {
            signature,
            nonblocking,
            ..
        } = &symbol.kind
        else {
            continue;
        };
        let mut params = parameters(symbol, signature);
        params.push("...args: { -readonly [K in keyof T]: VariadicArgument[T[K]] }".into());
        let null = if symbol.optional { " | null" } else { "" };
        let _ = write!(
            out,
            "\n/**\n * `{}` with the variadic arguments `types` (promoted as C promotes them),\n * compiled on first use by ffic's host (and cached); the same function for\n * the same shape after.\n */\nexport declare function shape<const T extends readonly (keyof VariadicArgument)[]>(\n  library: Library,\n  name: {},\n  types: T,\n): (({}) => {}){null};\n",
            comment_text(&symbol.name),
            quoted(&symbol.name),
            params.join(", "),
            returns(signature, *nonblocking)
        );
    }
    out
}

/// One member of `Symbols`: a method, or a property when it may be `null`
/// (an optional symbol) or is a static.
fn member(symbol: &Symbol) -> String {
    let name = key(&symbol.name);
    match &symbol.kind {
        SymbolKind::Function {
            signature,
            nonblocking,
            ..
        } => {
            let params = parameters(symbol, signature);
            let ret = returns(signature, *nonblocking);
            if symbol.optional {
                format!(
                    "  readonly {name}: (({}) => {ret}) | null;\n",
                    params.join(", ")
                )
            } else {
                format!("  {name}({}): {ret};\n", params.join(", "))
            }
        }
        SymbolKind::Static { ty } => {
            let null = if symbol.optional { " | null" } else { "" };
            format!("  readonly {name}: {}{null};\n", static_value(ty))
        }
    }
}

/// JSDoc: the documentation, the native signature, and what is special.
fn doc_comment(symbol: &Symbol) -> String {
    let mut lines: Vec<String> = Vec::new();
    if let Some(doc) = &symbol.doc {
        lines.extend(doc.lines().map(comment_text));
        lines.push(String::new());
    }
    let native = comment_text(&symbol.native);
    let mut params = Vec::new();
    match &symbol.kind {
        SymbolKind::Function {
            signature,
            nonblocking,
            ..
        } => {
            lines.push(format!(
                "Native: `{native}{}`.",
                comment_text(&signature.to_string())
            ));
            match (*nonblocking, signature.errno) {
                (true, true) => lines.push(
                    "Runs on a worker thread; the promise resolves with the result and the errno it left (`null` on stock Deno, which cannot read it)."
                        .into(),
                ),
                (true, false) => lines
                    .push("Runs on a worker thread; the promise resolves with the result.".into()),
                (false, true) => {
                    lines.push("Captures errno: `errno()` reads it after the call.".into())
                }
                (false, false) => {}
            }
            for (n, t) in parameter_names(symbol).iter().zip(&signature.parameters) {
                params.push(format!("@param {n} `{}`", comment_text(&t.to_string())));
            }
        }
        SymbolKind::Static { ty } => {
            lines.push(format!(
                "Native static: `{native}: {}`.",
                comment_text(&ty.to_string())
            ));
        }
    }
    if symbol.optional {
        lines.push("Optional: `null` when the library does not export it.".into());
    }
    // Tags last: text after a tag would read as part of its description.
    lines.extend(params);
    let mut out = String::from("  /**\n");
    for line in lines {
        if line.is_empty() {
            out.push_str("   *\n");
        } else {
            let _ = writeln!(out, "   * {line}");
        }
    }
    out.push_str("   */\n");
    out
}
