//! `Deno.UnsafePointerView`: reads of raw memory, unchecked as in Deno
//! (pointers need `--allow-ffi`). The twelve getters are V8 fast functions,
//! `(pointer, offset) -> value`, each with a slow callback that converts and
//! throws as Deno does; C strings, ArrayBuffers over memory and copies are
//! slow natives.

use crate::convert::{bytes_of, to_js};
use crate::fast::throw_from_fast_call;
use crate::throw_type_error as throw;
use crate::trace;
use ffic_compiler::trampoline::fast::CType;
use ffic_schema::types::Primitive;
use ffic_schema::{Target, Type};
use std::cell::Cell;
use std::ffi::c_void;
use v8::fast_api::{
    CFunction, CFunctionInfo, CTypeInfo, FastApiCallbackOptions, Int64Representation, Type as C,
};

thread_local! {
    /// Getter calls under `--trace-ffi`: (slow, fast).
    static COUNTS: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

/// Counts a getter call on the slow (`fast == false`) or fast path, when
/// tracing.
#[inline]
fn count_read(fast: bool) {
    if trace::enabled() {
        COUNTS.with(|r| {
            let (slow, quick) = r.get();
            r.set(if fast {
                (slow, quick + 1)
            } else {
                (slow + 1, quick)
            });
        });
    }
}

/// The `--trace-ffi` line for getter calls, at exit.
pub(super) fn trace_reads() {
    if trace::enabled() {
        let (slow, fast) = COUNTS.with(Cell::get);
        trace::line(&format!("view reads: {slow} slow, {fast} fast"));
    }
}

/// The address a view reads: `base` plus `offset` truncated to an integer
/// (as Deno does; NaN is 0).
fn offset_address(base: usize, offset: f64) -> usize {
    base.wrapping_add(offset as i64 as usize)
}

/// The address an `UnsafePointerView` reads: its pointer plus `offset`;
/// `None` after throwing for a null or non-pointer value.
fn view_address(
    scope: &mut v8::PinScope,
    pointer: v8::Local<v8::Value>,
    offset: v8::Local<v8::Value>,
    what: &str,
) -> Option<usize> {
    let base = if let Ok(external) = v8::Local::<v8::External>::try_from(pointer) {
        external.value() as usize
    } else if pointer.is_null() {
        0
    } else {
        // Deno's view ops take the pointer as an External argument.
        throw(scope, "expected external");
        return None;
    };
    if base == 0 {
        throw(scope, &format!("Invalid {what} pointer, pointer is null"));
        return None;
    }
    let offset = offset.number_value(scope).unwrap_or(0.0);
    Some(offset_address(base, offset))
}

/// The slow callback of every getter: `(pointer, offset)`, the primitive in
/// the data. Returns exactly the JS type the fast function's CType stands
/// for, as V8 requires after an in-code fallback (V8-FAST-API.md §1).
fn read_slow(
    scope: &mut v8::PinScope,
    args: v8::FunctionCallbackArguments,
    mut rv: v8::ReturnValue<v8::Value>,
) {
    count_read(false);
    let index = args.data().uint32_value(scope).unwrap_or(u32::MAX) as usize;
    let Some(primitive) = Primitive::ALL.get(index).copied() else {
        return throw(scope, "ffic: a view getter without its type");
    };
    let Some(address) = view_address(scope, args.get(0), args.get(1), primitive.name()) else {
        return;
    };
    let ty = Type::Primitive(primitive);
    let size = ty.layout(Target::host()).0 as usize;
    let mut bytes = [0u8; 8];
    // SAFETY: none the host can give: like Deno's UnsafePointerView, this
    // reads whatever memory the script points at; the API is unsafe by
    // definition and scripts need --allow-ffi to obtain pointers.
    unsafe { std::ptr::copy_nonoverlapping(address as *const u8, bytes.as_mut_ptr(), size) };
    let value = to_js(scope, &ty, &bytes);
    rv.set(value);
}

/// Defines the fast getter of each primitive: `$name(receiver, pointer,
/// offset, options)`, reading a `$read` and returning it as `$ret` (the
/// width V8 expects for the primitive's CType, `fast::primitive`).
macro_rules! fast_reads {
    ($($name:ident: $primitive:ident, $read:ty => $ret:ty, |$v:ident| $convert:expr;)*) => {
        $(
            /// A fast getter (see `fast_reads!`).
            unsafe extern "C" fn $name(
                _receiver: *const c_void,
                pointer: usize,
                offset: f64,
                options: *const FastApiCallbackOptions,
            ) -> $ret {
                if pointer == 0 {
                    let message = format!(
                        "Invalid {} pointer, pointer is null",
                        Primitive::$primitive.name()
                    );
                    // SAFETY: V8 passes the options of the call in progress.
                    unsafe { throw_from_fast_call(&*options, &message) };
                    return Default::default();
                }
                count_read(true);
                let address = offset_address(pointer, offset) as *const $read;
                // SAFETY: as in `read_slow`: the script vouches for the memory.
                let $v = unsafe { address.read_unaligned() };
                $convert
            }
        )*

        /// The getters' `(primitive, fast function)`, in the order
        /// `getters` gives them to the host.
        const READS: &[(Primitive, *const c_void)] = &[
            $((Primitive::$primitive, $name as *const c_void),)*
        ];
    };
}

fast_reads! {
    read_bool: Bool, u8 => bool, |v| v != 0;
    read_u8: U8, u8 => u32, |v| u32::from(v);
    read_i8: I8, i8 => i32, |v| i32::from(v);
    read_u16: U16, u16 => u32, |v| u32::from(v);
    read_i16: I16, i16 => i32, |v| i32::from(v);
    read_u32: U32, u32 => u32, |v| v;
    read_i32: I32, i32 => i32, |v| v;
    read_u64: U64, u64 => u64, |v| v;
    read_i64: I64, i64 => i64, |v| v;
    read_f32: F32, f32 => f32, |v| v;
    read_f64: F64, f64 => f64, |v| v;
    read_pointer: Pointer, usize => usize, |v| v;
}

/// Argument types of every getter: receiver, pointer, offset, options.
const ARGUMENTS: [CTypeInfo; 4] = [
    C::V8Value.as_info(),
    C::Pointer.as_info(),
    C::Float64.as_info(),
    C::CallbackOptions.as_info(),
];

/// The getters' `CFunction`s, in the order of `READS`, leaked once for
/// every isolate (V8 keeps pointers into them, and only reads them); kept
/// as addresses.
static OVERLOADS: std::sync::OnceLock<Vec<usize>> = std::sync::OnceLock::new();

/// An array of the getters, in the order of `READS` (bool, u8, i8, u16,
/// i16, u32, i32, u64, i64, f32, f64, pointer).
pub(super) fn getters<'s>(scope: &mut v8::PinScope<'s, '_>) -> v8::Local<'s, v8::Array> {
    let made = OVERLOADS.get_or_init(|| {
        READS
            .iter()
            .map(|&(primitive, address)| {
                let info: &'static CFunctionInfo = Box::leak(Box::new(CFunctionInfo::new(
                    crate::fast::ctype(CType::result(&Type::Primitive(primitive))),
                    &ARGUMENTS,
                    Int64Representation::BigInt,
                )));
                let overload: &'static [CFunction; 1] =
                    Box::leak(Box::new([CFunction::new(address, info)]));
                overload.as_ptr() as usize
            })
            .collect()
    });
    let getters: Vec<v8::Local<v8::Value>> = READS
        .iter()
        .zip(made)
        .map(|(&(primitive, _), &overload)| {
            // SAFETY: a leaked, never mutated CFunction.
            let overloads: &'static [CFunction] =
                unsafe { std::slice::from_raw_parts(overload as *const CFunction, 1) };
            let index = Primitive::ALL
                .iter()
                .position(|p| *p == primitive)
                .expect("a primitive") as u32;
            let data = v8::Integer::new_from_unsigned(scope, index);
            v8::FunctionTemplate::builder(read_slow)
                .data(data.into())
                .build_fast(scope, overloads)
                .get_function(scope)
                .expect("a getter function")
                .into()
        })
        .collect();
    v8::Array::new_with_elements(scope, &getters)
}

/// `viewCString(pointer, offset)`: the NUL-terminated string there, with
/// invalid UTF-8 replaced.
pub(super) fn view_c_string(
    scope: &mut v8::PinScope,
    args: v8::FunctionCallbackArguments,
    mut rv: v8::ReturnValue<v8::Value>,
) {
    let Some(address) = view_address(scope, args.get(0), args.get(1), "CString") else {
        return;
    };
    // SAFETY: as in `read_slow`: the script vouches for a NUL-terminated string.
    let text =
        unsafe { std::ffi::CStr::from_ptr(address as *const std::ffi::c_char) }.to_string_lossy();
    if let Some(string) = v8::String::new(scope, &text) {
        rv.set(string.into());
    }
}

unsafe extern "C" fn keep_memory(_data: *mut c_void, _len: usize, _deleter: *mut c_void) {}

/// `viewArrayBuffer(pointer, length, offset)`: an ArrayBuffer over that
/// memory, not a copy (the memory must outlive it, as in Deno).
pub(super) fn view_array_buffer(
    scope: &mut v8::PinScope,
    args: v8::FunctionCallbackArguments,
    mut rv: v8::ReturnValue<v8::Value>,
) {
    let Some(address) = view_address(scope, args.get(0), args.get(2), "ArrayBuffer") else {
        return;
    };
    let len = args.get(1).integer_value(scope).unwrap_or(0).max(0) as usize;
    // SAFETY: as in `read_slow`; the deleter leaves the memory to its owner.
    let store = unsafe {
        v8::ArrayBuffer::new_backing_store_from_ptr(
            address as *mut c_void,
            len,
            keep_memory,
            std::ptr::null_mut(),
        )
    }
    .make_shared();
    rv.set(v8::ArrayBuffer::with_backing_store(scope, &store).into());
}

/// `viewCopyInto(pointer, destination, offset)`: copies the destination's
/// length of bytes from `pointer + offset` into it.
pub(super) fn view_copy_into(
    scope: &mut v8::PinScope,
    args: v8::FunctionCallbackArguments,
    _: v8::ReturnValue<v8::Value>,
) {
    let Some(address) = view_address(scope, args.get(0), args.get(2), "copyInto") else {
        return;
    };
    let Some((data, len)) = bytes_of(args.get(1)) else {
        return throw(
            scope,
            "Invalid ArrayBuffer, expected ArrayBuffer or ArrayBufferView",
        );
    };
    if len > 0 {
        // SAFETY: the destination holds `len` bytes; the source is the
        // script's to vouch for, as in `read_slow`.
        unsafe { std::ptr::copy(address as *const u8, data.cast::<u8>(), len) };
    }
}
