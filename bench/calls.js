// Per-call cost of Deno.dlopen symbols, run unchanged by `ffic run` and
// stock Deno against the native test library (first argument). Prints one
// line per case: `name ns-per-call`. scripts/bench-js runs it under both
// and prints the table with ratios. Each case warms up (so V8 optimizes the
// loop) and then takes the best of several timed rounds. Arguments: the
// library, the rounds (5), and optionally `callbacks` (see below).
const lib = Deno.dlopen(Deno.args[0], {
  nop: { parameters: [], result: "void" },
  add_i32: { parameters: ["i32", "i32"], result: "i32" },
  add_f64: { parameters: ["f64", "f64"], result: "f64" },
  id_u64: { parameters: ["u64"], result: "u64" },
  buf_sum: { parameters: ["buffer", "usize"], result: "u32" },
  sum_dl: { parameters: [{ struct: ["f64", "i64"] }], result: "f64" },
  make_pt: { parameters: ["i32", "i32"], result: { struct: ["i32", "i32"] } },
  many26: {
    parameters: ["i8", "f64", "u16", "f32", "i32", "f64", "i64", "f32", "u8", "f64", "i16", "f32", "u32",
      "f64", "u64", "f32", "i64", "f64", "i32", "f32", "u8", "f64", "i8", "f32", "u16", "f64"],
    result: "f64",
  },
  add_i32_async: { parameters: ["i32", "i32"], result: "i32", name: "add_i32", nonblocking: true },
  get_add_i32: { parameters: [], result: "function" },
  call_i32: { parameters: ["function", "i32"], result: "i32" },
  call_i32_loop: { parameters: ["function", "i32"], result: "i64" },
  // ffic takes JS strings here (its own cstring type); stock Deno ignores
  // the "ffic" field and takes a NUL-terminated buffer.
  cstring_length: { parameters: ["buffer"], result: "usize", ffic: { parameters: ["cstring"] } },
});
const s = lib.symbols;
const rounds = Number(Deno.args[1] ?? 5);
// `callbacks` as the third argument: an UnsafeCallback exists throughout,
// so ffic calls symbols with a value through their re-entrant form.
if (Deno.args[2] === "callbacks") {
  new Deno.UnsafeCallback({ parameters: [], result: "void" }, () => {}).unref();
}
// The floor (ffic's bench build only): the same signatures as hand-written
// V8 fast functions calling the library directly.
const floor = globalThis.fficFloor?.(Deno.args[0]);

// Prints `name` and, given a floor body and a floor to run it on,
// `floor_name`: each body warms up (so V8 optimizes its loop), then the
// best of several timed rounds, the two taking turns so that both see the
// same heap and machine state.
function time(name, n, body, floorBody) {
  const bodies = floor && floorBody ? [body, floorBody] : [body];
  for (const b of bodies) b(Math.min(n, 20000));
  const best = bodies.map(() => Infinity);
  for (let r = 0; r < rounds; r++) {
    bodies.forEach((b, i) => {
      const start = performance.now();
      b(n);
      best[i] = Math.min(best[i], (performance.now() - start) / n);
    });
  }
  console.log(name, (best[0] * 1e6).toFixed(1));
  if (bodies.length > 1) console.log(`floor_${name}`, (best[1] * 1e6).toFixed(1));
}

const N = 1_000_000;
time("nop", N, (n) => { for (let i = 0; i < n; i++) s.nop(); },
  (n) => { for (let i = 0; i < n; i++) floor.nop(); });
time("add_i32", N, (n) => { let x = 0; for (let i = 0; i < n; i++) x = s.add_i32(x, 1); return x; },
  (n) => { let x = 0; for (let i = 0; i < n; i++) x = floor.add_i32(x, 1); return x; });
time("add_f64", N, (n) => { let x = 0; for (let i = 0; i < n; i++) x = s.add_f64(x, 0.5); return x; },
  (n) => { let x = 0; for (let i = 0; i < n; i++) x = floor.add_f64(x, 0.5); return x; });
time("u64_bigint", N, (n) => { let x = 0n; for (let i = 0; i < n; i++) x = s.id_u64(5n); return x; },
  (n) => { let x = 0n; for (let i = 0; i < n; i++) x = floor.id_u64(5n); return x; });
const buffer = new Uint8Array(64).fill(1);
time("buffer", N, (n) => { let x = 0; for (let i = 0; i < n; i++) x += s.buf_sum(buffer, 64n); return x; },
  (n) => { let x = 0; for (let i = 0; i < n; i++) x += floor.buf_sum(buffer, 64n); return x; });
const dl = new Uint8Array(16);
time("struct_arg", N, (n) => { let x = 0; for (let i = 0; i < n; i++) x += s.sum_dl(dl); return x; },
  (n) => { let x = 0; for (let i = 0; i < n; i++) x += floor.sum_dl(dl); return x; });
time("struct_result", N / 4, (n) => { let x; for (let i = 0; i < n; i++) x = s.make_pt(i, 1); return x; });
time("many26", N / 4, (n) => {
  let x = 0;
  for (let i = 0; i < n; i++) {
    x += s.many26(1, 2, 3, 4, 5, 6, 7n, 8, 9, 10, 11, 12, 13, 14, 15n, 16, 17n, 18, 19, 20, 21, 22, 23, 24, 25, 26);
  }
  return x;
});
// A C string argument, 16 bytes and 1 KiB: ffic passes the JS string; on
// stock Deno the script encodes it, the route Deno's docs give. Both
// strings are flat (as literals and decoded text are): V8's fast path takes
// sequential one-byte strings only.
{
  const own = lib[Symbol.for("ffic")] !== undefined;
  const encoder = new TextEncoder();
  const arg = own ? (text) => text : (text) => encoder.encode(text + "\0");
  const decoder = new TextDecoder();
  for (const [name, size] of [["cstring_16", 16], ["cstring_1k", 1024]]) {
    const text = decoder.decode(new Uint8Array(size).fill(0x61));
    time(name, N / 4, (n) => {
      let x = 0n;
      for (let i = 0; i < n; i++) x += s.cstring_length(arg(text));
      if (x !== BigInt(n * size)) throw new Error(`${name}: ${x}`);
    });
  }
}
const view = new Deno.UnsafePointerView(Deno.UnsafePointer.of(buffer));
time("view_getUint32", N, (n) => { let x = 0; for (let i = 0; i < n; i++) x += view.getUint32(i & 31); return x; });
const add = new Deno.UnsafeFnPointer(s.get_add_i32(), { parameters: ["i32", "i32"], result: "i32" });
time("fn_pointer_call", N / 4, (n) => { let x = 0; for (let i = 0; i < n; i++) x = add.call(x, 1); return x; });
// Nonblocking: 10,000 calls in flight, then all awaited; per call.
{
  const n = 10000;
  await Promise.all(Array.from({ length: n }, () => s.add_i32_async(1, 2)));
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    await Promise.all(Array.from({ length: n }, () => s.add_i32_async(1, 2)));
    best = Math.min(best, (performance.now() - start) / n);
  }
  console.log("nonblocking", (best * 1e6).toFixed(1));
}
// Nonblocking, one call in flight at a time: what a wake-up costs.
{
  const n = 2000;
  for (let i = 0; i < 200; i++) await s.add_i32_async(1, 2);
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < n; i++) await s.add_i32_async(1, 2);
    best = Math.min(best, (performance.now() - start) / n);
  }
  console.log("nonblocking_one", (best * 1e6).toFixed(1));
}
// A round trip through a callback: JS calls C, which calls a JS
// `(i32) => i32` back once. Last, since from the first UnsafeCallback on
// ffic calls symbols with a value through their re-entrant form.
{
  const double = (v) => v * 2;
  const twice = new Deno.UnsafeCallback({ parameters: ["i32"], result: "i32" }, double);
  time("callback_i32", N / 4, (n) => {
    let x = 0;
    for (let i = 0; i < n; i++) x += s.call_i32(twice.pointer, i & 1023);
    return x;
  });
  // The callback alone: C calls it N times in one native call. The floor
  // is a bare v8::Function::call of the same function from Rust, per call
  // in its own handle scope with the argument and result converted.
  const expected = BigInt(N) * BigInt(N - 1);
  time("callback_loop", N, (n) => {
    const sum = s.call_i32_loop(twice.pointer, n);
    if (n === N && sum !== expected) throw new Error(`callback_loop: ${sum}`);
  }, (n) => floor.callback_loop(double, n));
  twice.close();
}
lib.close();
