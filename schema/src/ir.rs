//! The canonical signature IR: a validated descriptor with every type resolved
//! and laid out for a target. Everything after the schema crate works on this.

use crate::layout::{Target, struct_layout};
use crate::native::Kind;
use crate::types::{Descriptor, NativeType, Primitive, SymbolDef};
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// A resolved native type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    /// A primitive (including `void` in result position).
    Primitive(Primitive),
    /// A struct by value, with its layout.
    Struct(Arc<StructLayout>),
}

/// A struct's fields and their C layout.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StructLayout {
    /// Field types in order.
    pub fields: Vec<Type>,
    /// Byte offset of each field.
    pub offsets: Vec<u64>,
    /// Size in bytes, tail padding included.
    pub size: u64,
    /// Alignment in bytes.
    pub align: u64,
}

impl StructLayout {
    /// The byte ranges no field covers (between fields, at the tail and
    /// inside nested structs), in order, adjacent ones merged: bytes the C
    /// ABI leaves undefined, which ffic zeroes before a struct reaches JS.
    pub fn padding(&self, target: Target) -> Vec<Range<u64>> {
        let mut gaps = Vec::new();
        let end = self.collect_padding(0, target, &mut gaps);
        push_gap(&mut gaps, end..self.size);
        gaps
    }

    /// Adds the padding before and inside each field (placed at `base`) to
    /// `gaps`; returns where the last field ends.
    fn collect_padding(&self, base: u64, target: Target, gaps: &mut Vec<Range<u64>>) -> u64 {
        let mut end = base;
        for (field, offset) in self.fields.iter().zip(&self.offsets) {
            let at = base + offset;
            push_gap(gaps, end..at);
            end = match field {
                Type::Primitive(p) => at + target.primitive_layout(*p).0,
                Type::Struct(inner) => {
                    let inner_end = inner.collect_padding(at, target, gaps);
                    push_gap(gaps, inner_end..at + inner.size);
                    at + inner.size
                }
            };
        }
        end
    }
}

/// Appends `gap` unless empty, merged with the last one when they touch.
fn push_gap(gaps: &mut Vec<Range<u64>>, gap: Range<u64>) {
    if gap.is_empty() {
        return;
    }
    match gaps.last_mut() {
        Some(last) if last.end == gap.start => last.end = gap.end,
        _ => gaps.push(gap),
    }
}

impl Type {
    fn resolve(ty: &NativeType, target: Target) -> Type {
        match ty {
            NativeType::Primitive(p) => Type::Primitive(*p),
            NativeType::Struct(s) => {
                let fields: Vec<Type> = s.fields.iter().map(|f| Type::resolve(f, target)).collect();
                let sizes: Vec<(u64, u64)> = fields.iter().map(|f| f.layout(target)).collect();
                let (offsets, size, align) = struct_layout(&sizes);
                Type::Struct(Arc::new(StructLayout {
                    fields,
                    offsets,
                    size,
                    align,
                }))
            }
        }
    }

    /// Size and alignment in bytes on `target`.
    pub fn layout(&self, target: Target) -> (u64, u64) {
        match self {
            Type::Primitive(p) => target.primitive_layout(*p),
            Type::Struct(s) => (s.size, s.align),
        }
    }
}

impl fmt::Display for Type {
    /// The canonical spelling: a primitive's name, or `{field,field}` for a struct.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Primitive(p) => f.write_str(p.name()),
            Type::Struct(s) => {
                f.write_str("{")?;
                for (i, field) in s.fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{field}")?;
                }
                f.write_str("}")
            }
        }
    }
}

/// A function's parameter and result types: what one invoke trampoline serves.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Signature {
    /// Parameter types.
    pub parameters: Vec<Type>,
    /// Result type.
    pub result: Type,
    /// `errno` is captured right after the native call (ffic's extension).
    pub errno: bool,
    /// The native function is variadic (`%al` is set for it; the variadic
    /// arguments of a call shape are among the parameters, promoted).
    pub variadic: bool,
}

impl Type {
    /// Whether it is one of ffic's own types (one stock Deno lacks, named
    /// in the `ffic` extension over a carrier Deno has).
    pub fn is_own(&self) -> bool {
        matches!(self, Type::Primitive(p) if p.row().carrier.is_some())
    }
}

impl Signature {
    /// Whether any parameter or the result is one of ffic's own types.
    pub fn has_own_types(&self) -> bool {
        self.result.is_own() || self.parameters.iter().any(Type::is_own)
    }

    /// Whether V8's Fast API carries its result: not a C string (a fast
    /// function returns no string), which only the slow path makes.
    pub fn fast_types(&self) -> bool {
        self.result != Type::Primitive(Primitive::CString)
    }
}

impl fmt::Display for Signature {
    /// The canonical spelling, e.g. `(i32,{u8,f64})->void`, then ` variadic`
    /// and ` errno` when they apply.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for (i, p) in self.parameters.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{p}")?;
        }
        write!(f, ")->{}", self.result)?;
        if self.variadic {
            f.write_str(" variadic")?;
        }
        if self.errno {
            f.write_str(" errno")?;
        }
        Ok(())
    }
}

/// What a symbol is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SymbolKind {
    /// A function to call.
    Function {
        /// Its types.
        signature: Signature,
        /// Called on a worker thread, returning a Promise.
        nonblocking: bool,
        /// Parameter names for generated types (documentation only).
        parameter_names: Option<Vec<String>>,
    },
    /// A global variable read at open.
    Static {
        /// Its type.
        ty: Type,
    },
}

/// One bound symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    /// The property name JavaScript sees.
    pub name: String,
    /// The symbol looked up in the library.
    pub native: String,
    /// `null` instead of failing when the library lacks it.
    pub optional: bool,
    /// Documentation (from the `ffic` extension).
    pub doc: Option<String>,
    /// The key of the variadic function this symbol is a call shape of.
    pub shape_of: Option<String>,
    /// Function or static.
    pub kind: SymbolKind,
}

impl Symbol {
    /// Whether V8 may call this function through a fast trampoline: every
    /// function but a `nonblocking` one or one returning a C string.
    pub fn fast_call(&self) -> bool {
        match &self.kind {
            SymbolKind::Function {
                signature,
                nonblocking: false,
                ..
            } => signature.fast_types(),
            _ => false,
        }
    }

    /// Whether it also has a re-entrant fast trampoline: a fast function
    /// returning a primitive value. V8 15.2 aborts when JS run from a fast
    /// call that returns a value deoptimizes its caller, so once a script
    /// has made an `UnsafeCallback`, such a function is called through the
    /// re-entrant form, which returns nothing and stores its result through
    /// a pointer for the JS wrapper to read.
    pub fn reentrant_call(&self) -> bool {
        match &self.kind {
            SymbolKind::Function {
                signature,
                nonblocking: false,
                ..
            } => {
                signature.fast_types()
                    && !matches!(
                        signature.result,
                        Type::Primitive(Primitive::Void) | Type::Struct(_)
                    )
            }
            _ => false,
        }
    }
}

/// A validated descriptor, normalised for one target, symbols in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Library {
    /// The target types are laid out for.
    pub target: Target,
    /// Symbols in file order.
    pub symbols: Vec<Symbol>,
    /// Named constants (`"$ffic"`'s), in file order; no part of the digest,
    /// since no code depends on them.
    pub constants: Vec<(String, Constant)>,
    /// Named structs (`"$ffic"`'s), in file order, for typed views; no part
    /// of the digest either.
    pub structs: Vec<NamedStruct>,
    /// The native library the generated module opens by default.
    pub default_library: Option<String>,
}

/// A named struct with its fields' names and C layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedStruct {
    /// Its name.
    pub name: String,
    /// Its fields and layout.
    pub shape: Shape,
    /// The struct at this index of [`Library::structs`] when this name is
    /// another for it (as a C typedef gives one); that one is never an
    /// alias itself.
    pub alias_of: Option<usize>,
}

/// A struct's named fields, laid out by the C ABI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// Fields in order.
    pub fields: Vec<Field>,
    /// Size in bytes, tail padding included.
    pub size: u64,
    /// Alignment in bytes.
    pub align: u64,
}

/// A named field of a [`Shape`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Its name.
    pub name: String,
    /// Its byte offset.
    pub offset: u64,
    /// What it holds.
    pub kind: FieldKind,
}

/// What a field holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    /// A primitive.
    Primitive(Primitive),
    /// The named struct at this index of [`Library::structs`].
    Named(usize),
    /// A nested struct without a name.
    Inline(Box<Shape>),
    /// A fixed array of a primitive.
    Array(Primitive, u64),
}

/// Field names a named struct's view class keeps for itself.
pub const RESERVED_FIELDS: [&str; 2] = ["bytes", "constructor"];

/// Whether `name` can name a field of a named struct: an identifier the
/// view class does not keep for itself.
pub fn is_field_name(name: &str) -> bool {
    crate::path::is_plain_identifier(name) && !RESERVED_FIELDS.contains(&name)
}

/// The primitive a struct field may name: one with a value that stock
/// Deno has.
pub fn field_primitive(name: &str) -> Option<Primitive> {
    crate::native::TABLE
        .iter()
        .find(|row| row.name == name && row.kind != Kind::Void && row.carrier.is_none())
        .map(|row| row.primitive)
}

/// The shape `fields` (a `"$ffic".structs` entry, checked) describes, with
/// `known` the structs listed before it; `None` if a field names anything
/// else.
fn shape_of(
    fields: &serde_json::Map<String, serde_json::Value>,
    known: &[NamedStruct],
    target: Target,
) -> Option<Shape> {
    use serde_json::Value;
    let mut kinds = Vec::with_capacity(fields.len());
    let mut sizes = Vec::with_capacity(fields.len());
    for (name, spec) in fields {
        // What the check refused is no struct.
        if !is_field_name(name) {
            return None;
        }
        let (kind, layout) = match spec {
            Value::String(s) => match field_primitive(s) {
                Some(p) => (FieldKind::Primitive(p), target.primitive_layout(p)),
                None => {
                    let found = known.iter().position(|k| k.name == *s)?;
                    let i = known[found].alias_of.unwrap_or(found);
                    let shape = &known[i].shape;
                    (FieldKind::Named(i), (shape.size, shape.align))
                }
            },
            Value::Object(inner) => {
                let shape = shape_of(inner, known, target)?;
                let layout = (shape.size, shape.align);
                (FieldKind::Inline(Box::new(shape)), layout)
            }
            Value::Array(pair) => {
                let p = field_primitive(pair.first()?.as_str()?)?;
                // Checked: a whole number of elements, within the bound.
                let count = pair.get(1)?.as_f64().filter(|n| n.fract() == 0.0)? as u64;
                if !(1..=crate::types::MAX_ARRAY_FIELD).contains(&count) {
                    return None;
                }
                let (size, align) = target.primitive_layout(p);
                (
                    FieldKind::Array(p, count),
                    (size.checked_mul(count)?, align),
                )
            }
            _ => return None,
        };
        kinds.push((name.clone(), kind));
        sizes.push(layout);
    }
    if kinds.is_empty() {
        return None;
    }
    let (offsets, size, align) = struct_layout(&sizes);
    let fields = kinds
        .into_iter()
        .zip(offsets)
        .map(|((name, kind), offset)| Field { name, offset, kind })
        .collect();
    Some(Shape {
        fields,
        size,
        align,
    })
}

/// A named constant's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constant {
    /// A number, as the descriptor writes it.
    Number(serde_json::Number),
    /// A string.
    Text(String),
}

impl Library {
    /// Normalises a descriptor that has passed validation.
    pub fn from_descriptor(descriptor: &Descriptor, target: Target) -> Library {
        let symbols = descriptor
            .symbols
            .iter()
            .flat_map(|(name, def)| normalise_symbol(name, def, target))
            .collect();
        let constants = descriptor
            .library
            .iter()
            .flat_map(|l| l.constants.iter().flatten())
            // A name that is no identifier is warned of as ignored: it is.
            .filter(|(name, _)| crate::path::is_plain_identifier(name))
            .filter_map(|(name, value)| {
                let constant = match value {
                    serde_json::Value::Number(n) => Constant::Number(n.clone()),
                    serde_json::Value::String(s) => Constant::Text(s.clone()),
                    _ => return None,
                };
                Some((name.clone(), constant))
            })
            .collect();
        let mut structs: Vec<NamedStruct> = Vec::new();
        for (name, fields) in descriptor
            .library
            .iter()
            .flat_map(|l| l.structs.iter().flatten())
        {
            // What the check refused (a name that is no identifier, a
            // field naming nothing known) is not a struct.
            if !crate::path::is_plain_identifier(name) {
                continue;
            }
            let found = match fields {
                serde_json::Value::Object(f) => {
                    shape_of(f, &structs, target).map(|shape| (shape, None))
                }
                serde_json::Value::String(other) => {
                    structs.iter().position(|k| k.name == *other).map(|i| {
                        let i = structs[i].alias_of.unwrap_or(i);
                        (structs[i].shape.clone(), Some(i))
                    })
                }
                _ => None,
            };
            if let Some((shape, alias_of)) = found {
                structs.push(NamedStruct {
                    name: name.clone(),
                    shape,
                    alias_of,
                });
            }
        }
        let default_library = descriptor
            .library
            .as_ref()
            .and_then(|l| l.library.clone())
            .filter(|name| !name.is_empty());
        Library {
            target,
            symbols,
            constants,
            structs,
            default_library,
        }
    }
}

/// The symbol `def` defines, and (for a variadic function) one more per
/// call shape, right after it.
fn normalise_symbol(name: &str, def: &SymbolDef, target: Target) -> Vec<Symbol> {
    // Deno looks a function up by its `name` when given; a static by `name || key`.
    let native = |given: &Option<String>| match given {
        Some(n) if !n.is_empty() => n.clone(),
        _ => name.to_owned(),
    };
    match def {
        SymbolDef::Function(f) => {
            let extension = f.ffic.clone().unwrap_or_default();
            let signature = Signature {
                parameters: f
                    .parameters
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let own = extension.parameters.as_ref().and_then(|own| own.get(i));
                        match own.copied().flatten() {
                            Some(own) => Type::Primitive(own.primitive()),
                            None => Type::resolve(p, target),
                        }
                    })
                    .collect(),
                result: match extension.result {
                    Some(own) => Type::Primitive(own.primitive()),
                    None => Type::resolve(&f.result, target),
                },
                errno: extension.errno,
                variadic: extension.variadic.is_some(),
            };
            let nonblocking = f.nonblocking.unwrap_or(false);
            let function = Symbol {
                name: name.to_owned(),
                native: native(&f.name),
                optional: f.optional,
                doc: extension.doc.clone(),
                shape_of: None,
                kind: SymbolKind::Function {
                    signature: signature.clone(),
                    nonblocking,
                    parameter_names: extension
                        .parameter_names
                        .map(|names| names.into_iter().map(|n| n.0).collect()),
                },
            };
            let shapes = extension
                .variadic
                .into_iter()
                .flatten()
                .map(|(shape, types)| {
                    let mut signature = signature.clone();
                    signature
                        .parameters
                        .extend(types.iter().map(|t| Type::Primitive(t.0.promoted())));
                    Symbol {
                        name: shape,
                        shape_of: Some(name.to_owned()),
                        kind: SymbolKind::Function {
                            signature,
                            nonblocking,
                            parameter_names: None,
                        },
                        ..function.clone()
                    }
                });
            std::iter::once(function.clone()).chain(shapes).collect()
        }
        SymbolDef::Static(s) => vec![Symbol {
            name: name.to_owned(),
            native: native(&s.name),
            optional: s.optional,
            doc: s.ffic.as_ref().and_then(|e| e.doc.clone()),
            shape_of: None,
            kind: SymbolKind::Static {
                ty: Type::resolve(&s.ty, target),
            },
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::StructType;

    #[test]
    fn canonical_spelling_of_signatures() {
        let field = NativeType::Struct(StructType {
            fields: vec![
                NativeType::Primitive(Primitive::U8),
                NativeType::Primitive(Primitive::F64),
            ],
        });
        let signature = Signature {
            parameters: vec![
                Type::Primitive(Primitive::I32),
                Type::resolve(&field, Target::host()),
            ],
            result: Type::Primitive(Primitive::Void),
            errno: false,
            variadic: false,
        };
        assert_eq!(signature.to_string(), "(i32,{u8,f64})->void");
        let capturing = Signature {
            errno: true,
            ..signature
        };
        assert_eq!(capturing.to_string(), "(i32,{u8,f64})->void errno");
        assert_eq!(
            Type::resolve(&field, Target::host()).layout(Target::host()),
            (16, 8)
        );
    }

    fn layout_of(fields: Vec<NativeType>) -> Arc<StructLayout> {
        match Type::resolve(&NativeType::Struct(StructType { fields }), Target::host()) {
            Type::Struct(layout) => layout,
            Type::Primitive(_) => unreachable!(),
        }
    }

    #[test]
    fn padding_between_fields_at_the_tail_and_inside_nested_structs() {
        use NativeType::Primitive as P;
        // {u8, f32, f64, f64, u64}: 3 bytes after the u8, none elsewhere.
        let flat = layout_of(vec![
            P(Primitive::U8),
            P(Primitive::F32),
            P(Primitive::F64),
            P(Primitive::F64),
            P(Primitive::U64),
        ]);
        assert_eq!(flat.padding(Target::host()), vec![1..4]);
        // {u16, {u8, u32, u8}, u8}: the inner struct (12 bytes, align 4) at
        // 4, its gaps 5..8 and tail 13..16, the outer tail 17..20; the
        // outer gap 2..4 stays apart from the inner's first field.
        let inner = NativeType::Struct(StructType {
            fields: vec![P(Primitive::U8), P(Primitive::U32), P(Primitive::U8)],
        });
        let nested = layout_of(vec![P(Primitive::U16), inner, P(Primitive::U8)]);
        assert_eq!(nested.size, 20);
        assert_eq!(
            nested.padding(Target::host()),
            vec![2..4, 5..8, 13..16, 17..20]
        );
        // A tail gap of the inner struct touching the outer tail merges.
        let tail = layout_of(vec![
            P(Primitive::U64),
            NativeType::Struct(StructType {
                fields: vec![P(Primitive::U32), P(Primitive::U8)],
            }),
        ]);
        assert_eq!(tail.padding(Target::host()), vec![13..16]);
        let none = layout_of(vec![P(Primitive::U32), P(Primitive::F32)]);
        assert!(none.padding(Target::host()).is_empty());
    }
}
