//! Bench-only (feature `bench-floor`): the floor under a fast call. The
//! benchmark's signatures registered with V8's Fast API as hand-written
//! Rust functions that call the test library directly, with no trampoline
//! and no helper in between. `fficFloor(path)` returns them by name
//! (`nop add_i32 add_f64 id_u64 buf_sum sum_dl`, and `callback_loop`); their slow callbacks only
//! serve the warm-up before V8 optimizes the caller.

use std::ffi::c_void;
use std::sync::atomic::{AtomicPtr, Ordering};
use v8::fast_api::{CFunction, CFunctionInfo, CTypeInfo, Int64Representation, Type as C};

type Args<'s> = v8::FunctionCallbackArguments<'s>;
type Ret<'s> = v8::ReturnValue<'s, v8::Value>;

/// `{f64, i64}` by value, as `sum_dl` takes it.
#[repr(C)]
#[derive(Clone, Copy)]
struct Dl {
    d: f64,
    l: i64,
}

static NOP: AtomicPtr<c_void> = AtomicPtr::new(std::ptr::null_mut());
static ADD_I32: AtomicPtr<c_void> = AtomicPtr::new(std::ptr::null_mut());
static ADD_F64: AtomicPtr<c_void> = AtomicPtr::new(std::ptr::null_mut());
static ID_U64: AtomicPtr<c_void> = AtomicPtr::new(std::ptr::null_mut());
static BUF_SUM: AtomicPtr<c_void> = AtomicPtr::new(std::ptr::null_mut());
static SUM_DL: AtomicPtr<c_void> = AtomicPtr::new(std::ptr::null_mut());

/// The native function in `slot` as the C function type `F`.
///
/// # Safety
/// `slot` must hold (from `open`) a function of type `F`.
#[inline(always)]
unsafe fn native<F: Copy>(slot: &AtomicPtr<c_void>) -> F {
    let address = slot.load(Ordering::Relaxed);
    assert!(!address.is_null(), "fficFloor was not opened");
    // SAFETY: the caller says `slot` holds a function of type `F`, which is
    // a function pointer of the same size as the address.
    unsafe { std::mem::transmute_copy::<*mut c_void, F>(&address) }
}

/// The data pointer and length of a `V8Value` argument of the fast call in
/// progress (null and 0 when it is not a buffer).
fn data(slot: *const c_void) -> (*const u8, usize) {
    // SAFETY: V8 calls the fast functions below with this argument as a
    // `V8Value`, and the value is not kept past the call.
    let value = unsafe { ffic_deno::v8_value_argument(slot) };
    bytes(value)
}

/// The data pointer and length of a buffer (null and 0 when not one).
fn bytes(value: v8::Local<v8::Value>) -> (*const u8, usize) {
    ffic_deno::bytes_of(value).map_or((std::ptr::null(), 0), |(d, n)| (d.cast_const().cast(), n))
}

/// The `{f64, i64}` a buffer holds (zeros when it is shorter).
fn dl_of((data, len): (*const u8, usize)) -> Dl {
    if len < size_of::<Dl>() {
        return Dl { d: 0.0, l: 0 };
    }
    // SAFETY: the buffer holds at least a Dl's bytes; the read is unaligned.
    unsafe { data.cast::<Dl>().read_unaligned() }
}

// In every call below, the slot was filled by `open` with the test
// library's function of the C type named (ffic_test.c), hence the SAFETY.
extern "C" fn fast_nop(_: *const c_void, _: *const c_void) {
    // SAFETY: NOP holds `void nop(void)`.
    unsafe { native::<extern "C" fn()>(&NOP)() }
}
extern "C" fn fast_add_i32(_: *const c_void, a: i32, b: i32, _: *const c_void) -> i32 {
    // SAFETY: ADD_I32 holds `int32_t add_i32(int32_t, int32_t)`.
    unsafe { native::<extern "C" fn(i32, i32) -> i32>(&ADD_I32)(a, b) }
}
extern "C" fn fast_add_f64(_: *const c_void, a: f64, b: f64, _: *const c_void) -> f64 {
    // SAFETY: ADD_F64 holds `double add_f64(double, double)`.
    unsafe { native::<extern "C" fn(f64, f64) -> f64>(&ADD_F64)(a, b) }
}
extern "C" fn fast_id_u64(_: *const c_void, x: u64, _: *const c_void) -> u64 {
    // SAFETY: ID_U64 holds `uint64_t id_u64(uint64_t)`.
    unsafe { native::<extern "C" fn(u64) -> u64>(&ID_U64)(x) }
}
extern "C" fn fast_buf_sum(_: *const c_void, buf: *const c_void, n: u64, _: *const c_void) -> u32 {
    let (data, len) = data(buf);
    // SAFETY: BUF_SUM holds `uint32_t buf_sum(const uint8_t *, size_t)`,
    // which reads at most `len` bytes of the buffer here.
    unsafe {
        native::<extern "C" fn(*const u8, usize) -> u32>(&BUF_SUM)(data, (n as usize).min(len))
    }
}
extern "C" fn fast_sum_dl(_: *const c_void, dl: *const c_void, _: *const c_void) -> f64 {
    let dl = dl_of(data(dl));
    // SAFETY: SUM_DL holds `double sum_dl(DL)` with DL laid out as `Dl`.
    unsafe { native::<extern "C" fn(Dl) -> f64>(&SUM_DL)(dl) }
}

const RECV: CTypeInfo = C::V8Value.as_info();
const OPTS: CTypeInfo = C::CallbackOptions.as_info();
const BI: Int64Representation = Int64Representation::BigInt;
const NOP_INFO: CFunctionInfo = CFunctionInfo::new(C::Void.as_info(), &[RECV, OPTS], BI);
const ADD_I32_INFO: CFunctionInfo = CFunctionInfo::new(
    C::Int32.as_info(),
    &[RECV, C::Int32.as_info(), C::Int32.as_info(), OPTS],
    BI,
);
const ADD_F64_INFO: CFunctionInfo = CFunctionInfo::new(
    C::Float64.as_info(),
    &[RECV, C::Float64.as_info(), C::Float64.as_info(), OPTS],
    BI,
);
const ID_U64_INFO: CFunctionInfo =
    CFunctionInfo::new(C::Uint64.as_info(), &[RECV, C::Uint64.as_info(), OPTS], BI);
const BUF_SUM_INFO: CFunctionInfo = CFunctionInfo::new(
    C::Uint32.as_info(),
    &[RECV, C::V8Value.as_info(), C::Uint64.as_info(), OPTS],
    BI,
);
const SUM_DL_INFO: CFunctionInfo = CFunctionInfo::new(
    C::Float64.as_info(),
    &[RECV, C::V8Value.as_info(), OPTS],
    BI,
);

const NOP_FAST: [CFunction; 1] = [CFunction::new(fast_nop as *const c_void, &NOP_INFO)];
const ADD_I32_FAST: [CFunction; 1] = [CFunction::new(fast_add_i32 as *const c_void, &ADD_I32_INFO)];
const ADD_F64_FAST: [CFunction; 1] = [CFunction::new(fast_add_f64 as *const c_void, &ADD_F64_INFO)];
const ID_U64_FAST: [CFunction; 1] = [CFunction::new(fast_id_u64 as *const c_void, &ID_U64_INFO)];
const BUF_SUM_FAST: [CFunction; 1] = [CFunction::new(fast_buf_sum as *const c_void, &BUF_SUM_INFO)];
const SUM_DL_FAST: [CFunction; 1] = [CFunction::new(fast_sum_dl as *const c_void, &SUM_DL_INFO)];

fn number(scope: &mut v8::PinScope, args: &Args, i: i32) -> f64 {
    args.get(i).number_value(scope).unwrap_or(0.0)
}

fn big(args: &Args, i: i32) -> u64 {
    v8::Local::<v8::BigInt>::try_from(args.get(i)).map_or(0, |b| b.u64_value().0)
}

fn slow_nop(_: &mut v8::PinScope, _: Args, _: Ret) {
    // SAFETY: as in fast_nop.
    unsafe { native::<extern "C" fn()>(&NOP)() }
}
fn slow_add_i32(scope: &mut v8::PinScope, args: Args, mut rv: Ret) {
    let (a, b) = (
        number(scope, &args, 0) as i32,
        number(scope, &args, 1) as i32,
    );
    // SAFETY: as in fast_add_i32.
    rv.set_int32(unsafe { native::<extern "C" fn(i32, i32) -> i32>(&ADD_I32)(a, b) });
}
fn slow_add_f64(scope: &mut v8::PinScope, args: Args, mut rv: Ret) {
    let (a, b) = (number(scope, &args, 0), number(scope, &args, 1));
    // SAFETY: as in fast_add_f64.
    rv.set_double(unsafe { native::<extern "C" fn(f64, f64) -> f64>(&ADD_F64)(a, b) });
}
fn slow_id_u64(scope: &mut v8::PinScope, args: Args, mut rv: Ret) {
    // SAFETY: as in fast_id_u64.
    let x = unsafe { native::<extern "C" fn(u64) -> u64>(&ID_U64)(big(&args, 0)) };
    rv.set(v8::BigInt::new_from_u64(scope, x).into());
}
fn slow_buf_sum(_: &mut v8::PinScope, args: Args, mut rv: Ret) {
    let (data, len) = bytes(args.get(0));
    let n = (big(&args, 1) as usize).min(len);
    // SAFETY: as in fast_buf_sum.
    rv.set_uint32(unsafe { native::<extern "C" fn(*const u8, usize) -> u32>(&BUF_SUM)(data, n) });
}
fn slow_sum_dl(_: &mut v8::PinScope, args: Args, mut rv: Ret) {
    let dl = dl_of(bytes(args.get(0)));
    // SAFETY: as in fast_sum_dl.
    rv.set_double(unsafe { native::<extern "C" fn(Dl) -> f64>(&SUM_DL)(dl) });
}

/// `callback_loop(f, n)`: the floor under a callback, `f(i)` for `i` in
/// `0..n` by a bare `v8::Function::call`, each in its own handle scope with
/// the argument made and the result read as an `i32` callback's are; the
/// sum as a BigInt, as `call_i32_loop` returns it.
fn callback_loop(scope: &mut v8::PinScope, args: Args, mut rv: Ret) {
    let Ok(function) = v8::Local::<v8::Function>::try_from(args.get(0)) else {
        return super::errors::throw_type_error(scope, "expected a function");
    };
    let n = args.get(1).int32_value(scope).unwrap_or(0);
    let mut sum = 0i64;
    for i in 0..n {
        v8::scope!(let inner, scope);
        let receiver = v8::undefined(inner).into();
        let argument = v8::Integer::new(inner, i).into();
        let Some(result) = function.call(inner, receiver, &[argument]) else {
            return;
        };
        sum += i64::from(result.int32_value(inner).unwrap_or(0));
    }
    rv.set(v8::BigInt::new_from_i64(scope, sum).into());
}

/// `fficFloor(path)`: resolves the test library's functions and returns the
/// floor functions.
pub fn open(scope: &mut v8::PinScope, args: Args, mut rv: Ret) {
    let path = args.get(0).to_rust_string_lossy(scope);
    let library = match ffic_loader::NativeLibrary::open(&path) {
        Ok(library) => library,
        Err(e) => return super::errors::throw_type_error(scope, &e.to_string()),
    };
    for (slot, name) in [
        (&NOP, "nop"),
        (&ADD_I32, "add_i32"),
        (&ADD_F64, "add_f64"),
        (&ID_U64, "id_u64"),
        (&BUF_SUM, "buf_sum"),
        (&SUM_DL, "sum_dl"),
    ] {
        match library.address(name) {
            Ok(address) => slot.store(address.cast_mut(), Ordering::Relaxed),
            Err(e) => return super::errors::throw_type_error(scope, &e),
        }
    }
    // The functions are called until the process exits.
    std::mem::forget(library);
    let object = v8::Object::new(scope);
    macro_rules! floor {
        ($($name:literal => $slow:expr, $fast:expr;)*) => {$(
            let template = v8::FunctionTemplate::builder($slow).build_fast(scope, &$fast);
            let function = template.get_function(scope).expect("a floor function");
            let key = v8::String::new(scope, $name).expect("name");
            object.set(scope, key.into(), function.into());
        )*};
    }
    let key = v8::String::new(scope, "callback_loop").expect("name");
    let function = v8::Function::new(scope, callback_loop).expect("a floor function");
    object.set(scope, key.into(), function.into());
    floor! {
        "nop" => slow_nop, NOP_FAST;
        "add_i32" => slow_add_i32, ADD_I32_FAST;
        "add_f64" => slow_add_f64, ADD_F64_FAST;
        "id_u64" => slow_id_u64, ID_U64_FAST;
        "buf_sum" => slow_buf_sum, BUF_SUM_FAST;
        "sum_dl" => slow_sum_dl, SUM_DL_FAST;
    }
    rv.set(object.into());
}
