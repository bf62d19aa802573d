//! Safe re-entry into JS from fast calls that return a value. V8 15.2
//! aborts the process when JS that native code calls back into deoptimizes
//! a caller whose fast call returns a value (V8-FAST-API.md §2); it
//! survives that for void fast calls. So the script sees such a symbol as
//! a small JS wrapper around its V8 function, which has two fast overloads:
//! the returning trampoline (the symbol's own arguments) and the re-entrant
//! one (one argument more: where to store the result, returning nothing).
//! Until the first `UnsafeCallback` exists no native code can reach JS, so
//! the wrapper calls the returning form; from then on it calls the
//! re-entrant form and reads the result from this thread's result slot.
//! The switch is a flag the wrapper reads, so it deoptimizes nothing.

use crate::convert::pointer_to_js;
use ffic_loader::Value;
use ffic_schema::native::{Float, Int, Kind};
use ffic_schema::types::Primitive;
use ffic_schema::{Signature, Type};
use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use v8::fast_api::{CFunction, CFunctionInfo, CTypeInfo, Int64Representation, Type as C};

/// Builds `[wrap, enable]` from the result slot's buffer, its address (an
/// External), the pointer reader and whether callbacks exist already.
/// `wrap(f, kind, arity)` makes a symbol's wrapper from one factory per
/// (kind, arity). The wrapper is kept under V8's small-function size (30
/// bytes of bytecode), which TurboFan inlines into an optimized caller
/// whatever its inlining budget; inlined, `f` (never assigned) is a constant
/// there, which a fast call needs. The re-entrant form stores its result in
/// the slot on the slow path too, so the wrapper always reads it from there
/// (and the read has V8 feedback before the caller is optimized).
///
/// It runs before any script (`prepare`), and uses only what it captured
/// then and objects without prototypes: a script that replaces globals or
/// adds to `Array.prototype` or `Object.prototype` can neither get hold of
/// a symbol's raw function (whose re-entrant overload stores through the
/// pointer it is given) nor keep wrappers from switching forms.
const WRAPPERS: &str = r#"(function (buffer, slot, take, callbacks) {
  "use strict";
  const FunctionConstructor = Function;
  const defineProperty = Object.defineProperty;
  const views = {
    __proto__: null,
    i32: new Int32Array(buffer, 0, 1),
    u32: new Uint32Array(buffer, 0, 1),
    f32: new Float32Array(buffer, 0, 1),
    f64: new Float64Array(buffer, 0, 1),
    i64: new BigInt64Array(buffer, 0, 1),
    u64: new BigUint64Array(buffer, 0, 1),
    bool: new Uint8Array(buffer, 0, 1),
  };
  const makers = { __proto__: null };
  const enablers = { __proto__: null };
  let enablerCount = 0;
  /* PRESET */
  // One descriptor for every wrapper (a literal per call costs more).
  const noParameters = { __proto__: null, value: 0 };
  const wrap = (f, kind, arity) => {
    const key = kind + " " + arity;
    let make = makers[key];
    if (make === undefined) {
      let params = "";
      for (let i = 0; i < arity; i++) params += (i > 0 ? ", p" : "p") + i;
      const sep = arity > 0 ? ", " : "";
      const read = kind === "pointer" ? "take(slot)" : kind === "bool" ? "view[0] !== 0" : "view[0]";
      const made = new FunctionConstructor(
        "view", "slot", "take", "on",
        `"use strict";
return [(f) => {
  const reentrant = (${params}) => (f(${params}${sep}slot), ${read});
  return (${params}) => on ? reentrant(${params}) : f(${params});
}, () => { on = true; }];`,
      )(views[kind], slot, take, callbacks);
      make = made[0];
      makers[key] = make;
      enablers[enablerCount++] = made[1];
    }
    // As Deno's symbol functions: no declared parameters.
    return defineProperty(make(f), "length", noParameters);
  };
  const enable = () => {
    callbacks = true;
    for (let i = 0; i < enablerCount; i++) enablers[i]();
  };
  return [wrap, enable];
})"#;

/// The most parameters of a wrapper whose factory is part of `WRAPPERS`
/// (compiled with it, and kept with its compiled code); one with more is
/// made by `Function` the first time its kind and arity are met.
const PRESET_ARITY: usize = 4;

/// Every kind of result read [`read_as`] gives.
const KINDS: [&str; 8] = ["i32", "u32", "f32", "f64", "i64", "u64", "bool", "pointer"];

/// `WRAPPERS` with the factories for every kind and up to [`PRESET_ARITY`]
/// parameters written in: each exactly what `wrap` makes with `Function`
/// (the same closures, so the same bytecode), registered with its enabler.
fn wrappers_source() -> String {
    let mut preset = String::new();
    for kind in KINDS {
        let read = match kind {
            "pointer" => "take(slot)",
            "bool" => "view[0] !== 0",
            _ => "view[0]",
        };
        for arity in 0..=PRESET_ARITY {
            let params: Vec<String> = (0..arity).map(|i| format!("p{i}")).collect();
            let params = params.join(", ");
            let sep = if arity > 0 { ", " } else { "" };
            preset += &format!(
                "  {{\n    const made = (function (view, slot, take, on) {{\n      return [(f) => {{\n        const reentrant = ({params}) => (f({params}{sep}slot), {read});\n        return ({params}) => on ? reentrant({params}) : f({params});\n      }}, () => {{ on = true; }}];\n    }})(views[\"{kind}\"], slot, take, callbacks);\n    makers[\"{kind} {arity}\"] = made[0];\n    enablers[enablerCount++] = made[1];\n  }}\n"
            );
        }
    }
    WRAPPERS.replace("  /* PRESET */\n", &preset)
}

/// This thread's wrapper factory (see `prepare`).
struct Wrappers {
    wrap: v8::Global<v8::Function>,
    enable: v8::Global<v8::Function>,
    /// Keeps the result slot's memory (the trampolines' store target).
    _slot: v8::Global<v8::ArrayBuffer>,
}

thread_local! {
    /// Whether an `UnsafeCallback` was ever made on this thread.
    static CALLBACKS: Cell<bool> = const { Cell::new(false) };
    /// The result slot's address, once made (0 before).
    static SLOT: Cell<usize> = const { Cell::new(0) };
    static WRAPPERS_MADE: RefCell<Option<Wrappers>> = const { RefCell::new(None) };
}

/// Forgets the factory (the isolate is going away).
pub(super) fn clear() {
    WRAPPERS_MADE.with(|w| w.borrow_mut().take());
    CALLBACKS.with(|c| c.set(false));
    SLOT.with(|s| s.set(0));
}

/// This thread's result slot, as the slow path of a re-entrant call was
/// passed it.
#[derive(Debug, Clone, Copy)]
pub(super) struct ResultSlot(*mut u8);

impl ResultSlot {
    /// Stores `value` as the re-entrant trampolines do: a small integer
    /// widened to 32 bits, a bool as one byte, the rest at their own width.
    pub(super) fn store(self, value: Value) {
        let p = self.0;
        // SAFETY: a ResultSlot is only made for this thread's slot, 8
        // aligned bytes kept alive by the factory (see `slot_argument`).
        unsafe {
            match value {
                Value::Bool(v) => p.write(u8::from(v)),
                Value::U8(v) => p.cast::<u32>().write(u32::from(v)),
                Value::U16(v) => p.cast::<u32>().write(u32::from(v)),
                Value::U32(v) => p.cast::<u32>().write(v),
                Value::I8(v) => p.cast::<i32>().write(i32::from(v)),
                Value::I16(v) => p.cast::<i32>().write(i32::from(v)),
                Value::I32(v) => p.cast::<i32>().write(v),
                Value::U64(v) => p.cast::<u64>().write(v),
                Value::Usize(v) => p.cast::<usize>().write(v),
                Value::I64(v) => p.cast::<i64>().write(v),
                Value::Isize(v) => p.cast::<isize>().write(v),
                Value::F32(v) => p.cast::<f32>().write(v),
                Value::F64(v) => p.cast::<f64>().write(v),
                Value::Pointer(v) => p.cast::<usize>().write(v as usize),
                Value::Void | Value::Struct(_) => {}
            }
        }
    }
}

/// The result slot when `args` are a wrapper's call of the re-entrant form
/// of a function of `signature`: one argument more than its parameters, the
/// last this thread's slot (an External no script can obtain).
pub(super) fn slot_argument(
    args: &v8::FunctionCallbackArguments,
    signature: &Signature,
) -> Option<ResultSlot> {
    let count = signature.parameters.len();
    if args.length() as usize != count + 1 || !matches!(signature.result, Type::Primitive(_)) {
        return None;
    }
    let external = v8::Local::<v8::External>::try_from(args.get(count as i32)).ok()?;
    let address = SLOT.with(Cell::get);
    (address != 0 && external.value() as usize == address).then_some(ResultSlot(address as *mut u8))
}

/// Called whenever an `UnsafeCallback` is made: from now on every wrapper
/// calls the re-entrant form.
pub(super) fn callbacks_exist(scope: &mut v8::PinScope) {
    if CALLBACKS.with(|c| c.replace(true)) {
        return;
    }
    let enable = WRAPPERS_MADE.with(|w| {
        w.borrow()
            .as_ref()
            .map(|w| v8::Local::new(scope, &w.enable))
    });
    if let Some(enable) = enable {
        let receiver = v8::undefined(scope).into();
        enable.call(scope, receiver, &[]);
    }
}

/// The kind of slot read a result of primitive `p` needs.
fn read_as(p: Primitive) -> Option<&'static str> {
    Some(match p.kind() {
        Kind::Void => return None,
        Kind::Bool => "bool",
        Kind::Int(Int { width, signed }) => match (width.fits_number(), signed) {
            (true, false) => "u32",
            (true, true) => "i32",
            (false, false) => "u64",
            (false, true) => "i64",
        },
        Kind::Float(Float::F32) => "f32",
        Kind::Float(Float::F64) => "f64",
        Kind::Pointer(_) => "pointer",
    })
}

/// The wrapper the script sees for `function` (a symbol with `arity`
/// parameters and a `result` value, whose V8 function has both fast
/// overloads); `None` if JS threw.
pub(super) fn wrap<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    function: v8::Local<'s, v8::Function>,
    result: Primitive,
    arity: usize,
) -> Option<v8::Local<'s, v8::Function>> {
    let kind = v8::String::new(scope, read_as(result)?)?;
    let wrap = match WRAPPERS_MADE.with(|w| w.borrow().as_ref().map(|w| w.wrap.clone())) {
        Some(wrap) => v8::Local::new(scope, &wrap),
        None => prepare(scope)?,
    };
    let arity = v8::Integer::new_from_unsigned(scope, arity as u32);
    let receiver = v8::undefined(scope).into();
    let wrapper = wrap.call(
        scope,
        receiver,
        &[function.into(), kind.into(), arity.into()],
    )?;
    v8::Local::<v8::Function>::try_from(wrapper).ok()
}

/// Compiles the wrapper factory for this thread and keeps it; its `wrap`.
/// `install` calls it, so it runs before any script can touch the globals
/// it captures.
pub(super) fn prepare<'s>(scope: &mut v8::PinScope<'s, '_>) -> Option<v8::Local<'s, v8::Function>> {
    let text = wrappers_source();
    let source = v8::String::new(scope, &text)?;
    const NAME: &str = "ext:ffic-deno/wrappers.js";
    let name = v8::String::new(scope, NAME)?;
    let origin = crate::script_origin(scope, name, false);
    let cache = crate::config::loading().1;
    let code = (source, &origin);
    let (script, _) = crate::code_cache::compile_script(
        scope,
        cache.as_ref(),
        code,
        (NAME, &text),
        crate::code_cache::Keep::Now,
    );
    let script = script?;
    let factory = v8::Local::<v8::Function>::try_from(script.run(scope)?).ok()?;
    // A fresh ArrayBuffer's memory is its own allocation, which never moves.
    let buffer = v8::ArrayBuffer::new(scope, 8);
    let data = buffer.data()?.as_ptr();
    let slot = v8::External::new(scope, data);
    SLOT.with(|s| s.set(data as usize));
    let take = take_function(scope)?;
    let callbacks = v8::Boolean::new(scope, CALLBACKS.with(Cell::get));
    let receiver = v8::undefined(scope).into();
    let made = factory.call(
        scope,
        receiver,
        &[buffer.into(), slot.into(), take.into(), callbacks.into()],
    )?;
    let made = v8::Local::<v8::Array>::try_from(made).ok()?;
    let wrap = v8::Local::<v8::Function>::try_from(made.get_index(scope, 0)?).ok()?;
    let enable = v8::Local::<v8::Function>::try_from(made.get_index(scope, 1)?).ok()?;
    WRAPPERS_MADE.with(|w| {
        *w.borrow_mut() = Some(Wrappers {
            wrap: v8::Global::new(scope, wrap),
            enable: v8::Global::new(scope, enable),
            _slot: v8::Global::new(scope, buffer),
        })
    });
    Some(wrap)
}

/// `take(slot)`: the pointer a re-entrant trampoline stored in the result
/// slot, as a pointer value (`null` for 0); fast when the wrapper is
/// optimized.
fn take_function<'s>(scope: &mut v8::PinScope<'s, '_>) -> Option<v8::Local<'s, v8::Function>> {
    const ARGUMENTS: [CTypeInfo; 3] = [
        C::V8Value.as_info(),
        C::Pointer.as_info(),
        C::CallbackOptions.as_info(),
    ];
    // Leaked once for every isolate: V8 keeps pointers into it for an
    // isolate's life, and only reads it. Kept as an address.
    static OVERLOAD: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let overload = *OVERLOAD.get_or_init(|| {
        let info: &'static CFunctionInfo = Box::leak(Box::new(CFunctionInfo::new(
            C::Pointer.as_info(),
            &ARGUMENTS,
            Int64Representation::BigInt,
        )));
        let overload: &'static [CFunction; 1] =
            Box::leak(Box::new([CFunction::new(take_fast as *const c_void, info)]));
        overload.as_ptr() as usize
    });
    // SAFETY: a leaked, never mutated CFunction.
    let overloads: &'static [CFunction] =
        unsafe { std::slice::from_raw_parts(overload as *const CFunction, 1) };
    v8::FunctionTemplate::builder(take_slow)
        .build_fast(scope, overloads)
        .get_function(scope)
}

/// The fast form of `take`.
unsafe extern "C" fn take_fast(
    _receiver: *const c_void,
    slot: *const usize,
    _options: *const c_void,
) -> usize {
    // SAFETY: only the wrappers call `take`, always with this thread's
    // result slot: 8 live, aligned bytes a trampoline has just written.
    unsafe { slot.read() }
}

/// The slow form of `take`.
fn take_slow(
    scope: &mut v8::PinScope,
    args: v8::FunctionCallbackArguments,
    mut rv: v8::ReturnValue<v8::Value>,
) {
    let Ok(slot) = v8::Local::<v8::External>::try_from(args.get(0)) else {
        return;
    };
    // SAFETY: as in `take_fast`.
    let address = unsafe { slot.value().cast::<u64>().read() };
    rv.set(pointer_to_js(scope, address));
}
