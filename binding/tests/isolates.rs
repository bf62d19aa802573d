//! The binding in isolates of one's own: two isolates on two threads using
//! one library at once, each getting its own results, nonblocking calls and
//! callbacks back; a custom policy refusing a library, pointers and
//! callbacks; one binding per thread at a time.

use ffic_deno::{AllowFfi, Binding, Config, InstallError, Policy, Refusal};
use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Once};

fn init_v8() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        v8::V8::initialize_platform(v8::new_default_platform(0, false).make_shared());
        v8::V8::initialize();
    });
}

thread_local! {
    static PRINTED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn print(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, _: v8::ReturnValue) {
    let text = args.get(0).to_rust_string_lossy(scope);
    PRINTED.with(|p| p.borrow_mut().push(text));
}

/// Runs `script` in a new isolate on this thread with the binding on `ffi`
/// (and the test library's path as `lib`), drives its loop to the end, and
/// gives what it printed.
fn run(config: Config, script: &str) -> Vec<String> {
    init_v8();
    PRINTED.with(|p| p.borrow_mut().clear());
    let isolate = &mut v8::Isolate::new(v8::CreateParams::default());
    v8::scope!(let scope, isolate);
    let context = v8::Context::new(scope, Default::default());
    let scope = &mut v8::ContextScope::new(scope, context);
    let ffi = v8::Object::new(scope);
    // SAFETY: dropped at the end of this function, before the isolate.
    let binding = unsafe { Binding::install(scope, ffi, config) }.unwrap();
    let global = context.global(scope);
    let library = ffic_testlib::library_path().to_str().unwrap();
    let values: [(&str, v8::Local<v8::Value>); 3] = [
        ("ffi", ffi.into()),
        ("print", v8::Function::new(scope, print).unwrap().into()),
        ("lib", v8::String::new(scope, library).unwrap().into()),
    ];
    for (name, value) in values {
        let name = v8::String::new(scope, name).unwrap();
        global.set(scope, name.into(), value);
    }
    {
        v8::tc_scope!(let tc, scope);
        let source = v8::String::new(tc, script).unwrap();
        let ran = v8::Script::compile(tc, source, None).and_then(|s| s.run(tc));
        if ran.is_none() {
            let text = tc.exception().unwrap().to_rust_string_lossy(tc);
            panic!("script threw: {text}");
        }
    }
    scope.perform_microtask_checkpoint();
    while binding.keeps_alive() {
        binding.turn();
        if let Some(message) = binding.next(None) {
            binding.deliver(scope, message);
        }
        scope.perform_microtask_checkpoint();
    }
    drop(binding);
    PRINTED.with(|p| p.borrow_mut().drain(..).collect())
}

fn allow_all() -> Config {
    Config::new(Box::new(AllowFfi(Some(Vec::new()))))
}

/// Per isolate `k`: 1M fast-path calls summed, a nonblocking call, and a
/// thread-safe callback called from a native thread.
fn busy_script(k: u32) -> String {
    format!(
        r#"
const l = ffi.dlopen(lib, {{
  add_i32: {{ parameters: ["i32", "i32"], result: "i32" }},
  sleep_then: {{ parameters: ["u32", "u32"], result: "u32", nonblocking: true }},
  call_on_thread: {{ parameters: ["function", "u32", "u32"], result: "bool" }},
}});
let sum = 0;
for (let i = 0; i < 1e6; i++) sum += l.symbols.add_i32(i % 1000, {k});
print(`sum ${{sum}}`);
l.symbols.sleep_then(5, {k}).then((v) => print(`nonblocking ${{v}}`));
let seen = 0;
const cb = ffi.UnsafeCallback.threadSafe({{ parameters: ["u32"], result: "void" }}, (i) => {{
  seen += i + {k};
  if (i === 2) {{ print(`callback ${{seen}}`); cb.close(); }}
}});
l.symbols.call_on_thread(cb.pointer, 3, 1);
"#
    )
}

#[test]
fn two_isolates_on_two_threads_each_get_their_own_results() {
    let threads: Vec<_> = [7u32, 1000]
        .into_iter()
        .map(|k| std::thread::spawn(move || (k, run(allow_all(), &busy_script(k)))))
        .collect();
    for thread in threads {
        let (k, printed) = thread.join().unwrap();
        let k = u64::from(k);
        let sum: u64 = (0..1_000_000u64).map(|i| i % 1000 + k).sum();
        let mut printed = printed;
        printed.sort();
        let mut expected = vec![
            format!("sum {sum}"),
            format!("nonblocking {k}"),
            format!("callback {}", 3 * k + 3),
        ];
        expected.sort();
        assert_eq!(printed, expected, "isolate {k}");
    }
}

/// Opens libm only; no pointers, no callbacks; counts refusals.
struct OnlyLibm(Arc<AtomicUsize>);

impl Policy for OnlyLibm {
    fn library(&self, path: &str) -> Result<PathBuf, Refusal> {
        match path {
            "libm.so.6" => Ok(PathBuf::from(path)),
            _ => Err(Refusal::NotCapable(path.to_owned())),
        }
    }
    fn pointers(&self) -> bool {
        false
    }
    fn callbacks(&self) -> bool {
        false
    }
    fn refused(&self, permission: &str, _: Option<&str>) {
        assert_eq!(permission, "ffi");
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_custom_policy_decides_what_scripts_may_open_and_use() {
    let refusals = Arc::new(AtomicUsize::new(0));
    let config = Config::new(Box::new(OnlyLibm(Arc::clone(&refusals))));
    let printed = run(
        config,
        r#"
const attempt = (what, f) => {
  try { print(`${what}: ${f()}`); } catch (e) { print(`${what}: ${e.name} ${e.message} ${e instanceof ffi.errors.NotCapable}`); }
};
attempt("test library", () => ffi.dlopen(lib, { id_i32: { parameters: ["i32"], result: "i32" } }));
attempt("libm", () => ffi.dlopen("libm.so.6", { cos: { parameters: ["f64"], result: "f64" } }).symbols.cos(0));
attempt("pointer", () => ffi.UnsafePointer.create(8n));
attempt("callback", () => new ffi.UnsafeCallback({ parameters: [], result: "void" }, () => {}));
"#,
    );
    let library = ffic_testlib::library_path().display();
    assert_eq!(
        printed,
        [
            format!(
                "test library: NotCapable Requires ffi access to \"{library}\", run again with the --allow-ffi flag true"
            ),
            "libm: 1".to_owned(),
            "pointer: NotCapable Requires ffi access, run again with the --allow-ffi flag true"
                .to_owned(),
            "callback: NotCapable Requires ffi access, run again with the --allow-ffi flag true"
                .to_owned(),
        ]
    );
    assert_eq!(refusals.load(Ordering::SeqCst), 3);
}

#[test]
fn one_binding_per_thread_at_a_time() {
    init_v8();
    let isolate = &mut v8::Isolate::new(v8::CreateParams::default());
    v8::scope!(let scope, isolate);
    let context = v8::Context::new(scope, Default::default());
    let scope = &mut v8::ContextScope::new(scope, context);
    let (a, b) = (v8::Object::new(scope), v8::Object::new(scope));
    // SAFETY: both are dropped before the isolate.
    let first = unsafe { Binding::install(scope, a, allow_all()) }.unwrap();
    // SAFETY: refused before it holds anything (one binding per thread).
    let second = unsafe { Binding::install(scope, b, allow_all()) };
    assert_eq!(second.err(), Some(InstallError::AlreadyInstalled));
    drop(first);
    // SAFETY: as above.
    let again = unsafe { Binding::install(scope, b, allow_all()) };
    assert!(again.is_ok());
}
