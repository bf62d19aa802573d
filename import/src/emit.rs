//! The imported descriptor as JSON text: the named constants and structs
//! first, one per line, then one entry per function in header order, each on a few
//! lines (parameters, result, then ffic's extension), so that a change to
//! the header is a small diff.

use crate::Function;
use crate::clang::Value as Constant;
use crate::structs::Named;
use serde_json::{Map, Value, json};
use std::fmt::Write;

/// The descriptor text of the default `library`, `constants` and `structs`
/// (first, one per line) and `functions`.
pub fn descriptor(
    library: Option<&str>,
    constants: &[(String, Constant)],
    structs: &[Named],
    functions: &[Function],
) -> String {
    let mut out = String::from("{");
    let mut sections = Vec::new();
    if let Some(library) = library {
        sections.push(format!("    \"library\": {}", json!(library)));
    }
    let constants: Vec<String> = constants
        .iter()
        .filter_map(|(name, value)| Some(format!("      {}: {}", json!(name), number(value)?)))
        .collect();
    if !constants.is_empty() {
        sections.push(format!(
            "    \"constants\": {{\n{}\n    }}",
            constants.join(",\n")
        ));
    }
    let structs: Vec<String> = structs
        .iter()
        .map(|(name, fields)| format!("      {}: {}", json!(name), spaced(fields)))
        .collect();
    if !structs.is_empty() {
        sections.push(format!(
            "    \"structs\": {{\n{}\n    }}",
            structs.join(",\n")
        ));
    }
    if !sections.is_empty() {
        let _ = write!(out, "\n  \"$ffic\": {{\n{}\n  }}", sections.join(",\n"));
    }
    for (i, f) in functions.iter().enumerate() {
        let separator = if i == 0 && sections.is_empty() {
            ""
        } else {
            ","
        };
        let parameters: Vec<&Value> = f.parameters.iter().map(|p| &p.ty).collect();
        let _ = write!(
            out,
            "{separator}\n  {}: {{\n    \"parameters\": {},\n    \"result\": {}",
            json!(f.name),
            spaced(&json!(parameters)),
            spaced(&f.result.ty)
        );
        let extension = extension(f);
        if !extension.is_empty() {
            let _ = write!(
                out,
                ",\n    \"ffic\": {}",
                spaced(&Value::Object(extension))
            );
        }
        out.push_str("\n  }");
    }
    out.push_str(if out.len() == 1 { "}\n" } else { "\n}\n" });
    out
}

/// A constant as JSON: a number, or a string; `None` for a float that
/// JSON cannot hold (infinite, NaN).
fn number(value: &Constant) -> Option<String> {
    Some(match value {
        Constant::Signed(v) => v.to_string(),
        Constant::Unsigned(v) => v.to_string(),
        Constant::Float(v) => serde_json::Number::from_f64(*v)?.to_string(),
        Constant::Text(text) => json!(text).to_string(),
    })
}

/// `value` on one line, with a space after each `,` and `:` as people
/// write JSON.
fn spaced(value: &Value) -> String {
    match value {
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(spaced).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", json!(k), spaced(v)))
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
        scalar => scalar.to_string(),
    }
}

/// A function's `ffic` field: documentation, parameter names, C strings,
/// and an empty set of call shapes for a variadic function (its shapes are
/// chosen where it is called).
fn extension(f: &Function) -> Map<String, Value> {
    let mut extension = Map::new();
    if let Some(doc) = &f.doc {
        extension.insert("doc".into(), json!(doc));
    }
    if !f.names.is_empty() {
        extension.insert("parameterNames".into(), json!(f.names));
    }
    if f.parameters.iter().any(|p| p.own.is_some()) {
        let own: Vec<Option<&str>> = f.parameters.iter().map(|p| p.own).collect();
        extension.insert("parameters".into(), json!(own));
    }
    if let Some(own) = f.result.own {
        extension.insert("result".into(), json!(own));
    }
    if f.variadic {
        extension.insert("variadic".into(), json!({}));
    }
    extension
}
