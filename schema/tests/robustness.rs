//! No input makes `check` panic, hang or overflow the stack: arbitrary bytes,
//! arbitrary JSON, extreme nesting and size. Each gets a located error instead.

use ffic_schema::{Code, MAX_DESCRIPTOR_BYTES, Report, Target, check};
use proptest::prelude::*;
use serde_json::Value;

fn codes(report: &Report) -> Vec<Code> {
    report.diagnostics.iter().map(|d| d.code).collect()
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "(void|i32|f64|pointer|struct|type|parameters|result|name|[a-z]{0,4})"
            .prop_map(Value::from),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(
                "(parameters|result|type|struct|name|optional|nonblocking|ffic|doc|parameterNames|[a-z]{1,3})",
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let report = check(&bytes, Target::host());
        // Short random bytes are never a valid descriptor, and the error is located.
        if !report.is_valid() {
            prop_assert!(report.diagnostics.iter().any(|d| d.position.is_some()), "{:?}", report.diagnostics);
        }
    }

    #[test]
    fn arbitrary_json_never_panics_and_errors_are_located(symbols in prop::collection::btree_map("[a-z]{1,4}", json_value(), 0..5)) {
        let text = serde_json::to_string_pretty(&symbols).expect("serializes");
        let report = check(text.as_bytes(), Target::host());
        for d in &report.diagnostics {
            prop_assert!(d.position.is_some(), "unlocated: {:?}", d);
        }
    }
}

#[test]
fn extreme_nesting_is_an_error_not_a_stack_overflow() {
    let text = "[".repeat(100_000);
    let report = check(text.as_bytes(), Target::host());
    assert_eq!(codes(&report), [Code::TooDeep]);

    let mut nested = String::from("\"u8\"");
    for _ in 0..100 {
        nested = format!("{{\"struct\": [{nested}]}}");
    }
    let text = format!("{{\"f\": {{\"parameters\": [{nested}], \"result\": \"void\"}}}}");
    assert_eq!(
        codes(&check(text.as_bytes(), Target::host())),
        [Code::TooDeep]
    );
}

#[test]
fn structs_nested_as_deep_as_deno_allows_are_valid() {
    let mut nested = String::from("\"u8\"");
    for _ in 0..60 {
        nested = format!("{{\"struct\": [\"u16\", {nested}]}}");
    }
    let text = format!("{{\"f\": {{\"parameters\": [{nested}], \"result\": {nested}}}}}");
    let report = check(text.as_bytes(), Target::host());
    assert!(report.is_valid(), "{:#?}", report.diagnostics);
}

#[test]
fn oversized_files_are_refused_before_parsing() {
    let text = vec![b' '; MAX_DESCRIPTOR_BYTES + 1];
    assert_eq!(codes(&check(&text, Target::host())), [Code::TooLarge]);
}

#[test]
fn many_symbols_and_parameters_are_fine() {
    let parameters = vec!["\"i32\""; 300].join(",");
    let symbols: Vec<String> = (0..2000)
        .map(|i| format!("\"f{i}\": {{\"parameters\": [{parameters}], \"result\": \"i64\"}}"))
        .collect();
    let text = format!("{{{}}}", symbols.join(","));
    let report = check(text.as_bytes(), Target::host());
    assert_eq!(report.library.map(|l| l.symbols.len()), Some(2000));
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let report = check(
        b"\xEF\xBB\xBF{\"f\": {\"parameters\": [], \"result\": \"void\"}}",
        Target::host(),
    );
    assert!(report.is_valid(), "{:#?}", report.diagnostics);
}

#[test]
fn invalid_utf8_is_located_at_the_bad_byte() {
    let report = check(b"{\n  \"f\xC3\xA9\xFF\": 1}", Target::host());
    assert_eq!(codes(&report), [Code::NotUtf8]);
    let at = report.diagnostics[0].position.expect("located");
    assert_eq!((at.line, at.column), (2, 6));
}
