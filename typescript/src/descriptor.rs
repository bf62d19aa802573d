//! The descriptor as the generated files spell it: once as a TypeScript
//! literal type (`.d.ts`), once as a JavaScript value (`.js`), from one
//! walk, with `$schema` and ffic's extensions left out.

use crate::names::key;
use ffic_schema::{Symbol, SymbolKind, Type, quoted};

/// Which of the two spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spelling {
    /// `{ readonly parameters: readonly ["i32"]; readonly result: "i32" }`.
    Type,
    /// `{ parameters: ["i32"], result: "i32" }`.
    Value,
}

impl Spelling {
    fn readonly(self) -> &'static str {
        match self {
            Spelling::Type => "readonly ",
            Spelling::Value => "",
        }
    }

    fn separator(self) -> &'static str {
        match self {
            Spelling::Type => "; ",
            Spelling::Value => ", ",
        }
    }
}

/// A native type (`"i32"`, `{ struct: [...] }`).
fn native_type(ty: &Type, spelling: Spelling) -> String {
    match ty {
        Type::Primitive(p) => format!("\"{}\"", p.name()),
        Type::Struct(s) => format!(
            "{{ {ro}struct: {ro}[{}] }}",
            list(&s.fields, spelling),
            ro = spelling.readonly()
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
    let mut fields = Vec::new();
    if symbol.native != symbol.name {
        fields.push(format!("{ro}name: {}", quoted(&symbol.native)));
    }
    match &symbol.kind {
        SymbolKind::Function {
            signature,
            nonblocking,
            ..
        } => {
            fields.push(format!(
                "{ro}parameters: {ro}[{}]",
                list(&signature.parameters, spelling)
            ));
            fields.push(format!(
                "{ro}result: {}",
                native_type(&signature.result, spelling)
            ));
            if *nonblocking {
                fields.push(format!("{ro}nonblocking: true"));
            }
        }
        SymbolKind::Static { ty } => {
            fields.push(format!("{ro}type: {}", native_type(ty, spelling)))
        }
    }
    if symbol.optional {
        fields.push(format!("{ro}optional: true"));
    }
    format!(
        "{}: {{ {} }}",
        key(&symbol.name),
        fields.join(spelling.separator())
    )
}
