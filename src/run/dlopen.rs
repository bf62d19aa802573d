//! `Deno.dlopen` on the slow path: the descriptor is checked and normalised
//! by ffic-schema, the library opened by ffic-loader (artifact from the
//! cache, else the JIT, else libffi), and each function symbol becomes a V8
//! function that converts its arguments as Deno's slow path does (same
//! TypeError texts), calls the symbol's invoke trampoline and converts the
//! result back (BigInt for 64-bit integers, External or null for pointers).
//! Calling a symbol of a closed library is a TypeError, never a crash.

use super::errors::throw_type_error as throw;
use super::trace;
use ffic_loader::{DynamicLibrary, Invoker, OpenOptions, Value};
use ffic_schema::types::Primitive;
use ffic_schema::{Signature, SymbolKind, Target, Type};
use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Which libraries scripts may open: `None` denies all, an empty list
/// allows all, otherwise files under one of the paths.
pub type Allowed = Option<Vec<PathBuf>>;

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
    static ALLOWED: RefCell<Allowed> = const { RefCell::new(None) };
    /// Every symbol record, alive as long as the isolate (V8 functions point
    /// at them; an `Rc` keeps each at one address while the list grows).
    static SYMBOLS: RefCell<Vec<Rc<SymbolData>>> = const { RefCell::new(Vec::new()) };
    static HANDLES: RefCell<Vec<Rc<Handle>>> = const { RefCell::new(Vec::new()) };
}

/// Sets what `--allow-ffi` granted.
pub fn set_allowed(allowed: Allowed) {
    ALLOWED.with(|a| *a.borrow_mut() = allowed);
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

/// Drops every library and symbol record (when the isolate is done).
pub fn clear() {
    SYMBOLS.with(|s| s.borrow_mut().clear());
    POINTERS.with(|p| p.borrow_mut().clear());
    HANDLES.with(|h| h.borrow_mut().clear());
}

/// `path` made absolute against the working directory, `.` and `..` resolved.
fn absolute(path: &Path) -> PathBuf {
    super::modules::normalize(&std::env::current_dir().unwrap_or_default().join(path))
}

/// `ffiAllowed(path)`: whether `--allow-ffi` covers `path`.
pub fn ffi_allowed(
    scope: &mut v8::PinScope,
    args: v8::FunctionCallbackArguments,
    mut rv: v8::ReturnValue<v8::Value>,
) {
    let path = args.get(0).to_rust_string_lossy(scope);
    let allowed = ALLOWED.with(|a| match &*a.borrow() {
        None => false,
        Some(list) if list.is_empty() => true,
        Some(list) => {
            let target = absolute(Path::new(&path));
            list.iter().any(|p| target.starts_with(absolute(p)))
        }
    });
    rv.set(v8::Boolean::new(scope, allowed).into());
}

fn type_name(ty: &Type) -> String {
    ty.to_string()
}

/// A JS argument as an invoke slot, converted as Deno's slow path converts.
fn to_slot(
    scope: &mut v8::PinScope,
    ty: &Type,
    value: v8::Local<v8::Value>,
) -> Result<u64, String> {
    let invalid =
        |expected: &str| format!("Invalid FFI {} type, expected {expected}", type_name(ty));
    let p = match ty {
        Type::Struct(layout) => {
            let (data, len) = bytes_of(value).ok_or_else(|| {
                "Invalid FFI struct type, expected ArrayBuffer, or ArrayBufferView".to_string()
            })?;
            if (len as u64) < layout.size {
                return Err(format!(
                    "Invalid FFI struct type, expected at least {} bytes, got {len}",
                    layout.size
                ));
            }
            return Ok(data as u64);
        }
        Type::Primitive(p) => *p,
    };
    use Primitive as P;
    Ok(match p {
        P::Bool if value.is_boolean() => u64::from(value.is_true()),
        P::Bool => return Err("Invalid FFI u8 type, expected boolean".into()),
        P::U8 | P::U16 | P::U32 if value.is_uint32() => {
            let v = value.uint32_value(scope).unwrap_or(0);
            match p {
                P::U8 => u64::from(v as u8),
                P::U16 => u64::from(v as u16),
                _ => u64::from(v),
            }
        }
        P::U8 | P::U16 | P::U32 => return Err(invalid("unsigned integer")),
        P::I8 | P::I16 | P::I32 if value.is_int32() => {
            let v = value.int32_value(scope).unwrap_or(0);
            match p {
                P::I8 => u64::from(v as i8 as u8),
                P::I16 => u64::from(v as i16 as u16),
                _ => u64::from(v as u32),
            }
        }
        P::I8 | P::I16 | P::I32 => return Err(invalid("integer")),
        P::U64 | P::Usize | P::I64 | P::Isize => {
            if let Ok(big) = v8::Local::<v8::BigInt>::try_from(value) {
                big.u64_value().0
            } else if value.is_number() {
                value.integer_value(scope).unwrap_or(0) as u64
            } else if matches!(p, P::U64 | P::Usize) {
                return Err(invalid("unsigned integer"));
            } else {
                return Err(invalid("integer"));
            }
        }
        P::F32 if value.is_number() => {
            u64::from((value.number_value(scope).unwrap_or(0.0) as f32).to_bits())
        }
        P::F64 if value.is_number() => value.number_value(scope).unwrap_or(0.0).to_bits(),
        P::F32 | P::F64 => return Err(invalid("number")),
        P::Pointer | P::Function if value.is_null() => 0,
        P::Pointer | P::Function if value.is_external() => {
            let external = v8::Local::<v8::External>::try_from(value)
                .map_err(|_| invalid("null, or External"))?;
            external.value() as u64
        }
        P::Pointer | P::Function => return Err(invalid("null, or External")),
        P::Buffer if value.is_null() => 0,
        P::Buffer => match bytes_of(value) {
            Some((data, _)) => data as u64,
            None => return Err(invalid("null, ArrayBuffer, or ArrayBufferView")),
        },
        P::Void => return Err("void is not a parameter type".into()),
    })
}

/// The data pointer and length of an ArrayBuffer or ArrayBufferView. The
/// crate builds V8 with no on-heap typed arrays, so the data never moves.
pub(super) fn bytes_of(value: v8::Local<v8::Value>) -> Option<(*mut c_void, usize)> {
    if let Ok(view) = v8::Local::<v8::ArrayBufferView>::try_from(value) {
        return Some((view.data(), view.byte_length()));
    }
    if let Ok(buffer) = v8::Local::<v8::ArrayBuffer>::try_from(value) {
        let data = buffer.data().map_or(std::ptr::null_mut(), |p| p.as_ptr());
        return Some((data, buffer.byte_length()));
    }
    None
}

/// A native value as Deno hands it to JS: BigInt for 64-bit integers,
/// External or null for pointers.
pub(super) fn value_to_js<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    value: Value,
) -> v8::Local<'s, v8::Value> {
    match value {
        Value::Void | Value::Struct(_) => v8::undefined(scope).into(),
        Value::Bool(b) => v8::Boolean::new(scope, b).into(),
        Value::U8(v) => v8::Integer::new_from_unsigned(scope, v.into()).into(),
        Value::I8(v) => v8::Integer::new(scope, v.into()).into(),
        Value::U16(v) => v8::Integer::new_from_unsigned(scope, v.into()).into(),
        Value::I16(v) => v8::Integer::new(scope, v.into()).into(),
        Value::U32(v) => v8::Integer::new_from_unsigned(scope, v).into(),
        Value::I32(v) => v8::Integer::new(scope, v).into(),
        Value::U64(v) => v8::BigInt::new_from_u64(scope, v).into(),
        Value::I64(v) => v8::BigInt::new_from_i64(scope, v).into(),
        Value::Usize(v) => v8::BigInt::new_from_u64(scope, v as u64).into(),
        Value::Isize(v) => v8::BigInt::new_from_i64(scope, v as i64).into(),
        Value::F32(v) => v8::Number::new(scope, v.into()).into(),
        Value::F64(v) => v8::Number::new(scope, v).into(),
        Value::Pointer(p) if p.is_null() => v8::null(scope).into(),
        Value::Pointer(p) => v8::External::new(scope, p).into(),
    }
}

/// A result of `ty` read from the bytes an invoke wrote, as Deno returns it.
pub(super) fn to_js<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    ty: &Type,
    bytes: &[u8],
) -> v8::Local<'s, v8::Value> {
    value_to_js(scope, Value::read(ty, bytes))
}

/// A pointer as JS sees it: External, or null for 0.
fn pointer_to_js<'s>(scope: &mut v8::PinScope<'s, '_>, address: u64) -> v8::Local<'s, v8::Value> {
    value_to_js(scope, Value::Pointer(address as usize as *mut c_void))
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
    if data.nonblocking {
        let promise = super::nonblocking::start(
            scope,
            &args,
            &data.signature,
            &data.invoker,
            data.address,
            Some(Rc::clone(&data.handle)),
        );
        if let Some(promise) = promise {
            rv.set(promise.into());
        }
        return;
    }
    marshal_and_call(
        scope,
        &args,
        &data.signature,
        &data.invoker,
        data.address,
        &mut rv,
    );
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
            // and struct pointers into live JS buffers, which do not move),
            // and `data` holds at least the struct's bytes.
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

/// The arguments as invoke slots, converted as Deno's slow path does. With
/// `keep`, the backing store of every buffer and struct argument is added to
/// it (a nonblocking call keeps them alive until it finishes).
pub(super) fn slots_of(
    scope: &mut v8::PinScope,
    args: &v8::FunctionCallbackArguments,
    signature: &Signature,
    mut keep: Option<&mut Vec<v8::SharedRef<v8::BackingStore>>>,
) -> Result<Vec<u64>, String> {
    let mut slots = Vec::with_capacity(signature.parameters.len());
    for (i, ty) in signature.parameters.iter().enumerate() {
        let value = args.get(i as i32);
        slots.push(to_slot(scope, ty, value)?);
        let holds_memory = matches!(ty, Type::Struct(_) | Type::Primitive(Primitive::Buffer));
        if let (Some(keep), true) = (keep.as_deref_mut(), holds_memory)
            && let Some(store) = backing_store(value)
        {
            if store.is_resizable_by_user_javascript() {
                return Err(
                    "Resizable backing stores are not supported for nonblocking FFI calls".into(),
                );
            }
            keep.push(store);
        }
    }
    Ok(slots)
}

/// The backing store of an ArrayBuffer or view.
fn backing_store(value: v8::Local<v8::Value>) -> Option<v8::SharedRef<v8::BackingStore>> {
    if let Ok(view) = v8::Local::<v8::ArrayBufferView>::try_from(value) {
        return view.get_backing_store();
    }
    v8::Local::<v8::ArrayBuffer>::try_from(value)
        .ok()
        .map(|buffer| buffer.get_backing_store())
}

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
    if data.nonblocking {
        let promise = super::nonblocking::start(
            scope,
            &args,
            pointer.signature(),
            pointer.invoker(),
            pointer.address(),
            None,
        );
        if let Some(promise) = promise {
            rv.set(promise.into());
        }
        return;
    }
    marshal_and_call(
        scope,
        &args,
        pointer.signature(),
        pointer.invoker(),
        pointer.address(),
        &mut rv,
    );
}

/// `fnPointer(pointer, definitionJson)`: `{ call, struct }`, the function
/// that calls the pointer and, for a struct result, `[size, parameters]`.
pub fn fn_pointer(
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
    if let (Type::Struct(layout), false) = (&signature.result, nonblocking) {
        let size = v8::Number::new(scope, layout.size as f64).into();
        let count = v8::Number::new(scope, signature.parameters.len() as f64).into();
        let pair = v8::Array::new_with_elements(scope, &[size, count]);
        let key = v8::String::new(scope, "struct").expect("key").into();
        result.set(scope, key, pair.into());
    }
    rv.set(result.into());
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
pub fn dlopen(
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
    let options = match ffic_loader::Cache::from_env() {
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
            Some(ffic_loader::CodeSource::File) => " (mapped from its file)",
            Some(ffic_loader::CodeSource::Copy) => " (a verified copy of its file)",
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
                if let (Type::Struct(layout), false) = (&signature.result, *nonblocking) {
                    let size = v8::Number::new(scope, layout.size as f64).into();
                    let count = v8::Number::new(scope, signature.parameters.len() as f64).into();
                    let pair = v8::Array::new_with_elements(scope, &[size, count]);
                    struct_results.set(scope, key, pair.into());
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
pub fn dlclose(
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

/// `pointerCreate(bigint)`: an External for an address, or null for 0.
pub fn pointer_create(
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
pub fn pointer_value(
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
pub fn view_read(
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
pub fn view_c_string(
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
pub fn view_array_buffer(
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
pub fn view_copy_into(
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
pub fn pointer_of(
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
