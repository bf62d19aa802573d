//! `ffic run`: runs an ES module in a V8 isolate with the globals FFI scripts
//! use around their calls (console, timers, TextEncoder/TextDecoder,
//! performance, the `Deno` namespace), and drives its event loop: microtasks,
//! finished nonblocking calls and callbacks from other threads, timers, then
//! the main module's completion. An uncaught exception or
//! unhandled rejection prints the error and exits 1, as Deno does.

mod errors;
pub mod flags;
#[cfg(feature = "bench-floor")]
mod floor;
mod modules;
mod natives;
mod permissions;
mod sourcemaps;
mod state;
mod typescript;

use ffic_loader::deno;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// What `ffic run` was asked to do.
#[derive(Debug)]
pub struct RunOptions {
    /// The main module.
    pub script: PathBuf,
    /// `Deno.args`.
    pub args: Vec<String>,
    /// `--v8-flags`, comma-separated as in Deno.
    pub v8_flags: Option<String>,
    /// `--allow-ffi`: `None` denies, an empty list allows every library.
    pub allow_ffi: Option<Vec<PathBuf>>,
    /// `--allow-env`: `None` denies, an empty list allows every variable.
    pub allow_env: Option<Vec<String>>,
    /// `--trace-ffi`.
    pub trace_ffi: bool,
    /// `-q`: no warnings or notices.
    pub quiet: bool,
    /// Whether any permission flag was given (`-A`, `--allow-*`).
    pub permissions_granted: bool,
    /// What the flags ask to tell the user before the script runs.
    pub notices: Vec<String>,
}

const BOOTSTRAP: &str = include_str!("bootstrap.js");

/// Runs the script to completion and gives the process exit status.
pub fn run(options: &RunOptions) -> ExitCode {
    if !options.quiet {
        for notice in &options.notices {
            eprintln!("{notice}");
        }
    }
    let script = match std::fs::canonicalize(&options.script) {
        Ok(path) => path,
        Err(e) => {
            eprintln!(
                "error: Module not found \"{}\": {e}",
                options.script.display()
            );
            return ExitCode::FAILURE;
        }
    };
    // A script allowed FFI will likely check a descriptor: build the
    // schema validators while V8 starts, off its first Deno.dlopen.
    if options.allow_ffi.is_some() {
        std::thread::spawn(ffic_schema::prepare);
    }
    if let Some(flags) = &options.v8_flags {
        let flags: Vec<String> = flags.split(',').map(|f| f.trim().to_owned()).collect();
        v8::V8::set_flags_from_string(&flags.join(" "));
    }
    let platform = PLATFORM.get_or_init(|| v8::new_default_platform(0, false).make_shared());
    v8::V8::initialize_platform(platform.clone());
    v8::V8::initialize();
    let isolate = &mut v8::Isolate::new(v8::CreateParams::default());
    isolate.set_microtasks_policy(v8::MicrotasksPolicy::Explicit);
    isolate.set_host_initialize_import_meta_object_callback(modules::import_meta);
    isolate.set_host_import_module_dynamically_callback(modules::import_dynamically);
    isolate.set_promise_reject_callback(errors::promise_rejected);
    permissions::set_allowed(options.allow_ffi.clone());
    let code = execute(isolate, &script, options);
    deno::trace_calls();
    // Other threads stop waiting on this isolate; handles, callbacks and
    // libraries go before the isolate does.
    deno::leave();
    state::clear();
    ExitCode::from(code)
}

/// Reports an uncaught error as Deno does and gives the exit status.
fn uncaught(prefix: &str, text: &str) -> u8 {
    if prefix.starts_with("Uncaught") {
        eprintln!("error: {prefix}{}", errors::with_source_line(text));
    } else {
        eprintln!("error: {prefix}{text}");
    }
    1
}

fn execute(isolate: &mut v8::Isolate, script: &Path, options: &RunOptions) -> u8 {
    let raw: *mut v8::Isolate = isolate;
    v8::scope!(let scope, isolate);
    let context = v8::Context::new(scope, Default::default());
    deno::enter(raw, v8::Global::new(scope, context), options.trace_ffi);
    let scope = &mut v8::ContextScope::new(scope, context);
    state::with(|s| s.started = Some(Instant::now()));
    if let Err(e) = bootstrap(scope, options) {
        return uncaught("bootstrap failed: ", &e);
    }
    let module = match modules::load_graph(scope, script, false, true) {
        Ok(module) => module,
        Err(e) => return uncaught("", &e),
    };
    let promise = {
        v8::tc_scope!(let tc, scope);
        if module.instantiate_module(tc, modules::resolve_callback) != Some(true) {
            let exception = tc.exception();
            let text = errors::caught(tc, exception);
            return uncaught("", &text);
        }
        let Some(result) = module.evaluate(tc) else {
            let exception = tc.exception();
            let text = errors::caught(tc, exception);
            return uncaught("Uncaught ", &text);
        };
        match v8::Local::<v8::Promise>::try_from(result) {
            Ok(p) => v8::Global::new(tc, p),
            Err(_) => return 0,
        }
    };
    if let Err(code) = event_loop(scope) {
        return code;
    }
    let promise = v8::Local::new(scope, &promise);
    match promise.state() {
        v8::PromiseState::Fulfilled => state::with(|s| s.exit_code),
        v8::PromiseState::Rejected => {
            let reason = promise.result(scope);
            let text = errors::describe(scope, reason);
            uncaught("Uncaught (in promise) ", &text)
        }
        v8::PromiseState::Pending => uncaught("", "Top-level await promise never resolved"),
    }
}

/// Installs the globals: runs `bootstrap.js` with the natives and the
/// script's arguments and build information.
fn bootstrap(scope: &mut v8::PinScope, options: &RunOptions) -> Result<(), String> {
    v8::tc_scope!(let tc, scope);
    macro_rules! fail {
        ($what:literal) => {{
            let exception = tc.exception();
            format!("{}: {}", $what, errors::caught(tc, exception))
        }};
    }
    let code = v8::String::new(tc, BOOTSTRAP).ok_or("bootstrap source")?;
    let Some(script) = v8::Script::compile(tc, code, None) else {
        return Err(fail!("compile"));
    };
    let Some(function) = script
        .run(tc)
        .and_then(|f| v8::Local::<v8::Function>::try_from(f).ok())
    else {
        return Err(fail!("run"));
    };
    let natives = natives::object(tc);
    let info = info(tc, options);
    let undefined = v8::undefined(tc).into();
    if function
        .call(tc, undefined, &[natives.into(), info.into()])
        .is_none()
    {
        return Err(fail!("call"));
    }
    Ok(())
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
    let allow_env: v8::Local<v8::Value> = match &options.allow_env {
        None => v8::null(scope).into(),
        Some(names) => {
            let names: Vec<_> = names.iter().map(|n| string(scope, n)).collect();
            v8::Array::new_with_elements(scope, &names).into()
        }
    };
    let main_module = std::fs::canonicalize(&options.script)
        .map(|path| modules::file_url(&path))
        .unwrap_or_default();
    let no_color = std::env::var_os("NO_COLOR").is_some();
    let entries = [
        ("args", args.into()),
        ("execPath", string(scope, &exec_path)),
        ("build", build.into()),
        ("hintPermissionFlags", v8::Boolean::new(scope, hint).into()),
        ("allowEnv", allow_env),
        ("mainModule", string(scope, &main_module)),
        (
            "pid",
            v8::Integer::new_from_unsigned(scope, std::process::id()).into(),
        ),
        ("noColor", v8::Boolean::new(scope, no_color).into()),
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
/// callback. `Err` carries the exit status of an uncaught error.
fn event_loop(scope: &mut v8::PinScope) -> Result<(), u8> {
    /// Messages handled per turn, so a flood of them cannot starve timers.
    const MESSAGES_PER_TURN: usize = 1024;
    loop {
        // Each turn's handles go with it.
        v8::scope!(let scope, scope);
        deno::turn();
        run_platform_tasks(scope);
        scope.perform_microtask_checkpoint();
        if let Some(text) = errors::take_unhandled(scope) {
            return Err(uncaught("Uncaught (in promise) ", &text));
        }
        let mut delivered = 0;
        while delivered < MESSAGES_PER_TURN
            && let Some(message) = deno::try_next()
        {
            deno::deliver(scope, message);
            delivered += 1;
        }
        let next = state::with(|s| s.timers.first_key_value().map(|(k, id)| (*k, *id)));
        if let Some((key, id)) = next.filter(|(key, _)| key.0 <= Instant::now()) {
            state::with(|s| s.timers.remove(&key));
            fire_timer(scope, id)?;
            continue;
        }
        if delivered > 0 {
            continue;
        }
        let deadline = next.map(|(key, _)| key.0);
        // Unreferenced timers still fire while something else keeps the
        // loop alive, but do not keep it alive themselves.
        if !state::timers_keep_alive() && !deno::keeps_alive() {
            return Ok(());
        }
        // Other threads may post even when nothing keeps the loop alive (an
        // unref'd callback): wait for them and the next timer alike.
        if let Some(message) = deno::next(deadline) {
            deno::deliver(scope, message);
        }
    }
}

/// Runs timer `id`'s JS; `Err` carries the exit status if it threw.
fn fire_timer(scope: &mut v8::PinScope, id: u32) -> Result<(), u8> {
    let Some(fire) = state::with(|s| s.fire_timer.clone()) else {
        return Ok(());
    };
    let fire = v8::Local::new(scope, &fire);
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
