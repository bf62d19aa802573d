//! The native functions the bootstrap script builds the globals from
//! (console output, timers, the clock, UTF-8, process exit and status,
//! environment variables, the working directory, memory figures).
//! They are handed to `bootstrap.js` on one object and never exposed to
//! user scripts directly.

use super::errors::throw_type_error;
use super::state;
use ffic_deno::set_function;
use std::io::Write;
use std::time::Duration;

type Args<'s> = v8::FunctionCallbackArguments<'s>;
type Ret<'s> = v8::ReturnValue<'s, v8::Value>;

/// `print(text, toStderr)`: writes `text` and a newline.
fn print(scope: &mut v8::PinScope, args: Args, _: Ret) {
    let text = args.get(0).to_rust_string_lossy(scope);
    let result = if args.get(1).is_true() {
        writeln!(std::io::stderr(), "{text}")
    } else {
        writeln!(std::io::stdout().lock(), "{text}")
    };
    // A closed pipe is the reader's choice: stop quietly (stock Deno
    // ignores the failed write and runs on; see tests/run.rs).
    if result.is_err() {
        closed_pipe(scope);
    }
}

/// `write(text)`: writes `text` to stdout as it is (no newline).
fn write(scope: &mut v8::PinScope, args: Args, _: Ret) {
    let text = args.get(0).to_rust_string_lossy(scope);
    let mut out = std::io::stdout().lock();
    // A closed pipe is the reader's choice: stop quietly (stock Deno
    // ignores the failed write and runs on; see tests/run.rs).
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        closed_pipe(scope);
    }
}

/// Ends the process quietly when stdout is gone, as [`finish`] does: the
/// binding closed while this thread's state is alive (closing it from
/// exit's thread-local destructors aborted), the cache's stores written.
fn closed_pipe(scope: &v8::PinScope) -> ! {
    finish(scope, 0)
}

/// `now()`: milliseconds since the host started, with sub-millisecond precision.
fn now(scope: &mut v8::PinScope, _: Args, mut rv: Ret) {
    let started = state::with(|s| *s.started.get_or_insert_with(std::time::Instant::now));
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    rv.set(v8::Number::new(scope, ms).into());
}

/// `timerStart(id, delayMs)`.
fn timer_start(scope: &mut v8::PinScope, args: Args, _: Ret) {
    let id = args.get(0).uint32_value(scope).unwrap_or(0);
    let delay = args.get(1).number_value(scope).unwrap_or(0.0);
    // As in browsers and Deno: NaN, negative and tiny delays mean "now".
    let delay = if delay.is_finite() && delay > 0.0 {
        Duration::from_secs_f64(delay.min(2_147_483_647.0) / 1000.0)
    } else {
        Duration::ZERO
    };
    state::start_timer(id, delay);
}

/// `timerRef(id, referenced)`: whether timer `id` keeps the event loop alive.
fn timer_ref(scope: &mut v8::PinScope, args: Args, _: Ret) {
    let id = args.get(0).uint32_value(scope).unwrap_or(0);
    state::reference_timer(id, args.get(1).is_true());
}

/// `timerCancel(id)`.
fn timer_cancel(scope: &mut v8::PinScope, args: Args, _: Ret) {
    let id = args.get(0).uint32_value(scope).unwrap_or(0);
    state::cancel_timer(id);
}

/// `exit(code)`: flushes output and ends the process at once, as `Deno.exit`.
fn exit(scope: &mut v8::PinScope, args: Args, _: Ret) {
    let code = args.get(0).int32_value(scope).unwrap_or(0);
    if super::worker::in_worker() {
        // As in Deno, a worker's Deno.exit() ends the worker alone.
        super::worker::close();
        scope.terminate_execution();
        return;
    }
    finish(scope, code);
}

/// `fatal(error)`: reports an uncaught error as Deno does and ends the
/// process with status 1 (no `unload`, as in Deno).
fn fatal(scope: &mut v8::PinScope, args: Args, _: Ret) {
    let text = super::errors::describe(scope, args.get(0));
    super::uncaught("Uncaught ", &text);
    if super::worker::in_worker() {
        // The worker alone ends: its JS stops here.
        scope.terminate_execution();
        return;
    }
    finish(scope, 1);
}

/// Ends the process: compiled code kept, FFI trace counts out, other
/// threads released, the cache's stores written, output flushed.
fn finish(scope: &v8::PinScope, code: i32) -> ! {
    super::keep_compiled(scope);
    super::close_binding();
    ffic_loader::cache::finish_stores();
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    std::process::exit(code);
}

/// `setExitCode(code)`: the status when the script ends by itself.
fn set_exit_code(scope: &mut v8::PinScope, args: Args, _: Ret) {
    let code = args.get(0).int32_value(scope).unwrap_or(0);
    // A process status is 8 bits, as Deno's becomes.
    state::with(|s| s.exit_code = code as u8);
}

/// An environment variable's name, or a TypeError as Deno words it.
fn env_key(scope: &mut v8::PinScope, key: v8::Local<v8::Value>) -> Option<String> {
    let key = key.to_rust_string_lossy(scope);
    if let Err(message) = super::permissions::check("env", Some(&key)) {
        super::errors::throw_deno(scope, "NotCapable", &message, None);
        return None;
    }
    if key.is_empty() {
        throw_type_error(scope, "Key is an empty string.");
        return None;
    }
    if key.contains(['=', '\0']) {
        throw_type_error(scope, &format!("Key contains invalid characters: {key:?}"));
        return None;
    }
    Some(key)
}

/// `envGet(key)`: the variable's value, or `undefined`.
fn env_get(scope: &mut v8::PinScope, args: Args, mut rv: Ret) {
    let Some(key) = env_key(scope, args.get(0)) else {
        return;
    };
    if let Some(value) = std::env::var_os(&key) {
        let value = value.to_string_lossy();
        if let Some(value) = v8::String::new(scope, &value) {
            rv.set(value.into());
        }
    }
}

/// `envSet(key, value)`.
fn env_set(scope: &mut v8::PinScope, args: Args, _: Ret) {
    let Some(key) = env_key(scope, args.get(0)) else {
        return;
    };
    let value = args.get(1).to_rust_string_lossy(scope);
    if value.contains('\0') {
        return throw_type_error(
            scope,
            &format!("Value contains invalid characters: {value:?}"),
        );
    }
    // SAFETY: ffic reads the environment on this thread only (the cache
    // location and FFIC_JIT, at each dlopen), never on its other threads.
    // Native code a script runs on other threads (a nonblocking call) may
    // call getenv meanwhile, which glibc does not make safe against setenv:
    // that is the script's choice, exactly as with Deno.env.set in Deno,
    // which makes the same call.
    unsafe { std::env::set_var(key, value) };
}

/// `envDelete(key)`.
fn env_delete(scope: &mut v8::PinScope, args: Args, _: Ret) {
    let Some(key) = env_key(scope, args.get(0)) else {
        return;
    };
    // SAFETY: as in `env_set`.
    unsafe { std::env::remove_var(key) };
}

/// `envToObject()`: every variable, as an object.
fn env_to_object(scope: &mut v8::PinScope, _: Args, mut rv: Ret) {
    if let Err(message) = super::permissions::check("env", None) {
        return super::errors::throw_deno(scope, "NotCapable", &message, None);
    }
    let object = v8::Object::new(scope);
    for (key, value) in std::env::vars_os() {
        let (Some(k), Some(v)) = (
            v8::String::new(scope, &key.to_string_lossy()),
            v8::String::new(scope, &value.to_string_lossy()),
        ) else {
            continue;
        };
        object.set(scope, k.into(), v.into());
    }
    rv.set(object.into());
}

/// `cwd()`: the working directory.
fn cwd(scope: &mut v8::PinScope, _: Args, mut rv: Ret) {
    match std::env::current_dir() {
        Ok(dir) => {
            if let Some(dir) = v8::String::new(scope, &dir.to_string_lossy()) {
                rv.set(dir.into());
            }
        }
        Err(e) => throw_type_error(scope, &e.to_string()),
    }
}

/// `randomFill(view)`: fills an integer typed array (checked by the caller)
/// from the kernel's random source.
fn random_fill(scope: &mut v8::PinScope, args: Args, _: Ret) {
    let Some((data, len)) = ffic_deno::bytes_of(args.get(0)) else {
        return throw_type_error(scope, "expected a typed array");
    };
    if len == 0 {
        return;
    }
    // SAFETY: `data` points at the view's `len` live bytes, which V8 never
    // moves and no other code touches during this call.
    let bytes = unsafe { std::slice::from_raw_parts_mut(data.cast::<u8>(), len) };
    if fill_random(bytes).is_err() {
        throw_type_error(scope, "the random source failed");
    }
}

/// Fills `bytes` from the kernel's random source.
pub fn fill_random(bytes: &mut [u8]) -> std::io::Result<()> {
    let mut filled = 0;
    while filled < bytes.len() {
        let rest = &mut bytes[filled..];
        // SAFETY: getrandom writes at most `rest.len()` bytes into `rest`.
        let n = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        if n < 0 {
            let error = std::io::Error::last_os_error();
            if error.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(error);
        }
        filled += n as usize;
    }
    Ok(())
}

/// `hardwareConcurrency()`: the CPUs this process may run on.
fn hardware_concurrency(scope: &mut v8::PinScope, _: Args, mut rv: Ret) {
    let n = std::thread::available_parallelism().map_or(1, |n| n.get());
    rv.set(v8::Integer::new_from_unsigned(scope, n as u32).into());
}

/// Resident set size in bytes, from `/proc/self/statm`.
fn rss() -> f64 {
    let pages = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<f64>().ok())
        .unwrap_or(0.0);
    // SAFETY: sysconf has no preconditions; it only reads a constant here.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * page as f64
}

/// `memoryUsage()`: `{ rss, heapTotal, heapUsed, external }` as `Deno.memoryUsage`.
fn memory_usage(scope: &mut v8::PinScope, _: Args, mut rv: Ret) {
    let heap = scope.get_heap_statistics();
    let object = v8::Object::new(scope);
    for (name, value) in [
        ("rss", rss()),
        ("heapTotal", heap.total_heap_size() as f64),
        ("heapUsed", heap.used_heap_size() as f64),
        ("external", heap.external_memory() as f64),
    ] {
        let key = v8::String::new(scope, name).expect("short string");
        let value = v8::Number::new(scope, value);
        object.set(scope, key.into(), value.into());
    }
    rv.set(object.into());
}

/// `encodeUtf8(string)`: a `Uint8Array` of its UTF-8 (lone surrogates become
/// U+FFFD, as `TextEncoder` does).
fn encode_utf8(scope: &mut v8::PinScope, args: Args, mut rv: Ret) {
    let text = args.get(0).to_rust_string_lossy(scope);
    let len = text.len();
    let store = v8::ArrayBuffer::new_backing_store_from_vec(text.into_bytes()).make_shared();
    let buffer = v8::ArrayBuffer::with_backing_store(scope, &store);
    if let Some(array) = v8::Uint8Array::new(scope, buffer, 0, len) {
        rv.set(array.into());
    }
}

/// `decodeUtf8(view, fatal, ignoreBOM)`: the text of UTF-8 bytes, as
/// `TextDecoder.decode` does.
fn decode_utf8(scope: &mut v8::PinScope, args: Args, mut rv: Ret) {
    let value = args.get(0);
    let bytes: Vec<u8> = match ffic_deno::bytes_of(value) {
        // SAFETY: the buffer behind `value` (a live handle) holds `len`
        // bytes at `data`, and V8 never moves it.
        Some((data, len)) if len > 0 => unsafe {
            std::slice::from_raw_parts(data.cast::<u8>(), len).to_vec()
        },
        Some(_) => Vec::new(),
        None if value.is_undefined() => Vec::new(),
        None => {
            return throw_type_error(
                scope,
                "The provided value is not of type '(ArrayBuffer or ArrayBufferView)'",
            );
        }
    };
    let fatal = args.get(1).is_true();
    let ignore_bom = args.get(2).is_true();
    let mut bytes = bytes.as_slice();
    if !ignore_bom && bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes = &bytes[3..];
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) if fatal => return throw_type_error(scope, "The encoded data is not valid."),
        Err(_) => String::from_utf8_lossy(bytes),
    };
    if let Some(string) = v8::String::new(scope, &text) {
        rv.set(string.into());
    }
}

/// `parseUrl(input, base?)`: the WHATWG parts of a URL, `[href, protocol,
/// username, password, host, hostname, port, pathname, search, hash,
/// origin]`, for the bootstrap's `URL`; a TypeError as Deno's when invalid.
fn parse_url(scope: &mut v8::PinScope, args: Args, mut rv: Ret) {
    let input = args.get(0).to_rust_string_lossy(scope);
    let base = args.get(1);
    let parsed = if base.is_undefined() {
        url::Url::parse(&input)
    } else {
        let base = base.to_rust_string_lossy(scope);
        url::Url::parse(&base).and_then(|b| b.join(&input))
    };
    let Ok(url) = parsed else {
        return throw_type_error(scope, &format!("Invalid URL: '{input}'"));
    };
    let dotted = |s: Option<&str>, prefix: &str| {
        s.filter(|s| !s.is_empty())
            .map_or(String::new(), |s| format!("{prefix}{s}"))
    };
    let parts = [
        url.as_str().to_string(),
        format!("{}:", url.scheme()),
        url.username().to_string(),
        url.password().unwrap_or("").to_string(),
        url.host_str().map_or(String::new(), |h| match url.port() {
            Some(p) => format!("{h}:{p}"),
            None => h.to_string(),
        }),
        url.host_str().unwrap_or("").to_string(),
        url.port().map_or(String::new(), |p| p.to_string()),
        url.path().to_string(),
        dotted(url.query(), "?"),
        dotted(url.fragment(), "#"),
        url.origin().ascii_serialization(),
    ];
    let parts: Vec<v8::Local<v8::Value>> = parts
        .iter()
        .map(|p| v8::String::new(scope, p).expect("URL part").into())
        .collect();
    rv.set(v8::Array::new_with_elements(scope, &parts).into());
}

/// `queueMicrotask(fn)`.
fn queue_microtask(scope: &mut v8::PinScope, args: Args, _: Ret) {
    match v8::Local::<v8::Function>::try_from(args.get(0)) {
        Ok(f) => scope.enqueue_microtask(f),
        Err(_) => throw_type_error(
            scope,
            "The callback provided as parameter 1 is not a function.",
        ),
    }
}

/// `setHooks({ fireTimer, dispatch, rejection, error, ticks, runTests,
/// workerEvent, workerMessage })`: the bootstrap's
/// functions the event loop calls (see [`state::Hooks`]).
fn set_hooks(scope: &mut v8::PinScope, args: Args, _: Ret) {
    let Ok(object) = v8::Local::<v8::Object>::try_from(args.get(0)) else {
        return;
    };
    let get = |name: &str| {
        let key = v8::String::new(scope, name).expect("short string");
        let value = object.get(scope, key.into())?;
        let function = v8::Local::<v8::Function>::try_from(value).ok()?;
        Some(v8::Global::new(scope, function))
    };
    let (
        Some(fire_timer),
        Some(dispatch),
        Some(rejection),
        Some(error),
        Some(ticks),
        Some(run_tests),
    ) = (
        get("fireTimer"),
        get("dispatch"),
        get("rejection"),
        get("error"),
        get("ticks"),
        get("runTests"),
    )
    else {
        return;
    };
    let (Some(worker_event), Some(worker_message)) = (get("workerEvent"), get("workerMessage"))
    else {
        return;
    };
    state::with(|s| {
        s.hooks = Some(std::rc::Rc::new(state::Hooks {
            fire_timer,
            dispatch,
            rejection,
            error,
            ticks,
            run_tests,
            worker_event,
            worker_message,
        }))
    });
}

/// `ticksQueued()`: `process.nextTick` queued callbacks, for the loop to run.
fn ticks_queued(_: &mut v8::PinScope, _: Args, _: Ret) {
    state::with(|s| s.ticks_pending = true);
}

/// The permission `name` names, if Deno has it.
fn permission_name(scope: &mut v8::PinScope, name: v8::Local<v8::Value>) -> Option<&'static str> {
    let name = name.to_rust_string_lossy(scope);
    super::permissions::NAMES.into_iter().find(|n| *n == name)
}

/// `permissionQuery(name, item)`: "granted", "denied" or "prompt" (the
/// caller checked the name).
fn permission_query(scope: &mut v8::PinScope, args: Args, mut rv: Ret) {
    let Some(name) = permission_name(scope, args.get(0)) else {
        return;
    };
    let item = (!args.get(1).is_undefined()).then(|| args.get(1).to_rust_string_lossy(scope));
    let state = super::permissions::query(name, item.as_deref());
    rv.set(v8::String::new(scope, state).expect("short string").into());
}

/// `permissionRefused(name, item)`: remembers a refusal the bootstrap made.
fn permission_refused(scope: &mut v8::PinScope, args: Args, _: Ret) {
    if let Some(name) = permission_name(scope, args.get(0)) {
        let item = (!args.get(1).is_undefined()).then(|| args.get(1).to_rust_string_lossy(scope));
        super::permissions::refused(name, item.as_deref());
    }
}

/// The object of native functions passed to `bootstrap.js`.
pub fn object<'s>(scope: &mut v8::PinScope<'s, '_>) -> v8::Local<'s, v8::Object> {
    let object = v8::Object::new(scope);
    set_function(scope, object, "print", print);
    set_function(scope, object, "now", now);
    set_function(scope, object, "timerStart", timer_start);
    set_function(scope, object, "timerCancel", timer_cancel);
    set_function(scope, object, "timerRef", timer_ref);
    set_function(scope, object, "setHooks", set_hooks);
    set_function(scope, object, "fatal", fatal);
    set_function(scope, object, "exit", exit);
    set_function(scope, object, "setExitCode", set_exit_code);
    set_function(scope, object, "envGet", env_get);
    set_function(scope, object, "envSet", env_set);
    set_function(scope, object, "envDelete", env_delete);
    set_function(scope, object, "envToObject", env_to_object);
    set_function(scope, object, "cwd", cwd);
    set_function(scope, object, "randomFill", random_fill);
    set_function(scope, object, "hardwareConcurrency", hardware_concurrency);
    set_function(scope, object, "memoryUsage", memory_usage);
    set_function(scope, object, "encodeUtf8", encode_utf8);
    set_function(scope, object, "decodeUtf8", decode_utf8);
    set_function(scope, object, "queueMicrotask", queue_microtask);
    set_function(scope, object, "parseUrl", parse_url);
    set_function(scope, object, "permissionQuery", permission_query);
    set_function(scope, object, "permissionRefused", permission_refused);
    super::fs::install(scope, object);
    super::clone::install(scope, object);
    super::testing::install(scope, object);
    super::worker::install(scope, object);
    set_function(scope, object, "write", write);
    set_function(scope, object, "ticksQueued", ticks_queued);
    #[cfg(feature = "bench-floor")]
    set_function(scope, object, "fficFloor", super::floor::open);
    object
}
