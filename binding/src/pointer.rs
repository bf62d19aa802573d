//! Pointers as scripts hold them: `Deno.UnsafePointer` (create, value, of)
//! and `Deno.UnsafeFnPointer` calls (libffi, sync or nonblocking).

use crate::convert::{bytes_of, pointer_to_js, to_slot};
use crate::dlopen::{Callee, call, definition, struct_shape};
use crate::throw_type_error as throw;
use ffic_schema::Type;
use ffic_schema::types::Primitive;
use std::cell::RefCell;
use std::ffi::c_void;
use std::rc::Rc;

/// A function pointer made callable by `UnsafeFnPointer`.
struct PointerData {
    pointer: ffic_loader::FnPointer<'static>,
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
    // Deno's words for anything but a pointer.
    let address = match to_slot(
        scope,
        &Type::Primitive(Primitive::Pointer),
        args.get(0),
        &mut Vec::new(),
    ) {
        Ok(a) => a as usize as *const c_void,
        Err(_) => return throw(scope, "expected external"),
    };
    let Some((signature, nonblocking)) = definition(scope, args.get(1)) else {
        return;
    };
    let pointer = match ffic_loader::FnPointer::new(address, &signature) {
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
        return throw(scope, "expected external");
    };
    rv.set(v8::BigInt::new_from_u64(scope, address).into());
}

/// `pointerOf(buffer)`: the data pointer of an ArrayBuffer or view.
pub(super) fn pointer_of(
    scope: &mut v8::PinScope,
    args: v8::FunctionCallbackArguments,
    mut rv: v8::ReturnValue<v8::Value>,
) {
    let value = args.get(0);
    let data = match v8::Local::<v8::SharedArrayBuffer>::try_from(value) {
        // Empty, it has no memory: null, as in Deno.
        Ok(shared) => Some((
            shared
                .get_backing_store()
                .data()
                .filter(|_| shared.byte_length() > 0)
                .map_or(std::ptr::null_mut(), |p| p.as_ptr()),
            shared.byte_length(),
        )),
        Err(_) => bytes_of(value),
    };
    match data {
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
