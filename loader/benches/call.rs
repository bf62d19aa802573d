//! Per-call cost of each path against the floor, side by side: a direct call
//! through a Rust function pointer, then the invoke contract (argument slots
//! in, result bytes out) served by the artifact's trampoline, the JIT's, and
//! libffi's `ffi_call`; plus the checked `Function::call` with typed values.
//! Run: `cargo bench -p ffic-loader --bench call`.

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use ffic_loader::{CallPath, DynamicLibrary, OpenOptions, Value};
use std::ffi::c_void;
use std::hint::black_box;
use std::time::Duration;

#[repr(C)]
#[derive(Clone, Copy)]
struct Dl {
    d: f64,
    l: i64,
}

fn library() -> ffic_schema::Library {
    let bytes = std::fs::read(ffic_testlib::descriptor_path()).unwrap();
    ffic_schema::check(&bytes, ffic_schema::Target::host())
        .library
        .unwrap()
}

/// The three libraries, one per path.
fn open_all(dir: &std::path::Path) -> Vec<DynamicLibrary> {
    let library = library();
    let path = dir.join("ffic_test.ffic");
    let compiled = ffic_compiler::compile_artifact(&library).unwrap();
    ffic_compiler::write_atomically(&path, &compiled.bytes).unwrap();
    [
        OpenOptions::new().artifact(&path),
        OpenOptions::new().jit(true),
        OpenOptions::new().jit(false),
    ]
    .into_iter()
    .map(|options| {
        // SAFETY: the test descriptor describes the test library truthfully.
        unsafe { options.open(library.clone(), ffic_testlib::library_path()) }.unwrap()
    })
    .collect()
}

fn calls(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let libs = open_all(dir.path());
    assert_eq!(
        libs.iter().map(DynamicLibrary::path).collect::<Vec<_>>(),
        [CallPath::Artifact, CallPath::Jit, CallPath::Libffi]
    );
    let dl = Dl { d: 1.5, l: 2 };
    let dl_bytes = [1.5f64.to_le_bytes(), 2i64.to_le_bytes()].concat();
    // (name, slots, the same arguments as typed values)
    let cases: Vec<(&str, Vec<u64>, Vec<Value>)> = vec![
        ("nop", vec![], vec![]),
        ("add_i32", vec![2, 3], vec![Value::I32(2), Value::I32(3)]),
        (
            "add_f64",
            vec![1.5f64.to_bits(), 2.25f64.to_bits()],
            vec![Value::F64(1.5), Value::F64(2.25)],
        ),
        (
            "mix6",
            vec![1, 2, 3, 4, u64::from(5f32.to_bits()), 6f64.to_bits()],
            vec![
                Value::I8(1),
                Value::U16(2),
                Value::I32(3),
                Value::I64(4),
                Value::F32(5.0),
                Value::F64(6.0),
            ],
        ),
        (
            "sum_dl",
            vec![(&raw const dl) as u64],
            vec![Value::Struct(dl_bytes.as_slice().into())],
        ),
    ];
    let mut group = c.benchmark_group("call");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    for (name, slots, values) in &cases {
        let address = libs[0].function(name).unwrap().unwrap().address();
        direct(&mut group, name, address);
        for lib in &libs {
            let f = lib.function(name).unwrap().unwrap();
            let mut ret = [0u8; 16];
            group.bench_function(format!("{name}/{}", lib.path()), |b| {
                b.iter(|| {
                    // SAFETY: slots hold valid arguments of the signature
                    // (the struct slot points at `dl`, alive here).
                    unsafe {
                        f.invoker().call(
                            black_box(f.address()),
                            black_box(slots.as_ptr()),
                            ret.as_mut_ptr(),
                        )
                    };
                    black_box(&ret);
                })
            });
        }
        let f = libs[0].function(name).unwrap().unwrap();
        group.bench_function(format!("{name}/checked call (artifact)"), |b| {
            // SAFETY: valid arguments of the signature.
            b.iter(|| unsafe { f.call(black_box(values)) }.unwrap())
        });
    }
    group.finish();
}

/// The floor: the same native function called through a typed Rust pointer.
fn direct(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, address: *const c_void) {
    let id = format!("{name}/direct");
    // SAFETY (each arm): the address is the test library's function of that
    // name, which has exactly this C signature.
    unsafe {
        match name {
            "nop" => {
                let f: extern "C" fn() = std::mem::transmute(address);
                group.bench_function(id, |b| b.iter(|| black_box(f)()));
            }
            "add_i32" => {
                let f: extern "C" fn(i32, i32) -> i32 = std::mem::transmute(address);
                group.bench_function(id, |b| b.iter(|| black_box(f)(black_box(2), black_box(3))));
            }
            "add_f64" => {
                let f: extern "C" fn(f64, f64) -> f64 = std::mem::transmute(address);
                group.bench_function(id, |b| {
                    b.iter(|| black_box(f)(black_box(1.5), black_box(2.25)))
                });
            }
            "mix6" => {
                let f: extern "C" fn(i8, u16, i32, i64, f32, f64) -> f64 =
                    std::mem::transmute(address);
                group.bench_function(id, |b| {
                    b.iter(|| {
                        black_box(f)(
                            black_box(1),
                            black_box(2),
                            black_box(3),
                            black_box(4),
                            black_box(5.0),
                            black_box(6.0),
                        )
                    })
                });
            }
            "sum_dl" => {
                let f: extern "C" fn(Dl) -> f64 = std::mem::transmute(address);
                group.bench_function(id, |b| {
                    b.iter(|| black_box(f)(black_box(Dl { d: 1.5, l: 2 })))
                });
            }
            _ => unreachable!("no direct form for {name}"),
        }
    }
}

criterion_group!(benches, calls);
criterion_main!(benches);
