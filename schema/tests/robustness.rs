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

/// `n` symbols with an unknown field each (a warning apiece), then `tail`.
fn many_warnings(n: usize, tail: &str) -> String {
    let symbols: Vec<String> = (0..n)
        .map(|i| format!("\"f{i}\": {{\"parameters\": [], \"result\": \"void\", \"typo\": 1}}"))
        .collect();
    format!("{{{}{tail}}}", symbols.join(","))
}

#[test]
fn listing_stops_at_the_cap_but_validity_stays_exact() {
    let warnings_only = check(many_warnings(300, "").as_bytes(), Target::host());
    assert!(warnings_only.is_valid(), "only warnings, however many");
    assert_eq!(warnings_only.diagnostics.len(), 201);
    assert_eq!(
        warnings_only.diagnostics.last().map(|d| d.code),
        Some(Code::TooManyDiagnostics)
    );

    // The one error comes after the cap: unlisted, but still decides validity.
    for tail in [
        r#", "z": {"parameters": ["int"], "result": "void"}"#,
        r#", "z": {"parameters": ["void", "i32"], "result": "void"}"#,
    ] {
        let hidden_error = check(many_warnings(300, tail).as_bytes(), Target::host());
        assert!(!hidden_error.is_valid(), "{tail}");
        assert_eq!(hidden_error.diagnostics.len(), 201);
    }
}

#[test]
fn a_flood_of_bad_types_is_capped_and_every_listed_one_is_located() {
    let parameters = vec!["\"x\""; 250_000].join(",");
    let text = format!("{{\"f\": {{\"parameters\": [{parameters}], \"result\": \"void\"}}}}");
    let report = check(text.as_bytes(), Target::host());
    assert!(!report.is_valid());
    assert_eq!(report.diagnostics.len(), 201);
    let listed = &report.diagnostics[..200];
    assert!(
        listed
            .iter()
            .all(|d| d.code == Code::UnknownType && d.position.is_some())
    );
    // Split validation keeps the paths exact.
    assert_eq!(listed[199].json_path(), "$.f.parameters[199]");
}

#[test]
fn split_validation_of_a_large_symbol_reports_what_whole_validation_does() {
    let report_for = |padding: usize| {
        let mut parameters = vec!["\"i32\"".to_owned(); padding];
        parameters.push(r#"{"struct": ["u8", {"struct": ["int64"], "packed": 1}]}"#.into());
        parameters.push("\"void\"".into());
        let text = format!(
            "{{\"f\": {{\"parameters\": [{}], \"nonblockng\": true, \"ffic\": {{\"doc\": 1}}}}}}",
            parameters.join(",")
        );
        let report = check(text.as_bytes(), Target::host());
        report
            .diagnostics
            .iter()
            .map(|d| {
                let path = d
                    .json_path()
                    .replace(&format!("[{padding}]"), "[N]")
                    .replace(&format!("[{}]", padding + 1), "[N+1]");
                format!("{:?} {path} {}", d.code, d.message)
            })
            .collect::<Vec<_>>()
    };
    let small = report_for(2);
    let large = report_for(2000);
    assert_eq!(small.len(), 6, "{small:#?}");
    assert_eq!(small, large);
}
