//! The descriptor as the generated files spell it: as a TypeScript literal
//! type (`.d.ts`) and as the JSON text the `.js` module parses its value
//! from, from one walk, with `$schema` and ffic's documentation left out.
//! ffic's own types are spelled as stock Deno takes them, with the JSON
//! text's `"ffic"` field naming them (the module strips it for Deno).

use crate::names::key;
use ffic_schema::types::Primitive;
use ffic_schema::{Signature, Symbol, SymbolKind, Type, quoted};

/// Which of the two spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spelling {
    /// `{ readonly parameters: readonly ["i32"]; readonly result: "i32" }`.
    Type,
    /// `{ "parameters": ["i32"], "result": "i32" }`, the text the `.js`
    /// module parses its value from.
    Json,
}

impl Spelling {
    fn readonly(self) -> &'static str {
        match self {
            Spelling::Type => "readonly ",
            Spelling::Json => "",
        }
    }

    fn separator(self) -> &'static str {
        match self {
            Spelling::Type => "; ",
            Spelling::Json => ", ",
        }
    }

    /// A field name (`parameters`, `struct`, ...) as this spelling writes it.
    fn field(self, name: &str) -> String {
        match self {
            Spelling::Type => format!("{}{name}", self.readonly()),
            Spelling::Json => format!("\"{name}\""),
        }
    }

    /// A symbol's key as this spelling writes it.
    fn key(self, name: &str) -> String {
        match self {
            Spelling::Type => key(name),
            Spelling::Json => quoted(name),
        }
    }
}

/// Where a type stands, which decides how stock Deno spells ffic's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    Parameter,
    Result,
}

/// The type stock Deno uses in `position` for `p` (`p` itself, or the
/// carrier of one of ffic's own types).
fn deno_primitive(p: Primitive, position: Position) -> Primitive {
    match (p.row().carrier, position) {
        (None, _) => p,
        (Some((parameter, _)), Position::Parameter) => parameter,
        (Some((_, result)), Position::Result) => result,
    }
}

/// Whether `symbol` is a variadic function (not one of its call shapes).
pub fn variadic_function(symbol: &Symbol) -> bool {
    matches!(&symbol.kind, SymbolKind::Function { signature, .. } if signature.variadic)
        && symbol.shape_of.is_none()
}

/// The type stock Deno passes a parameter of type `p` as.
pub fn deno_parameter(p: Primitive) -> Primitive {
    deno_primitive(p, Position::Parameter)
}

/// ffic's own type for `ty`, if it is one (`"cstring"`).
fn own_type(ty: &Type) -> Option<&'static str> {
    match ty {
        Type::Primitive(p) if ty.is_own() => Some(p.name()),
        _ => None,
    }
}

/// Whether a symbol uses what only ffic's host does (a type of its own,
/// errno capture), which stock Deno gets through a wrapper in the
/// generated module.
pub fn needs_wrapper(symbol: &Symbol) -> bool {
    match &symbol.kind {
        SymbolKind::Function { signature, .. } => signature.errno || signature.has_own_types(),
        SymbolKind::Static { .. } => false,
    }
}

/// A native type (`"i32"`, `{ struct: [...] }`), as Deno spells it.
fn native_type(ty: &Type, spelling: Spelling, position: Position) -> String {
    match ty {
        Type::Primitive(p) => format!("\"{}\"", deno_primitive(*p, position).name()),
        Type::Struct(s) => format!(
            "{{ {}: {}[{}] }}",
            spelling.field("struct"),
            spelling.readonly(),
            list(&s.fields, spelling),
        ),
    }
}

fn list(types: &[Type], spelling: Spelling) -> String {
    let items: Vec<String> = types
        .iter()
        .map(|t| native_type(t, spelling, Position::Parameter))
        .collect();
    items.join(", ")
}

/// The `"ffic"` field giving what changes the code beyond Deno's
/// descriptor: ffic's own types over Deno's, errno capture, a variadic
/// function's call `shapes` (JSON only).
fn extension(signature: &Signature, shapes: Option<&[&Symbol]>) -> Option<String> {
    let mut fields = Vec::new();
    let parameters = &signature.parameters;
    if parameters.iter().any(|ty| own_type(ty).is_some()) {
        let own: Vec<String> = parameters
            .iter()
            .map(|ty| own_type(ty).map_or("null".to_owned(), |name| format!("\"{name}\"")))
            .collect();
        fields.push(format!("\"parameters\": [{}]", own.join(", ")));
    }
    if let Some(name) = own_type(&signature.result) {
        fields.push(format!("\"result\": \"{name}\""));
    }
    if signature.errno {
        fields.push("\"errno\": true".to_owned());
    }
    if let Some(shapes) = shapes {
        let fixed = signature.parameters.len();
        let shapes: Vec<String> = shapes
            .iter()
            .filter_map(|shape| match &shape.kind {
                SymbolKind::Function { signature, .. } => {
                    let rest: Vec<String> = signature.parameters[fixed..]
                        .iter()
                        .map(|ty| format!("\"{ty}\""))
                        .collect();
                    Some(format!("{}: [{}]", quoted(&shape.name), rest.join(", ")))
                }
                SymbolKind::Static { .. } => None,
            })
            .collect();
        fields.push(format!("\"variadic\": {{ {} }}", shapes.join(", ")));
    }
    (!fields.is_empty()).then(|| format!("\"ffic\": {{ {} }}", fields.join(", ")))
}

/// One line of the symbols object: `key: { ... }`.
pub fn entry(symbol: &Symbol, spelling: Spelling) -> String {
    entry_with(symbol, spelling, None)
}

/// [`entry`], for a variadic function with its call `shapes` named in its
/// `"ffic"` field (JSON only: the text ffic's host opens a library from).
pub fn entry_with(symbol: &Symbol, spelling: Spelling, shapes: Option<&[&Symbol]>) -> String {
    let ro = spelling.readonly();
    let field = |name: &str| spelling.field(name);
    let mut fields = Vec::new();
    if symbol.native != symbol.name {
        fields.push(format!("{}: {}", field("name"), quoted(&symbol.native)));
    }
    match &symbol.kind {
        SymbolKind::Function {
            signature,
            nonblocking,
            ..
        } => {
            fields.push(format!(
                "{}: {ro}[{}]",
                field("parameters"),
                list(&signature.parameters, spelling)
            ));
            fields.push(format!(
                "{}: {}",
                field("result"),
                native_type(&signature.result, spelling, Position::Result)
            ));
            if *nonblocking {
                fields.push(format!("{}: true", field("nonblocking")));
            }
            if spelling == Spelling::Json {
                fields.extend(extension(signature, shapes));
            }
        }
        SymbolKind::Static { ty } => fields.push(format!(
            "{}: {}",
            field("type"),
            native_type(ty, spelling, Position::Result)
        )),
    }
    if symbol.optional {
        fields.push(format!("{}: true", field("optional")));
    }
    format!(
        "{}: {{ {} }}",
        spelling.key(&symbol.name),
        fields.join(spelling.separator())
    )
}
