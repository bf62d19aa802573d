//! `ffic-deno`: Deno's FFI API for any V8 embedder, on `ffic-loader`.
//! [`Binding::install`] puts `dlopen`, `UnsafePointer`, `UnsafePointerView`,
//! `UnsafeFnPointer`, `UnsafeCallback` and `errors` on an object of the
//! embedder's choice (their JS half ships in this crate), with V8 fast calls
//! straight into precompiled or JIT-compiled trampolines. The embedder
//! decides what scripts may do ([`Policy`]) and the rest ([`Config`]); the
//! binding reads no environment variable and prints nothing (diagnostics go
//! to [`Config::sink`]).
//!
//! An embedder, on the isolate's thread, per turn of its event loop: calls
//! [`Binding::turn`], takes messages with [`Binding::try_next`] (or waits
//! with [`Binding::next`] when JS has nothing to run) and hands each to
//! [`Binding::deliver`], which settles nonblocking calls, runs callbacks
//! other threads called, and gives back what the host itself posted
//! through a [`Waker`]; the loop may end when neither its own work nor
//! [`Binding::keeps_alive`] remains.
//!
//! State lives with the isolate's thread: one binding per thread at a time,
//! any number of threads, each isolate with its own libraries, callbacks
//! and inbox (verified artifact mappings are shared between them).
//!
//! ```
//! use ffic_deno::{AllowFfi, Binding, Config};
//!
//! let platform = v8::new_default_platform(0, false).make_shared();
//! v8::V8::initialize_platform(platform);
//! v8::V8::initialize();
//! let isolate = &mut v8::Isolate::new(v8::CreateParams::default());
//! v8::scope!(let scope, isolate);
//! let context = v8::Context::new(scope, Default::default());
//! let scope = &mut v8::ContextScope::new(scope, context);
//! let ffi = v8::Object::new(scope);
//! let config = Config::new(Box::new(AllowFfi(Some(Vec::new()))));
//! // SAFETY: the binding is dropped below, before the isolate.
//! let binding = unsafe { Binding::install(scope, ffi, config) }.unwrap();
//! let name = v8::String::new(scope, "ffi").unwrap();
//! context.global(scope).set(scope, name.into(), ffi.into());
//! let code = v8::String::new(scope, r#"
//!     const libm = ffi.dlopen("libm.so.6", { cos: { parameters: ["f64"], result: "f64" } });
//!     libm.symbols.cos(0)
//! "#).unwrap();
//! let result = v8::Script::compile(scope, code, None).unwrap().run(scope).unwrap();
//! assert_eq!(result.number_value(scope), Some(1.0));
//! while binding.keeps_alive() {
//!     binding.turn();
//!     if let Some(message) = binding.next(None) {
//!         binding.deliver(scope, message);
//!     }
//!     scope.perform_microtask_checkpoint();
//! }
//! drop(binding);
//! ```

mod callback;
pub mod code_cache;
mod config;
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

pub use config::{Config, Diagnostic, Sink};
pub use convert::bytes_of;
pub use fast::v8_value_argument;
pub use ffic_loader::Cache;
pub use inbox::{Message, Waker};
pub use policy::{AllowFfi, Policy, Refusal};

use code_cache::Keep;
use std::any::Any;
use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

/// The JS half of the API.
const FFI_JS: &str = include_str!("js/ffi.js");

/// Why the binding could not be installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstallError {
    /// This thread has a binding already (one per thread at a time).
    AlreadyInstalled,
    /// The JS half failed to run (the exception's text).
    Script(String),
}

impl std::fmt::Display for InstallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InstallError::AlreadyInstalled => {
                write!(f, "this thread already has an isolate with the FFI binding")
            }
            InstallError::Script(text) => write!(f, "the FFI binding's script failed: {text}"),
        }
    }
}

impl std::error::Error for InstallError {}

/// The FFI binding of one isolate, held by its embedder on the isolate's
/// thread; dropping it (or [`Binding::close`]) releases the isolate's
/// libraries and callbacks.
pub struct Binding {
    owner: Arc<inbox::Owner>,
    /// Bound to the isolate's thread.
    _thread: PhantomData<*const ()>,
}

impl Binding {
    /// Installs Deno's FFI API on `target` for the isolate and context of
    /// `scope`: `target.dlopen`, `UnsafePointer`, `UnsafePointerView`,
    /// `UnsafeFnPointer`, `UnsafeCallback`, and `target.errors` with
    /// `NotCapable` and `BadResource` (added to an `errors` object already
    /// there). Run it before any script, which then cannot change what the
    /// binding's own code uses.
    ///
    /// # Safety
    /// The isolate must outlive the binding: drop the binding (on this
    /// thread) before the isolate is disposed, since callbacks that native
    /// code calls enter the isolate through it.
    pub unsafe fn install(
        scope: &mut v8::PinScope,
        target: v8::Local<v8::Object>,
        config: Config,
    ) -> Result<Binding, InstallError> {
        let owner = inbox::open().ok_or(InstallError::AlreadyInstalled)?;
        let binding = Binding {
            owner,
            _thread: PhantomData,
        };
        let context = scope.get_current_context();
        callback::enter(v8::Global::new(scope, context));
        trace::enable(config.trace);
        let allowed = (config.policy.pointers(), config.policy.callbacks());
        policy::set(config.policy);
        config::set(Some(config::Settings {
            jit: config.jit,
            cache: config.cache,
            sink: config.sink,
        }));
        // Before any script runs: the factory captures the globals it uses.
        reentry::prepare(scope);
        let natives = natives(scope);
        let members = run_script(scope, natives, allowed).map_err(InstallError::Script)?;
        let members = v8::Local::new(scope, members);
        copy_members(scope, members, target);
        Ok(binding)
    }

    /// Frees what closed callbacks left behind and the symbol records no
    /// script can reach any more; call at the top of each event-loop turn.
    pub fn turn(&self) {
        callback::release_closed();
        records::sweep();
    }

    /// The next message from another thread, if one is waiting.
    pub fn try_next(&self) -> Option<Message> {
        inbox::try_next()
    }

    /// Waits for the next message from another thread until `deadline`
    /// (forever if `None`).
    pub fn next(&self, deadline: Option<Instant>) -> Option<Message> {
        inbox::next(deadline, nonblocking::pending())
    }

    /// Handles a message on the isolate's thread: settles a nonblocking
    /// call or runs a callback; gives back what the host posted itself.
    pub fn deliver(
        &self,
        scope: &mut v8::PinScope,
        message: Message,
    ) -> Option<Box<dyn Any + Send>> {
        match message.0 {
            inbox::Inner::Done { id, ret, errno } => nonblocking::complete(scope, id, ret, errno),
            inbox::Inner::Callback(request) => callback::serve(scope, request),
            inbox::Inner::Host(payload) => return Some(payload),
        }
        None
    }

    /// Whether work in flight (a nonblocking call, a `ref()`ed callback)
    /// must keep the event loop alive.
    pub fn keeps_alive(&self) -> bool {
        nonblocking::pending() || callback::referenced()
    }

    /// Posts host messages to this isolate's loop from other threads.
    pub fn waker(&self) -> Waker {
        Waker(Arc::clone(&self.owner))
    }

    /// Under tracing, reports each bound symbol's calls on each path.
    pub fn report_calls(&self) {
        dlopen::trace_calls();
        view::trace_reads();
    }

    /// Releases what the binding holds (libraries, callbacks, V8 handles)
    /// now, as dropping it does; other threads stop waiting on the isolate.
    /// What threads may still be using (callback code, memory and libraries
    /// of calls in flight) is leaked instead. For a host about to end the
    /// process, or to close before the binding goes out of scope.
    pub fn close(&self) {
        if inbox::owner().is_some_and(|o| Arc::ptr_eq(&o, &self.owner)) {
            let threads_called_in = self.owner.foreign_calls.load(Ordering::SeqCst);
            inbox::close();
            nonblocking::clear();
            callback::clear();
            pointer::clear();
            reentry::clear();
            dlopen::clear(threads_called_in);
            policy::clear();
            config::set(None);
        }
    }
}

impl Drop for Binding {
    fn drop(&mut self) {
        self.close();
    }
}

/// Throws a TypeError with `message` (the error every binding reports).
pub fn throw_type_error(scope: &mut v8::PinScope, message: &str) {
    let message = v8::String::new(scope, message).expect("short string");
    let error = v8::Exception::type_error(scope, message);
    scope.throw_exception(error);
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

/// The origin of a script or module named `name` (the URL its stack frames
/// show); `module` for an ES module.
pub fn script_origin<'s>(
    scope: &mut v8::PinScope<'s, '_>,
    name: v8::Local<'s, v8::String>,
    module: bool,
) -> v8::ScriptOrigin<'s> {
    v8::ScriptOrigin::new(
        scope,
        name.into(),
        0,
        0,
        false,
        -1,
        None,
        false,
        false,
        module,
        None,
    )
}

/// `refused(item)`: tells the policy of an FFI refusal.
fn refused(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, _: v8::ReturnValue) {
    let item = args.get(0);
    let item = (!item.is_undefined()).then(|| item.to_rust_string_lossy(scope));
    policy::refused("ffi", item.as_deref());
}

/// `lastErrno()`: errno as the last call on this thread that captures it
/// left it.
fn last_errno(_: &mut v8::PinScope, _: v8::FunctionCallbackArguments, mut rv: v8::ReturnValue) {
    rv.set_int32(ffic_loader::errno::last());
}

/// The natives the JS half is built on (never given to scripts).
fn natives<'s>(scope: &mut v8::PinScope<'s, '_>) -> v8::Local<'s, v8::Object> {
    let object = v8::Object::new(scope);
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
    set_function(scope, object, "refused", refused);
    set_function(scope, object, "lastErrno", last_errno);
    let key = v8::String::new(scope, "viewGetters").expect("short string");
    let getters = view::getters(scope);
    object.set(scope, key.into(), getters.into());
    object
}

/// Runs the JS half with the natives and what the policy allows; the
/// members it made, or the exception's text.
fn run_script(
    scope: &mut v8::PinScope,
    natives: v8::Local<v8::Object>,
    (pointers, callbacks): (bool, bool),
) -> Result<v8::Global<v8::Object>, String> {
    let allowed = v8::Object::new(scope);
    for (name, value) in [("pointers", pointers), ("callbacks", callbacks)] {
        let key = v8::String::new(scope, name).expect("short string");
        let value = v8::Boolean::new(scope, value);
        allowed.set(scope, key.into(), value.into());
    }
    let source = v8::String::new(scope, FFI_JS).expect("the script fits a string");
    const NAME: &str = "ext:ffic-deno/ffi.js";
    let name = v8::String::new(scope, NAME).expect("short string");
    let origin = script_origin(scope, name, false);
    let cache = config::loading().1;
    v8::tc_scope!(let tc, scope);
    let code = (source, &origin);
    let (script, _) =
        code_cache::compile_script(tc, cache.as_ref(), code, (NAME, FFI_JS), Keep::Now);
    let made = script
        .and_then(|script| script.run(tc))
        .and_then(|f| v8::Local::<v8::Function>::try_from(f).ok())
        .and_then(|f| {
            let undefined = v8::undefined(tc).into();
            f.call(tc, undefined, &[natives.into(), allowed.into()])
        })
        .and_then(|members| v8::Local::<v8::Object>::try_from(members).ok());
    match made {
        Some(members) => Ok(v8::Global::new(tc, members)),
        None => {
            let text = tc
                .exception()
                .map_or_else(|| "no result".into(), |e| e.to_rust_string_lossy(tc));
            Err(text)
        }
    }
}

/// Copies the JS half's members onto `target`, merging `errors`.
fn copy_members(
    scope: &mut v8::PinScope,
    members: v8::Local<v8::Object>,
    target: v8::Local<v8::Object>,
) {
    let names = [
        "dlopen",
        "UnsafePointer",
        "UnsafePointerView",
        "UnsafeFnPointer",
        "UnsafeCallback",
    ];
    for name in names {
        let key = v8::String::new(scope, name).expect("short string");
        if let Some(value) = members.get(scope, key.into()) {
            target.set(scope, key.into(), value);
        }
    }
    let key = v8::String::new(scope, "errors").expect("short string");
    let Some(ours) = members
        .get(scope, key.into())
        .and_then(|e| v8::Local::<v8::Object>::try_from(e).ok())
    else {
        return;
    };
    let theirs = target
        .get(scope, key.into())
        .and_then(|e| v8::Local::<v8::Object>::try_from(e).ok());
    match theirs {
        Some(errors) => {
            for name in ["NotCapable", "BadResource"] {
                let name = v8::String::new(scope, name).expect("short string");
                if let Some(class) = ours.get(scope, name.into()) {
                    errors.set(scope, name.into(), class);
                }
            }
        }
        None => {
            target.set(scope, key.into(), ours.into());
        }
    }
}
