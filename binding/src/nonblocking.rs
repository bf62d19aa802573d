//! Nonblocking symbols and function pointers: the arguments are converted on
//! the isolate's thread, the call runs on a worker thread, and the promise is
//! resolved from the event loop when the inbox says it finished. Until then
//! the call keeps alive every buffer it was given (their backing stores), its
//! struct result buffer, and its library (closing defers the unload).

use crate::convert::{Strings, slots_of, to_js};
use crate::dlopen::Handle;
use crate::{inbox, pool};
use ffic_loader::Invoker;
use ffic_schema::types::Primitive;
use ffic_schema::{Signature, Type};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::ffi::c_void;
use std::rc::Rc;

/// A call in flight, as the isolate's thread remembers it.
struct Pending {
    resolver: v8::Global<v8::PromiseResolver>,
    result: Type,
    /// The struct result, resolved as the promise's value.
    out: Option<v8::Global<v8::Uint8Array>>,
    /// Memory the call may touch, alive until it finishes.
    _keep: Vec<v8::SharedRef<v8::BackingStore>>,
    /// C string arguments, alive until the result (which may point into
    /// one) is read.
    _strings: Strings,
    handle: Option<Rc<Handle>>,
}

thread_local! {
    static PENDING: RefCell<HashMap<u64, Pending>> = RefCell::new(HashMap::new());
    static NEXT_ID: Cell<u64> = const { Cell::new(0) };
}

/// Whether any nonblocking call is still running.
pub fn pending() -> bool {
    PENDING.with(|p| !p.borrow().is_empty())
}

/// Lets go of the calls still running when the isolate is done: their
/// memory is leaked, not freed, since worker threads still write to it.
pub fn clear() {
    PENDING.with(|p| std::mem::forget(std::mem::take(&mut *p.borrow_mut())));
}

/// Starts a nonblocking call of `address` and gives its promise. Argument
/// errors reject the promise, as in Deno. `handle` is the library the
/// symbol belongs to, `None` for a function pointer.
pub(super) fn start<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    args: &v8::FunctionCallbackArguments,
    signature: &Signature,
    invoker: &Invoker,
    address: *const c_void,
    handle: Option<Rc<Handle>>,
) -> Option<v8::Local<'s, v8::Promise>> {
    let resolver = v8::PromiseResolver::new(scope)?;
    let promise = resolver.get_promise(scope);
    let mut keep = Vec::new();
    let slots = match slots_of(scope, args, signature, Some(&mut keep)) {
        Ok(slots) => slots,
        Err(message) => {
            let message = v8::String::new(scope, &message)?;
            let error = v8::Exception::type_error(scope, message);
            resolver.reject(scope, error);
            return Some(promise);
        }
    };
    let (slots, strings) = slots.into_parts();
    let (out, out_address) = match &signature.result {
        Type::Struct(layout) => {
            let size = layout.size as usize;
            let buffer = v8::ArrayBuffer::new(scope, size);
            let array = v8::Uint8Array::new(scope, buffer, 0, size)?;
            let store = buffer.get_backing_store();
            let address = store.data().map_or(0, |p| p.as_ptr() as usize);
            keep.push(store);
            (Some(v8::Global::new(scope, array)), address)
        }
        _ => (None, 0),
    };
    let id = NEXT_ID.with(|n| {
        n.set(n.get() + 1);
        n.get()
    });
    if let Some(handle) = &handle {
        handle.begin_call();
    }
    PENDING.with(|p| {
        p.borrow_mut().insert(
            id,
            Pending {
                resolver: v8::Global::new(scope, resolver),
                result: signature.result.clone(),
                out,
                _keep: keep,
                _strings: strings,
                handle,
            },
        )
    });
    let invoker = invoker.clone();
    let address = address as usize;
    // The call reports back to this isolate's inbox, wherever it runs.
    let owner = inbox::owner();
    let errno = signature.errno;
    let job = Box::new(move || {
        let mut ret = [0u8; 8];
        let destination = if out_address != 0 {
            out_address as *mut u8
        } else {
            ret.as_mut_ptr()
        };
        // SAFETY: the slots were checked against the signature; the memory
        // they and `destination` point at is kept alive by the pending
        // record until the Done message is handled, and the library (and
        // its code) stays loaded while the call is counted in flight.
        unsafe { invoker.call(address as *const c_void, slots.as_ptr(), destination) };
        // What the call captured on this worker thread.
        let errno = errno.then(ffic_loader::errno::last);
        if let Some(owner) = owner {
            owner.send(inbox::Inner::Done { id, ret, errno });
        }
    });
    if let Err(job) = pool::spawn(job) {
        // No worker thread could start: run it here rather than never.
        job();
    }
    Some(promise)
}

/// `{ value, errno }`, a plain object (data properties: no setter a script
/// put on `Object.prototype` runs).
fn with_errno<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    value: v8::Local<'s, v8::Value>,
    errno: i32,
) -> v8::Local<'s, v8::Value> {
    let object = v8::Object::new(scope);
    let errno = v8::Integer::new(scope, errno).into();
    for (name, value) in [("value", value), ("errno", errno)] {
        let key = v8::String::new(scope, name).expect("short string");
        object.create_data_property(scope, key.into(), value);
    }
    object.into()
}

/// Resolves nonblocking call `id` with its result: `null` for void, the
/// buffer for a struct, otherwise the value as a sync call returns it; for
/// a function that captures errno, `{ value, errno }`.
pub fn complete(scope: &mut v8::PinScope, id: u64, ret: [u8; 8], errno: Option<i32>) {
    let Some(pending) = PENDING.with(|p| p.borrow_mut().remove(&id)) else {
        return;
    };
    let value = match (&pending.result, &pending.out) {
        (_, Some(out)) => v8::Local::new(scope, out).into(),
        (Type::Primitive(Primitive::Void), None) => v8::null(scope).into(),
        (ty, None) => to_js(scope, ty, &ret),
    };
    let value = match errno {
        Some(errno) => with_errno(scope, value, errno),
        None => value,
    };
    let resolver = v8::Local::new(scope, &pending.resolver);
    resolver.resolve(scope, value);
    if let Some(handle) = &pending.handle {
        handle.end_call();
    }
}
