//! Embedding ffic's FFI binding in a V8 host of one's own: an isolate, the
//! API installed on an object named `native`, a script that calls libm
//! (fast, once optimized) and awaits a nonblocking call, and the loop that
//! delivers its result.

use ffic_deno::{AllowFfi, Binding, Config};

const SCRIPT: &str = r#"
const libm = native.dlopen("libm.so.6", {
  cos: { parameters: ["f64"], result: "f64" },
  sqrt: { parameters: ["f64"], result: "f64", nonblocking: true },
});
let sum = 0;
for (let i = 0; i < 1e6; i++) sum += libm.symbols.cos(i % 7);
print(`cos summed over 1e6 calls: ${sum.toFixed(6)}`);
libm.symbols.sqrt(2).then((root) => print(`nonblocking sqrt(2): ${root}`));
"#;

fn print(scope: &mut v8::PinScope, args: v8::FunctionCallbackArguments, _: v8::ReturnValue) {
    println!("{}", args.get(0).to_rust_string_lossy(scope));
}

fn main() {
    v8::V8::initialize_platform(v8::new_default_platform(0, false).make_shared());
    v8::V8::initialize();
    let isolate = &mut v8::Isolate::new(v8::CreateParams::default());
    v8::scope!(let scope, isolate);
    let context = v8::Context::new(scope, Default::default());
    let scope = &mut v8::ContextScope::new(scope, context);

    // Every library, pointers and callbacks allowed; diagnostics (and, with
    // --trace, which code each symbol runs and its calls) to stderr.
    let mut config = Config::new(Box::new(AllowFfi(Some(Vec::new()))));
    config.trace = std::env::args().any(|a| a == "--trace");
    config.sink = Box::new(|diagnostic| eprintln!("{diagnostic}"));
    let native = v8::Object::new(scope);
    // SAFETY: `binding` is dropped at the end of `main`, before the isolate.
    let binding = unsafe { Binding::install(scope, native, config) }.expect("install");

    let global = context.global(scope);
    for (name, value) in [
        ("native", native.into()),
        (
            "print",
            v8::Function::new(scope, print).expect("print").into(),
        ),
    ] {
        let name = v8::String::new(scope, name).expect("name");
        global.set(scope, name.into(), value);
    }
    let source = v8::String::new(scope, SCRIPT).expect("script");
    let script = v8::Script::compile(scope, source, None).expect("compiles");
    script.run(scope).expect("runs");

    // The event loop: nonblocking calls come back through the inbox.
    scope.perform_microtask_checkpoint();
    while binding.keeps_alive() {
        binding.turn();
        if let Some(message) = binding.next(None) {
            binding.deliver(scope, message);
        }
        scope.perform_microtask_checkpoint();
    }
    binding.report_calls();
}
