//! `Deno.dlopen` on the slow path: the descriptor is checked and normalised
//! by ffic-schema, the library opened by ffic-loader (artifact from the
//! cache, else the JIT, else libffi), and each function symbol becomes a V8
//! function that converts its arguments as Deno's slow path does (same
//! TypeError texts), calls the symbol's invoke trampoline and converts the
//! result back. Calling a symbol of a closed library is a TypeError, never a
//! crash; nonblocking symbols go to [`super::nonblocking`].

use super::convert::{bytes_of, pointer_to_js, slots_of, to_js, value_to_js};
use super::throw_type_error as throw;
use super::trace;
use crate::{DynamicLibrary, Invoker, OpenOptions};
use ffic_schema::types::Primitive;
use ffic_schema::{Signature, SymbolKind, Target, Type};
use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::rc::Rc;

/// An opened library as scripts see it. Closing marks it closed at once;
/// the library itself is unloaded when no nonblocking call of it is still
/// running.
pub(super) struct Handle {
    library: RefCell<Option<DynamicLibrary>>,
    closed: Cell<bool>,
    in_flight: Cell<u32>,
}

impl Handle {
    /// A nonblocking call of this library started.
    pub(super) fn begin_call(&self) {
        self.in_flight.set(self.in_flight.get() + 1);
    }

    /// A nonblocking call finished: unloads a closed library once idle.
    pub(super) fn end_call(&self) {
        self.in_flight.set(self.in_flight.get() - 1);
        self.unload_if_idle();
    }

    fn unload_if_idle(&self) {
        if self.closed.get()
            && self.in_flight.get() == 0
            && let Ok(mut library) = self.library.try_borrow_mut()
        {
            drop(library.take());
        }
    }
}

/// What a symbol's V8 function needs, bound once at open: its library (to
/// refuse calls once closed and to keep the code mapped during a call), its
/// name for errors, and how to call it.
struct SymbolData {
    handle: Rc<Handle>,
    name: String,
    signature: Signature,
    nonblocking: bool,
    invoker: Invoker,
    address: *const c_void,
    /// Calls made, counted only under `--trace-ffi`.
    calls: Cell<u64>,
}

thread_local! {
    /// Every symbol record, alive as long as the isolate (V8 functions point
    /// at them; an `Rc` keeps each at one address while the list grows).
    static SYMBOLS: RefCell<Vec<Rc<SymbolData>>> = const { RefCell::new(Vec::new()) };
    static HANDLES: RefCell<Vec<Rc<Handle>>> = const { RefCell::new(Vec::new()) };
}

/// Under `--trace-ffi`, reports each bound symbol's calls (all on the slow
/// path, or nonblocking, until fast calls exist).
pub fn trace_calls() {
    if !trace::enabled() {
        return;
    }
    SYMBOLS.with(|symbols| {
        for symbol in symbols.borrow().iter() {
            let kind = if symbol.nonblocking {
                "nonblocking"
            } else {
                "slow"
            };
            trace::line(&format!(
                "calls {}: {} {kind}, 0 fast",
                symbol.name,
                symbol.calls.get()
            ));
        }
    });
}

/// Drops every library and symbol record (when the isolate is done), except
/// libraries with nonblocking calls still running: those stay loaded.
pub(super) fn clear() {
    SYMBOLS.with(|s| s.borrow_mut().clear());
    HANDLES.with(|h| {
        for handle in h.borrow().iter() {
            if handle.in_flight.get() > 0
                && let Ok(mut library) = handle.library.try_borrow_mut()
            {
                std::mem::forget(library.take());
            }
        }
        h.borrow_mut().clear();
    });
}

/// The slow callback of every function symbol.
fn call_symbol(
    scope: &mut v8::PinScope,
    args: v8::FunctionCallbackArguments,
    mut rv: v8::ReturnValue<v8::Value>,
) {
    let Ok(data) = v8::Local::<v8::External>::try_from(args.data()) else {
        return throw(scope, "ffic: a symbol function without its data");
    };
    // SAFETY: `data` was made by `dlopen` from an Rc held in SYMBOLS until
    // the isolate is done, so it points at a live SymbolData.
    let data = unsafe { &*(data.value() as *const SymbolData) };
    // Held for the call: the code and the library stay loaded meanwhile.
    let library = data.handle.library.borrow();
    if library.is_none() || data.handle.closed.get() {
        return throw(
            scope,
            &format!("Cannot call {}: the library was closed", data.name),
        );
    }
    if trace::enabled() {
        data.calls.set(data.calls.get() + 1);
    }
    let callee = Callee {
        signature: &data.signature,
        invoker: &data.invoker,
        address: data.address,
        nonblocking: data.nonblocking,
    };
    call(scope, &args, &mut rv, callee, Some(&data.handle));
}

/// What a symbol or function-pointer call goes to.
pub(super) struct Callee<'a> {
    pub(super) signature: &'a Signature,
    pub(super) invoker: &'a Invoker,
    pub(super) address: *const c_void,
    pub(super) nonblocking: bool,
}

/// Calls `callee` with the JS arguments: synchronously, or for a
/// nonblocking callee on a worker with a promise as the result. `handle` is
/// the library a symbol belongs to (`None` for a function pointer).
pub(super) fn call(
    scope: &mut v8::PinScope,
    args: &v8::FunctionCallbackArguments,
    rv: &mut v8::ReturnValue<v8::Value>,
    callee: Callee,
    handle: Option<&Rc<Handle>>,
) {
    if callee.nonblocking {
        let promise = super::nonblocking::start(
            scope,
            args,
            callee.signature,
            callee.invoker,
            callee.address,
            handle.cloned(),
        );
        if let Some(promise) = promise {
            rv.set(promise.into());
        }
        return;
    }
    marshal_and_call(
        scope,
        args,
        callee.signature,
        callee.invoker,
        callee.address,
        rv,
    );
}

/// `[size, parameters]` of a sync struct-returning signature, for the JS
/// wrapper that passes the result buffer; `None` otherwise.
pub(super) fn struct_shape<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    signature: &Signature,
    nonblocking: bool,
) -> Option<v8::Local<'s, v8::Value>> {
    let (Type::Struct(layout), false) = (&signature.result, nonblocking) else {
        return None;
    };
    let size = v8::Number::new(scope, layout.size as f64).into();
    let count = v8::Number::new(scope, signature.parameters.len() as f64).into();
    Some(v8::Array::new_with_elements(scope, &[size, count]).into())
}

/// Converts the JS arguments, calls `address` through `invoker` and sets the
/// result (or writes a struct result into the buffer passed last).
fn marshal_and_call(
    scope: &mut v8::PinScope,
    args: &v8::FunctionCallbackArguments,
    signature: &Signature,
    invoker: &Invoker,
    address: *const c_void,
    rv: &mut v8::ReturnValue<v8::Value>,
) {
    let slots = match slots_of(scope, args, signature, None) {
        Ok(slots) => slots,
        Err(message) => return throw(scope, &message),
    };
    // Only what callbacks throw during this call may surface after it.
    drop(super::callback::take_exception());
    match &signature.result {
        Type::Struct(layout) => {
            let out = args.get(signature.parameters.len() as i32);
            let Some((data, len)) = bytes_of(out) else {
                return throw(scope, "Missing FFI struct return buffer");
            };
            if (len as u64) < layout.size {
                return throw(
                    scope,
                    &format!(
                        "Invalid FFI struct return buffer: expected at least {} bytes, got {len}",
                        layout.size
                    ),
                );
            }
            // SAFETY: the slots hold checked arguments of the signature (buffer
            // and struct pointers into live JS buffers, which do not move;
            // as in Deno, a callback that detaches one of them during the
            // call is the script's own use-after-free), and `data` holds at
            // least the struct's bytes.
            unsafe { invoker.call(address, slots.as_ptr(), data.cast()) };
            rethrow_from_callback(scope);
        }
        ty => {
            let mut ret = [0u8; 8];
            // SAFETY: as above; every scalar result fits 8 bytes.
            unsafe { invoker.call(address, slots.as_ptr(), ret.as_mut_ptr()) };
            if !rethrow_from_callback(scope) {
                let value = to_js(scope, ty, &ret);
                rv.set(value);
            }
        }
    }
}

/// Throws what an `UnsafeCallback` threw during the native call that just
/// returned, as Deno does; `true` if there was something to throw.
fn rethrow_from_callback(scope: &mut v8::PinScope) -> bool {
    match super::callback::take_exception() {
        Some(exception) => {
            let exception = v8::Local::new(scope, exception);
            scope.throw_exception(exception);
            true
        }
        None => false,
    }
}

/// A function definition (`{parameters, result, nonblocking?}`, as JSON
/// text) checked by ffic-schema: its signature and whether it is
/// nonblocking, or `None` after throwing the first error.
pub(super) fn definition(
    scope: &mut v8::PinScope,
    json: v8::Local<v8::Value>,
) -> Option<(Signature, bool)> {
    let json = json.to_rust_string_lossy(scope);
    let report = ffic_schema::check(format!("{{\"f\": {json}}}").as_bytes(), Target::host());
    let Some(library) = report.library else {
        throw(scope, &first_error(&report.diagnostics));
        return None;
    };
    match &library.symbols[0].kind {
        SymbolKind::Function {
            signature,
            nonblocking,
            ..
        } => Some((signature.clone(), *nonblocking)),
        SymbolKind::Static { .. } => {
            throw(scope, "expected a function definition");
            None
        }
    }
}

/// The first error of a descriptor check, for a TypeError.
fn first_error(diagnostics: &[ffic_schema::Diagnostic]) -> String {
    diagnostics
        .iter()
        .find(|d| d.severity == ffic_schema::Severity::Error)
        .map(|d| d.message.clone())
        .unwrap_or_else(|| "invalid symbols".into())
}

/// `dlopen(path, descriptorJson)`: `{ symbols, structResults, nonblocking,
/// id }`, where `structResults` maps each sync struct-returning symbol to
/// `[size, parameters]` for the JS wrapper that passes the result buffer,
/// and `nonblocking` lists the symbols JS defines as Deno does.
pub(super) fn dlopen(
    scope: &mut v8::PinScope,
    args: v8::FunctionCallbackArguments,
    mut rv: v8::ReturnValue<v8::Value>,
) {
    let path = args.get(0).to_rust_string_lossy(scope);
    let json = args.get(1).to_rust_string_lossy(scope);
    let report = ffic_schema::check(json.as_bytes(), Target::host());
    let Some(library) = report.library else {
        return throw(scope, &first_error(&report.diagnostics));
    };
    let options = match crate::Cache::from_env() {
        Some(cache) => OpenOptions::new().cache(cache),
        None => OpenOptions::new(),
    };
    // SAFETY: the script asked for this library with these descriptors, as
    // Deno.dlopen trusts them; values are checked against them at each call.
    let opened = match unsafe { options.open(&library, &path) } {
        Ok(opened) => opened,
        Err(e) => {
            let message = v8::String::new(scope, &e.to_string()).expect("message");
            let error = v8::Exception::error(scope, message);
            scope.throw_exception(error);
            return;
        }
    };
    if trace::enabled() {
        let source = match opened.code_source() {
            Some(crate::CodeSource::File) => " (mapped from its file)",
            Some(crate::CodeSource::Copy) => " (a verified copy of its file)",
            _ => "",
        };
        trace::line(&format!("open {path}: {}{source}", opened.path()));
        for fallback in opened.fallbacks() {
            trace::line(&format!("  skipped {fallback}"));
        }
    }
    let handle = Rc::new(Handle {
        library: RefCell::new(None),
        closed: Cell::new(false),
        in_flight: Cell::new(0),
    });
    let symbols = v8::Object::new(scope);
    let struct_results = v8::Object::new(scope);
    let mut nonblocking_names = Vec::new();
    for symbol in &library.symbols {
        let key = v8::String::new(scope, &symbol.name)
            .expect("symbol name")
            .into();
        match &symbol.kind {
            SymbolKind::Static { ty } => {
                let pointer_like = matches!(
                    ty,
                    Type::Primitive(Primitive::Pointer | Primitive::Buffer | Primitive::Function)
                );
                let value = if pointer_like {
                    // Deno gives the variable's own address for these.
                    let address = opened.static_address(&symbol.name).ok().flatten();
                    pointer_to_js(scope, address.map_or(0, |a| a as u64))
                } else {
                    // SAFETY: nothing else runs on this thread while it is read.
                    match unsafe { opened.read_static(&symbol.name) } {
                        Ok(Some(v)) => value_to_js(scope, v),
                        _ => v8::null(scope).into(),
                    }
                };
                symbols.set(scope, key, value);
            }
            SymbolKind::Function {
                signature,
                nonblocking,
                ..
            } => {
                let Some(function) = opened.function(&symbol.name).ok().flatten() else {
                    if trace::enabled() {
                        trace::line(&format!("  {}: absent", symbol.name));
                    }
                    let null = v8::null(scope).into();
                    symbols.set(scope, key, null);
                    continue;
                };
                if trace::enabled() {
                    let kind = if *nonblocking { "nonblocking" } else { "slow" };
                    trace::line(&format!("  {}: {} {kind}", symbol.name, function.path()));
                }
                let record = Rc::new(SymbolData {
                    handle: Rc::clone(&handle),
                    name: symbol.name.clone(),
                    signature: signature.clone(),
                    nonblocking: *nonblocking,
                    invoker: function.invoker().clone(),
                    address: function.address(),
                    calls: Cell::new(0),
                });
                let pointer = Rc::as_ptr(&record).cast_mut().cast::<c_void>();
                SYMBOLS.with(|s| s.borrow_mut().push(record));
                let data = v8::External::new(scope, pointer);
                let Some(function) = v8::Function::builder(call_symbol)
                    .data(data.into())
                    .build(scope)
                else {
                    return;
                };
                symbols.set(scope, key, function.into());
                if *nonblocking {
                    nonblocking_names.push(key);
                }
                if let Some(shape) = struct_shape(scope, signature, *nonblocking) {
                    struct_results.set(scope, key, shape);
                }
            }
        }
    }
    *handle.library.borrow_mut() = Some(opened);
    let id = HANDLES.with(|h| {
        h.borrow_mut().push(Rc::clone(&handle));
        h.borrow().len() - 1
    });
    let result = v8::Object::new(scope);
    let entries = [
        ("symbols", symbols.into()),
        ("structResults", struct_results.into()),
        (
            "nonblocking",
            v8::Array::new_with_elements(scope, &nonblocking_names).into(),
        ),
        ("id", v8::Number::new(scope, id as f64).into()),
    ];
    for (k, v) in entries {
        let k = v8::String::new(scope, k).expect("key").into();
        result.set(scope, k, v);
    }
    rv.set(result.into());
}

/// `dlclose(id)`: its symbols throw from now on; the library is unloaded
/// now, or when its last nonblocking call finishes.
pub(super) fn dlclose(
    scope: &mut v8::PinScope,
    args: v8::FunctionCallbackArguments,
    _: v8::ReturnValue<v8::Value>,
) {
    let id = args.get(0).uint32_value(scope).unwrap_or(u32::MAX) as usize;
    let Some(handle) = HANDLES.with(|h| h.borrow().get(id).cloned()) else {
        return;
    };
    // A call into the library is still running if native code re-entered JS.
    if handle.library.try_borrow_mut().is_err() {
        return throw(
            scope,
            "Cannot close a library while one of its calls is running",
        );
    }
    handle.closed.set(true);
    handle.unload_if_idle();
}
