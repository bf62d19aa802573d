//! `ffic run`: runs an ES module in a V8 isolate with the globals FFI scripts
//! use around their calls (console, timers, TextEncoder/TextDecoder,
//! performance, the `Deno` namespace), and drives its event loop: microtasks,
//! finished nonblocking calls and callbacks from other threads, timers, and
//! the global's `load`, `beforeunload` and `unload` events around the main
//! module's completion. An uncaught exception or unhandled rejection that
//! no `error`/`unhandledrejection` listener prevents prints the error and
//! exits 1, as Deno does.

mod clone;
mod errors;
pub mod flags;
#[cfg(feature = "bench-floor")]
mod floor;
mod fs;
mod modules;
mod natives;
mod permissions;
mod sourcemaps;
mod state;
mod testing;
mod transpiled;
mod typescript;
mod worker;

use ffic_deno as deno;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Instant;

/// What `ffic run` was asked to do.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The main module.
    pub script: PathBuf,
    /// `Deno.args`.
    pub args: Vec<String>,
    /// `--v8-flags`, comma-separated as in Deno.
    pub v8_flags: Option<String>,
    /// What the permission flags granted.
    pub grants: permissions::Grants,
    /// `--trace-ffi`.
    pub trace_ffi: bool,
    /// `-q`: no warnings or notices.
    pub quiet: bool,
    /// Whether any permission flag was given (`-A`, `--allow-*`).
    pub permissions_granted: bool,
    /// What the flags ask to tell the user before the script runs.
    pub notices: Vec<String>,
    /// `ffic test`: the files and filter (the script is then unused).
    pub test: Option<flags::TestOptions>,
}

const BOOTSTRAP: &str = include_str!("js/bootstrap.js");

/// Scripts the bootstrap builds on, each evaluating to a function it calls
/// as `natives.parts[name]`.
const PARTS: [(&str, &str); 5] = [
    ("events", include_str!("js/events.js")),
    ("files", include_str!("js/files.js")),
    ("process", include_str!("js/process.js")),
    ("test", include_str!("js/test.js")),
    ("workers", include_str!("js/workers.js")),
];

/// The URL the host's scripts show in stack traces, as Deno's show `ext:`.
pub(super) fn host_url(name: &str) -> String {
    format!("ext:ffic/{name}.js")
}

/// Runs the script to completion and gives the process exit status.
pub fn run(options: &RunOptions) -> ExitCode {
    if !options.quiet {
        for notice in &options.notices {
            eprintln!("{notice}");
        }
    }
    let files = match &options.test {
        Some(test) => match testing::modules(&test.files) {
            Ok(files) => files,
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::FAILURE;
            }
        },
        None => Vec::new(),
    };
    let script = match files.first() {
        Some(first) => first.clone(),
        None => match std::fs::canonicalize(&options.script) {
            Ok(path) => path,
            Err(e) => {
                eprintln!(
                    "error: Module not found \"{}\": {e}",
                    options.script.display()
                );
                return ExitCode::FAILURE;
            }
        },
    };
    // A script allowed FFI will likely check a descriptor: build the
    // schema validators while V8 starts, off its first Deno.dlopen.
    if options.grants.contains_key("ffi") {
        std::thread::spawn(ffic_schema::prepare);
    }
    if let Some(flags) = &options.v8_flags {
        let flags: Vec<String> = flags.split(',').map(|f| f.trim().to_owned()).collect();
        v8::V8::set_flags_from_string(&flags.join(" "));
    }
    let platform = PLATFORM.get_or_init(|| v8::new_default_platform(0, false).make_shared());
    v8::V8::initialize_platform(platform.clone());
    v8::V8::initialize();
    // Never disposed: the process ends right after the script, and exit
    // returns the heap at once where disposing freed it page by page (about
    // 1 ms of a 22 ms run of examples/sqlite).
    let isolate = Box::leak(Box::new(new_isolate()));
    permissions::set(&options.grants);
    let flags_after_script = options
        .args
        .iter()
        .any(|a| a.starts_with("--allow-") || a.starts_with("--deny-"));
    permissions::set_hint(!options.quiet && !options.permissions_granted && flags_after_script);
    let code = execute(isolate, &script, &files, options);
    // Other threads stop waiting on this isolate; handles, callbacks and
    // libraries go before the isolate does.
    close_binding();
    state::clear();
    // What the JIT compiled this run is in the cache before the process
    // ends, so the next run maps it.
    ffic_loader::cache::finish_stores();
    ExitCode::from(code)
}

/// An isolate with the host's hooks: microtasks run by the event loop,
/// modules' `import.meta` and dynamic `import()`, rejection tracking.
pub(super) fn new_isolate() -> v8::OwnedIsolate {
    let mut isolate = v8::Isolate::new(v8::CreateParams::default());
    isolate.set_microtasks_policy(v8::MicrotasksPolicy::Explicit);
    isolate.set_host_initialize_import_meta_object_callback(modules::import_meta);
    isolate.set_host_import_module_dynamically_callback(modules::import_dynamically);
    isolate.set_promise_reject_callback(errors::promise_rejected);
    isolate
}

/// Reports an uncaught error as Deno does and gives the exit status; in a
/// worker, as Deno reports a worker's, and to its parent too.
pub(super) fn uncaught(prefix: &str, text: &str) -> u8 {
    if worker::stopping() {
        // Terminated, or its error is reported already.
        return 1;
    }
    let located = |text: &str| match prefix.starts_with("Uncaught") {
        true => errors::with_source_line(text),
        false => text.to_owned(),
    };
    match worker::name() {
        Some(name) => {
            let rest = prefix.strip_prefix("Uncaught ").unwrap_or(prefix);
            eprintln!(
                "error: Uncaught (in worker \"{name}\") {rest}{}",
                located(text)
            );
            worker::failed(prefix, text);
        }
        None => eprintln!("error: {prefix}{}", located(text)),
    }
    1
}

/// Runs the main module (or, for `ffic test`, the test `files`) and the
/// event loop; gives the exit status.
fn execute(
    isolate: &mut v8::Isolate,
    script: &Path,
    files: &[PathBuf],
    options: &RunOptions,
) -> u8 {
    v8::scope!(let scope, isolate);
    let context = v8::Context::new(scope, Default::default());
    let scope = &mut v8::ContextScope::new(scope, context);
    if let Err(code) = start(scope, options) {
        return code;
    }
    let promise = match options.test {
        Some(ref test) => testing::start(scope, files, test.filter.as_deref()),
        None => evaluate_main(scope, script),
    };
    let promise = match promise {
        Ok(promise) => promise,
        Err(code) => return code,
    };
    let looped = event_loop(scope, &promise);
    keep_compiled(scope);
    if let Err(code) = looped {
        return code;
    }
    let promise = v8::Local::new(scope, &promise);
    match promise.state() {
        // A rejected main module was reported as an unhandled rejection,
        // which a listener prevented (else the loop would have failed).
        v8::PromiseState::Fulfilled | v8::PromiseState::Rejected => {
            if let Err(code) = dispatch(scope, "unload") {
                return code;
            }
            // `ffic test`'s runner gives the status.
            let result = promise.result(scope);
            match (options.test.is_some(), result.uint32_value(scope)) {
                (true, Some(code)) => code.min(255) as u8,
                _ => state::with(|s| s.exit_code),
            }
        }
        v8::PromiseState::Pending => uncaught("", "Top-level await promise never resolved"),
    }
}

/// Starts the host in a new context: the clock, the options, the globals;
/// `Err` is the exit status if the bootstrap failed (reported).
fn start(scope: &mut v8::PinScope, options: &RunOptions) -> Result<(), u8> {
    state::with(|s| {
        s.started = Some(Instant::now());
        s.options = Some(options.clone());
    });
    bootstrap(scope, options).map_err(|e| uncaught("bootstrap failed: ", &e))
}

/// Runs a worker's module (`script`, which it needs read access to) and
/// its event loop; `started` hears of its binding once installed.
pub(super) fn execute_worker(
    isolate: &mut v8::Isolate,
    script: &Path,
    options: &RunOptions,
    started: impl FnOnce(&deno::Binding),
) {
    v8::scope!(let scope, isolate);
    let context = v8::Context::new(scope, Default::default());
    let scope = &mut v8::ContextScope::new(scope, context);
    if start(scope, options).is_err() {
        return;
    }
    if let Some(binding) = binding() {
        started(&binding);
    }
    if let Err(message) = permissions::check("read", Some(&script.display().to_string())) {
        uncaught("", &message);
        return;
    }
    if let Ok(promise) = evaluate_main(scope, script) {
        let _ = event_loop(scope, &promise);
        keep_compiled(scope);
    }
}

/// Loads and evaluates the main module; its evaluation promise, or the
/// exit status if it failed to load.
fn evaluate_main(scope: &mut v8::PinScope, script: &Path) -> Result<v8::Global<v8::Promise>, u8> {
    let module = match modules::load_graph(scope, script, false, !worker::in_worker()) {
        Ok(module) => module,
        Err(e) => return Err(uncaught("", &e)),
    };
    v8::tc_scope!(let tc, scope);
    if module.instantiate_module(tc, modules::resolve_callback) != Some(true) {
        let exception = tc.exception();
        let text = errors::caught(tc, exception);
        return Err(uncaught("", &text));
    }
    let Some(result) = module.evaluate(tc) else {
        let exception = tc.exception();
        let text = errors::caught(tc, exception);
        return Err(uncaught("Uncaught ", &text));
    };
    match v8::Local::<v8::Promise>::try_from(result) {
        Ok(p) => Ok(v8::Global::new(tc, p)),
        Err(_) => Err(0),
    }
}

/// Installs the globals: runs `bootstrap.js` with the natives (and the
/// parts it builds on) and the script's arguments and build information.
fn bootstrap(scope: &mut v8::PinScope, options: &RunOptions) -> Result<(), String> {
    let natives = natives::object(scope);
    let ffi = v8::Object::new(scope);
    install_binding(scope, ffi, options)?;
    let key = v8::String::new(scope, "ffi").ok_or("ffi")?;
    natives.set(scope, key.into(), ffi.into());
    let parts = v8::Object::new(scope);
    for (name, source) in PARTS {
        let part = evaluate(scope, name, source).map_err(|e| format!("{name}: {e}"))?;
        let part = v8::Local::new(scope, part);
        let key = v8::String::new(scope, name).ok_or("part name")?;
        parts.set(scope, key.into(), part.into());
    }
    let key = v8::String::new(scope, "parts").ok_or("parts")?;
    natives.set(scope, key.into(), parts.into());
    let function = evaluate(scope, "bootstrap", BOOTSTRAP)?;
    let function = v8::Local::new(scope, function);
    let info = info(scope, options);
    v8::tc_scope!(let tc, scope);
    let undefined = v8::undefined(tc).into();
    if function
        .call(tc, undefined, &[natives.into(), info.into()])
        .is_none()
    {
        let exception = tc.exception();
        return Err(format!("call: {}", errors::caught(tc, exception)));
    }
    Ok(())
}

thread_local! {
    /// This thread's isolate's FFI binding.
    static BINDING: std::cell::RefCell<Option<Rc<deno::Binding>>> = const { std::cell::RefCell::new(None) };
}

/// Installs the FFI binding on `ffi` with what the command line and the
/// environment ask for (`FFIC_JIT=0` forbids the JIT; the cache is
/// `$FFIC_CACHE_DIR`, else the user's cache directory).
fn install_binding(
    scope: &mut v8::PinScope,
    ffi: v8::Local<v8::Object>,
    options: &RunOptions,
) -> Result<(), String> {
    let mut config = deno::Config::new(Box::new(permissions::FfiFlags));
    config.jit = std::env::var_os("FFIC_JIT").is_none_or(|v| v != "0");
    config.cache = deno::Cache::from_env();
    config.trace = options.trace_ffi;
    config.sink = Box::new(|diagnostic| eprintln!("{diagnostic}"));
    // SAFETY: the binding is closed (`close_binding`) before `run` drops
    // the isolate, and `finish` closes it before the process exits.
    let binding =
        unsafe { deno::Binding::install(scope, ffi, config) }.map_err(|e| e.to_string())?;
    BINDING.with(|b| *b.borrow_mut() = Some(Rc::new(binding)));
    Ok(())
}

/// This thread's binding, while installed.
fn binding() -> Option<Rc<deno::Binding>> {
    BINDING.with(|b| b.borrow().clone())
}

/// Reports the `--trace-ffi` call counts and releases the binding.
pub(super) fn close_binding() {
    if let Some(binding) = BINDING.with(|b| b.borrow_mut().take()) {
        binding.report_calls();
        binding.close();
    }
}

/// Keeps, for the next run, the code of the scripts and modules this run
/// compiled from source, with every function it ran by now.
pub(super) fn keep_compiled(scope: &v8::PinScope) {
    for pending in state::with(|s| std::mem::take(&mut s.compiled)) {
        pending.keep(scope);
    }
}

/// Compiles and runs one of the host's scripts, which evaluates to a function.
fn evaluate(
    scope: &mut v8::PinScope,
    name: &str,
    source: &str,
) -> Result<v8::Global<v8::Function>, String> {
    let code = v8::String::new(scope, source).ok_or("source too long")?;
    let name = host_url(name);
    let url = v8::String::new(scope, &name).ok_or("name")?;
    let origin = deno::script_origin(scope, url, false);
    let cache = ffic_loader::Cache::from_env();
    v8::tc_scope!(let tc, scope);
    let (script, pending) = deno::code_cache::compile_script(
        tc,
        cache.as_ref(),
        (code, &origin),
        (&name, source),
        deno::code_cache::Keep::Later,
    );
    state::with(|s| s.compiled.extend(pending));
    let function = script
        .and_then(|script| script.run(tc))
        .and_then(|f| v8::Local::<v8::Function>::try_from(f).ok());
    match function {
        Some(f) => Ok(v8::Global::new(tc, f)),
        None => {
            let exception = tc.exception();
            Err(errors::caught(tc, exception))
        }
    }
}

/// `{ args, execPath, build }` for the bootstrap.
fn info<'s>(scope: &mut v8::PinScope<'s, '_>, options: &RunOptions) -> v8::Local<'s, v8::Object> {
    let string = |scope: &mut v8::PinScope<'s, '_>, s: &str| -> v8::Local<'s, v8::Value> {
        v8::String::new(scope, s).expect("short string").into()
    };
    let args: Vec<v8::Local<v8::Value>> = options.args.iter().map(|a| string(scope, a)).collect();
    let args = v8::Array::new_with_elements(scope, &args);
    let exec_path = std::env::current_exe()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let build = v8::Object::new(scope);
    let (arch, os, vendor, env) = (
        std::env::consts::ARCH,
        std::env::consts::OS,
        "unknown",
        "gnu",
    );
    let target = format!("{arch}-{vendor}-{os}-{env}");
    for (key, value) in [
        ("target", target.as_str()),
        ("arch", arch),
        ("os", os),
        ("vendor", vendor),
        ("env", env),
    ] {
        let k = string(scope, key);
        let v = string(scope, value);
        build.set(scope, k, v);
    }
    let object = v8::Object::new(scope);
    // Deno's hint about permission flags after the script, which it gives
    // only when no permission was granted and not when quiet.
    let hint = !options.quiet && !options.permissions_granted;
    let main = std::fs::canonicalize(&options.script).unwrap_or_default();
    let main_module = modules::file_url(&main);
    let main_path = main.display().to_string();
    let no_color = std::env::var_os("NO_COLOR").is_some();
    let entries = [
        ("args", args.into()),
        ("execPath", string(scope, &exec_path)),
        ("build", build.into()),
        ("hintPermissionFlags", v8::Boolean::new(scope, hint).into()),
        ("v8Version", string(scope, v8::V8::get_version())),
        ("mainModule", string(scope, &main_module)),
        ("mainPath", string(scope, &main_path)),
        (
            "pid",
            v8::Integer::new_from_unsigned(scope, std::process::id()).into(),
        ),
        ("noColor", v8::Boolean::new(scope, no_color).into()),
        (
            "workerName",
            match worker::name() {
                Some(name) => string(scope, &name),
                None => v8::undefined(scope).into(),
            },
        ),
    ];
    for (key, value) in entries {
        let k = string(scope, key);
        object.set(scope, k, value);
    }
    object
}

/// V8's platform: the event loop runs the tasks V8 posts to it for the
/// isolate's thread (FinalizationRegistry cleanups, GC work).
static PLATFORM: std::sync::OnceLock<v8::SharedRef<v8::Platform>> = std::sync::OnceLock::new();

/// Runs the tasks V8 has posted for this thread, without waiting for more.
fn run_platform_tasks(scope: &mut v8::PinScope) {
    if let Some(platform) = PLATFORM.get() {
        while v8::Platform::pump_message_loop(platform, scope, false) {}
    }
}

/// Runs microtasks, messages from other threads and timers until nothing
/// is left to do: no timer, no nonblocking call in flight, no `ref()`ed
/// callback, no `beforeunload` listener asking for more. Dispatches `load`
/// once the main module (`main`) has settled. `Err` carries the exit
/// status of an uncaught error.
fn event_loop(scope: &mut v8::PinScope, main: &v8::Global<v8::Promise>) -> Result<(), u8> {
    /// Messages handled per turn, so a flood of them cannot starve timers.
    const MESSAGES_PER_TURN: usize = 1024;
    let mut loaded = false;
    let Some(binding) = binding() else {
        return Err(uncaught("", "the FFI binding is not installed"));
    };
    loop {
        // Each turn's handles go with it.
        v8::scope!(let scope, scope);
        if worker::stopping() {
            return Ok(());
        }
        binding.turn();
        let received = deliver_to_worker(scope)?;
        run_platform_tasks(scope);
        scope.perform_microtask_checkpoint();
        drain_ticks(scope)?;
        // The main module's own rejection waits for this turn's timers.
        report_unhandled(scope, Some(main))?;
        // As Deno: `load` once the main module has settled, even rejected
        // (its rejection is reported after this turn's timers).
        if !loaded && v8::Local::new(scope, main).state() != v8::PromiseState::Pending {
            loaded = true;
            dispatch(scope, "load")?;
            scope.perform_microtask_checkpoint();
        }
        let mut delivered = 0;
        while delivered < MESSAGES_PER_TURN
            && let Some(message) = binding.try_next()
        {
            deliver(scope, &binding, message)?;
            delivered += 1;
        }
        let next = state::with(|s| s.timers.first_key_value().map(|(k, id)| (*k, *id)));
        let due = next.filter(|(key, _)| key.0 <= Instant::now());
        if let Some((key, id)) = due {
            state::with(|s| s.timers.remove(&key));
            fire_timer(scope, id)?;
            scope.perform_microtask_checkpoint();
        }
        report_unhandled(scope, None)?;
        if due.is_some() || delivered > 0 || received {
            continue;
        }
        let deadline = next.map(|(key, _)| key.0);
        // Unreferenced timers still fire while something else keeps the
        // loop alive, but do not keep it alive themselves.
        if !state::timers_keep_alive() && !binding.keeps_alive() && !worker::keeps_alive() {
            // A `beforeunload` listener that prevents the default asks for
            // another turn (as in Deno, even with nothing scheduled).
            if loaded && dispatch(scope, "beforeunload")? {
                continue;
            }
            return Ok(());
        }
        // Other threads may post even when nothing keeps the loop alive (an
        // unref'd callback): wait for them and the next timer alike.
        if let Some(message) = binding.next(deadline) {
            deliver(scope, &binding, message)?;
            // Whatever else arrived meanwhile goes in the same turn.
            let mut delivered = 1;
            while delivered < MESSAGES_PER_TURN
                && let Some(message) = binding.try_next()
            {
                deliver(scope, &binding, message)?;
                delivered += 1;
            }
        }
    }
}

/// Hands a message from another thread to the binding, and what it gives
/// back (a worker's event) to the worker code; `Err` if a worker's error
/// went unhandled.
fn deliver(
    scope: &mut v8::PinScope,
    binding: &deno::Binding,
    message: deno::Message,
) -> Result<(), u8> {
    let Some(payload) = binding.deliver(scope, message) else {
        return Ok(());
    };
    let Some(hooks) = state::with(|s| s.hooks.clone()) else {
        return Ok(());
    };
    let dispatch = v8::Local::new(scope, &hooks.worker_event);
    worker::handle(scope, payload, dispatch).map_err(|()| 1)?;
    scope.perform_microtask_checkpoint();
    Ok(())
}

/// In a worker, dispatches the messages its parent sent; whether there
/// were any.
fn deliver_to_worker(scope: &mut v8::PinScope) -> Result<bool, u8> {
    let messages = worker::take_messages();
    if messages.is_empty() {
        return Ok(false);
    }
    let Some(hooks) = state::with(|s| s.hooks.clone()) else {
        return Ok(false);
    };
    for message in messages {
        let Some(data) = clone::deserialize(scope, message) else {
            continue;
        };
        let hook = v8::Local::new(scope, &hooks.worker_message);
        call_hook(scope, hook, &[data])?;
        scope.perform_microtask_checkpoint();
        if worker::stopping() {
            break;
        }
    }
    Ok(true)
}

/// Dispatches an unhandledrejection event for each promise rejected with
/// no handler (but `except`); the first whose event no listener prevented
/// is fatal.
fn report_unhandled(
    scope: &mut v8::PinScope,
    except: Option<&v8::Global<v8::Promise>>,
) -> Result<(), u8> {
    while let Some((promise, reason)) = errors::take_unhandled(except) {
        let Some(hooks) = state::with(|s| s.hooks.clone()) else {
            let reason = v8::Local::new(scope, reason);
            let text = errors::describe(scope, reason);
            return Err(uncaught("Uncaught (in promise) ", &text));
        };
        let hook = v8::Local::new(scope, &hooks.rejection);
        let promise = v8::Local::new(scope, promise);
        let reason = v8::Local::new(scope, reason);
        let prevented = call_hook(scope, hook, &[promise.into(), reason])?;
        if !prevented {
            let text = errors::describe(scope, reason);
            return Err(uncaught("Uncaught (in promise) ", &text));
        }
        scope.perform_microtask_checkpoint();
    }
    Ok(())
}

/// Runs the callbacks `process.nextTick` queued, then the promise jobs
/// they queued.
fn drain_ticks(scope: &mut v8::PinScope) -> Result<(), u8> {
    if !state::with(|s| std::mem::take(&mut s.ticks_pending)) {
        return Ok(());
    }
    let Some(hooks) = state::with(|s| s.hooks.clone()) else {
        return Ok(());
    };
    let hook = v8::Local::new(scope, &hooks.ticks);
    call_hook(scope, hook, &[])?;
    scope.perform_microtask_checkpoint();
    Ok(())
}

/// Dispatches `load`, `beforeunload` or `unload` on the global; whether a
/// listener prevented the default.
fn dispatch(scope: &mut v8::PinScope, event: &str) -> Result<bool, u8> {
    let Some(hooks) = state::with(|s| s.hooks.clone()) else {
        return Ok(false);
    };
    let hook = v8::Local::new(scope, &hooks.dispatch);
    let name = v8::String::new(scope, event).expect("short string");
    call_hook(scope, hook, &[name.into()])
}

/// Calls one of the bootstrap's hooks; its result as a boolean, or the exit
/// status if it threw (listeners' errors are reported inside, so only a
/// broken host gets here).
fn call_hook(
    scope: &mut v8::PinScope,
    hook: v8::Local<v8::Function>,
    args: &[v8::Local<v8::Value>],
) -> Result<bool, u8> {
    v8::tc_scope!(let tc, scope);
    let undefined = v8::undefined(tc).into();
    match hook.call(tc, undefined, args) {
        Some(result) => Ok(result.is_true()),
        None => {
            let exception = tc.exception();
            let text = errors::caught(tc, exception);
            Err(uncaught("Uncaught ", &text))
        }
    }
}

/// Runs timer `id`'s JS; `Err` carries the exit status if it threw.
fn fire_timer(scope: &mut v8::PinScope, id: u32) -> Result<(), u8> {
    let Some(hooks) = state::with(|s| s.hooks.clone()) else {
        return Ok(());
    };
    let fire = v8::Local::new(scope, &hooks.fire_timer);
    v8::tc_scope!(let tc, scope);
    let undefined = v8::undefined(tc).into();
    let id = v8::Integer::new_from_unsigned(tc, id).into();
    if fire.call(tc, undefined, &[id]).is_none() {
        let exception = tc.exception();
        let text = errors::caught(tc, exception);
        return Err(uncaught("Uncaught ", &text));
    }
    Ok(())
}
