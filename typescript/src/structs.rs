//! Typed views of the library's named structs (`"$ffic".structs`): a class
//! per struct over its bytes (a `Uint8Array`), with a getter and setter per
//! field at its C offset (little-endian, as on every target ffic has),
//! nested structs as views of the same bytes and fixed arrays as typed
//! arrays over them. `new structs.point()` makes zeroed bytes; `.bytes` is
//! what a function taking the struct by value is passed; `new
//! structs.point(result)` reads a struct a function returned. The classes
//! live inside one function's scope in the module (and one namespace in the
//! `.d.ts`), so a struct's name never shadows what the module uses.

use ffic_schema::native::{Float, Kind, Width};
use ffic_schema::types::Primitive;
use ffic_schema::{FieldKind, Library, Shape, quoted};
use std::fmt::Write;

/// The `structs` export of the module.
pub fn module(library: &Library) -> String {
    let mut out = String::from(
        "\n// The library's named structs, each a typed view over a struct's bytes.\nexport const structs = (() => {\n  const View = DataView;\n  const Bytes = Uint8Array;\n  const Pointer = Deno.UnsafePointer;\n",
    );
    for named in &library.structs {
        class(
            &mut out,
            &named.name,
            &named.shape,
            library,
            &mut Vec::new(),
        );
    }
    let names: Vec<String> = library
        .structs
        .iter()
        .map(|s| format!("{}: {}", quoted(&s.name), class_name(&s.name)))
        .collect();
    let _ = writeln!(
        out,
        "  return Object.freeze({{ {} }});\n}})();",
        names.join(", ")
    );
    out
}

/// The class identifier of struct `name` inside the scope.
fn class_name(name: &str) -> String {
    format!("{name}$")
}

/// The class of an inline struct at `path` (its owner and field names).
fn inline_name(path: &[&str]) -> String {
    format!("{}$", path.join("$"))
}

/// Writes the class for `shape` named `name` (and first those of its
/// inline structs).
fn class<'a>(
    out: &mut String,
    name: &'a str,
    shape: &'a Shape,
    library: &Library,
    path: &mut Vec<&'a str>,
) {
    path.push(name);
    for field in &shape.fields {
        if let FieldKind::Inline(inner) = &field.kind {
            class(out, &field.name, inner, library, path);
        }
    }
    let ident = inline_name(path);
    let size = shape.size;
    let _ = write!(
        out,
        "  class {ident} {{\n    static size = {size};\n    #view;\n    constructor(bytes = new Bytes({size}), offset = 0) {{\n      if (!(bytes instanceof Bytes)) throw new TypeError(\"{name}: expected a Uint8Array\");\n      this.bytes = bytes.subarray(offset, offset + {size});\n      if (this.bytes.length < {size}) throw new RangeError(\"{name} needs {size} bytes\");\n      this.#view = new View(this.bytes.buffer, this.bytes.byteOffset, {size});\n    }}\n",
    );
    for field in &shape.fields {
        let (o, f) = (field.offset, &field.name);
        let (get, set) = match &field.kind {
            FieldKind::Primitive(p) => scalar(*p, o),
            FieldKind::Named(i) => nested(&class_name(&library.structs[*i].name), o),
            FieldKind::Inline(_) => {
                path.push(f);
                let inner = inline_name(path);
                path.pop();
                nested(&inner, o)
            }
            FieldKind::Array(p, count) => (
                format!(
                    "return new {}(this.bytes.buffer, this.bytes.byteOffset + {o}, {count});",
                    typed_array(*p)
                ),
                String::new(),
            ),
        };
        let _ = writeln!(out, "    get {f}() {{ {get} }}");
        if !set.is_empty() {
            let _ = writeln!(out, "    set {f}(value) {{ {set} }}");
        }
    }
    out.push_str("  }\n");
    // The class's name is the struct's, as scripts print it.
    let _ = writeln!(
        out,
        "  Object.defineProperty({ident}, \"name\", {{ value: {} }});",
        quoted(name)
    );
    path.pop();
}

/// A nested struct's getter (a view of the same bytes) and setter (a copy).
fn nested(class: &str, offset: u64) -> (String, String) {
    (
        format!("return new {class}(this.bytes, {offset});"),
        format!("this.bytes.set(new {class}(value.bytes).bytes, {offset});"),
    )
}

/// The getter and setter bodies of a primitive field at `o`.
fn scalar(p: Primitive, o: u64) -> (String, String) {
    let plain = |method: &str| {
        (
            format!("return this.#view.get{method}({o}, true);"),
            format!("this.#view.set{method}({o}, value, true);"),
        )
    };
    match p.kind() {
        Kind::Bool => (
            format!("return this.#view.getUint8({o}) !== 0;"),
            format!("this.#view.setUint8({o}, value ? 1 : 0);"),
        ),
        Kind::Int(int) => {
            let bits = match int.width {
                Width::W8 => 8,
                Width::W16 => 16,
                Width::W32 => 32,
                Width::W64 | Width::Pointer => 64,
            };
            let method = match (bits, int.signed) {
                (64, true) => "BigInt64".to_owned(),
                (64, false) => "BigUint64".to_owned(),
                (b, true) => format!("Int{b}"),
                (b, false) => format!("Uint{b}"),
            };
            if bits == 64 {
                (
                    format!("return this.#view.get{method}({o}, true);"),
                    format!("this.#view.set{method}({o}, BigInt(value), true);"),
                )
            } else {
                plain(&method)
            }
        }
        Kind::Float(Float::F32) => plain("Float32"),
        Kind::Float(Float::F64) => plain("Float64"),
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
        Kind::Int(int) => match (int.width, int.signed) {
            (Width::W8, false) => "Uint8Array",
            (Width::W8, true) => "Int8Array",
            (Width::W16, false) => "Uint16Array",
            (Width::W16, true) => "Int16Array",
            (Width::W32, false) => "Uint32Array",
            (Width::W32, true) => "Int32Array",
            (Width::W64 | Width::Pointer, false) => "BigUint64Array",
            (Width::W64 | Width::Pointer, true) => "BigInt64Array",
        },
        Kind::Float(Float::F32) => "Float32Array",
        Kind::Float(Float::F64) => "Float64Array",
        // Addresses, as numbers.
        Kind::Pointer(_) | Kind::Void => "BigUint64Array",
    }
}

/// The `.d.ts` declarations of `structs`.
pub fn declarations(library: &Library) -> String {
    let mut out = String::from(
        "\n/** The classes of the library's named structs. */\ndeclare namespace Structs {\n",
    );
    for named in &library.structs {
        declare(
            &mut out,
            &named.name,
            &named.shape,
            library,
            &mut Vec::new(),
        );
    }
    out.push_str("}\n\n/** The library's named structs, each a typed view over a struct's bytes. */\nexport declare const structs: {\n");
    for named in &library.structs {
        let _ = writeln!(
            out,
            "  readonly {}: typeof Structs.{};",
            quoted(&named.name),
            class_name(&named.name)
        );
    }
    out.push_str("};\n");
    out
}

/// Declares the class of `shape` (and first those of its inline structs).
fn declare<'a>(
    out: &mut String,
    name: &'a str,
    shape: &'a Shape,
    library: &Library,
    path: &mut Vec<&'a str>,
) {
    path.push(name);
    for field in &shape.fields {
        if let FieldKind::Inline(inner) = &field.kind {
            declare(out, &field.name, inner, library, path);
        }
    }
    let ident = inline_name(path);
    let size = shape.size;
    let _ = write!(
        out,
        "  /** `{}`: a view of {size} bytes. */\n  class {ident} {{\n    /** Its size in bytes. */\n    static readonly size: {size};\n    /** A view of `bytes` from `offset`, or of {size} new zeroed bytes. */\n    constructor(bytes?: Uint8Array<ArrayBuffer>, offset?: number);\n    /** Its bytes: pass them where the struct is taken by value. */\n    readonly bytes: Uint8Array<ArrayBuffer>;\n",
        path.join(".")
    );
    for field in &shape.fields {
        let f = &field.name;
        let (get, set) = match &field.kind {
            FieldKind::Primitive(p) => field_types(*p),
            FieldKind::Named(i) => {
                let class = class_name(&library.structs[*i].name);
                (class.clone(), class)
            }
            FieldKind::Inline(_) => {
                path.push(f);
                let class = inline_name(path);
                path.pop();
                (class.clone(), class)
            }
            FieldKind::Array(p, _) => (format!("{}<ArrayBuffer>", typed_array(*p)), String::new()),
        };
        let _ = writeln!(out, "    get {f}(): {get};");
        if !set.is_empty() {
            let _ = writeln!(out, "    set {f}(value: {set});");
        }
    }
    out.push_str("  }\n");
    path.pop();
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
