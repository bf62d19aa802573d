//! The conformance matrix: every function of the native test library called
//! with values at type boundaries on every path (artifact, JIT, libffi),
//! through the library's invoker under the invoke contract (results written
//! at exactly their size). Where compiled code has fast trampolines (artifact
//! and JIT), each one is also called directly with the V8 Fast API
//! convention (receiver and options pointers supplied here, helpers from
//! `support`), and so is the re-entrant form of one with a value, which must
//! store exactly the bytes the returning form returns.

mod support;

use ffic_compiler::imports::Raise;
use ffic_loader::{CallPath, CodeSource, DynamicLibrary, Invoker, OpenOptions, Value};
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::ffi::{CStr, c_char, c_void};
use support::{FakeValue, RAISED, TRACED};

const FILL: u8 = 0xAA;

/// An invoke argument: a scalar's little-endian bytes, or a struct's bytes.
enum A {
    Scalar(Vec<u8>),
    Struct(Vec<u8>),
}

trait Le: Copy {
    fn le(self) -> Vec<u8>;
    fn from_le(bytes: &[u8]) -> Self;
}

macro_rules! le {
    ($($t:ty),*) => {$(
        impl Le for $t {
            fn le(self) -> Vec<u8> {
                self.to_le_bytes().to_vec()
            }
            fn from_le(bytes: &[u8]) -> Self {
                <$t>::from_le_bytes(bytes[..size_of::<$t>()].try_into().unwrap())
            }
        }
    )*};
}
le!(u8, i8, u16, i16, u32, i32, u64, i64, usize, isize, f32, f64);

impl Le for bool {
    fn le(self) -> Vec<u8> {
        vec![u8::from(self)]
    }
    fn from_le(bytes: &[u8]) -> Self {
        assert!(bytes[0] <= 1, "a bool result is 0 or 1, got {}", bytes[0]);
        bytes[0] == 1
    }
}

fn s<T: Le>(v: T) -> A {
    A::Scalar(v.le())
}

fn st<T: Copy>(v: T) -> A {
    A::Struct(bytes_of(&v))
}

fn bytes_of<T: Copy>(v: &T) -> Vec<u8> {
    // SAFETY: every T used here is a repr(C) struct of plain numbers whose
    // padding is spelt out as fields, so all its bytes are initialised.
    unsafe { std::slice::from_raw_parts((v as *const T).cast::<u8>(), size_of::<T>()).to_vec() }
}

fn from_bytes<T: Copy>(b: &[u8]) -> T {
    assert!(b.len() >= size_of::<T>());
    // SAFETY: enough bytes, and every bit pattern is valid for these structs.
    unsafe { std::ptr::read_unaligned(b.as_ptr().cast::<T>()) }
}

struct Caller<'a> {
    lib: &'a DynamicLibrary,
    /// Signatures whose invoker ran.
    invoked: RefCell<HashSet<String>>,
    fasted: RefCell<HashSet<String>>,
    /// Fast trampolines called.
    fast_calls: Cell<usize>,
}

impl Caller<'_> {
    /// Calls `name` through its invoke trampoline; returns the result buffer,
    /// pre-filled with FILL so that writes past the result show.
    fn invoke(&self, name: &str, args: &[A]) -> Vec<u8> {
        let function = self.lib.function(name).unwrap().unwrap();
        self.invoked
            .borrow_mut()
            .insert(function.signature().to_string());
        // Slots start as garbage: a trampoline must read only each value's width.
        let mut slots = vec![0xA5A5_A5A5_A5A5_A5A5u64; args.len().max(1)];
        let mut structs: Vec<Vec<u8>> = Vec::new();
        for (slot, arg) in slots.iter_mut().zip(args) {
            match arg {
                A::Scalar(bytes) => {
                    let mut raw = slot.to_le_bytes();
                    raw[..bytes.len()].copy_from_slice(bytes);
                    *slot = u64::from_le_bytes(raw);
                }
                A::Struct(bytes) => {
                    // Exactly sized heap copies, so any overread is out of bounds.
                    structs.push(bytes.clone());
                    *slot = structs.last().unwrap().as_ptr() as u64;
                }
            }
        }
        let mut ret = vec![FILL; 128];
        // SAFETY: the invoker serves this symbol's signature; the slots and
        // result buffer follow the invoke contract for it.
        unsafe {
            function
                .invoker()
                .call(function.address(), slots.as_ptr(), ret.as_mut_ptr())
        };
        ret
    }

    /// Invokes and reads a scalar result, checking nothing past it was written.
    fn call<T: Le>(&self, name: &str, args: &[A]) -> T {
        let ret = self.invoke(name, args);
        assert!(
            ret[size_of::<T>()..].iter().all(|b| *b == FILL),
            "{name} wrote past its result"
        );
        T::from_le(&ret)
    }

    /// Invokes and reads a struct result of exactly `size_of::<T>()` bytes.
    fn call_struct<T: Copy>(&self, name: &str, args: &[A]) -> T {
        let ret = self.invoke(name, args);
        assert!(
            ret[size_of::<T>()..].iter().all(|b| *b == FILL),
            "{name} wrote past its struct"
        );
        from_bytes(&ret)
    }

    fn fast(&self, name: &str) -> *const u8 {
        self.fasted.borrow_mut().insert(name.to_owned());
        self.fast_calls.set(self.fast_calls.get() + 1);
        self.lib
            .function(name)
            .unwrap()
            .unwrap()
            .fast()
            .returning
            .unwrap()
    }

    /// Calls the re-entrant form of `name` through `call` (given its code
    /// and a zeroed result slot) and checks that it stores `returned`, at
    /// its width; a function without a value must have no such form.
    fn check_reentrant<R: Copy>(
        &self,
        name: &str,
        returned: &R,
        call: impl FnOnce(*const u8, *mut u8),
    ) {
        let reentrant = self.lib.function(name).unwrap().unwrap().fast().reentrant;
        let size = size_of::<R>();
        if size == 0 {
            assert!(reentrant.is_none(), "{name} returns nothing");
            return;
        }
        let mut slot = 0u64;
        self.fast_calls.set(self.fast_calls.get() + 1);
        call(
            reentrant.expect("a re-entrant form"),
            (&raw mut slot).cast(),
        );
        // SAFETY: `returned` is a plain scalar of `size` bytes.
        let want = unsafe { std::slice::from_raw_parts((returned as *const R).cast::<u8>(), size) };
        assert_eq!(&slot.to_le_bytes()[..size], want, "{name}: stored");
        assert!(
            slot.to_le_bytes()[size..].iter().all(|b| *b == 0),
            "{name}: stored past its width"
        );
    }
}

static RECEIVER: u64 = 0;
static OPTIONS: u64 = 0;

fn receiver() -> *const c_void {
    (&raw const RECEIVER).cast()
}
fn options() -> *const c_void {
    (&raw const OPTIONS).cast()
}

/// Calls a fast trampoline as V8 does: receiver, the arguments, options;
/// then its re-entrant form with the same arguments (see `check_reentrant`).
macro_rules! fast {
    ($c:expr, $name:literal, fn($($t:ty),* $(,)?) -> $r:ty $(, $arg:expr)* $(,)?) => {{
        let f = $c.fast($name);
        // SAFETY: the fast trampoline of $name has exactly this V8 signature.
        let returned = unsafe {
            let f: unsafe extern "C" fn(*const c_void, $($t,)* *const c_void) -> $r =
                std::mem::transmute(f);
            f(receiver(), $($arg,)* options())
        };
        $c.check_reentrant($name, &returned, |g, slot| {
            // SAFETY: its re-entrant form takes the result slot before the
            // options and returns nothing.
            unsafe {
                let g: unsafe extern "C" fn(*const c_void, $($t,)* *mut u8, *const c_void) =
                    std::mem::transmute(g);
                g(receiver(), $($arg,)* slot, options())
            }
        });
        returned
    }};
}

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Pt {
    x: i32,
    y: i32,
}
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
struct F2 {
    x: f32,
    y: f32,
}
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
struct If {
    a: f32,
    b: i32,
    c: f64,
}
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Dl {
    d: f64,
    l: i64,
}
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Dd {
    a: f64,
    b: f64,
}
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
struct F3 {
    a: f32,
    b: f32,
    c: f32,
}
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Tiny {
    a: u8,
    b: u8,
    c: u8,
}
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Big {
    a: i64,
    b: i64,
    c: i64,
    d: f64,
}
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Odd {
    a: i32,
    b: i32,
    c: i32,
    d: i32,
    e: i32,
}
#[repr(C)]
#[derive(Debug, Clone, Copy)]
struct PadInt {
    a: u8,
    b: u32,
}

/// C's `Nested` flattened: the inner struct's fields at the same offsets,
/// padding spelt out so every byte `bytes_of` reads is initialised.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Nested {
    tag: u8,
    pad: [u8; 3],
    x: f32,
    y: f32,
    z: u16,
    tail: [u8; 2],
}
/// C's `Deep` flattened likewise.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Deep {
    px: i32,
    py: i32,
    d: f64,
    b: u8,
    tail: [u8; 7],
}

fn identities(c: &Caller<'_>) {
    macro_rules! boundaries {
        ($($name:literal: $t:ty),*) => {$(
            for v in [<$t>::MIN, <$t>::MAX, 0 as $t, 1 as $t] {
                assert_eq!(c.call::<$t>($name, &[s(v)]), v, "{} {v}", $name);
            }
        )*};
    }
    boundaries!("id_u8": u8, "id_i8": i8, "id_u16": u16, "id_i16": i16, "id_u32": u32,
        "id_i32": i32, "id_u64": u64, "id_i64": i64, "id_usize": usize, "id_isize": isize);
    for v in [true, false] {
        assert_eq!(c.call::<bool>("id_bool", &[s(v)]), v);
        assert_eq!(c.call::<bool>("not_bool", &[s(v)]), !v);
    }
    for v in [
        0.0f32,
        -0.0,
        1.5,
        f32::MIN,
        f32::MAX,
        f32::MIN_POSITIVE,
        1e-45,
        f32::INFINITY,
        f32::NEG_INFINITY,
    ] {
        assert_eq!(
            c.call::<f32>("id_f32", &[s(v)]).to_bits(),
            v.to_bits(),
            "f32 {v}"
        );
    }
    for v in [
        0.0f64,
        -0.0,
        1.5,
        f64::MIN,
        f64::MAX,
        f64::MIN_POSITIVE,
        5e-324,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ] {
        assert_eq!(
            c.call::<f64>("id_f64", &[s(v)]).to_bits(),
            v.to_bits(),
            "f64 {v}"
        );
    }
    assert!(c.call::<f32>("id_f32", &[s(f32::NAN)]).is_nan());
    assert!(c.call::<f64>("id_f64", &[s(f64::NAN)]).is_nan());
    for p in [0usize, 1, usize::MAX, 0x7fff_dead_beef] {
        assert_eq!(c.call::<usize>("id_pointer", &[s(p)]), p);
    }
    assert_eq!(c.call::<i32>("widen_i8", &[s(i8::MIN)]), -128);
    assert_eq!(c.call::<u32>("widen_u8", &[s(u8::MAX)]), 255);
    assert_eq!(c.call::<i32>("widen_i16", &[s(i16::MIN)]), -32768);
    assert_eq!(c.call::<u32>("widen_u16", &[s(u16::MAX)]), 65535);
    // pick_arg reads 64 bits of the argument declared narrower here; on
    // this path only the declared bits are certain (libffi leaves the rest
    // of a stack slot as it was).
    for which in 1..=8u8 {
        let pick = |name: &str, args: Vec<A>| {
            let mut all = vec![s(u32::from(which))];
            all.extend(args);
            c.call::<u64>(name, &all)
        };
        let i = |k: u8| k as i8;
        assert_eq!(
            pick("pick_i8", (1..=8).map(|k| s(-i(k))).collect()) as i8,
            -i(which)
        );
        assert_eq!(
            pick("pick_u8", (1..=8).map(|k| s(0xF0 + k)).collect()) as u8,
            0xF0 + which
        );
        assert_eq!(
            pick(
                "pick_i16",
                (1..=8u8).map(|k| s(-1000 * i16::from(k))).collect()
            ) as i16,
            -1000 * i16::from(which)
        );
        assert_eq!(
            pick(
                "pick_u16",
                (1..=8u8).map(|k| s(0xFF00 + u16::from(k))).collect()
            ) as u16,
            0xFF00 + u16::from(which)
        );
        // 32-bit integers are extended to the whole register, as libffi
        // does (a C callee declared `long` reads all of it); stack slots
        // beyond the registers hold only the declared bits on this path.
        let i32s = pick("pick_i32", (1..=8).map(|k| s(-2_000_000_000 + k)).collect());
        let u32s = pick(
            "pick_u32",
            (1..=8).map(|k| s(0xFFFF_FF00 + k as u32)).collect(),
        );
        let expected_i32 = -2_000_000_000 + i32::from(which);
        let expected_u32 = 0xFFFF_FF00 + u32::from(which);
        if which <= 5 {
            assert_eq!(i32s as i64, i64::from(expected_i32), "pick_i32 {which}");
            assert_eq!(u32s, u64::from(expected_u32), "pick_u32 {which}");
        } else {
            assert_eq!(i32s as i32, expected_i32);
            assert_eq!(u32s as u32, expected_u32);
        }
    }
}

fn arithmetic(c: &Caller<'_>) {
    assert_eq!(c.call::<i32>("add_i32", &[s(i32::MAX), s(1i32)]), i32::MIN);
    assert_eq!(c.call::<u8>("add_u8", &[s(200u8), s(100u8)]), 44);
    assert_eq!(c.call::<i64>("add_i64", &[s(i64::MIN), s(-1i64)]), i64::MAX);
    assert_eq!(c.call::<u64>("add_u64", &[s(u64::MAX), s(2u64)]), 1);
    assert_eq!(c.call::<f32>("add_f32", &[s(1.5f32), s(2.25f32)]), 3.75);
    assert_eq!(c.call::<f64>("add_f64", &[s(0.1f64), s(0.2f64)]), 0.1 + 0.2);
    let expect =
        -3.0 + 2.0 * 65535.0 + 3.0 * -7.0 + 4.0 * (1u64 << 40) as f64 + 5.0 * 0.5 + 6.0 * 0.25;
    let got = c.call::<f64>(
        "mix6",
        &[
            s(-3i8),
            s(65535u16),
            s(-7i32),
            s(1i64 << 40),
            s(0.5f32),
            s(0.25f64),
        ],
    );
    assert_eq!(got, expect);

    // 26 arguments: each value distinct, so a misplaced one changes the sum.
    // Odd positions are the floats: only they go negative, so no integer wraps.
    let values: Vec<f64> = (0..26)
        .map(|i| (i as f64 + 1.0) * if i % 2 == 1 { -1.0 } else { 1.0 })
        .collect();
    let v = |i: usize| values[i];
    let args = vec![
        s(v(0) as i8),
        s(v(1)),
        s(v(2) as u16),
        s(v(3) as f32),
        s(v(4) as i32),
        s(v(5)),
        s(v(6) as i64),
        s(v(7) as f32),
        s(v(8) as u8),
        s(v(9)),
        s(v(10) as i16),
        s(v(11) as f32),
        s(v(12) as u32),
        s(v(13)),
        s(v(14) as u64),
        s(v(15) as f32),
        s(v(16) as i64),
        s(v(17)),
        s(v(18) as i32),
        s(v(19) as f32),
        s(v(20) as u8),
        s(v(21)),
        s(v(22) as i8),
        s(v(23) as f32),
        s(v(24) as u16),
        s(v(25)),
    ];
    let expect: f64 = values
        .iter()
        .enumerate()
        .map(|(i, x)| (i as f64 + 1.0) * x)
        .sum();
    assert_eq!(c.call::<f64>("many26", &args), expect);
}

fn pointers_and_buffers(c: &Caller<'_>) {
    let mut data = [1u8, 2, 3, 4, 250];
    let p = data.as_mut_ptr() as usize;
    assert!(c.call::<bool>("is_null", &[s(0usize)]));
    assert!(!c.call::<bool>("is_null", &[s(p)]));
    assert_eq!(c.call::<u32>("buf_sum", &[s(p), s(5usize)]), 260);
    c.invoke("buf_fill", &[s(p), s(2usize), s(9u8)]);
    assert_eq!(data[..3], [9, 9, 3]);
    assert_eq!(c.call::<usize>("buf_offset", &[s(p), s(3usize)]), p + 3);
    let add = c.call::<usize>("get_add_i32", &[]);
    assert_ne!(add, 0);
    assert_eq!(
        c.call::<i32>("apply_binop", &[s(add), s(40i32), s(2i32)]),
        42
    );
    // The nonblocking alias calls the same native function.
    assert_eq!(c.call::<i32>("add_i32_async", &[s(5i32), s(6i32)]), 11);
    let before = c.call::<u32>("nop_count", &[]);
    c.invoke("nop", &[]);
    assert_eq!(c.call::<u32>("nop_count", &[]), before + 1);
}

fn structs(c: &Caller<'_>) {
    let pt = Pt { x: -5, y: i32::MAX };
    assert_eq!(c.call_struct::<Pt>("make_pt", &[s(-5i32), s(i32::MAX)]), pt);
    assert_eq!(
        c.call::<f64>("sum_pt", &[st(pt)]),
        -5.0 + 2.0 * i32::MAX as f64
    );
    assert_eq!(
        c.call_struct::<Pt>("swap_pt", &[st(pt)]),
        Pt { x: pt.y, y: pt.x }
    );

    let f2 = F2 { x: 1.5, y: -2.25 };
    assert_eq!(
        c.call_struct::<F2>("make_f2", &[s(1.5f32), s(-2.25f32)]),
        f2
    );
    assert_eq!(c.call::<f64>("sum_f2", &[st(f2)]), 1.5 - 4.5);
    assert_eq!(
        c.call_struct::<F2>("swap_f2", &[st(f2)]),
        F2 { x: -2.25, y: 1.5 }
    );

    let iff = If {
        a: 0.5,
        b: -7,
        c: 1e10,
    };
    assert_eq!(
        c.call_struct::<If>("make_if", &[s(0.5f32), s(-7i32), s(1e10f64)]),
        iff
    );
    assert_eq!(c.call::<f64>("sum_if", &[st(iff)]), 0.5 - 14.0 + 3e10);
    assert_eq!(
        c.call_struct::<If>("twice_if", &[st(iff)]),
        If {
            a: 1.0,
            b: -14,
            c: 2e10
        }
    );

    let dl = Dl {
        d: -0.5,
        l: i64::MIN / 4,
    };
    assert_eq!(
        c.call_struct::<Dl>("make_dl", &[s(-0.5f64), s(i64::MIN / 4)]),
        dl
    );
    assert_eq!(
        c.call::<f64>("sum_dl", &[st(dl)]),
        -0.5 + 2.0 * (i64::MIN / 4) as f64
    );
    assert_eq!(
        c.call_struct::<Dl>("twice_dl", &[st(dl)]),
        Dl {
            d: -1.0,
            l: i64::MIN / 2
        }
    );

    let dd = Dd { a: 3.0, b: -4.0 };
    assert_eq!(c.call_struct::<Dd>("make_dd", &[s(3.0f64), s(-4.0f64)]), dd);
    assert_eq!(c.call::<f64>("sum_dd", &[st(dd)]), -5.0);
    assert_eq!(
        c.call_struct::<Dd>("swap_dd", &[st(dd)]),
        Dd { a: -4.0, b: 3.0 }
    );

    let f3 = F3 {
        a: 1.0,
        b: 2.0,
        c: 3.0,
    };
    assert_eq!(
        c.call_struct::<F3>("make_f3", &[s(1.0f32), s(2.0f32), s(3.0f32)]),
        f3
    );
    assert_eq!(c.call::<f64>("sum_f3", &[st(f3)]), 14.0);
    assert_eq!(
        c.call_struct::<F3>("rotate_f3", &[st(f3)]),
        F3 {
            a: 2.0,
            b: 3.0,
            c: 1.0
        }
    );

    let tiny = Tiny { a: 1, b: 2, c: 255 };
    assert_eq!(
        c.call_struct::<Tiny>("make_tiny", &[s(1u8), s(2u8), s(255u8)]),
        tiny
    );
    assert_eq!(c.call::<u32>("sum_tiny", &[st(tiny)]), 1 + 4 + 765);
    assert_eq!(
        c.call_struct::<Tiny>("rotate_tiny", &[st(tiny)]),
        Tiny { a: 2, b: 255, c: 1 }
    );

    let big = Big {
        a: 1,
        b: -2,
        c: i64::MAX,
        d: 0.25,
    };
    assert_eq!(
        c.call_struct::<Big>("make_big", &[s(1i64), s(-2i64), s(i64::MAX), s(0.25f64)]),
        big
    );
    assert_eq!(
        c.call::<f64>("sum_big", &[st(big)]),
        1.0 - 4.0 + 3.0 * i64::MAX as f64 + 1.0
    );
    let twice = Big {
        a: 2,
        b: -4,
        c: i64::MAX.wrapping_mul(2),
        d: 0.5,
    };
    assert_eq!(c.call_struct::<Big>("twice_big", &[st(big)]), twice);

    let odd = Odd {
        a: 1,
        b: 2,
        c: 3,
        d: 4,
        e: -5,
    };
    assert_eq!(
        c.call_struct::<Odd>("make_odd", &[s(1i32), s(2i32), s(3i32), s(4i32), s(-5i32)]),
        odd
    );
    assert_eq!(c.call::<i64>("sum_odd", &[st(odd)]), 1 + 4 + 9 + 16 - 25);
    assert_eq!(
        c.call_struct::<Odd>("rotate_odd", &[st(odd)]),
        Odd {
            a: 2,
            b: 3,
            c: 4,
            d: -5,
            e: 1
        }
    );

    let nested =
        c.call_struct::<Nested>("make_nested", &[s(7u8), s(0.5f32), s(-1.5f32), s(65535u16)]);
    assert_eq!(
        (nested.tag, nested.x, nested.y, nested.z),
        (7, 0.5, -1.5, 65535)
    );
    assert_eq!(
        c.call::<f64>("sum_nested", &[st(nested)]),
        7.0 + 1.0 - 4.5 + 4.0 * 65535.0
    );

    let deep = c.call_struct::<Deep>("make_deep", &[s(-1i32), s(2i32), s(0.125f64), s(200u8)]);
    assert_eq!((deep.px, deep.py, deep.d, deep.b), (-1, 2, 0.125, 200));
    assert_eq!(
        c.call::<f64>("sum_deep", &[st(deep)]),
        -1.0 + 4.0 + 0.375 + 800.0
    );

    // Registers exhausted: the struct goes on the stack whole.
    let got = c.call::<f64>(
        "dl_after_ints",
        &[
            s(1i64),
            s(2i64),
            s(3i64),
            s(4i64),
            s(5i64),
            st(Dl { d: 0.5, l: 3 }),
            s(-1i64),
        ],
    );
    assert_eq!(got, (1 + 4 + 9 + 16 + 25) as f64 + 3.0 + 21.0 - 8.0);
    let mut args: Vec<A> = (1..=7).map(|i| s(i as f64)).collect();
    args.push(st(Dd { a: 0.5, b: 0.25 }));
    args.push(s(-2.0f64));
    let expect = (1..=7).map(|i| (i * i) as f64).sum::<f64>() + 4.0 + 2.25 - 20.0;
    assert_eq!(c.call::<f64>("dd_after_floats", &args), expect);

    // The callee fills padding with 0xAB: it arrives zeroed, in memory
    // (pad_mem), in an INTEGER register (pad_int) and in an SSE one (pad_sse).
    let ret = c.invoke("pad_mem", &[s(3u8), s(7u64)]);
    assert_eq!(ret[..4], [3, 0, 0, 0], "pad_mem's padding");
    assert_eq!(ret[24..32], 7u64.to_le_bytes());
    assert!(ret[32..].iter().all(|b| *b == FILL), "pad_mem wrote past");
    let ret = c.invoke("pad_int", &[s(3u8), s(9u32)]);
    assert_eq!(ret[..8], [3, 0, 0, 0, 9, 0, 0, 0], "pad_int's padding");
    assert!(ret[8..].iter().all(|b| *b == FILL), "pad_int wrote past");
    let ret = c.invoke("pad_sse", &[s(1.5f32), s(2.5f64)]);
    assert_eq!(
        ret[..8],
        [0, 0, 0xC0, 0x3F, 0, 0, 0, 0],
        "pad_sse's padding"
    );
    assert_eq!(ret[8..16], 2.5f64.to_le_bytes());
    extern "C" fn sum_pad(p: PadInt) -> u32 {
        u32::from(p.a) + p.b
    }
    let sum_pad: extern "C" fn(PadInt) -> u32 = sum_pad;
    assert_eq!(
        c.call::<u32>("give_pad_int", &[s(sum_pad as usize), s(3u8), s(9u32)]),
        12
    );
}

fn statics(lib: &DynamicLibrary) {
    // SAFETY: nothing writes the test library's statics.
    let read = |name: &str| unsafe { lib.read_static(name) }.unwrap().unwrap();
    assert_eq!(read("static_i32"), Value::I32(-42));
    assert_eq!(read("static_u64"), Value::U64(u64::MAX));
    assert_eq!(read("static_f64"), Value::F64(3.5));
    let Value::Pointer(s) = read("static_str") else {
        panic!("a pointer static reads as a pointer")
    };
    // SAFETY: static_str points at a NUL-terminated string literal.
    assert_eq!(
        unsafe { CStr::from_ptr(s as *const c_char) }.to_str(),
        Ok("ffic")
    );
    assert!(lib.function("absent").unwrap().is_none());
    // SAFETY: as above.
    assert_eq!(unsafe { lib.read_static("absent_static") }, Ok(None));
}

fn fast_scalars(c: &Caller<'_>) {
    fast!(c, "nop", fn() -> ());
    assert_eq!(
        fast!(c, "nop_count", fn() -> u32),
        c.call::<u32>("nop_count", &[])
    );
    // V8 passes 8/16-bit integers in 32 bits, already truncated by ToInt32:
    // the trampoline wraps them to the C type and widens results back.
    assert_eq!(fast!(c, "id_u8", fn(u32) -> u32, 300), 44);
    assert_eq!(fast!(c, "id_i8", fn(i32) -> i32, 200), -56);
    assert_eq!(fast!(c, "id_u16", fn(u32) -> u32, 65541), 5);
    assert_eq!(fast!(c, "id_i16", fn(i32) -> i32, 32768), -32768);
    assert_eq!(fast!(c, "id_u32", fn(u32) -> u32, u32::MAX), u32::MAX);
    assert_eq!(fast!(c, "id_i32", fn(i32) -> i32, i32::MIN), i32::MIN);
    assert_eq!(fast!(c, "id_u64", fn(u64) -> u64, u64::MAX), u64::MAX);
    assert_eq!(fast!(c, "id_i64", fn(i64) -> i64, i64::MIN), i64::MIN);
    assert_eq!(
        fast!(c, "id_usize", fn(usize) -> usize, usize::MAX),
        usize::MAX
    );
    assert_eq!(
        fast!(c, "id_isize", fn(isize) -> isize, isize::MIN),
        isize::MIN
    );
    assert!(fast!(c, "id_bool", fn(bool) -> bool, true));
    assert!(!fast!(c, "not_bool", fn(bool) -> bool, true));
    assert_eq!(
        fast!(c, "id_f32", fn(f32) -> f32, -0.0).to_bits(),
        (-0.0f32).to_bits()
    );
    assert_eq!(
        fast!(c, "id_f64", fn(f64) -> f64, f64::NEG_INFINITY),
        f64::NEG_INFINITY
    );
    assert_eq!(
        fast!(c, "id_pointer", fn(usize) -> usize, 0xdead_beef),
        0xdead_beef
    );
    assert_eq!(fast!(c, "widen_i8", fn(i32) -> i32, 255), -1);
    assert_eq!(fast!(c, "widen_u8", fn(u32) -> u32, 511), 255);
    assert_eq!(fast!(c, "widen_i16", fn(i32) -> i32, 0x1_8000), -32768);
    assert_eq!(fast!(c, "widen_u16", fn(u32) -> u32, 0x1_ffff), 65535);
    assert_eq!(
        fast!(c, "add_i32", fn(i32, i32) -> i32, i32::MAX, 1),
        i32::MIN
    );
    assert_eq!(fast!(c, "add_u8", fn(u32, u32) -> u32, 255, 1), 0);
    assert_eq!(
        fast!(c, "add_i64", fn(i64, i64) -> i64, 1 << 62, 1 << 62),
        i64::MIN
    );
    assert_eq!(fast!(c, "add_u64", fn(u64, u64) -> u64, u64::MAX, 1), 0);
    assert_eq!(fast!(c, "add_f32", fn(f32, f32) -> f32, 0.5, 0.25), 0.75);
    assert_eq!(
        fast!(c, "add_f64", fn(f64, f64) -> f64, 1e300, 1e300),
        2e300
    );
    let mix = fast!(
        c,
        "mix6",
        fn(i32, u32, i32, i64, f32, f64) -> f64,
        -3,
        65535,
        -7,
        1 << 40,
        0.5,
        0.25
    );
    assert_eq!(
        mix,
        c.call::<f64>(
            "mix6",
            &[
                s(-3i8),
                s(65535u16),
                s(-7i32),
                s(1i64 << 40),
                s(0.5f32),
                s(0.25f64)
            ]
        )
    );
    let many = fast!(
        c,
        "many26",
        fn(
            i32,
            f64,
            u32,
            f32,
            i32,
            f64,
            i64,
            f32,
            u32,
            f64,
            i32,
            f32,
            u32,
            f64,
            u64,
            f32,
            i64,
            f64,
            i32,
            f32,
            u32,
            f64,
            i32,
            f32,
            u32,
            f64,
        ) -> f64,
        1,
        2.0,
        3,
        4.0,
        5,
        6.0,
        7,
        8.0,
        9,
        10.0,
        11,
        12.0,
        13,
        14.0,
        15,
        16.0,
        17,
        18.0,
        19,
        20.0,
        21,
        22.0,
        23,
        24.0,
        25,
        26.0
    );
    assert_eq!(many, (1..=26).map(|i| (i * i) as f64).sum::<f64>());
    // Declared narrower than the 64 bits pick_arg reads, so the whole
    // register or stack slot shows the extension: a1-a4 move register to
    // register, a5 from V8's stack into r9, a6-a8 down the stack. V8 leaves
    // the bits above the type's as ToInt32 made them (here 0x1234...).
    macro_rules! pick {
        ($name:literal, $v:expr, $which:expr) => {
            fast!(
                c,
                $name,
                fn(u32, u32, u32, u32, u32, u32, u32, u32, u32) -> u64,
                $which,
                $v(1),
                $v(2),
                $v(3),
                $v(4),
                $v(5),
                $v(6),
                $v(7),
                $v(8)
            )
        };
    }
    for which in 1..=8u32 {
        let byte = |k: u32| 0x1234_0080 + k;
        let half = |k: u32| 0x1234_8000 + k;
        let w = u64::from(which);
        assert_eq!(pick!("pick_u8", byte, which), 0x80 + w);
        assert_eq!(
            pick!("pick_i8", byte, which) as i64,
            i64::from((0x80 + which) as u8 as i8)
        );
        assert_eq!(pick!("pick_u16", half, which), 0x8000 + w);
        assert_eq!(
            pick!("pick_i16", half, which) as i64,
            i64::from((0x8000 + which) as u16 as i16)
        );
        // V8 passes 32-bit values in 32-bit halves; the native call gets
        // them extended to 64 bits, in registers and on the stack.
        let word = |k: u32| 0x8000_0000 + k;
        assert_eq!(
            pick!("pick_i32", word, which) as i64,
            i64::from((0x8000_0000 + which) as i32)
        );
        assert_eq!(pick!("pick_u32", word, which), 0x8000_0000 + w);
    }
    assert!(fast!(c, "is_null", fn(usize) -> bool, 0));
    let add = fast!(c, "get_add_i32", fn() -> usize);
    assert_ne!(add, 0);
    // It takes a function and returns a value: fast too (a script calls it
    // through the re-entrant form once it has callbacks).
    assert_eq!(
        fast!(c, "apply_binop", fn(usize, i32, i32) -> i32, add, 40, 2),
        42
    );
    extern "C" fn sum_pad(p: PadInt) -> u32 {
        u32::from(p.a) + p.b
    }
    let sum_pad: extern "C" fn(PadInt) -> u32 = sum_pad;
    let sum_pad = sum_pad as usize;
    assert_eq!(
        fast!(c, "give_pad_int", fn(usize, u32, u32) -> u32, sum_pad, 3, 9),
        12
    );
}

fn fast_buffers_and_structs(c: &Caller<'_>) {
    let mut data = [1u8, 2, 3];
    let buf = FakeValue::buffer(&mut data);
    let v = |f: &FakeValue| f as *const FakeValue as usize;
    assert_eq!(fast!(c, "buf_sum", fn(usize, usize) -> u32, v(&buf), 3), 6);
    assert_eq!(
        fast!(
            c,
            "buf_sum",
            fn(usize, usize) -> u32,
            v(&FakeValue::null()),
            0
        ),
        0
    );
    let base = fast!(c, "buf_offset", fn(usize, usize) -> usize, v(&buf), 2);
    assert_eq!(base, data.as_ptr() as usize + 2);

    // Not a buffer: raise with the argument's index, return zero, never call.
    RAISED.with(|r| r.set(None));
    assert_eq!(
        fast!(
            c,
            "buf_sum",
            fn(usize, usize) -> u32,
            v(&FakeValue::other()),
            3
        ),
        0
    );
    assert_eq!(
        RAISED.with(|r| r.take()),
        Some((Raise::InvalidBuffer as u32, 0))
    );
    let mut untouched = [5u8; 4];
    let target = FakeValue::buffer(&mut untouched);
    fast!(
        c,
        "buf_fill",
        fn(usize, usize, u32) -> (),
        v(&FakeValue::other()),
        4,
        0
    );
    assert_eq!(
        RAISED.with(|r| r.take()),
        Some((Raise::InvalidBuffer as u32, 0))
    );
    fast!(
        c,
        "buf_fill",
        fn(usize, usize, u32) -> (),
        v(&target),
        4,
        0x1ff
    );
    assert_eq!(untouched, [0xff; 4]);
    assert_eq!(RAISED.with(|r| r.take()), None);

    // Struct arguments and results through buffers (what Deno never does fast).
    let mut dl = bytes_of(&Dl { d: 1.5, l: -2 });
    let dl_value = FakeValue::buffer(&mut dl);
    assert_eq!(
        fast!(c, "sum_dl", fn(usize) -> f64, v(&dl_value)),
        1.5 - 4.0
    );
    let mut short = [0u8; 15];
    assert_eq!(
        fast!(
            c,
            "sum_dl",
            fn(usize) -> f64,
            v(&FakeValue::buffer(&mut short))
        ),
        0.0
    );
    assert_eq!(
        RAISED.with(|r| r.take()),
        Some((Raise::InvalidStruct as u32, 0))
    );

    // Padding the callee filled arrives zeroed on the fast path too.
    let mut out = [FILL; 40];
    let value = FakeValue::buffer(&mut out[..32]);
    fast!(c, "pad_mem", fn(u32, u64, usize) -> (), 3, 7, v(&value));
    assert_eq!(out[..4], [3, 0, 0, 0], "pad_mem's padding, fast");
    assert_eq!(out[24..32], 7u64.to_le_bytes());
    let mut out = [FILL; 8];
    let value = FakeValue::buffer(&mut out);
    fast!(c, "pad_int", fn(u32, u32, usize) -> (), 3, 9, v(&value));
    assert_eq!(out, [3, 0, 0, 0, 9, 0, 0, 0], "pad_int's padding, fast");
    let mut out = [FILL; 16];
    let value = FakeValue::buffer(&mut out);
    fast!(c, "pad_sse", fn(f32, f64, usize) -> (), 1.5, 2.5, v(&value));
    assert_eq!(
        out[..8],
        [0, 0, 0xC0, 0x3F, 0, 0, 0, 0],
        "pad_sse's padding, fast"
    );

    macro_rules! fast_struct {
        ($name:literal, $ty:ty, fn($($t:ty),*) $(, $arg:expr)*) => {{
            let mut out = vec![FILL; size_of::<$ty>() + 8];
            let value = FakeValue::buffer(&mut out[..size_of::<$ty>()]);
            fast!(c, $name, fn($($t,)* usize) -> () $(, $arg)*, v(&value));
            assert!(out[size_of::<$ty>()..].iter().all(|b| *b == FILL), "{} overwrote", $name);
            from_bytes::<$ty>(&out)
        }};
    }
    assert_eq!(
        fast_struct!("make_pt", Pt, fn(i32, i32), 1, 2),
        Pt { x: 1, y: 2 }
    );
    assert_eq!(
        fast_struct!("make_f2", F2, fn(f32, f32), 1.0, 2.0),
        F2 { x: 1.0, y: 2.0 }
    );
    assert_eq!(
        fast_struct!("make_if", If, fn(f32, i32, f64), 1.0, 2, 3.0),
        If {
            a: 1.0,
            b: 2,
            c: 3.0
        }
    );
    assert_eq!(
        fast_struct!("make_dl", Dl, fn(f64, i64), 1.0, 2),
        Dl { d: 1.0, l: 2 }
    );
    assert_eq!(
        fast_struct!("make_dd", Dd, fn(f64, f64), 1.0, 2.0),
        Dd { a: 1.0, b: 2.0 }
    );
    assert_eq!(
        fast_struct!("make_f3", F3, fn(f32, f32, f32), 1.0, 2.0, 3.0),
        F3 {
            a: 1.0,
            b: 2.0,
            c: 3.0
        }
    );
    assert_eq!(
        fast_struct!("make_tiny", Tiny, fn(u32, u32, u32), 1, 2, 259),
        Tiny { a: 1, b: 2, c: 3 }
    );
    assert_eq!(
        fast_struct!("make_big", Big, fn(i64, i64, i64, f64), 1, 2, 3, 4.0),
        Big {
            a: 1,
            b: 2,
            c: 3,
            d: 4.0
        }
    );
    assert_eq!(
        fast_struct!("make_odd", Odd, fn(i32, i32, i32, i32, i32), 1, 2, 3, 4, 5),
        Odd {
            a: 1,
            b: 2,
            c: 3,
            d: 4,
            e: 5
        }
    );
    let n = fast_struct!(
        "make_nested",
        Nested,
        fn(u32, f32, f32, u32),
        1,
        2.0,
        3.0,
        4
    );
    assert_eq!((n.tag, n.x, n.y, n.z), (1, 2.0, 3.0, 4));
    let d = fast_struct!("make_deep", Deep, fn(i32, i32, f64, u32), 1, 2, 3.0, 4);
    assert_eq!((d.px, d.py, d.d, d.b), (1, 2, 3.0, 4));

    // Struct in, struct out, both through buffers.
    macro_rules! fast_struct_io {
        ($name:literal, $ty:ty, $input:expr) => {{
            let mut input = bytes_of(&$input);
            let input = FakeValue::buffer(&mut input);
            fast_struct!($name, $ty, fn(usize), v(&input))
        }};
    }
    assert_eq!(
        fast_struct_io!("swap_pt", Pt, Pt { x: 1, y: 2 }),
        Pt { x: 2, y: 1 }
    );
    assert_eq!(
        fast_struct_io!("swap_f2", F2, F2 { x: 1.0, y: 2.0 }),
        F2 { x: 2.0, y: 1.0 }
    );
    assert_eq!(
        fast_struct_io!(
            "twice_if",
            If,
            If {
                a: 1.0,
                b: 2,
                c: 3.0
            }
        ),
        If {
            a: 2.0,
            b: 4,
            c: 6.0
        }
    );
    assert_eq!(
        fast_struct_io!("twice_dl", Dl, Dl { d: 1.0, l: 2 }),
        Dl { d: 2.0, l: 4 }
    );
    assert_eq!(
        fast_struct_io!("swap_dd", Dd, Dd { a: 1.0, b: 2.0 }),
        Dd { a: 2.0, b: 1.0 }
    );
    assert_eq!(
        fast_struct_io!(
            "rotate_f3",
            F3,
            F3 {
                a: 1.0,
                b: 2.0,
                c: 3.0
            }
        ),
        F3 {
            a: 2.0,
            b: 3.0,
            c: 1.0
        }
    );
    assert_eq!(
        fast_struct_io!("rotate_tiny", Tiny, Tiny { a: 1, b: 2, c: 3 }),
        Tiny { a: 2, b: 3, c: 1 }
    );
    assert_eq!(
        fast_struct_io!(
            "twice_big",
            Big,
            Big {
                a: 1,
                b: 2,
                c: 3,
                d: 4.0
            }
        ),
        Big {
            a: 2,
            b: 4,
            c: 6,
            d: 8.0
        }
    );
    assert_eq!(
        fast_struct_io!(
            "rotate_odd",
            Odd,
            Odd {
                a: 1,
                b: 2,
                c: 3,
                d: 4,
                e: 5
            }
        ),
        Odd {
            a: 2,
            b: 3,
            c: 4,
            d: 5,
            e: 1
        }
    );

    // Too small an out buffer: raise, write nothing.
    let mut small = [FILL; 7];
    fast!(
        c,
        "make_pt",
        fn(i32, i32, usize) -> (),
        1,
        2,
        v(&FakeValue::buffer(&mut small))
    );
    assert_eq!(
        RAISED.with(|r| r.take()),
        Some((Raise::InvalidStructReturn as u32, 0))
    );
    assert_eq!(small, [FILL; 7]);

    let sums = [
        ("sum_pt", bytes_of(&Pt { x: 1, y: 2 }), 5.0),
        ("sum_f2", bytes_of(&F2 { x: 1.0, y: 2.0 }), 5.0),
        (
            "sum_if",
            bytes_of(&If {
                a: 1.0,
                b: 2,
                c: 3.0,
            }),
            14.0,
        ),
        ("sum_dd", bytes_of(&Dd { a: 1.0, b: 2.0 }), 5.0),
        (
            "sum_f3",
            bytes_of(&F3 {
                a: 1.0,
                b: 2.0,
                c: 3.0,
            }),
            14.0,
        ),
        (
            "sum_big",
            bytes_of(&Big {
                a: 1,
                b: 2,
                c: 3,
                d: 4.0,
            }),
            30.0,
        ),
        (
            "sum_nested",
            bytes_of(&Nested {
                tag: 1,
                pad: [0; 3],
                x: 2.0,
                y: 3.0,
                z: 4,
                tail: [0; 2],
            }),
            30.0,
        ),
        (
            "sum_deep",
            bytes_of(&Deep {
                px: 1,
                py: 2,
                d: 3.0,
                b: 4,
                tail: [0; 7],
            }),
            30.0,
        ),
    ];
    for (name, mut bytes, expect) in sums {
        let value = FakeValue::buffer(&mut bytes);
        let f = c.fast(name);
        // SAFETY: each of these takes one struct and returns f64.
        let got = unsafe {
            let f: unsafe extern "C" fn(*const c_void, usize, *const c_void) -> f64 =
                std::mem::transmute(f);
            f(receiver(), v(&value), options())
        };
        assert_eq!(got, expect, "{name}");
    }
    let mut tiny = bytes_of(&Tiny { a: 1, b: 2, c: 3 });
    assert_eq!(
        fast!(
            c,
            "sum_tiny",
            fn(usize) -> u32,
            v(&FakeValue::buffer(&mut tiny))
        ),
        14
    );
    let mut odd = bytes_of(&Odd {
        a: 1,
        b: 1,
        c: 1,
        d: 1,
        e: 1,
    });
    assert_eq!(
        fast!(
            c,
            "sum_odd",
            fn(usize) -> i64,
            v(&FakeValue::buffer(&mut odd))
        ),
        15
    );
    let mut dl = bytes_of(&Dl { d: 1.0, l: 1 });
    let dl = FakeValue::buffer(&mut dl);
    assert_eq!(
        fast!(
            c,
            "dl_after_ints",
            fn(i64, i64, i64, i64, i64, usize, i64) -> f64,
            1,
            1,
            1,
            1,
            1,
            v(&dl),
            1
        ),
        15.0 + 6.0 + 7.0 + 8.0
    );
    let mut dd = bytes_of(&Dd { a: 1.0, b: 1.0 });
    let dd = FakeValue::buffer(&mut dd);
    assert_eq!(
        fast!(
            c,
            "dd_after_floats",
            fn(f64, f64, f64, f64, f64, f64, f64, usize, f64) -> f64,
            1.0,
            1.0,
            1.0,
            1.0,
            1.0,
            1.0,
            1.0,
            v(&dd),
            1.0
        ),
        55.0
    );
}

fn open(options: OpenOptions) -> DynamicLibrary {
    // SAFETY: the descriptor describes the test library truthfully.
    unsafe { options.open(support::library(), ffic_testlib::library_path()) }.unwrap()
}

#[test]
fn every_function_conforms_through_the_mapped_artifact() {
    let compiled = support::compile();
    let lib = open(
        OpenOptions::new()
            .artifact(&compiled.path)
            .helpers(support::helpers(false)),
    );
    assert_eq!(lib.path(), CallPath::Artifact);
    assert_eq!(
        lib.code_source(),
        Some(CodeSource::File),
        "a normal file maps executable in place"
    );
    run_everything(&lib);
}

#[test]
fn every_function_conforms_through_the_jit() {
    let lib = open(
        OpenOptions::new()
            .jit(true)
            .helpers(support::helpers(false)),
    );
    assert_eq!(lib.path(), CallPath::Jit);
    assert_eq!(lib.code_source(), Some(CodeSource::Jit));
    run_everything(&lib);
}

#[test]
fn every_function_conforms_through_the_lazy_jit() {
    let lib = support::open_lazily(&support::library());
    assert_eq!(lib.code_source(), Some(CodeSource::Jit));
    run_everything(&lib);
    // One piece of code per function looked up, each compiled once.
    let present = (0..lib.names().count())
        .filter(|&i| lib.function_at(i).is_ok_and(|f| f.is_some()))
        .count();
    assert_eq!(lib.code().len(), present);
}

#[test]
fn every_function_conforms_through_libffi() {
    let lib = open(OpenOptions::new().jit(false));
    assert_eq!(lib.path(), CallPath::Libffi);
    assert_eq!(lib.code_source(), None);
    run_everything(&lib);
}

/// `nop` bumps one counter in the shared library; tests that call it run one
/// at a time, so that the counter checks see only their own calls.
static NOP_COUNTER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs every function of `lib` through its invoker (and, with compiled code,
/// every fast trampoline) and checks each signature and trampoline ran.
fn run_everything(lib: &DynamicLibrary) {
    let _counter = NOP_COUNTER.lock().unwrap_or_else(|e| e.into_inner());
    let c = Caller {
        lib,
        invoked: RefCell::default(),
        fasted: RefCell::default(),
        fast_calls: Cell::default(),
    };
    identities(&c);
    arithmetic(&c);
    pointers_and_buffers(&c);
    structs(&c);
    statics(lib);
    let compiled = lib.path() != CallPath::Libffi;
    if compiled {
        fast_scalars(&c);
        fast_buffers_and_structs(&c);
    }

    let descriptors = support::library();
    let functions: Vec<_> = lib
        .names()
        .filter_map(|n| lib.function(n).ok().flatten())
        .collect();
    let missed: Vec<String> = functions
        .iter()
        .map(|f| f.signature().to_string())
        .filter(|s| !c.invoked.borrow().contains(s))
        .collect();
    assert!(missed.is_empty(), "signatures never invoked: {missed:?}");
    for f in &functions {
        assert_eq!(f.path(), lib.path(), "{}", f.name());
        assert_eq!(
            matches!(f.invoker(), Invoker::Code(_)),
            compiled,
            "{}",
            f.name()
        );
        let symbol = descriptors
            .symbols
            .iter()
            .find(|s| s.name == f.name())
            .unwrap();
        assert_eq!(
            f.fast().returning.is_some(),
            compiled && symbol.fast_call(),
            "{}",
            f.name()
        );
        assert_eq!(
            f.fast().reentrant.is_some(),
            compiled && symbol.reentrant_call(),
            "{}",
            f.name()
        );
    }
    let fast_missed: Vec<&str> = functions
        .iter()
        .filter(|f| f.fast().returning.is_some() && !c.fasted.borrow().contains(f.name()))
        .map(|f| f.name())
        .collect();
    assert!(
        fast_missed.is_empty(),
        "fast trampolines never executed: {fast_missed:?}"
    );
}

#[test]
fn tracing_sees_every_fast_call_with_its_options() {
    let _counter = NOP_COUNTER.lock().unwrap_or_else(|e| e.into_inner());
    let compiled = support::compile();
    let lib = open(
        OpenOptions::new()
            .artifact(&compiled.path)
            .helpers(support::helpers(true)),
    );
    let c = Caller {
        lib: &lib,
        invoked: RefCell::default(),
        fasted: RefCell::default(),
        fast_calls: Cell::default(),
    };
    TRACED.with(|t| t.borrow_mut().clear());
    // add_i32 through both its forms, then nop: three traced calls.
    assert_eq!(fast!(c, "add_i32", fn(i32, i32) -> i32, 2, 3), 5);
    fast!(c, "nop", fn() -> ());
    assert_eq!(
        TRACED.with(|t| t.borrow().clone()),
        vec![options() as usize; 3]
    );
    // Invoke trampolines are the slow path: never traced.
    c.call::<i32>("add_i32", &[s(1i32), s(1i32)]);
    assert_eq!(TRACED.with(|t| t.borrow().len()), 3);
    // Traced, a trampoline skips its frameless entry: the full one behind
    // it gives the same results.
    fast_scalars(&c);
    fast_buffers_and_structs(&c);
    assert_eq!(
        TRACED.with(|t| t.borrow().clone()),
        vec![options() as usize; c.fast_calls.get()]
    );
}
