//! `ffic-deno`: Deno's FFI API on the `v8` crate, for any embedder: the
//! functions a host's JS builds `Deno.dlopen`, `UnsafePointer`,
//! `UnsafePointerView`, `UnsafeFnPointer` and `UnsafeCallback` from, and the
//! inbox through which finished nonblocking calls and callbacks called on
//! other threads reach the isolate's thread.
//!
//! A host, on the isolate's thread: [`enter`] once its context exists,
//! [`install`] the natives on the object its JS reads them from, then from
//! its event loop [`try_next`] / [`next`] and [`deliver`] messages while
//! [`keeps_alive`] says work is in flight, and [`leave`] before the isolate
//! is disposed.

mod callback;
mod convert;
mod dlopen;
mod fast;
mod inbox;
mod nonblocking;
mod pointer;
mod policy;
mod pool;
mod records;
mod reentry;
mod trace;
mod view;

pub use convert::bytes_of;
pub use fast::v8_value_argument;
pub use inbox::{Message, next, try_next};
pub use policy::{Policy, Refusal};

/// Writes the `--trace-ffi` call counts (at exit).
pub fn trace_calls() {
    dlopen::trace_calls();
    view::trace_reads();
}

/// Throws a TypeError with `message` (the error every binding reports).
pub fn throw_type_error(scope: &mut v8::PinScope, message: &str) {
    let message = v8::String::new(scope, message).expect("short string");
    let error = v8::Exception::type_error(scope, message);
    scope.throw_exception(error);
}

/// Prepares the binding for the isolate `isolate` running `context`, with
/// `--trace-ffi` on or off.
pub fn enter(isolate: *mut v8::Isolate, context: v8::Global<v8::Context>, trace_ffi: bool) {
    trace::enable(trace_ffi);
    inbox::open();
    callback::enter(isolate, context);
}

/// Frees what closed callbacks left behind and the symbol records no
/// script can reach any more; call at the top of each event-loop turn.
pub fn turn() {
    callback::release_closed();
    records::sweep();
}

/// Releases what the binding holds (libraries, callbacks, V8 handles);
/// other threads stop waiting on the isolate. What threads may still be
/// using (callback code, memory and libraries of calls in flight) is leaked
/// instead. Also right before the process exits early (`Deno.exit`).
pub fn leave() {
    inbox::close();
    nonblocking::clear();
    callback::clear();
    pointer::clear();
    reentry::clear();
    dlopen::clear();
    policy::clear();
}

/// Whether work in flight (a nonblocking call, a `ref()`ed callback) must
/// keep the event loop alive.
pub fn keeps_alive() -> bool {
    nonblocking::pending() || callback::referenced()
}

/// Handles a message from another thread.
pub fn deliver(scope: &mut v8::PinScope, message: Message) {
    match message {
        Message::Done { id, ret } => nonblocking::complete(scope, id, ret),
        Message::Callback(request) => callback::serve(scope, request),
    }
}

/// Sets `object[name]` to a native function calling `callback`.
pub fn set_function(
    scope: &mut v8::PinScope,
    object: v8::Local<v8::Object>,
    name: &str,
    callback: impl v8::MapFnTo<v8::FunctionCallback>,
) {
    let key = v8::String::new(scope, name).expect("short string");
    let function = v8::Function::new(scope, callback).expect("a native function");
    object.set(scope, key.into(), function.into());
}

/// Adds the binding's natives to `object`; `policy` decides which
/// libraries `dlopen` may open.
pub fn install(scope: &mut v8::PinScope, object: v8::Local<v8::Object>, policy: Box<dyn Policy>) {
    policy::set(policy);
    // Before any script runs: the factory captures the globals it uses.
    reentry::prepare(scope);
    set_function(scope, object, "dlopen", dlopen::dlopen);
    set_function(scope, object, "dlclose", dlopen::dlclose);
    set_function(scope, object, "pointerCreate", pointer::pointer_create);
    set_function(scope, object, "pointerValue", pointer::pointer_value);
    set_function(scope, object, "pointerOf", pointer::pointer_of);
    set_function(scope, object, "fnPointer", pointer::fn_pointer);
    set_function(scope, object, "viewCString", view::view_c_string);
    set_function(scope, object, "viewArrayBuffer", view::view_array_buffer);
    set_function(scope, object, "viewCopyInto", view::view_copy_into);
    set_function(scope, object, "callbackCreate", callback::create);
    set_function(scope, object, "callbackRef", callback::set_ref);
    set_function(scope, object, "callbackClose", callback::close);
    let key = v8::String::new(scope, "viewGetters").expect("short string");
    let getters = view::getters(scope);
    object.set(scope, key.into(), getters.into());
}
