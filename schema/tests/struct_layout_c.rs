//! Struct layouts from ffic must equal the C compiler's own `sizeof`,
//! `_Alignof` and `offsetof` for the same structs: hand-picked ones plus a few
//! hundred generated ones, nested, written into one C program that prints them.

use ffic_schema::{StructLayout, SymbolKind, Target, Type, check, native};
use std::fmt::Write;
use std::process::Command;
use std::sync::Arc;

/// Non-void primitives of Deno's descriptors: what a struct field can be.
fn fields() -> Vec<&'static native::Row> {
    native::TABLE
        .iter()
        .filter(|row| row.kind != native::Kind::Void && row.carrier.is_none())
        .collect()
}

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }
}

/// A random struct type as descriptor JSON, nesting at most `depth` levels.
fn random_struct(rng: &mut Rng, depth: u32) -> String {
    let count = 1 + rng.below(6);
    let fields: Vec<String> = (0..count)
        .map(|_| {
            if depth > 0 && rng.below(4) == 0 {
                random_struct(rng, depth - 1)
            } else {
                let fields = fields();
                format!("\"{}\"", fields[rng.below(fields.len())].name)
            }
        })
        .collect();
    format!("{{\"struct\": [{}]}}", fields.join(", "))
}

/// Declares `layout` (and the structs inside it) in C; returns its C type name.
fn declare(
    layout: &StructLayout,
    c: &mut String,
    checks: &mut Vec<(String, Arc<StructLayout>)>,
) -> String {
    let mut members = String::new();
    for (i, field) in layout.fields.iter().enumerate() {
        let c_type = match field {
            Type::Primitive(p) => p.row().c.to_owned(),
            Type::Struct(inner) => declare(inner, c, checks),
        };
        // Function pointers need the declarator around the name.
        if c_type.contains("(*)") {
            let _ = writeln!(members, "  {};", c_type.replace("(*)", &format!("(*f{i})")));
        } else {
            let _ = writeln!(members, "  {c_type} f{i};");
        }
    }
    let name = format!("s{}", checks.len());
    let _ = writeln!(c, "typedef struct {{\n{members}}} {name};");
    checks.push((name.clone(), Arc::new(layout.clone())));
    name
}

#[test]
fn struct_layouts_match_the_c_compiler() {
    let mut structs = vec![
        r#"{"struct": ["u8"]}"#.to_owned(),
        r#"{"struct": ["u8", "f64", "u16"]}"#.to_owned(),
        r#"{"struct": ["u16", "u8"]}"#.to_owned(),
        r#"{"struct": ["bool", "i32", "bool"]}"#.to_owned(),
        r#"{"struct": ["f32", "f32", "f32"]}"#.to_owned(),
        r#"{"struct": [{"struct": ["u8", "u8", "u8"]}, "u16", {"struct": ["u8"]}]}"#.to_owned(),
        r#"{"struct": ["u64", "u64", "u64", {"struct": [{"struct": ["u8"]}, "i8"]}]}"#.to_owned(),
        r#"{"struct": ["pointer", "u8", "function", "buffer", "usize", "isize"]}"#.to_owned(),
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    structs.extend((0..300).map(|_| random_struct(&mut rng, 3)));

    let descriptor = format!(
        "{{{}}}",
        structs
            .iter()
            .enumerate()
            .map(|(i, s)| format!("\"f{i}\": {{\"parameters\": [{s}], \"result\": \"void\"}}"))
            .collect::<Vec<_>>()
            .join(",\n")
    );
    let report = check(descriptor.as_bytes(), Target::host());
    let library = report
        .library
        .unwrap_or_else(|| panic!("{:#?}", report.diagnostics));

    let mut c = String::from(
        "#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <stdio.h>\n",
    );
    let mut checks = Vec::new();
    for symbol in &library.symbols {
        let SymbolKind::Function { signature, .. } = &symbol.kind else {
            panic!("only functions were declared")
        };
        let Type::Struct(layout) = &signature.parameters[0] else {
            panic!("every parameter is a struct")
        };
        declare(layout, &mut c, &mut checks);
    }
    c.push_str("int main(void) {\n");
    for (name, layout) in &checks {
        let _ = writeln!(
            c,
            "  printf(\"{name} %zu %zu\", sizeof({name}), _Alignof({name}));"
        );
        for i in 0..layout.fields.len() {
            let _ = writeln!(c, "  printf(\" %zu\", offsetof({name}, f{i}));");
        }
        c.push_str("  printf(\"\\n\");\n");
    }
    c.push_str("  return 0;\n}\n");

    let dir = std::env::temp_dir().join(format!("ffic-layout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (source, binary) = (dir.join("layout.c"), dir.join("layout"));
    std::fs::write(&source, &c).expect("write C source");
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(&compiler)
        .args(["-std=c11", "-Wall", "-Werror", "-o"])
        .arg(&binary)
        .arg(&source)
        .status()
        .unwrap_or_else(|e| panic!("running {compiler}: {e}"));
    assert!(
        status.success(),
        "the C compiler rejected {}",
        source.display()
    );
    let output = Command::new(&binary)
        .output()
        .expect("run the layout program");
    let printed = String::from_utf8(output.stdout).expect("ASCII output");

    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), checks.len());
    for ((name, layout), line) in checks.iter().zip(lines) {
        let mut expected = format!("{name} {} {}", layout.size, layout.align);
        for offset in &layout.offsets {
            let _ = write!(expected, " {offset}");
        }
        assert_eq!(line, expected, "layout of {name} (C says the left side)");
    }
    assert!(checks.len() > 300, "nested structs are checked too");
    let _ = std::fs::remove_dir_all(&dir);
}
