//! Map + verify + bind time for artifacts of 1, 100 and 1000 symbols (every
//! symbol resolved in the test library). Run:
//! `cargo bench -p ffic-loader --bench map_bind`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ffic_loader::{Helpers, MappedArtifact, NativeLibrary};
use ffic_schema::Target;
use std::ffi::c_void;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

unsafe extern "C" fn buffer_data(_: *const c_void) -> *mut u8 {
    std::ptr::null_mut()
}
unsafe extern "C" fn struct_data(_: *const c_void, _: usize) -> *mut u8 {
    std::ptr::null_mut()
}
unsafe extern "C" fn raise(_: *const c_void, _: u32, _: u32) {}

fn map_bind(c: &mut Criterion) {
    let helpers = Helpers {
        buffer_data,
        struct_data,
        raise,
        trace: None,
    };
    let native = Arc::new(NativeLibrary::open(ffic_testlib::library_path()).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let mut group = c.benchmark_group("map_bind");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(3));
    for n in [1, 100, 1000] {
        let text = ffic_testlib::synthetic_descriptor(n);
        let library = ffic_schema::check(text.as_bytes(), Target::host())
            .library
            .expect("the synthetic descriptor is valid");
        let path = dir.path().join(format!("s{n}.ffic"));
        let compiled = ffic_compiler::compile_artifact(&library).unwrap();
        std::fs::write(&path, &compiled.bytes).unwrap();
        group.bench_with_input(BenchmarkId::from_parameter(n), &library, |b, l| {
            b.iter(|| MappedArtifact::load(black_box(&path), l, native.clone(), &helpers).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, map_bind);
criterion_main!(benches);
