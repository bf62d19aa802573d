//! Compile time for 1, 100 and 1000 symbols of mixed signatures: the
//! artifact alone (IR, codegen, layout) and with validation, as `ffic
//! compile` does it. Run: `cargo bench -p ffic-compiler --bench compile`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ffic_compiler::compile_artifact;
use ffic_schema::Target;
use std::hint::black_box;
use std::time::Duration;

fn compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    for n in [1, 100, 1000] {
        let text = ffic_testlib::synthetic_descriptor(n);
        let library = ffic_schema::check(text.as_bytes(), Target::host())
            .library
            .expect("the synthetic descriptor is valid");
        let bytes = compile_artifact(&library).unwrap().bytes.len();
        eprintln!(
            "{n} symbols: {bytes} artifact bytes, {} per symbol",
            bytes / n
        );
        group.bench_with_input(BenchmarkId::new("artifact", n), &library, |b, l| {
            b.iter(|| compile_artifact(black_box(l)).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("check+artifact", n), &text, |b, t| {
            b.iter(|| {
                let library = ffic_schema::check(black_box(t.as_bytes()), Target::host())
                    .library
                    .unwrap();
                compile_artifact(&library).unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, compile);
criterion_main!(benches);
