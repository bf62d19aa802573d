//! The embedding example prints what the README says it prints.

use std::process::Command;

#[test]
fn the_embedding_example_calls_libm_fast_and_nonblocking() {
    let out = Command::new(env!("CARGO_BIN_EXE_ffic-embed"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    // Σ cos(i mod 7) over 1e6 calls, computed here for comparison.
    let sum: f64 = (0..1_000_000).map(|i| f64::from(i % 7).cos()).sum();
    let expected = format!(
        "cos summed over 1e6 calls: {sum:.6}\nnonblocking sqrt(2): {}\n",
        2f64.sqrt()
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Traced, the loop's calls went fast once V8 optimized it.
    let traced = Command::new(env!("CARGO_BIN_EXE_ffic-embed"))
        .arg("--trace")
        .output()
        .unwrap();
    let trace = String::from_utf8_lossy(&traced.stderr);
    let line = trace
        .lines()
        .find(|l| l.starts_with("ffi-trace: calls cos: "))
        .unwrap();
    let fast: u64 = line
        .split(", ")
        .nth(1)
        .unwrap()
        .trim_end_matches(" fast")
        .parse()
        .unwrap();
    assert!(fast > 900_000, "{trace}");
}
