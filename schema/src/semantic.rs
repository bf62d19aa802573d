//! Rules the JSON Schema cannot say: where `void` may stand, what a static may
//! be, which native names can be looked up, parameter names that fit, and
//! repeated keys. Runs on the raw JSON so it reports alongside schema errors.

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::locate::DuplicateKey;
use crate::native::TABLE;
use crate::path::{PathSegment, is_plain_identifier, path_from_pointer, quoted};
use crate::types::{EXTENSION_FIELD, LIBRARY_FIELD, is_reserved_key, is_static_definition};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// Words a JavaScript parameter may not be named (reserved in strict mode).
pub const RESERVED_WORDS: [&str; 46] = [
    "arguments",
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "eval",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "implements",
    "import",
    "in",
    "instanceof",
    "interface",
    "let",
    "new",
    "null",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "yield",
];

/// Appends the semantic problems in `document` to `out` (while it holds
/// fewer than `limit`) and says whether there is any error, listed or not.
pub(crate) fn semantic_diagnostics(
    document: &Value,
    out: &mut Vec<Diagnostic>,
    limit: usize,
) -> bool {
    let mut rules = Rules {
        out,
        limit,
        errors: false,
    };
    if let Some(symbols) = document.as_object() {
        for (key, definition) in symbols {
            if is_reserved_key(key) {
                continue;
            }
            if let Some(definition) = definition.as_object() {
                rules.symbol(key, definition);
            }
        }
        rules.call_shape_names(symbols);
        if let Some(structs) = symbols
            .get(LIBRARY_FIELD)
            .and_then(|l| l.get("structs"))
            .and_then(Value::as_object)
        {
            rules.named_structs(structs);
        }
    }
    rules.errors
}

/// A warning for each repeated key (JSON keeps the last value).
pub(crate) fn duplicate_warnings<'a>(
    document: &'a Value,
    duplicates: &'a [DuplicateKey],
) -> impl Iterator<Item = Diagnostic> + 'a {
    duplicates.iter().map(|duplicate| {
        let path = path_from_pointer(document, &duplicate.pointer);
        let key = match path.last() {
            Some(PathSegment::Key(key)) => quoted(key),
            _ => String::new(),
        };
        let (first, repeated) = (duplicate.first, duplicate.repeated);
        Diagnostic::new(
            Severity::Warning,
            Code::DuplicateKey,
            path,
            format!("key {key} appears more than once in this object; JSON keeps the last"),
        )
        .at(Some(repeated))
        .help(format!("the first is at {}:{}", first.line, first.column))
    })
}

fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

struct Rules<'a> {
    out: &'a mut Vec<Diagnostic>,
    limit: usize,
    errors: bool,
}

impl Rules<'_> {
    /// Flags each field of a named struct that names neither a primitive
    /// nor a struct listed before its own (so none contains itself), and
    /// each other name for a struct that names no struct listed before.
    fn named_structs(&mut self, structs: &serde_json::Map<String, Value>) {
        let mut known: Vec<&str> = Vec::new();
        for (name, fields) in structs {
            let base = vec![
                PathSegment::Key(LIBRARY_FIELD.into()),
                PathSegment::Key("structs".into()),
                PathSegment::Key(name.clone()),
            ];
            if let Value::String(target) = fields
                && !known.contains(&target.as_str())
            {
                self.emit(
                    Diagnostic::new(
                        Severity::Error,
                        Code::UnknownType,
                        base.clone(),
                        format!(
                            "{} names no struct listed before {}",
                            quoted(target),
                            quoted(name)
                        ),
                    )
                    .expected("an earlier struct's name, or an object of fields"),
                );
            }
            self.fields_of(fields, &base, name, &known);
            known.push(name);
        }
    }

    /// [`Rules::named_structs`] for one struct's (or inline struct's) fields.
    fn fields_of(&mut self, fields: &Value, base: &[PathSegment], owner: &str, known: &[&str]) {
        let Some(fields) = fields.as_object() else {
            return;
        };
        for (field, spec) in fields {
            let mut path = base.to_vec();
            path.push(PathSegment::Key(field.clone()));
            if !crate::ir::is_field_name(field) {
                let message = if crate::path::is_plain_identifier(field) {
                    format!(
                        "a field cannot be named {}: its view class has its own",
                        quoted(field)
                    )
                } else {
                    format!(
                        "the field name {} is not a JavaScript identifier",
                        quoted(field)
                    )
                };
                self.emit(
                    Diagnostic::new(Severity::Error, Code::InvalidParameterNames, path.clone(), message)
                        .expected("ASCII letters, digits, '_' or '$', not starting with a digit; not bytes or constructor"),
                );
            }
            let named = match spec {
                Value::Object(_) => {
                    self.fields_of(spec, &path, owner, known);
                    continue;
                }
                Value::String(s) => s.as_str(),
                Value::Array(pair) => {
                    match pair.first().and_then(Value::as_str) {
                        Some(s) if crate::ir::field_primitive(s).is_none() => {
                            path.push(PathSegment::Index(0));
                            self.emit(
                            Diagnostic::new(
                                Severity::Error,
                                Code::UnknownType,
                                path,
                                format!("{} cannot be an array's element", quoted(s)),
                            )
                            .expected("a primitive such as \"u8\" (an array of structs is not supported)"),
                        );
                            continue;
                        }
                        _ => continue,
                    }
                }
                _ => continue,
            };
            if crate::ir::field_primitive(named).is_some() || known.contains(&named) {
                continue;
            }
            self.emit(
                Diagnostic::new(
                    Severity::Error,
                    Code::UnknownType,
                    path,
                    format!(
                        "{} is neither a primitive nor a struct listed before {owner}",
                        quoted(named)
                    ),
                )
                .expected("a primitive such as \"i32\", or an earlier struct's name"),
            );
        }
    }

    /// Lists `d` while there is room, and remembers any error either way.
    fn emit(&mut self, d: Diagnostic) {
        self.errors |= d.severity == Severity::Error;
        if self.out.len() < self.limit {
            self.out.push(d);
        }
    }

    fn symbol(&mut self, key: &str, definition: &Map<String, Value>) {
        let base = vec![PathSegment::Key(key.to_owned())];
        let join = |field: &str| {
            let mut path = base.clone();
            path.push(PathSegment::Key(field.to_owned()));
            path
        };
        let is_static = is_static_definition(definition);
        self.native_name(key, definition, is_static, &base, &join("name"));

        if is_static {
            let path = join("type");
            match definition.get("type") {
                Some(Value::String(s)) if s == "void" => {
                    let d = Diagnostic::new(
                        Severity::Error,
                        Code::VoidNotAllowed,
                        path,
                        "a static cannot be \"void\"",
                    )
                    .found("\"void\"")
                    .expected("a type with a value, such as \"i32\" or \"pointer\"");
                    self.emit(d);
                }
                Some(Value::Object(_)) => {
                    let d = Diagnostic::new(
                        Severity::Error,
                        Code::UnsupportedStatic,
                        path,
                        "a static cannot be a struct (Deno reads statics of primitive types only)",
                    )
                        .found("a struct type")
                    .expected("a primitive type")
                        .help("declare it as \"pointer\" to get its address, then read the fields with Deno.UnsafePointerView");
                    self.emit(d);
                }
                Some(ty) => self.struct_fields(ty, path),
                None => {}
            }
            return;
        }

        let parameters = definition.get("parameters").and_then(Value::as_array);
        for (i, parameter) in parameters.into_iter().flatten().enumerate() {
            let mut path = join("parameters");
            path.push(PathSegment::Index(i));
            if parameter.as_str() == Some("void") {
                let only = parameters.is_some_and(|p| p.len() == 1);
                let d = Diagnostic::new(
                    Severity::Error,
                    Code::VoidNotAllowed,
                    path,
                    "\"void\" is only valid as a result, not as a parameter",
                )
                .found("\"void\"")
                .expected("a type with a value, such as \"i32\" or \"pointer\"")
                .help(if only {
                    "a C function declared f(void) takes no arguments: write \"parameters\": []"
                } else {
                    "a C `void *` parameter is \"pointer\""
                });
                self.emit(d);
            } else {
                self.struct_fields(parameter, path);
            }
        }
        if let Some(result) = definition.get("result") {
            self.struct_fields(result, join("result"));
        }
        self.parameter_names(definition, parameters.map(Vec::len), join(EXTENSION_FIELD));
        self.extension_types(definition, parameters, join(EXTENSION_FIELD));
    }

    /// Flags a variadic call shape whose name is taken: each becomes a
    /// symbol of its own, beside the descriptor's.
    fn call_shape_names(&mut self, symbols: &Map<String, Value>) {
        let mut seen: HashSet<&str> = symbols.keys().map(String::as_str).collect();
        for (key, definition) in symbols {
            let Some(shapes) = definition
                .get(EXTENSION_FIELD)
                .and_then(|e| e.get("variadic"))
                .and_then(Value::as_object)
            else {
                continue;
            };
            for name in shapes.keys() {
                if seen.insert(name) {
                    continue;
                }
                let path = vec![
                    PathSegment::Key(key.clone()),
                    PathSegment::Key(EXTENSION_FIELD.into()),
                    PathSegment::Key("variadic".into()),
                    PathSegment::Key(name.clone()),
                ];
                let d = Diagnostic::new(
                    Severity::Error,
                    Code::InvalidVariadic,
                    path,
                    format!(
                        "the call shape {} would be a second symbol of that name",
                        quoted(name)
                    ),
                )
                .expected("a name no symbol or other call shape has")
                .help("each call shape becomes a symbol of its own: give it a name of its own");
                self.emit(d.at_key());
            }
        }
    }

    /// Checks ffic's own types (`ffic.parameters`, `ffic.result`) against
    /// the declared types they stand over: each must be the type stock Deno
    /// uses for it, so the descriptor minus the extension still works there.
    fn extension_types(
        &mut self,
        definition: &Map<String, Value>,
        parameters: Option<&Vec<Value>>,
        extension: Vec<PathSegment>,
    ) {
        let Some(own) = definition.get(EXTENSION_FIELD) else {
            return;
        };
        let at = |field: &str, index: Option<usize>| {
            let mut path = extension.clone();
            path.push(PathSegment::Key(field.into()));
            path.extend(index.map(PathSegment::Index));
            path
        };
        if let Some(types) = own.get("parameters").and_then(Value::as_array) {
            if let Some(count) = parameters.map(Vec::len).filter(|c| *c != types.len()) {
                let d = Diagnostic::new(
                    Severity::Error,
                    Code::InvalidExtensionType,
                    at("parameters", None),
                    format!(
                        "{} for {}",
                        counted(types.len(), "ffic type"),
                        counted(count, "parameter")
                    ),
                )
                .expected(format!(
                    "one entry (a type, or null for the declared one) for each of the {}",
                    counted(count, "parameter")
                ));
                self.emit(d);
            }
            for (i, ty) in types.iter().enumerate() {
                let declared = parameters.and_then(|p| p.get(i));
                self.over_carrier(ty, declared, false, at("parameters", Some(i)), i);
            }
        }
        if let Some(ty) = own.get("result") {
            self.over_carrier(ty, definition.get("result"), true, at("result", None), 0);
        }
    }

    /// Flags ffic's own type `ty` unless `declared` is its carrier.
    fn over_carrier(
        &mut self,
        ty: &Value,
        declared: Option<&Value>,
        result: bool,
        path: Vec<PathSegment>,
        index: usize,
    ) {
        let Some(row) = ty
            .as_str()
            .and_then(|name| TABLE.iter().find(|row| row.name == name))
        else {
            // null, or a name the schema already rejects.
            return;
        };
        let Some((parameter, returned)) = row.carrier else {
            return;
        };
        let carrier = if result { returned } else { parameter };
        let Some(declared) = declared else { return };
        if declared.as_str() == Some(carrier.name()) {
            return;
        }
        let place = match result {
            true => "\"result\"".to_owned(),
            false => format!("\"parameters\"[{index}]"),
        };
        let d = Diagnostic::new(
            Severity::Error,
            Code::InvalidExtensionType,
            path,
            format!(
                "{} stands over {place}, which must then be {}",
                quoted(row.name),
                quoted(carrier.name())
            ),
        )
        .found(format!("{place}: {declared}"))
        .expected(quoted(carrier.name()))
        .help(format!(
            "declare {place} as {}: the type stock Deno {} a {} as, so the descriptor works there too",
            quoted(carrier.name()),
            if result { "returns" } else { "passes" },
            row.c
        ));
        self.emit(d);
    }

    /// Flags `void` fields anywhere inside a struct type.
    fn struct_fields(&mut self, ty: &Value, path: Vec<PathSegment>) {
        let mut pending = vec![(ty, path)];
        while let Some((ty, path)) = pending.pop() {
            let Some(fields) = ty.get("struct").and_then(Value::as_array) else {
                continue;
            };
            for (i, field) in fields.iter().enumerate() {
                let mut field_path = path.clone();
                field_path.push(PathSegment::Key("struct".into()));
                field_path.push(PathSegment::Index(i));
                if field.as_str() == Some("void") {
                    let d = Diagnostic::new(
                        Severity::Error,
                        Code::VoidNotAllowed,
                        field_path,
                        "a struct field cannot be \"void\"",
                    )
                    .found("\"void\"")
                    .expected("a type with a size, such as \"u8\" or \"pointer\"");
                    self.emit(d);
                } else {
                    pending.push((field, field_path));
                }
            }
        }
    }

    fn native_name(
        &mut self,
        key: &str,
        definition: &Map<String, Value>,
        is_static: bool,
        symbol_path: &[PathSegment],
        name_path: &[PathSegment],
    ) {
        let given = match definition.get("name") {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) => Some(name.as_str()),
            // A name of the wrong type has its own error; the key is not the name.
            Some(_) => return,
        };
        // Deno looks statics up by `name || key`, so an empty static name means the key.
        if is_static && given == Some("") {
            let d = Diagnostic::new(
                Severity::Warning,
                Code::InvalidSymbolName,
                name_path.to_vec(),
                format!(
                    "an empty \"name\" falls back to the key {} for a static",
                    quoted(key)
                ),
            )
            .help("leave \"name\" out");
            self.emit(d);
        }
        let (native, path, at_key) = match given {
            Some(name) if !name.is_empty() => (name, name_path, false),
            // An empty function name is a schema error already.
            Some(_) if !is_static => return,
            _ => (key, symbol_path, true),
        };
        let problem = if native.is_empty() {
            Some((
                Severity::Error,
                "the symbol has no native name: its key is empty and it has no \"name\"",
            ))
        } else if native.contains('\0') {
            Some((
                Severity::Error,
                "a native symbol name cannot contain a NUL character",
            ))
        } else if !is_plain_identifier(native) {
            Some((
                Severity::Warning,
                "no C toolchain exports a symbol by this name, so the lookup will fail",
            ))
        } else {
            None
        };
        let help = if given.is_some_and(|n| n.contains('\0')) {
            "remove the NUL character from \"name\""
        } else {
            "set \"name\" to the symbol the library exports; the key can stay as it is"
        };
        if let Some((severity, message)) = problem {
            let code = if severity == Severity::Error {
                Code::InvalidSymbolName
            } else {
                Code::UnusualSymbolName
            };
            let d = Diagnostic::new(severity, code, path.to_vec(), message)
                .found(quoted(native))
                .expected("a C identifier such as \"sqlite3_open\"")
                .help(help);
            self.emit(if at_key { d.at_key() } else { d });
        }
    }

    fn parameter_names(
        &mut self,
        definition: &Map<String, Value>,
        count: Option<usize>,
        extension: Vec<PathSegment>,
    ) {
        let Some(names) = definition
            .get(EXTENSION_FIELD)
            .and_then(|e| e.get("parameterNames"))
            .and_then(Value::as_array)
        else {
            return;
        };
        let mut path = extension;
        path.push(PathSegment::Key("parameterNames".into()));
        if let Some(count) = count.filter(|c| *c != names.len()) {
            let d = Diagnostic::new(
                Severity::Error,
                Code::InvalidParameterNames,
                path.clone(),
                format!(
                    "{} for {}",
                    counted(names.len(), "parameter name"),
                    counted(count, "parameter")
                ),
            )
            .expected(format!(
                "one name for each of the {}",
                counted(count, "parameter")
            ));
            self.emit(d);
        }
        let mut seen = HashSet::new();
        for (i, name) in names.iter().enumerate() {
            let Some(name) = name.as_str() else { continue };
            let mut item = path.clone();
            item.push(PathSegment::Index(i));
            if RESERVED_WORDS.contains(&name) {
                let d = Diagnostic::new(
                    Severity::Error,
                    Code::InvalidParameterNames,
                    item,
                    format!("{} is a reserved word in JavaScript", quoted(name)),
                )
                .expected("a JavaScript identifier that is not a reserved word");
                self.emit(d);
            } else if !seen.insert(name) {
                let d = Diagnostic::new(
                    Severity::Error,
                    Code::InvalidParameterNames,
                    item,
                    format!("parameter name {} is used twice", quoted(name)),
                )
                .expected("a different name for each parameter");
                self.emit(d);
            }
        }
    }
}
