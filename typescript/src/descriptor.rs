//! The descriptor as the generated files spell it: as a TypeScript literal
//! type (`.d.ts`) and as the JSON text the `.js` module parses its value
//! from, from one walk, with `$schema` and ffic's extensions left out.

use crate::names::key;
use ffic_schema::{Symbol, SymbolKind, Type, quoted};

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

/// A native type (`"i32"`, `{ struct: [...] }`).
fn native_type(ty: &Type, spelling: Spelling) -> String {
    match ty {
        Type::Primitive(p) => format!("\"{}\"", p.name()),
        Type::Struct(s) => format!(
            "{{ {}: {}[{}] }}",
            spelling.field("struct"),
            spelling.readonly(),
            list(&s.fields, spelling),
        ),
    }
}

fn list(types: &[Type], spelling: Spelling) -> String {
    let items: Vec<String> = types.iter().map(|t| native_type(t, spelling)).collect();
    items.join(", ")
}

/// One line of the symbols object: `key: { ... }`.
pub fn entry(symbol: &Symbol, spelling: Spelling) -> String {
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
                native_type(&signature.result, spelling)
            ));
            if *nonblocking {
                fields.push(format!("{}: true", field("nonblocking")));
            }
        }
        SymbolKind::Static { ty } => {
            fields.push(format!("{}: {}", field("type"), native_type(ty, spelling)))
        }
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
