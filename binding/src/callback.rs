//! `Deno.UnsafeCallback`: JS functions native code can call through a
//! function pointer (a slot of a callback page, from ffic-loader).
//!
//! - On the isolate's thread (native code called from JS calls back), the
//!   function runs at once, nested in the native call. A throw returns zero
//!   to native code, and the exception is thrown where JS made the native
//!   call. As in Deno, the last callback run during that native call decides:
//!   one that returns normally discards an earlier one's exception.
//! - On any other thread, the call is sent to the event loop and the thread
//!   waits for the result. A throw there reports Deno's "Illegal unhandled
//!   exception in nonblocking callback" and returns zero. Once the isolate is
//!   gone, such calls return zero at once instead of waiting forever (the
//!   callbacks' code is never freed then, since such threads may call it).
//!
//! `ref()`ed callbacks keep the event loop alive (what `threadSafe` does).

use crate::convert::{bytes_of, value_to_js};
use crate::dlopen::definition;
use crate::inbox::{self, CallbackRequest};
use crate::throw_type_error as throw;
use ffic_loader::{NativeCallback, Value};
use ffic_schema::native::{Float, Int, Kind, Pointee, Width};
use ffic_schema::types::Primitive;
use ffic_schema::{Signature, Target, Type};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::ffi::c_void;
use std::ops::Range;
use std::rc::Rc;
use std::sync::Arc;

/// A live callback.
struct Record {
    function: Held<v8::Function>,
    signature: Signature,
    /// Per parameter, the padding of a struct (zeroed before JS sees it:
    /// the caller's padding bytes are whatever its stack held), laid out
    /// once rather than at every call.
    padding: Vec<Vec<Range<u64>>>,
    /// Per parameter, its size in bytes, and the result's: laid out once.
    sizes: Vec<usize>,
    result_size: usize,
    /// Cleared by `close()` and when the isolate goes: native code calling
    /// it afterwards gets zero.
    open: std::cell::Cell<bool>,
    /// The context it runs in, held here so that a call needs no
    /// thread-local lookup.
    context: Held<v8::Context>,
    /// The code native code calls and the route its data points at;
    /// freed with the record unless another thread ever called it.
    code: Option<Code>,
}

/// A global handle, readable as a local one with no handle made: a global
/// handle's location is a valid local handle for as long as the global
/// lives (what Deno's callbacks rely on too). Saves two handles per call.
struct Held<T> {
    /// Keeps the location alive.
    _global: v8::Global<T>,
    location: std::ptr::NonNull<T>,
}

impl<T> Held<T> {
    /// Holds `global`, made in `isolate`, whose thread this is.
    fn new(isolate: &mut v8::Isolate, global: v8::Global<T>) -> Held<T> {
        // SAFETY: the global belongs to `isolate` (the contract), entered
        // on this thread.
        let location = std::ptr::NonNull::from(unsafe { global.open(isolate) });
        Held {
            _global: global,
            location,
        }
    }

    /// The held object as a local handle.
    ///
    /// # Safety
    /// On the isolate's thread, and not used past this `Held`.
    unsafe fn local<'s>(&self) -> v8::Local<'s, T> {
        // SAFETY: a local handle is the address of a slot holding the
        // object (`Local` is that one pointer, `repr(C)`), as the global's
        // location is while `_global` is alive.
        unsafe { std::mem::transmute::<std::ptr::NonNull<T>, v8::Local<'s, T>>(self.location) }
    }
}

/// A callback's code and its route (the code first, when freed).
struct Code {
    _native: NativeCallback,
    route: Route,
}

impl Drop for Record {
    fn drop(&mut self) {
        let Some(code) = self.code.take() else {
            return;
        };
        // The destination may outlive this record (below): from now on it
        // leads nowhere, and a call that still arrives gets zero.
        // SAFETY: the route is alive until `code` is dropped.
        unsafe { &*code.route.0 }
            .record
            .store(std::ptr::null_mut(), std::sync::atomic::Ordering::Relaxed);
        // A thread that called in from outside may still be returning
        // through the code after its call was served (nothing tells when it
        // has left): such code is never freed. Calls from this thread are
        // over by the time a closed record goes (the next turn).
        if code.route.called_from_elsewhere() {
            std::mem::forget(code);
        }
    }
}

/// Hashes callback ids (small, distinct, sequential) as themselves: the
/// lookup runs on every call.
#[derive(Default, Clone, Copy)]
struct Ids;

impl std::hash::BuildHasher for Ids {
    type Hasher = IdHasher;
    fn build_hasher(&self) -> IdHasher {
        IdHasher(0)
    }
}

/// The hasher of [`Ids`].
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, id: u64) {
        self.0 = id;
    }
}

/// Where a call of the callback goes: its id, and the inbox of the isolate
/// that made it. The callback's code gets its address as data.
struct Destination {
    id: u64,
    owner: Arc<inbox::Owner>,
    /// The record, for calls on the owner's thread only (the record is not
    /// `Send`); null once the record is gone (a closed one stays until the
    /// next event-loop turn, and code other threads called outlives it).
    record: std::sync::atomic::AtomicPtr<Record>,
    /// Set once a thread other than the owner's called it.
    foreign: std::sync::atomic::AtomicBool,
}

/// A [`Destination`] at a fixed address, freed with its record.
struct Route(*mut Destination);

impl Route {
    /// Whether a thread other than the isolate's ever called the callback.
    fn called_from_elsewhere(&self) -> bool {
        // SAFETY: the destination lives as long as the route.
        unsafe { &*self.0 }
            .foreign
            .load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for Route {
    fn drop(&mut self) {
        // SAFETY: made by Box::into_raw in `create`, freed only here, after
        // the code that used it (dropped first with the record).
        drop(unsafe { Box::from_raw(self.0) });
    }
}

thread_local! {
    static RECORDS: RefCell<HashMap<u64, Rc<Record>, Ids>> = const { RefCell::new(HashMap::with_hasher(Ids)) };
    /// Closed callbacks, freed at the next event-loop turn: a call of theirs
    /// may still be returning through their code when `close()` runs.
    static CLOSED: RefCell<Vec<Rc<Record>>> = const { RefCell::new(Vec::new()) };
    static REFERENCED: RefCell<HashSet<u64>> = RefCell::new(HashSet::new());
    static NEXT_ID: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    static CONTEXT: RefCell<Option<v8::Global<v8::Context>>> = const { RefCell::new(None) };
    /// What a callback threw during the current native call.
    static EXCEPTION: std::cell::Cell<Option<v8::Global<v8::Value>>> = const { std::cell::Cell::new(None) };
}

/// Records the context callbacks run in; called on the
/// isolate's thread before any script runs.
pub fn enter(context: v8::Global<v8::Context>) {
    CONTEXT.with(|c| *c.borrow_mut() = Some(context));
}

/// Lets go of every callback (when the isolate is done). Their code stays
/// allocated: other threads may still call it, and then get zero.
pub fn clear() {
    RECORDS.with(|r| {
        if let Ok(mut r) = r.try_borrow_mut() {
            r.values().for_each(|record| record.open.set(false));
            std::mem::forget(std::mem::take(&mut *r));
        }
    });
    CLOSED.with(|c| {
        if let Ok(mut c) = c.try_borrow_mut() {
            std::mem::forget(std::mem::take(&mut *c));
        }
    });
    REFERENCED.with(|r| r.borrow_mut().clear());
    CONTEXT.with(|c| *c.borrow_mut() = None);
    EXCEPTION.with(|e| e.set(None));
}

/// Whether a `ref()`ed callback keeps the event loop alive.
pub fn referenced() -> bool {
    REFERENCED.with(|r| !r.borrow().is_empty())
}

/// What a callback threw during the native call that just returned.
pub fn take_exception() -> Option<v8::Global<v8::Value>> {
    EXCEPTION.with(|e| e.take())
}

/// `callbackCreate(definitionJson, function)`: `[id, pointer]`.
pub fn create(
    scope: &mut v8::PinScope,
    args: v8::FunctionCallbackArguments,
    mut rv: v8::ReturnValue<v8::Value>,
) {
    let Some((signature, _)) = definition(scope, args.get(0)) else {
        return;
    };
    let Ok(function) = v8::Local::<v8::Function>::try_from(args.get(1)) else {
        return throw(scope, "expected Function");
    };
    let id = NEXT_ID.with(|n| {
        n.set(n.get() + 1);
        n.get()
    });
    let (Some(owner), Some(context)) = (inbox::owner(), CONTEXT.with(|c| c.borrow().clone()))
    else {
        return throw(scope, "the FFI binding is not installed in this isolate");
    };
    // The route travels as the slot's data; on this thread it leads to the
    // record until the record goes, on others to the inbox by id, so a
    // closed callback is just absent.
    let route = Route(Box::into_raw(Box::new(Destination {
        id,
        owner,
        record: std::sync::atomic::AtomicPtr::new(std::ptr::null_mut()),
        foreign: std::sync::atomic::AtomicBool::new(false),
    })));
    let native = match NativeCallback::new(&signature, on_call, route.0.cast_const().cast()) {
        Ok(native) => native,
        Err(e) => return throw(scope, &e.to_string()),
    };
    let code = native.code();
    let padding = signature
        .parameters
        .iter()
        .map(|ty| match ty {
            Type::Struct(layout) => layout.padding(Target::host()),
            Type::Primitive(_) => Vec::new(),
        })
        .collect();
    let sizes = signature
        .parameters
        .iter()
        .map(|ty| ty.layout(Target::host()).0 as usize)
        .collect();
    let result_size = signature.result.layout(Target::host()).0 as usize;
    let function = v8::Global::new(scope, function);
    let record = Rc::new(Record {
        function: Held::new(scope, function),
        signature,
        padding,
        sizes,
        result_size,
        open: std::cell::Cell::new(true),
        context: Held::new(scope, context),
        code: Some(Code {
            _native: native,
            route,
        }),
    });
    if let Some(code) = &record.code {
        // SAFETY: the route is alive (the record owns it); no call can run
        // before `code` reaches JS below.
        let destination = unsafe { &*code.route.0 };
        destination.record.store(
            Rc::as_ptr(&record).cast_mut(),
            std::sync::atomic::Ordering::Relaxed,
        );
    }
    RECORDS.with(|r| r.borrow_mut().insert(id, record));
    // Native code can reach JS from now on.
    crate::reentry::callbacks_exist(scope);
    let id = v8::Number::new(scope, id as f64).into();
    let pointer = v8::External::new(scope, code.cast_mut()).into();
    rv.set(v8::Array::new_with_elements(scope, &[id, pointer]).into());
}

/// `callbackRef(id, referenced)`.
pub fn set_ref(
    scope: &mut v8::PinScope,
    args: v8::FunctionCallbackArguments,
    _: v8::ReturnValue<v8::Value>,
) {
    let id = args.get(0).integer_value(scope).unwrap_or(0) as u64;
    let on = args.get(1).is_true();
    REFERENCED.with(|r| {
        let mut r = r.borrow_mut();
        if on && RECORDS.with(|records| records.borrow().contains_key(&id)) {
            r.insert(id);
        } else {
            r.remove(&id);
        }
    });
}

/// `callbackClose(id)`: frees the callback's code.
pub fn close(
    scope: &mut v8::PinScope,
    args: v8::FunctionCallbackArguments,
    _: v8::ReturnValue<v8::Value>,
) {
    let id = args.get(0).integer_value(scope).unwrap_or(0) as u64;
    REFERENCED.with(|r| r.borrow_mut().remove(&id));
    if let Some(record) = RECORDS.with(|r| r.borrow_mut().remove(&id)) {
        record.open.set(false);
        CLOSED.with(|c| c.borrow_mut().push(record));
    }
}

/// Frees closed callbacks; called between event-loop turns, when no call of
/// theirs on this thread is running and served calls have returned.
pub fn release_closed() {
    CLOSED.with(|c| c.borrow_mut().clear());
}

/// The handler every callback's native code runs.
///
/// # Safety
/// Called by `NativeCallback`'s code with its contract: `args` point at the
/// arguments of the record's signature, `result` holds its result.
unsafe fn on_call(data: *const c_void, args: &[*const c_void], result: *mut u8) {
    // SAFETY: `data` is the record's route, alive as long as this code.
    let target = unsafe { &*data.cast::<Destination>() };
    let id = target.id;
    if inbox::is_owner(&target.owner) {
        // SAFETY: this is the owner's thread, where the pointer is either
        // null or the live record (see `Destination::record`).
        let Some(record) = (unsafe {
            target
                .record
                .load(std::sync::atomic::Ordering::Relaxed)
                .as_ref()
        }) else {
            return;
        };
        // SAFETY: forwarded from this function's contract.
        return unsafe { call_nested(record, args, result) };
    }
    target
        .foreign
        .store(true, std::sync::atomic::Ordering::SeqCst);
    target
        .owner
        .foreign_calls
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let (done, finished) = std::sync::mpsc::sync_channel(1);
    let request = CallbackRequest {
        id,
        args: args.as_ptr(),
        count: args.len(),
        result,
        done,
    };
    if target.owner.send(inbox::Inner::Callback(request)) {
        // An error means the isolate went away first: the result stays zero.
        let _ = finished.recv();
    }
}

/// Runs `record`'s function inside a native call made from JS on this
/// thread. The hot path of every callback: no lookup, and no context
/// entered (V8's call enters the record's context only when the running
/// JS is in another one).
///
/// # Safety
/// As `on_call`.
unsafe fn call_nested(record: &Record, args: &[*const c_void], result: *mut u8) {
    if !record.open.get() {
        return;
    }
    // The record is open, so the binding of its isolate, this thread's, is
    // installed (`clear` closes every record) and the isolate lives. This
    // thread entered it and is inside a native call that JS made; the
    // scopes of that call are not used until it returns, and the scopes
    // opened here nest inside them and close before.
    // SAFETY: on the isolate's thread; the local is used only below.
    let context = unsafe { record.context.local() };
    // SAFETY: a scope that only names the context for what runs in it
    // (nothing entered).
    v8::callback_scope!(unsafe scope, context);
    v8::scope!(let scope, scope);
    v8::tc_scope!(let tc, scope);
    // SAFETY: forwarded from this function's contract.
    let thrown = match unsafe { run(tc, context, record, args, result) } {
        Some(()) => None,
        None => tc.exception().map(|e| v8::Global::new(tc, e)),
    };
    drop(EXCEPTION.with(|e| e.replace(thrown)));
}

/// Runs a callback another thread asked for, from the event loop.
pub fn serve(scope: &mut v8::PinScope, request: CallbackRequest) {
    let record = RECORDS.with(|r| r.borrow().get(&request.id).cloned());
    if let Some(record) = record {
        // SAFETY: the requesting thread waits for `done`, so its argument
        // and result memory is alive; both match the record's signature.
        let args = unsafe { std::slice::from_raw_parts(request.args, request.count) };
        let context = scope.get_current_context();
        v8::tc_scope!(let tc, scope);
        // SAFETY: as above.
        if unsafe { run(tc, context, &record, args, request.result) }.is_none() && tc.has_caught() {
            crate::config::report(crate::Diagnostic::CallbackThrew);
        }
        // As in Deno: what the callback queued runs before the native
        // thread goes on.
        tc.perform_microtask_checkpoint();
    }
    let _ = request.done.send(());
}

/// Calls the record's function with the native arguments and writes its
/// return value; `None` if JS threw.
///
/// # Safety
/// `args` point at arguments of the record's signature; `result` is
/// writable for its result.
unsafe fn run(
    scope: &mut v8::PinScope<'_, '_, ()>,
    context: v8::Local<v8::Context>,
    record: &Record,
    args: &[*const c_void],
    result: *mut u8,
) -> Option<()> {
    // Up to 8 arguments on the stack, beyond that on the heap.
    let undefined: v8::Local<v8::Value> = v8::undefined(scope).into();
    let mut inline = [undefined; 8];
    let fits = args.len() <= inline.len();
    let mut spilled = Vec::new();
    for (i, (((ty, &arg), padding), &size)) in record
        .signature
        .parameters
        .iter()
        .zip(args)
        .zip(&record.padding)
        .zip(&record.sizes)
        .enumerate()
    {
        // SAFETY: the caller passed an argument of `ty` here.
        let bytes = unsafe { std::slice::from_raw_parts(arg.cast::<u8>(), size) };
        let value = match ty {
            Type::Struct(_) => {
                let mut bytes = bytes.to_vec();
                for gap in padding {
                    bytes[gap.start as usize..gap.end as usize].fill(0);
                }
                let store = v8::ArrayBuffer::new_backing_store_from_vec(bytes);
                let buffer = v8::ArrayBuffer::with_backing_store(scope, &store.make_shared());
                let scope = &mut v8::ContextScope::new(scope, context);
                v8::Uint8Array::new(scope, buffer, 0, size)?.into()
            }
            Type::Primitive(p) => argument(scope, *p, bytes),
        };
        match inline.get_mut(i) {
            Some(slot) if fits => *slot = value,
            _ => spilled.push(value),
        }
    }
    let values = match fits {
        true => &inline[..args.len()],
        false => &spilled[..],
    };
    // SAFETY: on the isolate's thread, used within this scope.
    let function = unsafe { record.function.local() };
    let returned = function.call_with_context(scope, context, undefined, values)?;
    let ty = &record.signature.result;
    let size = record.result_size;
    if let Some(word) = plain_result(ty, returned) {
        // SAFETY: `result` is writable for the result's `size`; the word's
        // low bytes are the value (little-endian, asserted by ffic-loader).
        unsafe { std::ptr::copy_nonoverlapping(word.to_le_bytes().as_ptr(), result, size) };
        return Some(());
    }
    // Conversions that may run JS (valueOf) need the context entered.
    let scope = &mut v8::ContextScope::new(scope, context);
    // SAFETY: forwarded from this function's contract.
    unsafe { write_result(scope, ty, size, returned, result) }
}

/// The native result word for a return value already of the result's JS
/// type (what a callback returns almost always), converted without the
/// context; `None` where a conversion is needed.
fn plain_result(ty: &Type, value: v8::Local<v8::Value>) -> Option<u64> {
    let Type::Primitive(p) = ty else {
        return None;
    };
    Some(match p.kind() {
        Kind::Void => 0,
        Kind::Int(Int { width, signed }) if width.fits_number() => match signed {
            true => u64::from(v8::Local::<v8::Int32>::try_from(value).ok()?.value() as u32),
            false => u64::from(v8::Local::<v8::Uint32>::try_from(value).ok()?.value()),
        },
        Kind::Int(_) => v8::Local::<v8::BigInt>::try_from(value).ok()?.u64_value().0,
        Kind::Float(Float::F64) => v8::Local::<v8::Number>::try_from(value)
            .ok()?
            .value()
            .to_bits(),
        Kind::Float(Float::F32) => {
            u64::from((v8::Local::<v8::Number>::try_from(value).ok()?.value() as f32).to_bits())
        }
        Kind::Bool if value.is_boolean() => u64::from(value.is_true()),
        Kind::Bool | Kind::Pointer(_) => return None,
    })
}

/// A callback's argument of type `p`, from its bytes, as Deno hands it to
/// JS: BigInt for 64-bit integers, External or null for pointers. The
/// common types skip `Value` (about 4 ns of a callback's 88 in
/// `bench/calls.js`'s `callback_loop`); the rest go through it.
fn argument<'s>(
    scope: &v8::PinScope<'s, '_, ()>,
    p: Primitive,
    bytes: &[u8],
) -> v8::Local<'s, v8::Value> {
    let word = |n: usize| {
        let mut le = [0u8; 8];
        le[..n].copy_from_slice(&bytes[..n]);
        u64::from_le_bytes(le)
    };
    match p.kind() {
        Kind::Int(Int {
            width: Width::W32,
            signed: true,
        }) => v8::Integer::new(scope, word(4) as u32 as i32).into(),
        Kind::Int(Int {
            width: Width::W32,
            signed: false,
        }) => v8::Integer::new_from_unsigned(scope, word(4) as u32).into(),
        Kind::Float(Float::F64) => v8::Number::new(scope, f64::from_bits(word(8))).into(),
        Kind::Pointer(_) => match word(8) {
            0 => v8::null(scope).into(),
            address => v8::External::new(scope, address as usize as *mut c_void).into(),
        },
        Kind::Void | Kind::Bool | Kind::Int(_) | Kind::Float(Float::F32) => {
            value_to_js(scope, Value::read(&Type::Primitive(p), bytes))
        }
    }
}

/// Writes a callback's return value as its native result, converting as
/// Deno does (ToNumber, ToInt32 and ToBoolean semantics; a pointer from an
/// External only, a buffer's data pointer from a buffer only, else null).
///
/// # Safety
/// `result` is writable for `ty`.
unsafe fn write_result(
    scope: &mut v8::PinScope,
    ty: &Type,
    size: usize,
    value: v8::Local<v8::Value>,
    result: *mut u8,
) -> Option<()> {
    let p = match ty {
        Type::Struct(layout) => {
            let size = layout.size as usize;
            let Some((data, _)) = bytes_of(value).filter(|&(_, len)| len >= size) else {
                throw(
                    scope,
                    &format!(
                        "Invalid FFI struct return value, expected at least {size} bytes of ArrayBuffer or ArrayBufferView"
                    ),
                );
                return None;
            };
            // SAFETY: the buffer holds `size` bytes; `result` is writable for them.
            unsafe { std::ptr::copy_nonoverlapping(data.cast::<u8>(), result, size) };
            return Some(());
        }
        Type::Primitive(p) => *p,
    };
    let word: u64 = match p.kind() {
        Kind::Void => return Some(()),
        Kind::Bool => u64::from(value.boolean_value(scope)),
        Kind::Int(Int { width, signed }) if width.fits_number() => match signed {
            true => u64::from(value.int32_value(scope)? as u32),
            false => u64::from(value.uint32_value(scope)?),
        },
        Kind::Int(_) => match v8::Local::<v8::BigInt>::try_from(value) {
            Ok(big) => big.u64_value().0,
            Err(_) => value.integer_value(scope)? as u64,
        },
        Kind::Float(Float::F32) => u64::from((value.number_value(scope)? as f32).to_bits()),
        Kind::Float(Float::F64) => value.number_value(scope)?.to_bits(),
        Kind::Pointer(Pointee::Opaque | Pointee::Function) => {
            v8::Local::<v8::External>::try_from(value).map_or(0, |external| external.value() as u64)
        }
        Kind::Pointer(Pointee::Buffer) => bytes_of(value).map_or(0, |(data, _)| data as u64),
        // `dlopen::definition` refuses C strings in callback definitions.
        Kind::Pointer(Pointee::CString) => 0,
    };
    // SAFETY: `result` is writable for the result's `size`; the word's low
    // bytes are the value (little-endian, asserted by ffic-loader).
    unsafe { std::ptr::copy_nonoverlapping(word.to_le_bytes().as_ptr(), result, size) };
    Some(())
}
