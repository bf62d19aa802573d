//! Pointers as scripts hold them: `Deno.UnsafePointer` (create, value, of),
//! `Deno.UnsafePointerView` reads of raw memory (unchecked, as in Deno:
//! pointers need `--allow-ffi`), and `Deno.UnsafeFnPointer` calls (libffi,
//! sync or nonblocking).

use super::convert::{bytes_of, pointer_to_js, to_js, to_slot};
use super::dlopen::{Callee, call, definition, struct_shape};
use super::throw_type_error as throw;
use ffic_schema::types::Primitive;
use ffic_schema::{Target, Type};
use std::cell::RefCell;
use std::ffi::c_void;
use std::rc::Rc;

/// A function pointer made callable by `UnsafeFnPointer`.
struct PointerData {
    pointer: crate::FnPointer<'static>,
    nonblocking: bool,
}

thread_local! {
    /// Every function-pointer record, alive as long as the isolate.
    static POINTERS: RefCell<Vec<Rc<PointerData>>> = const { RefCell::new(Vec::new()) };
}

/// The callback of an `UnsafeFnPointer`'s function.
fn call_pointer(
    scope: &mut v8::PinScope,
    args: v8::FunctionCallbackArguments,
    mut rv: v8::ReturnValue<v8::Value>,
) {
    let Ok(data) = v8::Local::<v8::External>::try_from(args.data()) else {
        return throw(scope, "ffic: a pointer function without its data");
    };
    // SAFETY: made by `fn_pointer` from an Rc held in POINTERS until the
    // isolate is done.
    let data = unsafe { &*(data.value() as *const PointerData) };
    let pointer = &data.pointer;
    if pointer.address().is_null() {
        return throw(scope, "Cannot call a null function pointer");
    }
    let callee = Callee {
        signature: pointer.signature(),
        invoker: pointer.invoker(),
        address: pointer.address(),
        nonblocking: data.nonblocking,
    };
    call(scope, &args, &mut rv, callee, None);
}

/// `fnPointer(pointer, definitionJson)`: `{ call, struct }`, the function
/// that calls the pointer and, for a struct result, `[size, parameters]`.
pub(super) fn fn_pointer(
    scope: &mut v8::PinScope,
    args: v8::FunctionCallbackArguments,
    mut rv: v8::ReturnValue<v8::Value>,
) {
    let address = match to_slot(scope, &Type::Primitive(Primitive::Pointer), args.get(0)) {
        Ok(a) => a as usize as *const c_void,
        Err(message) => return throw(scope, &message),
    };
    let Some((signature, nonblocking)) = definition(scope, args.get(1)) else {
        return;
    };
    let pointer = match crate::FnPointer::new(address, &signature) {
        Ok(p) => p,
        Err(e) => return throw(scope, &e.to_string()),
    };
    let record = Rc::new(PointerData {
        pointer,
        nonblocking,
    });
    let external = Rc::as_ptr(&record).cast_mut().cast::<c_void>();
    POINTERS.with(|p| p.borrow_mut().push(record));
    let data = v8::External::new(scope, external);
    let Some(function) = v8::Function::builder(call_pointer)
        .data(data.into())
        .build(scope)
    else {
        return;
    };
    let result = v8::Object::new(scope);
    let key = v8::String::new(scope, "call").expect("key").into();
    result.set(scope, key, function.into());
    if let Some(shape) = struct_shape(scope, &signature, nonblocking) {
        let key = v8::String::new(scope, "struct").expect("key").into();
        result.set(scope, key, shape);
    }
    rv.set(result.into());
}

/// Drops every function-pointer record (when the isolate is done).
pub(super) fn clear() {
    POINTERS.with(|p| p.borrow_mut().clear());
}

/// `pointerCreate(bigint)`: an External for an address, or null for 0.
pub(super) fn pointer_create(
    scope: &mut v8::PinScope,
    args: v8::FunctionCallbackArguments,
    mut rv: v8::ReturnValue<v8::Value>,
) {
    let address = match v8::Local::<v8::BigInt>::try_from(args.get(0)) {
        Ok(big) => big.u64_value().0,
        Err(_) => return throw(scope, "Invalid pointer value, expected BigInt"),
    };
    let value = pointer_to_js(scope, address);
    rv.set(value);
}

/// `pointerValue(pointer)`: the address of an External (0n for null).
pub(super) fn pointer_value(
    scope: &mut v8::PinScope,
    args: v8::FunctionCallbackArguments,
    mut rv: v8::ReturnValue<v8::Value>,
) {
    let value = args.get(0);
    let address = if value.is_null() {
        0
    } else if let Ok(external) = v8::Local::<v8::External>::try_from(value) {
        external.value() as u64
    } else {
        return throw(
            scope,
            "Invalid FFI pointer type, expected null, or External",
        );
    };
    rv.set(v8::BigInt::new_from_u64(scope, address).into());
}

/// The address an `UnsafePointerView` reads: its pointer plus `offset`
/// (truncated to an integer, as Deno does); `None` after throwing for null.
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
        throw(
            scope,
            "Invalid FFI pointer type, expected null, or External",
        );
        return None;
    };
    if base == 0 {
        throw(scope, &format!("Invalid {what} pointer, pointer is null"));
        return None;
    }
    let offset = offset.integer_value(scope).unwrap_or(0);
    Some(base.wrapping_add(offset as usize))
}

/// `viewRead(pointer, offset, type)`: a value of a primitive `type` at
/// `pointer + offset`, as `UnsafePointerView`'s getters return it.
pub(super) fn view_read(
    scope: &mut v8::PinScope,
    args: v8::FunctionCallbackArguments,
    mut rv: v8::ReturnValue<v8::Value>,
) {
    let name = args.get(2).to_rust_string_lossy(scope);
    let Some(primitive) = Primitive::ALL.into_iter().find(|p| p.name() == name) else {
        return throw(scope, &format!("unknown type {name}"));
    };
    let Some(address) = view_address(scope, args.get(0), args.get(1), &name) else {
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
    // SAFETY: as in `view_read`: the script vouches for a NUL-terminated string.
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
    // SAFETY: as in `view_read`; the deleter leaves the memory to its owner.
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
        // script's to vouch for, as in `view_read`.
        unsafe { std::ptr::copy(address as *const u8, data.cast::<u8>(), len) };
    }
}

/// `pointerOf(buffer)`: the data pointer of an ArrayBuffer or view.
pub(super) fn pointer_of(
    scope: &mut v8::PinScope,
    args: v8::FunctionCallbackArguments,
    mut rv: v8::ReturnValue<v8::Value>,
) {
    let value = args.get(0);
    match bytes_of(value) {
        Some((data, _)) => {
            let pointer = pointer_to_js(scope, data as u64);
            rv.set(pointer);
        }
        None => {
            let received = if value.is_null() || value.is_object() {
                "object".to_string()
            } else {
                value.type_of(scope).to_rust_string_lossy(scope)
            };
            throw(
                scope,
                &format!(
                    "Cannot access pointer: expected 'ArrayBuffer', 'SharedArrayBuffer', 'ArrayBufferView' or 'UnsafeCallbackPrototype', received {received}"
                ),
            );
        }
    }
}
