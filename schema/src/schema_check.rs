//! Validation against the published JSON Schema, with each schema error turned
//! into a diagnostic that says what belongs at that place in a descriptor.

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::json_schema::validators;
use crate::path::{PathSegment, path_from_pointer, pointer_of, quoted};
use crate::place::{Place, place_of};
use crate::suggest::{native_type_for, nearest};
use crate::types::{
    EXTENSION_FIELD, LIBRARY_FIELD, Primitive, SCHEMA_FIELD, STRUCT_BRANCH, is_reserved_key,
    is_static_definition,
};
use jsonschema::ValidationError;
use jsonschema::error::ValidationErrorKind as Kind;
use serde_json::Value;
use std::collections::HashSet;

/// What a type position accepts, for messages.
fn type_expected() -> String {
    let names: Vec<&str> = Primitive::deno().map(Primitive::name).collect();
    format!(
        "a native type name ({}) or {{\"struct\": [field types]}}",
        names.join(", ")
    )
}

const FUNCTION_FIELDS: [&str; 6] = [
    "parameters",
    "result",
    "nonblocking",
    "optional",
    "name",
    EXTENSION_FIELD,
];
const STATIC_FIELDS: [&str; 4] = ["type", "optional", "name", EXTENSION_FIELD];
const FUNCTION_EXTENSION_FIELDS: [&str; 7] = [
    "doc",
    "parameterNames",
    "parameters",
    "result",
    "errno",
    "variadic",
    "callsBack",
];
const STATIC_EXTENSION_FIELDS: [&str; 1] = ["doc"];

/// Diagnostics kept per file. Each costs memory, and past a few hundred a
/// file is better fixed and checked again; validity is still decided exactly.
pub(crate) const MAX_DIAGNOSTICS: usize = 200;

/// Values one jsonschema call may validate. It collects every error (with
/// nested detail for each failed `anyOf`) before returning, so larger
/// subtrees are split and their items validated one at a time.
const SUBTREE_LIMIT: usize = 512;

/// The schema definitions a subtree is validated against.
#[derive(Debug, Clone, Copy)]
enum Def {
    Symbol,
    NativeType,
    ParameterName,
}

/// A place inside a definition's value that can hold arbitrarily many values.
struct Hole {
    pointer: &'static str,
    is_array: bool,
    items: Def,
    placeholder: &'static str,
}

impl Def {
    fn validator(self) -> &'static jsonschema::Validator {
        let v = validators();
        match self {
            Def::Symbol => &v.symbol,
            Def::NativeType => &v.native_type,
            Def::ParameterName => &v.parameter_name,
        }
    }

    fn holes(self) -> &'static [Hole] {
        match self {
            Def::Symbol => &SYMBOL_HOLES,
            Def::NativeType => &NATIVE_TYPE_HOLES,
            Def::ParameterName => &[],
        }
    }
}

const fn hole(
    pointer: &'static str,
    is_array: bool,
    items: Def,
    placeholder: &'static str,
) -> Hole {
    Hole {
        pointer,
        is_array,
        items,
        placeholder,
    }
}

const SYMBOL_HOLES: [Hole; 4] = [
    hole("/parameters", true, Def::NativeType, "i32"),
    hole("/result", false, Def::NativeType, "i32"),
    hole("/type", false, Def::NativeType, "i32"),
    hole("/ffic/parameterNames", true, Def::ParameterName, "a"),
];

const NATIVE_TYPE_HOLES: [Hole; 1] = [hole("/struct", true, Def::NativeType, "i32")];

/// Appends the schema violations in `document` to `out` (up to
/// [`MAX_DIAGNOSTICS`] in all) and says whether any of them, listed or not, is an error.
pub(crate) fn schema_diagnostics(document: &Value, out: &mut Vec<Diagnostic>) -> bool {
    let root = &validators().root;
    if root.is_valid(document) {
        return false;
    }
    let has_errors = !validators().lenient.is_valid(document);
    let start = out.len();
    match document.as_object() {
        Some(symbols) => {
            // What is not a symbol is validated against the root's own
            // property for it.
            for key in [SCHEMA_FIELD, LIBRARY_FIELD] {
                if let Some(value) = symbols.get(key) {
                    let only = serde_json::json!({ key: value });
                    for error in root.iter_errors(&only) {
                        translate(document, &only, &[], &error, out);
                    }
                }
            }
            for (key, definition) in symbols.iter().filter(|(k, _)| !is_reserved_key(k)) {
                let path = vec![PathSegment::Key(key.clone())];
                check_subtree(document, Def::Symbol, definition, path, out);
            }
        }
        // Not an object: a single type error, nothing nested.
        None => {
            for error in root.iter_errors(document) {
                translate(document, document, &[], &error, out);
            }
        }
    }
    // Both branches of a failed `if` can report the same thing.
    let mut seen = HashSet::new();
    let mut index = 0;
    out.retain(|d| {
        index += 1;
        index <= start || seen.insert((d.code, d.pointer(), d.message.clone()))
    });
    has_errors
}

/// Validates `value` (at `base`) against `def`, splitting it when it is large.
fn check_subtree(
    document: &Value,
    def: Def,
    value: &Value,
    base: Vec<PathSegment>,
    out: &mut Vec<Diagnostic>,
) {
    let validator = def.validator();
    if out.len() >= MAX_DIAGNOSTICS || validator.is_valid(value) {
        return;
    }
    if fits(value, SUBTREE_LIMIT) {
        for error in validator.iter_errors(value) {
            translate(document, value, &base, &error, out);
        }
        return;
    }
    // Too large to validate whole: validate a copy whose holes hold valid
    // placeholders, then what was in the holes, one item at a time.
    let skeleton = skeleton_of(value, "", def.holes());
    for error in validator.iter_errors(&skeleton) {
        translate(document, &skeleton, &base, &error, out);
    }
    drop(skeleton);
    for hole in def.holes() {
        let Some(slot) = value.pointer(hole.pointer) else {
            continue;
        };
        let mut path = base.clone();
        path.extend(path_from_pointer(value, hole.pointer));
        match slot {
            Value::Array(items) if hole.is_array => {
                for (i, item) in items.iter().enumerate() {
                    if out.len() >= MAX_DIAGNOSTICS {
                        return;
                    }
                    let mut item_path = path.clone();
                    item_path.push(PathSegment::Index(i));
                    check_subtree(document, hole.items, item, item_path, out);
                }
            }
            // Not an array where one belongs: the skeleton's type error says so.
            _ if hole.is_array => {}
            slot => check_subtree(document, hole.items, slot, path, out),
        }
    }
}

/// A copy of `value` (at `pointer` within the validated value) with each hole
/// filled by its placeholder: an array hole keeps at most one item, which
/// leaves every verdict on the array itself (type, emptiness) unchanged.
fn skeleton_of(value: &Value, pointer: &str, holes: &[Hole]) -> Value {
    let Value::Object(members) = value else {
        return value.clone();
    };
    let mut copy = serde_json::Map::with_capacity(members.len());
    for (key, member) in members {
        let child = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
        let filled = match holes.iter().find(|h| h.pointer == child) {
            Some(hole) if hole.is_array => match member {
                Value::Array(items) if items.is_empty() => Value::Array(Vec::new()),
                Value::Array(_) => Value::Array(vec![Value::from(hole.placeholder)]),
                other => other.clone(),
            },
            Some(hole) => Value::from(hole.placeholder),
            None => skeleton_of(member, &child, holes),
        };
        copy.insert(key.clone(), filled);
    }
    Value::Object(copy)
}

/// True when `value` holds at most `limit` values (counted without recursion).
fn fits(value: &Value, limit: usize) -> bool {
    let mut pending = vec![value];
    let mut count = 0;
    while let Some(v) = pending.pop() {
        count += 1;
        if count > limit {
            return false;
        }
        match v {
            Value::Array(items) => pending.extend(items),
            Value::Object(members) => pending.extend(members.values()),
            _ => {}
        }
    }
    true
}

/// A short JSON rendering of a found value.
pub(crate) fn describe(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= 60 {
        text
    } else {
        let mut short: String = text.chars().take(57).collect();
        short.push('…');
        short
    }
}

/// Turns one jsonschema error about `validated` (which sits at `base` in
/// `document`) into diagnostics.
fn translate(
    document: &Value,
    validated: &Value,
    base: &[PathSegment],
    error: &ValidationError,
    out: &mut Vec<Diagnostic>,
) {
    if out.len() >= MAX_DIAGNOSTICS {
        return;
    }
    let mut path = base.to_vec();
    path.extend(path_from_pointer(validated, error.instance_path().as_str()));
    let kind = error.kind();
    // Describe what the file holds, not a placeholder of a split validation.
    let value = document
        .pointer(&pointer_of(&path))
        .unwrap_or(error.instance().as_ref());
    let place = place_of(&path);
    let diagnostic = |code, message: String| {
        Diagnostic::new(Severity::Error, code, path.clone(), message).found(describe(value))
    };
    let found = match (kind, place) {
        (Kind::Type { .. }, _) => {
            wrong_type(place, value, diagnostic(Code::WrongType, String::new()))
        }
        // A type matched neither a primitive's name nor a struct type.
        (Kind::AnyOf { context }, Place::Type) => match value {
            Value::String(_) => {
                unknown_type(value, &path, diagnostic(Code::UnknownType, String::new()))
            }
            // An object is meant as a struct type: report what is wrong inside it.
            Value::Object(_) => {
                for inner in context.get(STRUCT_BRANCH).into_iter().flatten() {
                    translate(document, validated, base, inner, out);
                }
                return;
            }
            _ => wrong_type(place, value, diagnostic(Code::WrongType, String::new())),
        },
        // A named struct that is an object is meant as fields: report what
        // is wrong inside them.
        (Kind::AnyOf { context }, Place::NamedStruct) => match value {
            Value::Object(_) => {
                for inner in context.first().into_iter().flatten() {
                    translate(document, validated, base, inner, out);
                }
                return;
            }
            _ => wrong_type(place, value, diagnostic(Code::WrongType, String::new())),
        },
        // A constant matched neither a number nor a string, a field none
        // of the shapes a field has.
        (Kind::AnyOf { .. }, Place::Constant | Place::StructField) => {
            wrong_type(place, value, diagnostic(Code::WrongType, String::new()))
        }
        (Kind::MinProperties { .. }, Place::NamedStruct | Place::StructField) => diagnostic(
            Code::EmptyStruct,
            "a struct must have at least one field".into(),
        )
        .expected("one or more named fields, such as {\"x\": \"i32\"}"),
        (Kind::Required { property }, _) => {
            let property = property.as_str().unwrap_or_default();
            missing_field(
                place,
                property,
                value,
                diagnostic(Code::MissingField, String::new()),
            )
        }
        (Kind::AdditionalProperties { unexpected }, _) => {
            for key in unexpected {
                if let Some(d) = unknown_field(document, place, &path, key, value) {
                    out.push(d);
                }
            }
            return;
        }
        (Kind::MinLength { .. }, Place::Field("name")) => diagnostic(
            Code::InvalidSymbolName,
            "an empty \"name\" names no native symbol".into(),
        )
        .expected("the native symbol's name")
        .help("leave \"name\" out to look the symbol up by its key"),
        (Kind::MinItems { .. }, Place::StructFields) => diagnostic(
            Code::EmptyStruct,
            "a struct must have at least one field".into(),
        )
        .expected("one or more field types, such as [\"i32\", \"f64\"]"),
        (_, Place::ExtensionType) => own_type(value, diagnostic(Code::UnknownType, String::new())),
        (_, Place::VariadicType) => {
            variadic_type(value, diagnostic(Code::InvalidVariadic, String::new()))
        }
        (Kind::Pattern { .. }, Place::ParameterName) => diagnostic(
            Code::InvalidParameterNames,
            "a parameter name must be an ASCII JavaScript identifier".into(),
        )
        .expected("ASCII letters, digits, '_' or '$', not starting with a digit"),
        // jsonschema's own wording, for violations ffic has no message of its own for.
        _ => diagnostic(Code::SchemaViolation, error.to_string()),
    };
    out.push(found);
}

fn wrong_type(place: Place, value: &Value, d: Diagnostic) -> Diagnostic {
    let (message, expected) = match place {
        Place::Root => (
            "a descriptor must be a JSON object mapping symbol names to definitions",
            "an object such as {\"add\": {\"parameters\": [\"i32\", \"i32\"], \"result\": \"i32\"}}",
        ),
        Place::SchemaRef => ("\"$schema\" must be a string", "the schema's URL or path"),
        Place::Library => (
            "\"$ffic\" must be an object",
            "{\"constants\": {\"NAME\": 0}}",
        ),
        Place::Constant => (
            "a constant must be a number or a string",
            "a number such as 0, or a string",
        ),
        Place::NamedStruct => (
            "a struct must be an object of named fields, or an earlier struct's name",
            "an object such as {\"x\": \"i32\", \"y\": \"i32\"}, or \"point\"",
        ),
        Place::StructField => (
            "a field is a type's name, an inline struct, or [primitive, count]",
            "\"i32\", an earlier struct's name, {\"a\": \"u8\"} or [\"u8\", 4]",
        ),
        Place::Symbol => (
            "a symbol definition must be an object",
            "{\"parameters\": [...], \"result\": ...} for a function, or {\"type\": ...} for a static",
        ),
        Place::Parameters => (
            "\"parameters\" must be an array of native types",
            "an array such as [\"i32\", \"pointer\"]",
        ),
        Place::Type => ("not a native type", ""),
        Place::StructFields => (
            "\"struct\" must be an array of field types",
            "an array such as [\"i32\", \"f64\"]",
        ),
        Place::Field("name") => ("\"name\" must be a string", "the native symbol's name"),
        Place::Field("nonblocking") => ("\"nonblocking\" must be a boolean", "true or false"),
        Place::Field("optional") => ("\"optional\" must be a boolean", "true or false"),
        Place::Extension => (
            "\"ffic\" must be an object",
            "{\"doc\": \"...\", \"parameterNames\": [...]}",
        ),
        Place::ExtensionField("doc") => ("\"doc\" must be a string", "documentation text"),
        Place::ExtensionField("parameterNames") => (
            "\"parameterNames\" must be an array of parameter names",
            "an array such as [\"a\", \"b\"]",
        ),
        Place::ExtensionField("callsBack") => ("\"callsBack\" must be a boolean", "true or false"),
        Place::ExtensionField("errno") => ("\"errno\" must be a boolean", "true or false"),
        Place::ExtensionField("variadic") => (
            "\"variadic\" must map call shape names to type lists",
            "an object such as {\"printInt\": [\"i32\"]}",
        ),
        Place::ExtensionField("parameters") => (
            "\"parameters\" must be an array of ffic's own types or null",
            "an array such as [\"cstring\", null]",
        ),
        Place::ParameterName => (
            "a parameter name must be a string",
            "a JavaScript identifier",
        ),
        _ => ("wrong JSON type", "another JSON type"),
    };
    let d = Diagnostic {
        message: message.into(),
        ..d
    }
    .expected(match place {
        Place::Type => type_expected(),
        _ => expected.to_owned(),
    });
    match (place, value) {
        (Place::Type, Value::Array(_)) => {
            d.help("a struct type is written {\"struct\": [field types]}")
        }
        _ => d,
    }
}

fn unknown_type(value: &Value, path: &[PathSegment], d: Diagnostic) -> Diagnostic {
    let name = value.as_str().unwrap_or_default();
    let as_parameter =
        matches!(path, [.., PathSegment::Key(k), PathSegment::Index(_)] if k == "parameters");
    let d = Diagnostic {
        message: format!("unknown native type {}", quoted(name)),
        ..d
    }
    .expected(type_expected());
    let own = crate::native::TABLE
        .iter()
        .find(|row| row.name == name && row.carrier.is_some());
    if name == "struct" {
        d.help("a struct type is written {\"struct\": [field types]}")
    } else if let Some(row) = own.and_then(|row| row.carrier.map(|c| (row, c))) {
        let (row, (parameter, result)) = row;
        let (carrier, field) = match as_parameter {
            true => (parameter, "\"ffic\": {\"parameters\": [...]}"),
            false => (result, "\"ffic\": {\"result\": ...}"),
        };
        d.help(format!(
            "{} is ffic's own type: declare {} here (what stock Deno takes) and name {} in {field}",
            quoted(row.name),
            quoted(carrier.name()),
            quoted(row.name)
        ))
    } else if let Some(meant) = native_type_for(name, as_parameter) {
        d.help(format!("did you mean {}?", quoted(meant)))
    } else {
        d
    }
}

/// What names ffic's own types (`"cstring"`), or `null` in `ffic.parameters`.
fn own_types_expected() -> String {
    let names: Vec<String> = crate::native::TABLE
        .iter()
        .filter(|row| row.carrier.is_some())
        .map(|row| quoted(row.name))
        .collect();
    format!(
        "one of ffic's own types ({}), or null for the declared type",
        names.join(", ")
    )
}

/// A value in a variadic call shape that is no type with a value.
fn variadic_type(value: &Value, d: Diagnostic) -> Diagnostic {
    let names: Vec<&str> = crate::native::TABLE
        .iter()
        .filter(|row| row.kind != crate::native::Kind::Void)
        .map(|row| row.name)
        .collect();
    let expected = format!("a type name ({})", names.join(", "));
    let (message, help) = match value {
        Value::Object(_) => (
            "a struct cannot be passed in the variadic part".to_owned(),
            Some("pass a pointer to it (\"pointer\" or \"buffer\") instead".to_owned()),
        ),
        Value::String(name) if name == "void" => ("\"void\" has no value to pass".to_owned(), None),
        Value::String(name) => (
            format!("unknown variadic type {}", quoted(name)),
            native_type_for(name, true)
                .or_else(|| nearest(name, &names))
                .map(|meant| format!("did you mean {}?", quoted(meant))),
        ),
        _ => ("a variadic type must be a type name".to_owned(), None),
    };
    let d = Diagnostic { message, ..d }.expected(expected);
    match help {
        Some(help) => d.help(help),
        None => d,
    }
}

/// A value in `ffic.parameters` or `ffic.result` that names none of ffic's
/// own types.
fn own_type(value: &Value, d: Diagnostic) -> Diagnostic {
    let Some(name) = value.as_str() else {
        return Diagnostic {
            message: "an ffic type must be a type name or null".into(),
            ..d
        }
        .expected(own_types_expected());
    };
    let own: Vec<&str> = crate::native::TABLE
        .iter()
        .filter(|row| row.carrier.is_some())
        .map(|row| row.name)
        .collect();
    let lower = name
        .trim()
        .to_ascii_lowercase()
        .replace("const ", "")
        .replace(' ', "");
    let meant = match lower.as_str() {
        "string" | "str" | "cstr" | "char*" | "utf8" => Some("cstring"),
        _ => nearest(&lower, &own),
    };
    let d = Diagnostic {
        message: format!("unknown ffic type {}", quoted(name)),
        ..d
    }
    .expected(own_types_expected());
    match meant {
        Some(meant) => d.help(format!("did you mean {}?", quoted(meant))),
        // A Deno type is declared in "parameters"/"result" themselves.
        None if Primitive::from_name(name).is_some() => d.help(format!(
            "{} is one of Deno's types: declare it in the definition's own \"parameters\" or \"result\" and put null here",
            quoted(name)
        )),
        None => d,
    }
}

fn missing_field(place: Place, property: &str, value: &Value, d: Diagnostic) -> Diagnostic {
    let keys: Vec<&str> = value
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let misspelt_type = keys
        .iter()
        .find(|k| nearest(k, &["type"]).is_some())
        .filter(|_| !keys.contains(&"parameters") && !keys.contains(&"result"));
    match place {
        // Neither function nor static, but one key is nearly "type": a static was meant.
        Place::Symbol if misspelt_type.is_some() => Diagnostic {
            message: "a static needs \"type\"".into(),
            ..d
        }
        .expected("\"type\" for a static, or \"parameters\" and \"result\" for a function")
        .help(format!(
            "did you mean \"type\" instead of {}?",
            quoted(misspelt_type.unwrap_or(&""))
        )),
        Place::Symbol => Diagnostic {
            message: format!("a function needs {}", quoted(property)),
            ..d
        }
        .expected("\"parameters\" and \"result\" for a function, or \"type\" for a static")
        .help(if property == "result" {
            "use \"result\": \"void\" for a function that returns nothing"
        } else {
            "use \"parameters\": [] for a function that takes no arguments"
        }),
        Place::Type => {
            let d = Diagnostic {
                message: "an object in a type position must be a struct type".into(),
                ..d
            }
            .expected("{\"struct\": [field types]}");
            match keys.as_slice() {
                [only] if Primitive::from_name(only).is_some() => {
                    d.help(format!("write the type's name, {}", quoted(only)))
                }
                [only] if nearest(only, &["struct"]).is_some() => {
                    d.help("did you mean \"struct\"?")
                }
                _ => d,
            }
        }
        _ => Diagnostic {
            message: format!("missing field {}", quoted(property)),
            ..d
        },
    }
}

/// A diagnostic for an unknown member `key` of the object at `path`, or none
/// when another diagnostic already covers it.
fn unknown_field(
    document: &Value,
    place: Place,
    path: &[PathSegment],
    key: &str,
    object: &Value,
) -> Option<Diagnostic> {
    let mut member = path.to_vec();
    member.push(PathSegment::Key(key.to_owned()));
    let warning = |message: String| {
        Diagnostic::new(
            Severity::Warning,
            Code::UnknownField,
            member.clone(),
            message,
        )
        .at_key()
        .found(quoted(key))
    };
    let is_static = |symbol: &[PathSegment]| {
        let pointer = pointer_of(symbol);
        document
            .pointer(&pointer)
            .and_then(Value::as_object)
            .is_some_and(is_static_definition)
    };
    let d = match place {
        Place::Symbol if is_static(path) => {
            let d = warning(format!(
                "unknown field {} is ignored (by Deno too)",
                quoted(key)
            ))
            .expected(format!("one of {}", STATIC_FIELDS.join(", ")));
            if FUNCTION_FIELDS.contains(&key) {
                d.help("this symbol is a static because it has \"type\"; a function has \"parameters\" and \"result\" instead")
            } else {
                with_field_suggestion(d, key, &STATIC_FIELDS)
            }
        }
        Place::Symbol => {
            let d = warning(format!(
                "unknown field {} is ignored (by Deno too)",
                quoted(key)
            ))
            .expected(format!("one of {}", FUNCTION_FIELDS.join(", ")));
            // "type" would make it a static; worth suggesting for near misses.
            let mut candidates = FUNCTION_FIELDS.to_vec();
            candidates.push("type");
            with_field_suggestion(d, key, &candidates)
        }
        Place::Extension => {
            let fields: &[&str] = if is_static(&path[..1]) {
                &STATIC_EXTENSION_FIELDS
            } else {
                &FUNCTION_EXTENSION_FIELDS
            };
            let d = warning(format!(
                "unknown ffic extension field {} is ignored",
                quoted(key)
            ))
            .expected(format!("one of {}", fields.join(", ")));
            with_field_suggestion(d, key, fields)
        }
        // An object without "struct" already has its own error.
        Place::Type if object.get("struct").is_none() => return None,
        Place::Type => Diagnostic {
            severity: Severity::Error,
            ..warning(format!(
                "a struct type has only the \"struct\" field; {} is not allowed (Deno rejects it)",
                quoted(key)
            ))
        }
        .expected("{\"struct\": [field types]}"),
        _ => warning(format!("unknown field {} is ignored", quoted(key))),
    };
    Some(d)
}

fn with_field_suggestion(d: Diagnostic, key: &str, fields: &[&str]) -> Diagnostic {
    let lower = key.to_ascii_lowercase();
    let extension = match lower.as_str() {
        "doc" | "docs" | "description" | "comment" => Some("doc"),
        "parameternames" | "paramnames" | "argnames" => Some("parameterNames"),
        "callback" | "callsback" | "reentrant" => Some("callsBack"),
        _ => None,
    };
    if let Some(field) = extension.filter(|_| fields.contains(&EXTENSION_FIELD)) {
        return d.help(format!(
            "ffic's extension fields go in the \"ffic\" object: \"ffic\": {{\"{field}\": ...}}"
        ));
    }
    let alias = match lower.as_str() {
        "params" | "args" | "arguments" | "parameter" | "param" => Some("parameters"),
        "return" | "returns" | "ret" | "returntype" | "results" => Some("result"),
        "async" | "blocking" | "non_blocking" | "nonblock" => Some("nonblocking"),
        "symbol" | "native" | "alias" => Some("name"),
        _ => None,
    };
    match alias
        .filter(|a| fields.contains(a))
        .or_else(|| nearest(key, fields))
    {
        Some(meant) => d.help(format!("did you mean {}?", quoted(meant))),
        None => d,
    }
}
