//! Opening a library of 1, 100 and 1000 symbols on each path: resolve every
//! symbol in the test library, then map + verify + bind an artifact, or
//! compile in process (JIT), or prepare libffi calls. Run:
//! `cargo bench -p ffic-loader --bench open`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ffic_loader::{CallPath, NativeLibrary, OpenOptions};
use ffic_schema::Target;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

fn open(c: &mut Criterion) {
    let native = Arc::new(NativeLibrary::open(ffic_testlib::library_path()).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let mut group = c.benchmark_group("open");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(3));
    for n in [1, 100, 1000] {
        let text = ffic_testlib::synthetic_descriptor(n);
        let library = Arc::new(
            ffic_schema::check(text.as_bytes(), Target::host())
                .library
                .expect("the synthetic descriptor is valid"),
        );
        let path = dir.path().join(format!("s{n}.ffic"));
        let compiled = ffic_compiler::compile_artifact(&library).unwrap();
        ffic_compiler::write_atomically(&path, &compiled.bytes).unwrap();
        let paths = [
            (CallPath::Artifact, OpenOptions::new().artifact(&path)),
            (CallPath::Jit, OpenOptions::new().jit(true)),
            (CallPath::Libffi, OpenOptions::new().jit(false)),
        ];
        for (expected, options) in paths {
            group.bench_with_input(
                BenchmarkId::new(expected.to_string(), n),
                &library,
                |b, l| {
                    b.iter(|| {
                        // SAFETY: the synthetic descriptor binds real symbols of
                        // the test library with their true signatures.
                        let lib = unsafe {
                            options.open_native(Arc::clone(black_box(l)), native.clone())
                        }
                        .unwrap();
                        assert_eq!(lib.path(), expected);
                        lib
                    })
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, open);
criterion_main!(benches);
