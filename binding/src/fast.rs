//! V8 Fast API registration: the `CFunction`s V8 calls a symbol's fast
//! trampolines through (their `CFunctionInfo` built from the same
//! `ffic_compiler` `Shape` the trampolines are compiled against, Deno's
//! CType mapping, V8-FAST-API.md §1), and the runtime helpers the
//! trampolines call: buffer and struct data pointers, the TypeErrors, and
//! the `--trace-ffi` fast-call counter.

use crate::convert::bytes_of;
use crate::dlopen::SymbolData;
use ffic_compiler::imports::{INVALID_DATA, Raise};
use ffic_compiler::trampoline::direct;
use ffic_compiler::trampoline::fast::{CType, Output, Shape};
use ffic_loader::Helpers;
use ffic_schema::{Signature, Type};
use std::collections::HashMap;
use std::ffi::c_void;
use std::ptr::NonNull;
use std::sync::Mutex;
use v8::fast_api::{
    CFunction, CFunctionInfo, CTypeInfo, FastApiCallbackOptions, Int64Representation, Type as C,
};

/// The helpers for the import tables of code bound here; `trace` fills the
/// trace slot, which makes every fast trampoline count its calls.
pub(super) fn helpers(trace: bool) -> Helpers {
    Helpers {
        buffer_data,
        struct_data,
        raise,
        trace: trace.then_some(count_fast_call as ffic_loader::helpers::TraceFn),
    }
}

/// A `CFunctionInfo`'s identity: the signature, and whether it describes
/// the re-entrant form.
type InfoKey = (Signature, bool);

/// An overload list's identity: each overload's (address, info address).
type OverloadsKey = Vec<(usize, usize)>;

/// One `CFunctionInfo` per distinct signature and form, leaked: V8 reads
/// it from optimized code and background compiles for as long as an
/// isolate lives. Shared by every isolate (V8 only reads them), so a
/// process starting many isolates leaks each once; kept as addresses.
static INFOS: Mutex<Option<HashMap<InfoKey, usize>>> = Mutex::new(None);
/// One overload list per list of (address, info), leaked likewise:
/// reopening a library whose code is shared (or kept) registers the same
/// addresses. Kept as (address, length).
static OVERLOADS: Mutex<Option<HashMap<OverloadsKey, (usize, usize)>>> = Mutex::new(None);

/// The overload list V8 registers for the fast trampoline at `returning`
/// of `signature`, and its re-entrant form at `reentrant`, which takes one
/// argument more (V8 picks an overload by argument count alone). Leaked: V8
/// keeps pointers into it for the isolate's life (V8-FAST-API.md §3), so it
/// must never move or be freed.
pub(super) fn overloads(
    signature: &Signature,
    returning: *const u8,
    reentrant: Option<*const u8>,
) -> &'static [CFunction] {
    let info = |stored: bool| -> &'static CFunctionInfo {
        let mut infos = INFOS.lock().unwrap_or_else(|e| e.into_inner());
        let address = *infos
            .get_or_insert_with(HashMap::new)
            .entry((signature.clone(), stored))
            .or_insert_with(|| {
                std::ptr::from_ref(Box::leak(Box::new(function_info(signature, stored)))) as usize
            });
        // SAFETY: the address of a leaked, never mutated CFunctionInfo.
        unsafe { &*(address as *const CFunctionInfo) }
    };
    let mut list = vec![(returning, info(false))];
    list.extend(reentrant.map(|address| (address, info(true))));
    let key = list
        .iter()
        .map(|(address, info)| (*address as usize, std::ptr::from_ref(*info) as usize))
        .collect();
    let mut overloads = OVERLOADS.lock().unwrap_or_else(|e| e.into_inner());
    let (address, len) = *overloads
        .get_or_insert_with(HashMap::new)
        .entry(key)
        .or_insert_with(|| {
            let functions: Vec<CFunction> = list
                .iter()
                .map(|(address, info)| CFunction::new(address.cast(), info))
                .collect();
            let leaked: &'static [CFunction] = Box::leak(functions.into_boxed_slice());
            (leaked.as_ptr() as usize, leaked.len())
        });
    // SAFETY: a leaked, never mutated slice of `len` CFunctions.
    unsafe { std::slice::from_raw_parts(address as *const CFunction, len) }
}

/// `[receiver, parameters…, (struct result buffer), options] -> result`,
/// 64-bit integers as BigInt, as the compiler's fast trampolines take them;
/// `stored`: the re-entrant form, `[receiver, parameters…, result pointer,
/// options] -> void`.
fn function_info(signature: &Signature, stored: bool) -> CFunctionInfo {
    let output = if stored {
        Output::Stored
    } else {
        Output::Returned
    };
    let shape = Shape::of(signature, output);
    let args: Vec<CTypeInfo> = shape.params.iter().map(|&c| ctype(c)).collect();
    let args: &'static [CTypeInfo] = Box::leak(args.into_boxed_slice());
    CFunctionInfo::new(ctype(shape.result), args, Int64Representation::BigInt)
}

/// V8's type for a compiled trampoline's [`CType`].
pub(super) fn ctype(c: CType) -> CTypeInfo {
    match c {
        CType::Void => C::Void,
        CType::Bool => C::Bool,
        CType::Uint32 => C::Uint32,
        CType::Int32 => C::Int32,
        CType::Uint64 => C::Uint64,
        CType::Int64 => C::Int64,
        CType::Float32 => C::Float32,
        CType::Float64 => C::Float64,
        CType::Pointer => C::Pointer,
        CType::V8Value => C::V8Value,
        CType::SeqOneByteString => C::SeqOneByteString,
        CType::CallbackOptions => C::CallbackOptions,
    }
    .as_info()
}

/// Whether V8 can call the native function of `signature` itself as the
/// fast function (see `direct::registers_line_up`), here.
pub(super) fn registers_line_up(signature: &Signature) -> bool {
    cfg!(all(target_arch = "x86_64", target_os = "linux")) && direct::registers_line_up(signature)
}

const INVALID: *mut u8 = INVALID_DATA as usize as *mut u8;

/// The value of a `V8Value` argument of a fast call (the address of the
/// handle slot V8 passed).
///
/// # Safety
/// `slot` must be such an argument of the fast call in progress, and the
/// value must not be used after that call returns.
pub unsafe fn v8_value_argument<'s>(slot: *const c_void) -> v8::Local<'s, v8::Value> {
    let slot = NonNull::new(slot.cast_mut().cast::<v8::Value>()).expect("V8 passes a slot");
    // SAFETY: V8 builds without direct handles, so a V8Value argument is the
    // address of a live handle slot (V8-FAST-API.md §2), which is exactly
    // the representation of a `Local` (a repr(C) non-null pointer); the slot
    // outlives the fast call this helper runs in.
    unsafe { std::mem::transmute::<NonNull<v8::Value>, v8::Local<'s, v8::Value>>(slot) }
}

/// `buffer_data`: as the slow path converts a `buffer` argument.
unsafe extern "C" fn buffer_data(slot: *const c_void) -> *mut u8 {
    // SAFETY: trampolines pass a V8Value argument of their fast call.
    let value = unsafe { v8_value_argument(slot) };
    if value.is_null() {
        return std::ptr::null_mut();
    }
    bytes_of(value).map_or(INVALID, |(data, _)| data.cast())
}

/// `struct_data`: a buffer of at least `size` bytes, as the slow path wants
/// for a struct argument or result buffer.
unsafe extern "C" fn struct_data(slot: *const c_void, size: usize) -> *mut u8 {
    // SAFETY: trampolines pass a V8Value argument of their fast call.
    let value = unsafe { v8_value_argument(slot) };
    match bytes_of(value) {
        Some((data, len)) if len >= size => data.cast(),
        _ => INVALID,
    }
}

/// The symbol a fast call was made for (the template's data).
fn symbol<'a>(options: &'a FastApiCallbackOptions) -> Option<&'a SymbolData> {
    let data = v8::Local::<v8::External>::try_from(options.data).ok()?;
    // SAFETY: fast functions are only made by `dlopen::make_function`, whose
    // data is an External of a SymbolData; V8 is calling that function, so
    // it is alive, and it holds the owner that keeps its records stored.
    Some(unsafe { &*(data.value() as *const SymbolData) })
}

/// `raise`: throws the TypeError the slow path would for that argument.
unsafe extern "C" fn raise(options: *const c_void, kind: u32, argument: u32) {
    // SAFETY: trampolines pass their own options argument, valid for the call.
    let options = unsafe { &*options.cast::<FastApiCallbackOptions>() };
    let message = if kind == Raise::InvalidBuffer as u32 {
        "Invalid FFI buffer type, expected null, ArrayBuffer, or ArrayBufferView".to_string()
    } else if kind == Raise::InvalidStruct as u32 {
        let size = symbol(options)
            .and_then(|s| s.signature().parameters.get(argument as usize))
            .and_then(|t| match t {
                Type::Struct(layout) => Some(layout.size),
                Type::Primitive(_) => None,
            })
            .unwrap_or(0);
        format!(
            "Invalid FFI struct type, expected ArrayBuffer, or ArrayBufferView of at least {size} bytes"
        )
    } else if kind == Raise::InvalidCString as u32 {
        crate::convert::NUL_IN_CSTRING.to_string()
    } else {
        "Missing FFI struct return buffer".to_string()
    };
    // SAFETY: raise runs inside the fast call these options belong to.
    unsafe { throw_from_fast_call(options, &message) };
}

/// Throws a TypeError with `message` from inside a fast call; V8 rethrows
/// it at the call site once the fast function returns.
///
/// # Safety
/// `options` must be those of the fast call in progress on this thread.
pub(super) unsafe fn throw_from_fast_call(options: &FastApiCallbackOptions, message: &str) {
    // The options carry the isolate and V8 stored the caller's context in
    // it before the call, so this scope can make and throw the error.
    v8::callback_scope!(unsafe scope, options);
    crate::throw_type_error(scope, message);
}

/// `trace`: counts a fast call of the symbol (`--trace-ffi`).
unsafe extern "C" fn count_fast_call(options: *const c_void) {
    // SAFETY: trampolines pass their own options argument, valid for the call.
    let options = unsafe { &*options.cast::<FastApiCallbackOptions>() };
    if let Some(symbol) = symbol(options) {
        symbol.fast_calls.set(symbol.fast_calls.get() + 1);
    }
}
