//! `Deno.dlopen`: the descriptor is checked and normalised by ffic-schema,
//! the library opened by ffic-loader (the artifact of an ffic-generated
//! module, else one from the cache, else the JIT, else libffi) and every
//! symbol resolved at once. Each function symbol becomes a V8 function (at
//! once in small libraries, on first use in large ones, through a lazy data
//! property invisible to scripts; when the JIT serves a large library, the
//! symbol's code is compiled then too): its fast trampoline registered with V8's
//! Fast API (see [`crate::fast`]), and a slow callback that
//! converts arguments as Deno's slow path does (same TypeError texts), calls
//! the invoke trampoline and converts the result back. Calling a symbol of a
//! closed library on the slow path is a TypeError, never a crash;
//! nonblocking symbols go to [`crate::nonblocking`].

use crate::convert::{bytes_of, pointer_to_js, slots_of, to_js, value_to_js};
use crate::policy::Refusal;
use crate::throw_type_error as throw;
use crate::trace;
use ffic_loader::{DynamicLibrary, FastCode, Invoker, LoadError, MappedArtifact, OpenOptions};
use ffic_schema::native::Kind;
use ffic_schema::{Library, Signature, SymbolKind, Target, Type};
use std::cell::{Cell, OnceCell, RefCell};
use std::ffi::c_void;
use std::rc::Rc;
use std::sync::Arc;

/// An opened library as scripts see it. Closing marks it closed at once;
/// the library itself is unloaded when no nonblocking call of it is still
/// running, except for the code of one whose functions went fast (see
/// `fast`).
pub(super) struct Handle {
    /// Boxed: a closed library's handle stays small.
    library: RefCell<Option<Box<DynamicLibrary>>>,
    closed: Cell<bool>,
    in_flight: Cell<u32>,
    /// A fast function was made: optimized code may call its trampoline
    /// directly at any time, so its code and native library stay loaded
    /// until the isolate is gone, closed or not.
    fast: Cell<bool>,
    /// What a closed library with fast functions keeps: its code, which
    /// holds the native library too.
    kept: RefCell<Vec<Arc<MappedArtifact>>>,
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
            && let Some(library) = library.take()
            && self.fast.get()
        {
            *self.kept.borrow_mut() = library.code();
        }
    }
}

/// What a symbol's V8 function needs, made at open: its library (to
/// refuse calls once closed and to keep the code mapped during a call), its
/// descriptor (name and signature, shared by every symbol of the library,
/// not copied: an open binds thousands), and how to call it.
pub(super) struct SymbolData {
    handle: Rc<Handle>,
    descriptors: Arc<Library>,
    /// Its function symbol in `descriptors`.
    index: usize,
    nonblocking: bool,
    address: *const c_void,
    /// Its invoker and fast trampolines, bound when its V8 function is made
    /// (see `make_function`); only ever unset in a function made after the
    /// library was closed, whose calls throw.
    code: OnceCell<(Invoker, FastCode)>,
    /// Calls on the slow path, counted only under `--trace-ffi`.
    calls: Cell<u64>,
    /// Calls on the fast path, counted by the trace helper.
    pub(super) fast_calls: Cell<u64>,
    /// Its open's slot in [`crate::records`].
    slot: usize,
}

impl SymbolData {
    /// Its JS name.
    fn name(&self) -> &str {
        &self.descriptors.symbols[self.index].name
    }

    /// Its signature.
    pub(super) fn signature(&self) -> &Signature {
        match &self.descriptors.symbols[self.index].kind {
            SymbolKind::Function { signature, .. } => signature,
            SymbolKind::Static { .. } => unreachable!("records are made for functions only"),
        }
    }
}

thread_local! {
    static HANDLES: RefCell<Vec<Rc<Handle>>> = const { RefCell::new(Vec::new()) };
}

/// Under `--trace-ffi`, reports each bound symbol's calls on each path, and
/// how many libraries the JIT compiled.
pub(super) fn trace_calls() {
    if !trace::enabled() {
        return;
    }
    crate::records::for_each(|symbol| {
        let kind = if symbol.nonblocking {
            "nonblocking"
        } else {
            "slow"
        };
        trace::line(&format!(
            "calls {}: {} {kind}, {} fast",
            symbol.name(),
            symbol.calls.get(),
            symbol.fast_calls.get()
        ));
    });
    trace::line(&format!(
        "jit compilations: {}",
        ffic_loader::library::jit_compilations()
    ));
    trace::line(&format!("opens collected: {}", crate::records::retired()));
}

/// Drops every library and symbol record (when the isolate is done), except
/// libraries whose code threads may still be running: with nonblocking
/// calls in flight, or all of them once `threads_called_in` (a thread not
/// the isolate's called a callback), since the binding cannot tell whose
/// threads those were. They stay loaded.
pub(super) fn clear(threads_called_in: bool) {
    crate::records::clear();
    HANDLES.with(|h| {
        for handle in h.borrow().iter() {
            // Unloading a library whose threads may still run its code (a
            // nonblocking call in flight, or threads of its own that called
            // a callback) would pull the code from under them: it stays.
            if (threads_called_in || handle.in_flight.get() > 0)
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
    let _in_use = crate::records::in_use();
    // SAFETY: `data` was made by `dlopen` pointing into records that stay
    // stored while this function lives (it holds their owner), and nothing
    // is freed while this call runs (`_in_use`), so it points at a live
    // SymbolData for the whole call.
    let data = unsafe { &*(data.value() as *const SymbolData) };
    // Held for the call: the code and the library stay loaded meanwhile.
    let library = data.handle.library.borrow();
    let (Some(_), false, Some((invoker, fast))) =
        (library.as_ref(), data.handle.closed.get(), data.code.get())
    else {
        return throw(
            scope,
            &format!("Cannot call {}: the library was closed", data.name()),
        );
    };
    if trace::enabled() {
        data.calls.set(data.calls.get() + 1);
    }
    // A wrapper's call of the re-entrant form: the result goes to the slot.
    if fast.reentrant.is_some()
        && let Some(slot) = crate::reentry::slot_argument(&args, data.signature())
    {
        let signature = data.signature();
        return marshal_and_call(
            scope,
            &args,
            signature,
            invoker,
            data.address,
            &mut rv,
            Some(slot),
        );
    }
    let callee = Callee {
        signature: data.signature(),
        invoker,
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
        let promise = crate::nonblocking::start(
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
        None,
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
/// result (or writes a struct result into the buffer passed last, or a
/// primitive one into the `result_slot` a re-entrant call passed).
fn marshal_and_call(
    scope: &mut v8::PinScope,
    args: &v8::FunctionCallbackArguments,
    signature: &Signature,
    invoker: &Invoker,
    address: *const c_void,
    rv: &mut v8::ReturnValue<v8::Value>,
    result_slot: Option<crate::reentry::ResultSlot>,
) {
    let slots = match slots_of(scope, args, signature, None) {
        Ok(slots) => slots,
        Err(message) => return throw(scope, &message),
    };
    // Only what callbacks throw during this call may surface after it.
    drop(crate::callback::take_exception());
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
            if rethrow_from_callback(scope) {
                return;
            }
            match result_slot {
                Some(slot) => slot.store(ffic_loader::Value::read(ty, &ret)),
                None => {
                    let value = to_js(scope, ty, &ret);
                    rv.set(value);
                }
            }
        }
    }
}

/// Throws what an `UnsafeCallback` threw during the native call that just
/// returned, as Deno does; `true` if there was something to throw.
fn rethrow_from_callback(scope: &mut v8::PinScope) -> bool {
    match crate::callback::take_exception() {
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
        SymbolKind::Function { signature, .. } if uses_extension(signature) => {
            throw(
                scope,
                "ffic's extension (C strings, errno, variadic call shapes) applies to dlopen's symbols only",
            );
            None
        }
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

/// Whether `signature` needs what only a library's symbols get: ffic's own
/// types (a callback cannot make a C string for native code), errno
/// capture, or a variadic function's thunk.
fn uses_extension(signature: &Signature) -> bool {
    signature.errno || signature.variadic || signature.has_own_types()
}

/// Throws an `Error` with `message`.
fn throw_error(scope: &mut v8::PinScope, message: &str) {
    let message = v8::String::new(scope, message).expect("message");
    let error = v8::Exception::error(scope, message);
    scope.throw_exception(error);
}

/// The first error of a descriptor check, for a TypeError.
fn first_error(diagnostics: &[ffic_schema::Diagnostic]) -> String {
    diagnostics
        .iter()
        .find(|d| d.severity == ffic_schema::Severity::Error)
        .map(|d| d.message.clone())
        .unwrap_or_else(|| "invalid symbols".into())
}

/// `dlopen(path, descriptorJson, artifactPath?)`: `{ symbols,
/// structResults, nonblocking, id }`, or the path to name in a `NotCapable`
/// error when the host's policy refuses it, where `structResults` maps each sync
/// struct-returning symbol to `[size, parameters]` for the JS wrapper that
/// passes the result buffer, and `nonblocking` lists the symbols JS defines
/// as Deno does. `artifactPath` is the artifact of the ffic-generated module
/// the descriptor came from: tried first, and when it is rejected a warning
/// says why and the usual order goes on.
pub(super) fn dlopen(
    scope: &mut v8::PinScope,
    args: v8::FunctionCallbackArguments,
    mut rv: v8::ReturnValue<v8::Value>,
) {
    // Records freed by a GC since the last turn go now, so a script that
    // reopens in a loop without yielding reuses their memory.
    crate::records::sweep();
    let path = args.get(0).to_rust_string_lossy(scope);
    let json = args.get(1).to_rust_string_lossy(scope);
    let artifact = args.get(2);
    let artifact = (!artifact.is_null_or_undefined()).then(|| artifact.to_rust_string_lossy(scope));
    let library = match checked(json) {
        Ok(library) => library,
        Err(message) => return throw(scope, &message),
    };
    // As in Deno: the descriptor's errors first, then the permission.
    let file = match crate::policy::library(&path) {
        Ok(file) => file,
        Err(Refusal::NotCapable(named)) => {
            rv.set(v8::String::new(scope, &named).expect("a path").into());
            return;
        }
        Err(Refusal::Invalid(message)) => return throw_error(scope, &message),
    };
    // Up to V8's limit for fast-mode objects built this way, functions are
    // made at once: a lazy property turns the object into a dictionary on
    // first access, and loading `lib.symbols.f` from a dictionary costs a
    // call about 1 ns (measured: nop 3.0 ns against 2.1 ns). Past it the
    // object is a dictionary in any case (in stock Deno too), so binding
    // waits for each symbol's first access, and so does the JIT.
    let eager = library.symbols.len() <= FAST_MODE_SYMBOLS;
    let (jit, cache) = crate::config::loading();
    let mut options = OpenOptions::new()
        .helpers(crate::fast::helpers(trace::enabled()))
        .jit(jit)
        .lazy_jit(!eager);
    // The module's artifact is code as much as the library is: it goes
    // through the same policy (resolved the same way), and one the script
    // may not open is not used.
    let mut refused = None;
    if let Some(artifact) = &artifact {
        match crate::policy::library(artifact) {
            Ok(code) => options = options.artifact(code),
            Err(_) => refused = Some(artifact),
        }
    }
    // A descriptor the JIT compiles is kept in the cache, so the next
    // process maps it rather than compiling it again.
    if let Some(cache) = cache {
        options = options.cache(cache).store_jit(true);
    }
    // SAFETY: the script asked for this library with these descriptors, as
    // Deno.dlopen trusts them; values are checked against them at each call.
    let opened = match unsafe { options.open(Arc::clone(&library), &file) } {
        Ok(opened) => opened,
        // Deno's words, around the dynamic loader's own.
        Err(LoadError::Library { message, .. }) => {
            return throw_error(
                scope,
                &format!("Could not open library: Could not open library: {message}"),
            );
        }
        Err(LoadError::MissingSymbol { name, message }) => {
            return throw_error(
                scope,
                &format!(
                    "Failed to register symbol {name}: Could not obtain symbol from the library: {message}"
                ),
            );
        }
        Err(e) => return throw_error(scope, &e.to_string()),
    };
    // The module's artifact is tried first, so any fallback step means it
    // was refused.
    let not_used = |artifact: &str, reason: String| crate::Diagnostic::ArtifactNotUsed {
        artifact: artifact.to_owned(),
        reason,
        path: opened.path().to_string(),
    };
    if let Some(artifact) = refused {
        let reason = "not a path this script may open".to_owned();
        crate::config::report(not_used(artifact, reason));
    } else if let (Some(artifact), Some(rejected)) = (&artifact, opened.fallbacks().first()) {
        crate::config::report(not_used(artifact, rejected.reason.to_string()));
    }
    if trace::enabled() {
        let source = match opened.code_source() {
            Some(ffic_loader::CodeSource::File) => " (mapped from its file)",
            Some(ffic_loader::CodeSource::Copy) => " (a verified copy of its file)",
            _ if opened.compiles_on_first_use() => " (each function compiled on first use)",
            _ => "",
        };
        trace::line(&format!("open {path}: {}{source}", opened.path()));
        for fallback in opened.fallbacks() {
            trace::line(&format!("  skipped {fallback}"));
        }
    }
    // The library is in its handle before any function is made, so that
    // `make_function` sees it open and gives eager symbols their fast target.
    let handle = Rc::new(Handle {
        library: RefCell::new(Some(Box::new(opened))),
        closed: Cell::new(false),
        in_flight: Cell::new(0),
        fast: Cell::new(false),
        kept: RefCell::new(Vec::new()),
    });
    let symbols = if eager {
        v8::Object::new(scope)
    } else {
        dictionary_object(scope)
    };
    let struct_results = v8::Object::new(scope);
    let mut nonblocking_names = Vec::new();
    let stored = handle.library.borrow();
    let opened = stored.as_ref().expect("stored above");
    let (records, owner) =
        crate::records::store(scope, |slot| records(&handle, &library, opened, slot));
    // The symbols object holds the owner, so the records outlive this call.
    crate::records::attach(scope, symbols, owner);
    // SAFETY: the records stay stored, unchanged, until V8 has collected
    // their owner, which `symbols` (alive in this scope) holds.
    let records = unsafe { &*records };
    let mut records = records.iter().peekable();
    for (index, symbol) in library.symbols.iter().enumerate() {
        let key = v8::String::new_from_utf8(
            scope,
            symbol.name.as_bytes(),
            v8::NewStringType::Internalized,
        )
        .expect("symbol name");
        match &symbol.kind {
            SymbolKind::Static { ty } => {
                let value = static_value(scope, opened, &symbol.name, ty);
                symbols.set(scope, key.into(), value);
            }
            SymbolKind::Function {
                signature,
                nonblocking,
                ..
            } => {
                // An absent optional function has no record, and is null.
                let Some(record) = records.next_if(|r| r.index == index) else {
                    let null = v8::null(scope).into();
                    symbols.set(scope, key.into(), null);
                    continue;
                };
                let record = std::ptr::from_ref(record).cast_mut().cast::<c_void>();
                let data = v8::External::new(scope, record);
                if eager {
                    let Some(function) = make_function(scope, data) else {
                        // Unloaded as a close would, keeping the code if a
                        // fast function was made (it may have escaped).
                        drop(stored);
                        handle.closed.set(true);
                        handle.unload_if_idle();
                        return;
                    };
                    symbols.set(scope, key.into(), function.into());
                } else {
                    // The V8 function is made on first access; until then
                    // the property is a data property like any other.
                    symbols.set_lazy_data_property_with_data(
                        scope,
                        key.into(),
                        bind_symbol,
                        data.into(),
                        v8::PropertyAttribute::NONE,
                        v8::SideEffectType::HasNoSideEffect,
                        v8::SideEffectType::HasSideEffect,
                    );
                }
                if *nonblocking {
                    nonblocking_names.push(key.into());
                }
                if let Some(shape) = struct_shape(scope, signature, *nonblocking) {
                    struct_results.set(scope, key.into(), shape);
                }
            }
        }
    }
    drop(stored);
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

/// One record per present function of `opened`, in descriptor order, not
/// yet bound to code (absent ones traced under `--trace-ffi`).
fn records(
    handle: &Rc<Handle>,
    library: &Arc<Library>,
    opened: &DynamicLibrary,
    slot: usize,
) -> Box<[SymbolData]> {
    let mut records = Vec::with_capacity(library.symbols.len());
    for (index, symbol) in library.symbols.iter().enumerate() {
        let SymbolKind::Function { nonblocking, .. } = &symbol.kind else {
            continue;
        };
        let Some(address) = opened.address_at(index) else {
            if trace::enabled() {
                trace::line(&format!("  {}: absent", symbol.name));
            }
            continue;
        };
        records.push(SymbolData {
            handle: Rc::clone(handle),
            descriptors: Arc::clone(library),
            index,
            nonblocking: *nonblocking,
            address,
            code: OnceCell::new(),
            calls: Cell::new(0),
            fast_calls: Cell::new(0),
            slot,
        });
    }
    records.into_boxed_slice()
}

/// Binds `symbol` to its code unless it is bound or its library closed
/// (traced under `--trace-ffi`); an error says why it cannot be bound.
fn bind_code(symbol: &SymbolData) -> Result<(), String> {
    if symbol.code.get().is_some() || symbol.handle.closed.get() {
        return Ok(());
    }
    let library = symbol.handle.library.borrow();
    let Some(opened) = library.as_ref() else {
        return Ok(());
    };
    let function = match opened.function_at(symbol.index) {
        Ok(Some(function)) => function,
        Ok(None) => unreachable!("records are made for present functions only"),
        Err(e) => return Err(e.to_string()),
    };
    if trace::enabled() {
        let kind = match (symbol.nonblocking, function.fast().returning.is_some()) {
            (true, _) => "nonblocking",
            (false, true) => "fast",
            (false, false) => "slow",
        };
        trace::line(&format!("  {}: {} {kind}", symbol.name(), function.path()));
    }
    let _ = symbol
        .code
        .set((function.invoker().clone(), function.fast()));
    Ok(())
}

/// The most symbols bound at `dlopen` rather than on first access: V8 keeps
/// an object built by adding up to this many properties in fast mode (with
/// `%HasFastProperties`, 19 stay fast and 20 do not, under ffic and stock
/// Deno alike).
const FAST_MODE_SYMBOLS: usize = 19;

/// How many checked descriptors [`checked`] remembers.
const CHECKED_KEPT: usize = 16;

thread_local! {
    /// Descriptor texts checked lately and their libraries, newest last.
    static CHECKED: RefCell<Vec<(String, Arc<Library>)>> = const { RefCell::new(Vec::new()) };
}

/// The library a descriptor text describes, checked by ffic-schema (the
/// first error's message when it is invalid). A text opened again, as a
/// frozen descriptor of a generated module is, reuses its earlier verdict:
/// checking 1000 symbols takes milliseconds, comparing the text microseconds;
/// so does a text a process before this one checked (`ffic_loader::Checked`).
fn checked(key: String) -> Result<Arc<Library>, String> {
    let known = CHECKED.with(|c| {
        let c = c.borrow();
        c.iter()
            .find(|(k, _)| *k == key)
            .map(|(_, l)| Arc::clone(l))
    });
    if let Some(library) = known {
        return Ok(library);
    }
    // A text an earlier process checked comes from its marker.
    let verdicts = crate::config::loading()
        .1
        .map(|cache| ffic_loader::Checked::under(&cache));
    let remembered = verdicts.as_ref().and_then(|v| v.library(&key));
    let library = match remembered {
        Some(library) => library,
        None => {
            let report = ffic_schema::check(key.as_bytes(), Target::host());
            let library = report
                .library
                .ok_or_else(|| first_error(&report.diagnostics))?;
            if let Some(verdicts) = &verdicts {
                verdicts.remember(&key, &library);
            }
            library
        }
    };
    let library = Arc::new(library);
    CHECKED.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() == CHECKED_KEPT {
            c.remove(0);
        }
        c.push((key, Arc::clone(&library)));
    });
    Ok(library)
}

/// An empty object already in dictionary mode. V8 moves a fast-mode object
/// to dictionary mode and back for every lazy data property added, which
/// makes opening N symbols cost O(N² log N); a dictionary-mode object takes
/// each in constant time (and first access turns any object into one).
fn dictionary_object<'s>(scope: &mut v8::PinScope<'s, '_>) -> v8::Local<'s, v8::Object> {
    let object = v8::Object::new(scope);
    let [a, b] = ["a", "b"].map(|k| v8::String::new(scope, k).expect("key").into());
    let zero = v8::Integer::new(scope, 0).into();
    object.set(scope, a, zero);
    object.set(scope, b, zero);
    // Deleting a property other than the last added one normalizes.
    object.delete(scope, a);
    object.delete(scope, b);
    object
}

/// A static's value as Deno gives it: the variable's own address for
/// pointer-like types, else its value; `null` when absent.
fn static_value<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    opened: &DynamicLibrary,
    name: &str,
    ty: &Type,
) -> v8::Local<'s, v8::Value> {
    let pointer_like = matches!(ty, Type::Primitive(p) if matches!(p.kind(), Kind::Pointer(_)));
    if pointer_like {
        let address = opened.static_address(name).ok().flatten();
        return pointer_to_js(scope, address.map_or(0, |a| a as u64));
    }
    // SAFETY: nothing else runs on this thread while it is read.
    match unsafe { opened.read_static(name) } {
        Ok(Some(v)) => value_to_js(scope, v),
        _ => v8::null(scope).into(),
    }
}

/// The lazy property getter of a function symbol: makes its V8 function,
/// which V8 then stores as the property's plain value.
fn bind_symbol(
    scope: &mut v8::PinScope,
    _key: v8::Local<v8::Name>,
    args: v8::PropertyCallbackArguments,
    mut rv: v8::ReturnValue<v8::Value>,
) {
    let Ok(data) = v8::Local::<v8::External>::try_from(args.data()) else {
        return throw(scope, "ffic: a symbol property without its data");
    };
    if let Some(function) = make_function(scope, data) {
        rv.set(function.into());
    }
}

/// The function scripts call for the symbol whose SymbolData `data` holds:
/// its V8 function, with its fast trampolines registered when it has them,
/// wrapped (see `reentry`) when it returns a value through them.
fn make_function<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    data: v8::Local<v8::External>,
) -> Option<v8::Local<'s, v8::Function>> {
    // SAFETY: `dlopen` made `data` pointing into stored records; it is
    // called from `dlopen` (whose symbols object holds their owner) or from
    // a lazy property of that live symbols object, so they are stored.
    let symbol = unsafe { &*(data.value() as *const SymbolData) };
    if let Err(message) = bind_code(symbol) {
        throw_error(scope, &message);
        return None;
    }
    let builder = v8::FunctionTemplate::builder(call_symbol).data(data.into());
    // A symbol first touched after `close()` may belong to code already
    // unmapped: it gets no code, and its calls throw on the slow path.
    // (`dlopen` stores the library before making any function, and only a
    // close, or a failed `dlopen` closing itself, unloads it.)
    let open = !symbol.handle.closed.get();
    let fast = symbol.code.get().map(|(_, fast)| *fast).unwrap_or_default();
    let reentrant = fast.reentrant.filter(|_| open);
    let template = match fast.returning.filter(|_| open) {
        Some(trampoline) => {
            // Where the registers line up, V8 calls the native function
            // itself; under --trace-ffi always the trampoline, which counts.
            let address = if !trace::enabled() && crate::fast::registers_line_up(symbol.signature())
            {
                symbol.address.cast()
            } else {
                trampoline
            };
            // Optimized code may call it from now on.
            symbol.handle.fast.set(true);
            let overloads = crate::fast::overloads(symbol.signature(), address, reentrant);
            builder.build_fast(scope, overloads)
        }
        None => builder.build(scope),
    };
    let function = template.get_function(scope)?;
    crate::records::hold(scope, function.into(), symbol.slot);
    match (reentrant, &symbol.signature().result) {
        (Some(_), Type::Primitive(result)) => {
            let arity = symbol.signature().parameters.len();
            crate::reentry::wrap(scope, function, *result, arity)
        }
        _ => Some(function),
    }
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
