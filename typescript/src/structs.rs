//! Typed views of the library's named structs (`"$ffic".structs`): a class
//! per struct over its bytes (a `Uint8Array`), with a getter and setter per
//! field at its C offset (little-endian, as on every target ffic has),
//! nested structs as views of the same bytes and fixed arrays as typed
//! arrays over them (which need the view's bytes aligned for their element
//! type, as new views are). `new structs.point()` makes zeroed bytes;
//! `.bytes` is what a function taking the struct by value is passed; `new
//! structs.point(result)` reads a struct a function returned. The classes
//! live inside one function's scope in the module (and one namespace in the
//! `.d.ts`) under names of their own (`S0`, `S0_2` for the inline struct
//! of its third field), so no struct's name shadows what the module uses.
//! Another name for a struct (a typedef's) is the same class.

use ffic_schema::native::{Float, Int, Kind, Width};
use ffic_schema::types::Primitive;
use ffic_schema::{FieldKind, Library, NamedStruct, Shape, quoted};
use std::fmt::Write;

/// A class to write: a named struct's, or an inline struct's.
struct Class<'a> {
    /// Its identifier in the scope.
    ident: String,
    /// The struct's name, or the inline struct's field name.
    name: &'a str,
    /// Where it is, for documentation (`weighted.pair`).
    label: String,
    shape: &'a Shape,
    /// The class of each field that is a struct.
    nested: Vec<Option<String>>,
}

/// Every class, each after the classes its fields use.
fn classes(library: &Library) -> Vec<Class<'_>> {
    let mut all = Vec::new();
    for (i, named) in library.structs.iter().enumerate() {
        // Another name shares its struct's class.
        if named.alias_of.is_some() {
            continue;
        }
        walk(
            &named.name,
            named.name.clone(),
            format!("S{i}"),
            &named.shape,
            &mut all,
        );
    }
    all
}

/// The index in `S{index}` of the class of the struct at `i`.
fn class_of(named: &NamedStruct, i: usize) -> usize {
    named.alias_of.unwrap_or(i)
}

/// Lists the classes of `shape`'s inline structs, then its own.
fn walk<'a>(
    name: &'a str,
    label: String,
    ident: String,
    shape: &'a Shape,
    all: &mut Vec<Class<'a>>,
) {
    let nested = shape
        .fields
        .iter()
        .enumerate()
        .map(|(f, field)| match &field.kind {
            FieldKind::Named(i) => Some(format!("S{i}")),
            FieldKind::Inline(inner) => {
                let inner_ident = format!("{ident}_{f}");
                let inner_label = format!("{label}.{}", field.name);
                walk(&field.name, inner_label, inner_ident.clone(), inner, all);
                Some(inner_ident)
            }
            FieldKind::Primitive(_) | FieldKind::Array(..) => None,
        })
        .collect();
    all.push(Class {
        ident,
        name,
        label,
        shape,
        nested,
    });
}

/// The `structs` export of the module.
pub fn module(library: &Library) -> String {
    let mut out = String::from(
        "\n// The library's named structs, each a typed view over a struct's bytes.\nexport const structs = (() => {\n  const View = DataView;\n  const Bytes = Uint8Array;\n  const Pointer = Deno.UnsafePointer;\n",
    );
    for class in classes(library) {
        let Class {
            ident, name, shape, ..
        } = &class;
        let size = shape.size;
        let _ = write!(
            out,
            "  class {ident} {{\n    static size = {size};\n    #view;\n    constructor(bytes = new Bytes({size}), offset = 0) {{\n      if (!(bytes instanceof Bytes)) throw new TypeError(\"{name}: expected a Uint8Array\");\n      this.bytes = bytes.subarray(offset, offset + {size});\n      if (this.bytes.length < {size}) throw new RangeError(\"{name} needs {size} bytes\");\n      this.#view = new View(this.bytes.buffer, this.bytes.byteOffset, {size});\n    }}\n",
        );
        for (field, nested) in shape.fields.iter().zip(&class.nested) {
            let (o, f) = (field.offset, &field.name);
            let (get, set) = match (&field.kind, nested) {
                (FieldKind::Primitive(p), _) => scalar(*p, o),
                (FieldKind::Array(p, count), _) => (
                    format!(
                        "return new {}(this.bytes.buffer, this.bytes.byteOffset + {o}, {count});",
                        typed_array(*p)
                    ),
                    String::new(),
                ),
                (FieldKind::Named(_) | FieldKind::Inline(_), Some(inner)) => (
                    format!("return new {inner}(this.bytes, {o});"),
                    format!("this.bytes.set(new {inner}(value.bytes).bytes, {o});"),
                ),
                (FieldKind::Named(_) | FieldKind::Inline(_), None) => continue,
            };
            let _ = writeln!(out, "    get {f}() {{ {get} }}");
            if !set.is_empty() {
                let _ = writeln!(out, "    set {f}(value) {{ {set} }}");
            }
        }
        // The class's name is the struct's, as scripts print it.
        let _ = writeln!(
            out,
            "  }}\n  Object.defineProperty({ident}, \"name\", {{ value: {} }});",
            quoted(name)
        );
    }
    // Computed keys: `"__proto__": v` would set the prototype instead.
    let names: Vec<String> = library
        .structs
        .iter()
        .enumerate()
        .map(|(i, s)| format!("[{}]: S{}", quoted(&s.name), class_of(s, i)))
        .collect();
    let _ = writeln!(
        out,
        "  return Object.freeze({{ {} }});\n}})();",
        names.join(", ")
    );
    out
}

/// The `.d.ts` declarations of `structs`.
pub fn declarations(library: &Library) -> String {
    let mut out = String::from(
        "\n/** The classes of the library's named structs. */\ndeclare namespace Structs {\n",
    );
    for class in classes(library) {
        let Class {
            ident,
            label,
            shape,
            ..
        } = &class;
        let size = shape.size;
        let _ = write!(
            out,
            "  /** `{label}`: a view of {size} bytes. */\n  class {ident} {{\n    /** Its size in bytes. */\n    static readonly size: {size};\n    /** A view of `bytes` from `offset`, or of {size} new zeroed bytes. */\n    constructor(bytes?: Uint8Array<ArrayBuffer>, offset?: number);\n    /** Its bytes: pass them where the struct is taken by value. */\n    readonly bytes: Uint8Array<ArrayBuffer>;\n",
        );
        for (field, nested) in shape.fields.iter().zip(&class.nested) {
            let f = &field.name;
            let (get, set) = match (&field.kind, nested) {
                (FieldKind::Primitive(p), _) => field_types(*p),
                (FieldKind::Array(p, _), _) => {
                    (format!("{}<ArrayBuffer>", typed_array(*p)), String::new())
                }
                (FieldKind::Named(_) | FieldKind::Inline(_), Some(inner)) => {
                    (inner.clone(), inner.clone())
                }
                (FieldKind::Named(_) | FieldKind::Inline(_), None) => continue,
            };
            let _ = writeln!(out, "    get {f}(): {get};");
            if !set.is_empty() {
                let _ = writeln!(out, "    set {f}(value: {set});");
            }
        }
        out.push_str("  }\n");
    }
    out.push_str("}\n\n/** The library's named structs, each a typed view over a struct's bytes. */\nexport declare const structs: {\n");
    for (i, named) in library.structs.iter().enumerate() {
        let _ = writeln!(
            out,
            "  readonly {}: typeof Structs.S{};",
            quoted(&named.name),
            class_of(named, i)
        );
    }
    out.push_str("};\n");
    out
}

/// An integer's bits on the 64-bit targets ffic has.
fn bits(int: Int) -> u32 {
    match int.width {
        Width::W8 => 8,
        Width::W16 => 16,
        Width::W32 => 32,
        Width::W64 | Width::Pointer => 64,
    }
}

/// The getter and setter bodies of a primitive field at `o`.
fn scalar(p: Primitive, o: u64) -> (String, String) {
    let plain = |method: &str, from: &str| {
        (
            format!("return this.#view.get{method}({o}, true);"),
            format!("this.#view.set{method}({o}, {from}, true);"),
        )
    };
    match p.kind() {
        Kind::Bool => (
            format!("return this.#view.getUint8({o}) !== 0;"),
            format!("this.#view.setUint8({o}, value ? 1 : 0);"),
        ),
        Kind::Int(int) => {
            let method = match (bits(int), int.signed) {
                (64, true) => "BigInt64".to_owned(),
                (64, false) => "BigUint64".to_owned(),
                (b, true) => format!("Int{b}"),
                (b, false) => format!("Uint{b}"),
            };
            let from = if bits(int) == 64 {
                "BigInt(value)"
            } else {
                "value"
            };
            plain(&method, from)
        }
        Kind::Float(Float::F32) => plain("Float32", "value"),
        Kind::Float(Float::F64) => plain("Float64", "value"),
        Kind::Pointer(_) => (
            format!("return Pointer.create(this.#view.getBigUint64({o}, true));"),
            format!("this.#view.setBigUint64({o}, Pointer.value(value), true);"),
        ),
        Kind::Void => (String::new(), String::new()),
    }
}

/// The typed array over a fixed array of `p`.
fn typed_array(p: Primitive) -> &'static str {
    match p.kind() {
        Kind::Bool => "Uint8Array",
        Kind::Int(int) => match (bits(int), int.signed) {
            (8, false) => "Uint8Array",
            (8, true) => "Int8Array",
            (16, false) => "Uint16Array",
            (16, true) => "Int16Array",
            (32, false) => "Uint32Array",
            (32, true) => "Int32Array",
            (_, false) => "BigUint64Array",
            (_, true) => "BigInt64Array",
        },
        Kind::Float(Float::F32) => "Float32Array",
        Kind::Float(Float::F64) => "Float64Array",
        // Addresses, as numbers.
        Kind::Pointer(_) | Kind::Void => "BigUint64Array",
    }
}

/// What a primitive field gives and takes.
fn field_types(p: Primitive) -> (String, String) {
    let (get, set) = match p.kind() {
        Kind::Bool => ("boolean", "boolean"),
        Kind::Int(int) if int.width.fits_number() => ("number", "number"),
        Kind::Int(_) => ("bigint", "bigint | number"),
        Kind::Float(_) => ("number", "number"),
        Kind::Pointer(_) | Kind::Void => ("Deno.PointerValue", "Deno.PointerValue"),
    };
    (get.to_owned(), set.to_owned())
}
