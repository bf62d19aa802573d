//! The digest ignores key order, formatting and documentation, and changes
//! with every single change to what generated code depends on.

use ffic_schema::{Digest, Target, check};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Non-void primitive names.
const PRIMITIVES: [&str; 16] = [
    "bool", "u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64", "usize", "isize", "f32", "f64",
    "pointer", "buffer", "function",
];

#[derive(Debug, Clone, PartialEq)]
enum Ty {
    Primitive(usize),
    Struct(Vec<Ty>),
}

#[derive(Debug, Clone)]
enum Def {
    Function {
        parameters: Vec<Ty>,
        result: Option<Ty>,
        nonblocking: bool,
        optional: bool,
        name: Option<String>,
        doc: Option<String>,
    },
    Static {
        ty: usize,
        optional: bool,
        name: Option<String>,
    },
}

type Model = Vec<(String, Def)>;

fn ty() -> impl Strategy<Value = Ty> {
    let leaf = (0..PRIMITIVES.len()).prop_map(Ty::Primitive);
    leaf.prop_recursive(3, 12, 4, |inner| {
        prop::collection::vec(inner, 1..4).prop_map(Ty::Struct)
    })
}

fn def() -> impl Strategy<Value = Def> {
    let native = prop::option::of("[a-z_][a-z0-9_]{0,8}");
    prop_oneof![
        4 => (
            prop::collection::vec(ty(), 0..5),
            prop::option::of(ty()),
            any::<bool>(),
            any::<bool>(),
            native.clone(),
            prop::option::of("[ -~]{0,20}"),
        )
            .prop_map(|(parameters, result, nonblocking, optional, name, doc)| Def::Function {
                parameters,
                result,
                nonblocking,
                optional,
                name,
                doc,
            }),
        1 => (0..PRIMITIVES.len(), any::<bool>(), native)
            .prop_map(|(ty, optional, name)| Def::Static { ty, optional, name }),
    ]
}

fn model() -> impl Strategy<Value = Model> {
    prop::collection::btree_map("[a-z][a-z0-9_]{0,6}", def(), 1..6)
        .prop_map(|m| m.into_iter().collect())
}

fn ty_json(t: &Ty) -> Value {
    match t {
        Ty::Primitive(i) => json!(PRIMITIVES[*i]),
        Ty::Struct(fields) => json!({ "struct": fields.iter().map(ty_json).collect::<Vec<_>>() }),
    }
}

fn to_json(model: &Model) -> Value {
    let mut root = Map::new();
    for (key, d) in model {
        let mut o = Map::new();
        match d {
            Def::Function {
                parameters,
                result,
                nonblocking,
                optional,
                name,
                doc,
            } => {
                o.insert(
                    "parameters".into(),
                    parameters.iter().map(ty_json).collect(),
                );
                o.insert(
                    "result".into(),
                    result.as_ref().map_or(json!("void"), ty_json),
                );
                o.insert("nonblocking".into(), json!(nonblocking));
                o.insert("optional".into(), json!(optional));
                if let Some(n) = name {
                    o.insert("name".into(), json!(n));
                }
                if let Some(doc) = doc {
                    o.insert("ffic".into(), json!({ "doc": doc }));
                }
            }
            Def::Static { ty, optional, name } => {
                o.insert("type".into(), json!(PRIMITIVES[*ty]));
                o.insert("optional".into(), json!(optional));
                if let Some(n) = name {
                    o.insert("name".into(), json!(n));
                }
            }
        }
        root.insert(key.clone(), Value::Object(o));
    }
    Value::Object(root)
}

/// Writes `value` with object keys in an order and whitespace both drawn from `seed`.
fn render(value: &Value, seed: &mut u64, out: &mut String) {
    let mut next = |n: u64| {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*seed >> 33) % n
    };
    let space = [" ", "", "\n  ", "\t"][next(4) as usize];
    match value {
        Value::Object(o) => {
            let mut keys: Vec<&String> = o.keys().collect();
            for i in (1..keys.len()).rev() {
                keys.swap(i, next(i as u64 + 1) as usize);
            }
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(space);
                out.push_str(&serde_json::to_string(k).expect("string"));
                out.push(':');
                out.push_str(space);
                render(&o[k.as_str()], seed, out);
            }
            out.push_str(space);
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, v) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                    out.push_str(space);
                }
                render(v, seed, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn digest_of(text: &str) -> Digest {
    let report = check(text.as_bytes(), Target::X86_64_LINUX);
    report
        .library
        .unwrap_or_else(|| panic!("{text}\n{:#?}", report.diagnostics))
        .digest()
}

fn digest(model: &Model, seed: u64) -> Digest {
    let mut text = String::new();
    render(&to_json(model), &mut { seed }, &mut text);
    digest_of(&text)
}

/// Changes one thing that generated code depends on; `pick` chooses what.
fn mutate(model: &mut Model, pick: usize) {
    let index = pick % model.len();
    let (key, d) = &mut model[index];
    let other = |i: usize| (i + 1) % PRIMITIVES.len();
    let what = pick / 7 % 9;
    if matches!(d, Def::Static { .. }) && !matches!(what, 0 | 2 | 3 | 8) {
        *d = Def::Function {
            parameters: vec![],
            result: None,
            nonblocking: false,
            optional: false,
            name: None,
            doc: None,
        };
        return;
    }
    match (what, d) {
        (0, _) => key.push('x'),
        (1, Def::Function { nonblocking, .. }) => *nonblocking = !*nonblocking,
        (2, Def::Function { optional, .. } | Def::Static { optional, .. }) => {
            *optional = !*optional
        }
        (3, Def::Function { name, .. } | Def::Static { name, .. }) => {
            *name = Some(name.clone().unwrap_or_else(|| key.clone()) + "_v2")
        }
        (4, Def::Function { parameters, .. }) => parameters.push(Ty::Primitive(pick % 16)),
        (5, Def::Function { parameters, .. }) if !parameters.is_empty() => {
            parameters.pop();
        }
        (6, Def::Function { result, .. }) => {
            *result = match result.take() {
                None => Some(Ty::Primitive(0)),
                Some(_) => None,
            }
        }
        (7, Def::Function { parameters, .. }) if !parameters.is_empty() => {
            // Change the deepest first leaf of the first parameter.
            let mut t = &mut parameters[0];
            while let Ty::Struct(fields) = t {
                t = &mut fields[0];
            }
            if let Ty::Primitive(i) = t {
                *i = other(*i);
            }
        }
        (8, Def::Static { ty, .. }) => *ty = other(*ty),
        (_, Def::Function { parameters, .. }) => {
            parameters.insert(0, Ty::Struct(vec![Ty::Primitive(1)]))
        }
        // Statics with other choices were turned into functions above.
        (_, Def::Static { .. }) => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn digest_ignores_key_order_and_formatting(m in model(), a in any::<u64>(), b in any::<u64>()) {
        prop_assert_eq!(digest(&m, a), digest(&m, b));
    }

    #[test]
    fn digest_ignores_documentation(mut m in model(), seed in any::<u64>()) {
        let before = digest(&m, seed);
        for (_, d) in &mut m {
            if let Def::Function { doc, .. } = d {
                *doc = Some(doc.clone().unwrap_or_default() + " (more)");
            }
        }
        prop_assert_eq!(before, digest(&m, seed));
    }

    #[test]
    fn digest_changes_with_every_semantic_change(mut m in model(), pick in any::<usize>(), seed in any::<u64>()) {
        let before = digest(&m, seed);
        let original = format!("{m:?}");
        mutate(&mut m, pick);
        prop_assume!(format!("{m:?}") != original);
        // Renaming a key onto another key merges two symbols: a change too, but not one to test here.
        let mut keys: Vec<&String> = m.iter().map(|(k, _)| k).collect();
        keys.sort();
        keys.dedup();
        prop_assume!(keys.len() == m.len());
        prop_assert_ne!(before, digest(&m, seed));
    }
}

/// Pins the encoding: if this changes, bump `DIGEST_TAG` so old caches miss.
#[test]
fn the_libm_example_digest_is_stable() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/libm/symbols.json"
    ))
    .expect("example");
    assert_eq!(
        digest_of(&text).to_string(),
        "387cd94146d2b0932c8fe0cfc588689982344da626595f2e9ffb7f0f87784c61"
    );
}

#[test]
fn absent_null_and_default_fields_give_the_same_digest() {
    let plain = r#"{"f": {"parameters": [], "result": "void"}, "s": {"type": "i32"}}"#;
    let spelled = r#"{"f": {"parameters": [], "result": "void", "nonblocking": false, "optional": false, "name": "f"},
                      "s": {"type": "i32", "name": "", "optional": false}}"#;
    let nulls = r#"{"f": {"parameters": [], "result": "void", "nonblocking": null, "name": null}, "s": {"type": "i32", "name": null}}"#;
    assert_eq!(digest_of(plain), digest_of(spelled));
    assert_eq!(digest_of(plain), digest_of(nulls));
}

#[test]
fn parameter_names_and_docs_do_not_change_the_digest() {
    let plain = r#"{"add": {"parameters": ["i32", "i32"], "result": "i32"}}"#;
    let documented = r#"{
        "$schema": "../ffic.schema.json",
        "add": {"result": "i32", "parameters": ["i32", "i32"],
                "ffic": {"doc": "Adds.", "parameterNames": ["a", "b"]}}
    }"#;
    assert_eq!(digest_of(plain), digest_of(documented));
    let different = r#"{"add": {"parameters": ["i32", "i64"], "result": "i32"}}"#;
    assert_ne!(digest_of(plain), digest_of(different));
}

#[test]
fn every_blocking_function_goes_fast_and_value_results_have_a_reentrant_form() {
    let library = |text: &str| check(text.as_bytes(), Target::host()).library.unwrap();
    // `callsBack` is still accepted, and changes nothing.
    let plain = r#"{"run": {"parameters": ["pointer"], "result": "i32"}}"#;
    let marked =
        r#"{"run": {"parameters": ["pointer"], "result": "i32", "ffic": {"callsBack": true}}}"#;
    assert_eq!(digest_of(plain), digest_of(marked));
    assert_eq!(library(plain), library(marked));
    for (text, fast, reentrant) in [
        (plain, true, true),
        (
            r#"{"f": {"parameters": ["function"], "result": "i32"}}"#,
            true,
            true,
        ),
        (
            r#"{"f": {"parameters": ["function"], "result": "pointer"}}"#,
            true,
            true,
        ),
        (
            r#"{"f": {"parameters": ["function"], "result": "void"}}"#,
            true,
            false,
        ),
        (
            r#"{"f": {"parameters": [], "result": {"struct": ["i32"]}}}"#,
            true,
            false,
        ),
        (
            r#"{"f": {"parameters": [], "result": "i32", "nonblocking": true}}"#,
            false,
            false,
        ),
        (r#"{"f": {"type": "i32"}}"#, false, false),
    ] {
        let symbol = &library(text).symbols[0];
        assert_eq!(symbol.fast_call(), fast, "{text}");
        assert_eq!(symbol.reentrant_call(), reentrant, "{text}");
    }
}
