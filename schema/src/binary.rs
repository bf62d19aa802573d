//! A checked [`Library`] as compact bytes, and back: what a process keeps
//! of a descriptor text it checked, so that a later process gets the same
//! library without parsing JSON (reading 1000 symbols from text costs about
//! a millisecond, mostly allocation; from these bytes a tenth of that).
//! Decoding never trusts a layout: every struct passed by value is laid out
//! again for the target, and the limits a check enforces are enforced
//! again. The bytes carry no integrity check of their own; whoever stores
//! them adds one (`ffic_loader::Checked` does).

use crate::ir::{Constant, Field, FieldKind, Library, NamedStruct, Shape, Signature, StructLayout};
use crate::ir::{Symbol, SymbolKind, Type};
use crate::layout::{Target, struct_layout};
use crate::types::Primitive;
use std::sync::Arc;

/// Bumped whenever the encoding changes.
const VERSION: u8 = 1;

/// How deep structs nest in the bytes before decoding gives up (the check
/// allows far less; this only bounds the decoder's recursion).
const MAX_DEPTH: usize = 256;

impl Library {
    /// The library as bytes that [`Library::from_bytes`] reads back.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer(Vec::with_capacity(64 * (self.symbols.len() + 1)));
        w.byte(VERSION);
        w.count(self.symbols.len());
        for symbol in &self.symbols {
            w.symbol(symbol);
        }
        w.count(self.constants.len());
        for (name, constant) in &self.constants {
            w.text(name);
            match constant {
                Constant::Number(n) => {
                    w.byte(0);
                    w.text(&n.to_string());
                }
                Constant::Text(t) => {
                    w.byte(1);
                    w.text(t);
                }
            }
        }
        w.count(self.structs.len());
        for named in &self.structs {
            w.text(&named.name);
            w.optional(named.alias_of, |w, i| w.count(i));
            w.shape(&named.shape);
        }
        w.optional(self.default_library.as_deref(), Writer::text);
        w.0
    }

    /// The library `bytes` (from [`Library::to_bytes`]) encode, laid out
    /// for `target`; `None` for bytes that are not such an encoding, or
    /// whose library breaks a limit the check enforces.
    pub fn from_bytes(bytes: &[u8], target: Target) -> Option<Library> {
        let mut r = Reader { bytes, target };
        if r.byte()? != VERSION {
            return None;
        }
        let symbols = r.list(Reader::symbol)?;
        let constants = r.list(|r| {
            let name = r.text()?;
            let constant = match r.byte()? {
                0 => Constant::Number(r.text()?.parse().ok()?),
                1 => Constant::Text(r.text()?),
                _ => return None,
            };
            Some((name, constant))
        })?;
        let mut structs: Vec<NamedStruct> = Vec::new();
        for _ in 0..r.count()? {
            let name = r.text()?;
            let alias_of = r.optional(Reader::count)?;
            // An alias names an earlier struct that is no alias.
            if alias_of.is_some_and(|i| structs.get(i).is_none_or(|s| s.alias_of.is_some())) {
                return None;
            }
            let shape = r.shape(structs.len(), 0)?;
            structs.push(NamedStruct {
                name,
                shape,
                alias_of,
            });
        }
        let default_library = r.optional(Reader::text)?;
        if !r.bytes.is_empty() {
            return None;
        }
        let library = Library {
            target,
            symbols,
            constants,
            structs,
            default_library,
        };
        crate::limits::limit_diagnostics(&library)
            .is_empty()
            .then_some(library)
    }
}

/// Appends the encoding to a byte vector.
struct Writer(Vec<u8>);

impl Writer {
    fn byte(&mut self, b: u8) {
        self.0.push(b);
    }

    /// An unsigned number, seven bits a byte (LEB128).
    fn number(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.0.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.0.push(n as u8);
    }

    fn count(&mut self, n: usize) {
        self.number(n as u64);
    }

    fn flag(&mut self, b: bool) {
        self.byte(u8::from(b));
    }

    fn text(&mut self, s: &str) {
        self.count(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }

    fn optional<T>(&mut self, value: Option<T>, write: impl FnOnce(&mut Self, T)) {
        match value {
            None => self.byte(0),
            Some(v) => {
                self.byte(1);
                write(self, v);
            }
        }
    }

    fn symbol(&mut self, symbol: &Symbol) {
        self.text(&symbol.name);
        self.text(&symbol.native);
        self.flag(symbol.optional);
        self.optional(symbol.doc.as_deref(), Self::text);
        self.optional(symbol.shape_of.as_deref(), Self::text);
        match &symbol.kind {
            SymbolKind::Function {
                signature,
                nonblocking,
                parameter_names,
            } => {
                self.byte(0);
                self.count(signature.parameters.len());
                for parameter in &signature.parameters {
                    self.ty(parameter);
                }
                self.ty(&signature.result);
                self.flag(signature.errno);
                self.flag(signature.variadic);
                self.flag(*nonblocking);
                self.optional(parameter_names.as_deref(), |w, names| {
                    w.count(names.len());
                    for name in names {
                        w.text(name);
                    }
                });
            }
            SymbolKind::Static { ty } => {
                self.byte(1);
                self.ty(ty);
            }
        }
    }

    /// A type: a primitive's index, or a struct's field types (its layout
    /// is made again when read).
    fn ty(&mut self, ty: &Type) {
        match ty {
            Type::Primitive(p) => {
                self.byte(0);
                self.byte(*p as u8);
            }
            Type::Struct(layout) => {
                self.byte(1);
                self.count(layout.fields.len());
                for field in &layout.fields {
                    self.ty(field);
                }
            }
        }
    }

    fn shape(&mut self, shape: &Shape) {
        self.count(shape.fields.len());
        for field in &shape.fields {
            self.text(&field.name);
            self.number(field.offset);
            match &field.kind {
                FieldKind::Primitive(p) => {
                    self.byte(0);
                    self.byte(*p as u8);
                }
                FieldKind::Named(i) => {
                    self.byte(1);
                    self.count(*i);
                }
                FieldKind::Inline(inner) => {
                    self.byte(2);
                    self.shape(inner);
                }
                FieldKind::Array(p, count) => {
                    self.byte(3);
                    self.byte(*p as u8);
                    self.number(*count);
                }
            }
        }
        self.number(shape.size);
        self.number(shape.align);
    }
}

/// Reads the encoding, refusing anything out of bounds or of range.
struct Reader<'a> {
    bytes: &'a [u8],
    target: Target,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        Some(b)
    }

    fn number(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    /// A count or index: never more than the bytes left could hold, so a
    /// corrupt count cannot ask for a huge allocation.
    fn count(&mut self) -> Option<usize> {
        usize::try_from(self.number()?)
            .ok()
            .filter(|&n| n <= self.bytes.len())
    }

    fn flag(&mut self) -> Option<bool> {
        match self.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    fn text(&mut self) -> Option<String> {
        let len = self.count()?;
        let (text, rest) = self.bytes.split_at_checked(len)?;
        self.bytes = rest;
        String::from_utf8(text.to_vec()).ok()
    }

    fn optional<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        match self.byte()? {
            0 => Some(None),
            1 => read(self).map(Some),
            _ => None,
        }
    }

    fn list<T>(&mut self, mut read: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let n = self.count()?;
        // Each element takes a byte at least, but may be far larger in
        // memory: reserve no more than a few pages' worth up front.
        let mut out = Vec::with_capacity(n.min(1024));
        for _ in 0..n {
            out.push(read(self)?);
        }
        Some(out)
    }

    fn primitive(&mut self) -> Option<Primitive> {
        Primitive::ALL.get(usize::from(self.byte()?)).copied()
    }

    fn symbol(&mut self) -> Option<Symbol> {
        let name = self.text()?;
        let native = self.text()?;
        let optional = self.flag()?;
        let doc = self.optional(Self::text)?;
        let shape_of = self.optional(Self::text)?;
        let kind = match self.byte()? {
            0 => {
                let parameters = self.list(|r| r.ty(0))?;
                let result = self.ty(0)?;
                let errno = self.flag()?;
                let variadic = self.flag()?;
                let nonblocking = self.flag()?;
                let parameter_names = self.optional(|r| r.list(Self::text))?;
                SymbolKind::Function {
                    signature: Signature {
                        parameters,
                        result,
                        errno,
                        variadic,
                    },
                    nonblocking,
                    parameter_names,
                }
            }
            1 => SymbolKind::Static { ty: self.ty(0)? },
            _ => return None,
        };
        Some(Symbol {
            name,
            native,
            optional,
            doc,
            shape_of,
            kind,
        })
    }

    /// A type, a struct laid out afresh for the target.
    fn ty(&mut self, depth: usize) -> Option<Type> {
        match self.byte()? {
            0 => Some(Type::Primitive(self.primitive()?)),
            1 if depth < MAX_DEPTH => {
                let fields = self.list(|r| r.ty(depth + 1))?;
                if fields.is_empty() {
                    return None;
                }
                let sizes: Vec<(u64, u64)> = fields.iter().map(|f| f.layout(self.target)).collect();
                let (offsets, size, align) = struct_layout(&sizes);
                Some(Type::Struct(Arc::new(StructLayout {
                    fields,
                    offsets,
                    size,
                    align,
                })))
            }
            _ => None,
        }
    }

    /// A named struct's shape, where `before` structs precede it.
    fn shape(&mut self, before: usize, depth: usize) -> Option<Shape> {
        if depth >= MAX_DEPTH {
            return None;
        }
        let fields = self.list(|r| {
            let name = r.text()?;
            let offset = r.number()?;
            let kind = match r.byte()? {
                0 => FieldKind::Primitive(r.primitive()?),
                1 => FieldKind::Named(r.count().filter(|&i| i < before)?),
                2 => FieldKind::Inline(Box::new(r.shape(before, depth + 1)?)),
                3 => FieldKind::Array(r.primitive()?, r.number()?),
                _ => return None,
            };
            Some(Field { name, offset, kind })
        })?;
        let size = self.number()?;
        let align = self.number()?;
        Some(Shape {
            fields,
            size,
            align,
        })
    }
}
