//! Variadic functions through the loader on every path, against the test
//! library's `va_sum`, which reads each argument with `va_arg`: call shapes
//! with every promoted type, past the vector and integer argument registers,
//! called through their invokers (artifact, JIT, libffi) via the variadic
//! thunk that sets `%al` (the callee skips the vector registers without it).

mod support;

use ffic_loader::{CallPath, DynamicLibrary, Value};
use ffic_schema::Library;
use std::ffi::CStr;

fn library() -> Library {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/run/variadic.json");
    support::checked(&std::fs::read(path).unwrap())
}

fn sums(lib: &DynamicLibrary) {
    let text = |s: &CStr| Value::Pointer(s.as_ptr().cast_mut().cast());
    let call = |name: &str, args: &[Value<'_>]| {
        // SAFETY: va_sum reads exactly the arguments its type string names.
        unsafe { lib.function(name).unwrap().unwrap().call(args) }.unwrap()
    };
    assert_eq!(call("va_sum", &[text(c"")]), Value::F64(0.0));
    assert_eq!(
        call("va_sum_i", &[text(c"i"), Value::I32(41)]),
        Value::F64(41.0)
    );
    // Promoted: the shape's i8, u16 and bool are ints, its f32 a double.
    let small = [
        text(c"iiid"),
        Value::I32(-5),
        Value::I32(65535),
        Value::I32(1),
        Value::F64(0.5),
    ];
    assert_eq!(call("va_sum_small", &small), Value::F64(65531.5));
    let mixed = [
        text(c"ldsp"),
        Value::I64(1 << 40),
        Value::F64(0.25),
        text(c"abc"),
        Value::Pointer(std::ptr::dangling_mut()),
    ];
    assert_eq!(
        call("va_sum_mixed", &mixed),
        Value::F64((1u64 << 40) as f64 + 4.25)
    );
    let mut doubles = vec![text(c"dddddddddd")];
    doubles.extend((1..=10).map(|i| Value::F64(f64::from(i))));
    assert_eq!(call("va_sum_doubles", &doubles), Value::F64(55.0));
    let mut ints = vec![text(c"iiiiiiii")];
    ints.extend((1..=8).map(Value::I32));
    assert_eq!(call("va_sum_ints", &ints), Value::F64(36.0));
}

#[test]
fn variadic_shapes_through_the_artifact() {
    let (lib, _dir) = support::open_on(&library(), CallPath::Artifact);
    sums(&lib);
}

#[test]
fn opens_of_the_same_descriptors_call_one_thunk() {
    // The same addresses, so a second open can share the first one's code.
    let (first, _) = support::open_on(&library(), CallPath::Libffi);
    let (second, _) = support::open_on(&library(), CallPath::Libffi);
    let address = |lib: &DynamicLibrary| lib.function("va_sum").unwrap().unwrap().address();
    assert_eq!(address(&first), address(&second));
    assert_eq!(
        address(&first),
        first.function("va_sum_i").unwrap().unwrap().address(),
        "a function's call shapes share its thunk"
    );
}

#[test]
fn variadic_shapes_through_the_jit() {
    sums(&support::open_on(&library(), CallPath::Jit).0);
}

#[test]
fn variadic_shapes_through_the_lazy_jit() {
    // Each shape compiled on its own, calling the thunk its open resolved.
    sums(&support::open_lazily(&library()));
}

#[test]
fn variadic_shapes_through_libffi() {
    sums(&support::open_on(&library(), CallPath::Libffi).0);
}
