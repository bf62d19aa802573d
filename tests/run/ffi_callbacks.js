// Deno.UnsafeCallback against the native test library (first argument):
// every parameter class in, every result class out with Deno's conversions,
// structs both ways, re-entry, exceptions (sync: thrown at the call; on
// another thread: reported, result zero), thread-safe callbacks called from
// a native thread, and callbacks called from a nonblocking call's thread.
const lib = Deno.dlopen(Deno.args[0], {
  call_i32: { parameters: ["function", "i32"], result: "i32" },
  call_mix: { parameters: ["function", "pointer"], result: "f64" },
  call_u64: { parameters: ["function", "u64"], result: "u64" },
  call_i64: { parameters: ["function", "i64"], result: "i64" },
  call_i8: { parameters: ["function", "i8"], result: "i32" },
  call_u16: { parameters: ["function", "u16"], result: "u32" },
  call_f32: { parameters: ["function", "f32"], result: "f32" },
  call_bool: { parameters: ["function", "bool"], result: "bool" },
  call_ptr: { parameters: ["function", "pointer"], result: "pointer" },
  call_void: { parameters: ["function", "u32"], result: "void" },
  call_pt: { parameters: ["function", "i32", "i32"], result: "f64" },
  call_make_pt: { parameters: ["function", "i32"], result: "i32" },
  call_on_thread: { parameters: ["function", "u32", "u32"], result: "bool" },
  thread_calls_returned: { parameters: [], result: "u32" },
  call_on_thread_join: { parameters: ["function", "u32"], result: "u32", nonblocking: true },
  add_i32: { parameters: ["i32", "i32"], result: "i32" },
});
const s = lib.symbols;
const t = (label, f) => {
  try {
    console.log(label, f());
  } catch (e) {
    console.log(label, e.constructor.name, e.message);
  }
};
const made = [];
const cb = (definition, f) => {
  const c = new Deno.UnsafeCallback(definition, f);
  made.push(c);
  return c.pointer;
};
const P = (p) => (p === null ? null : Deno.UnsafePointer.value(p));

const double = new Deno.UnsafeCallback({ parameters: ["i32"], result: "i32" }, (x) => x * 2);
t("call", () => [s.call_i32(double.pointer, 20), s.call_i32(double.pointer, -7)]);
t("shape", () => [typeof double.pointer, double.definition, Object.keys(double)]);
t("refs", () => [double.ref(), double.ref(), double.unref(), double.unref(), double.unref()]);
t("every class in", () => {
  const seen = [];
  const r = s.call_mix(cb({
    parameters: ["bool", "i8", "u16", "i32", "i64", "u64", "f32", "f64", "pointer"],
    result: "f64",
  }, (...a) => (seen.push(...a.slice(0, 8), P(a[8])), 1.5)), Deno.UnsafePointer.create(1234n));
  return [r, seen];
});
t("u64 bigint", () => s.call_u64(cb({ parameters: ["u64"], result: "u64" }, (x) => [typeof x, x][1] + 1n), 2n ** 60n));
t("u64 small", () => s.call_u64(cb({ parameters: ["u64"], result: "u64" }, (x) => x), 5n));
t("u64 from number", () => s.call_u64(cb({ parameters: ["u64"], result: "u64" }, () => 5), 1n));
t("i64 truncated", () => s.call_i64(cb({ parameters: ["i64"], result: "i64" }, () => -2.9), 1n));
t("i8 wraps", () => s.call_i8(cb({ parameters: ["i8"], result: "i8" }, (x) => x + 205), -5));
t("u16 wraps", () => s.call_u16(cb({ parameters: ["u16"], result: "u16" }, () => -1), 7));
t("f32 from string", () => s.call_f32(cb({ parameters: ["f32"], result: "f32" }, () => "1.25"), 0.1));
t("f32 arg", () => s.call_f32(cb({ parameters: ["f32"], result: "f32" }, (x) => x * 2), 0.1));
t("i32 from non-numbers", () =>
  [() => "str", () => 2.7, () => undefined, () => -2.9, () => 2 ** 32 + 5].map((f) =>
    s.call_i32(cb({ parameters: ["i32"], result: "i32" }, f), 1)));
t("bool truthiness", () =>
  ["", 0, {}, 1, null].map((v) => s.call_bool(cb({ parameters: ["bool"], result: "bool" }, () => v), true)));
t("bool arg", () => s.call_bool(cb({ parameters: ["bool"], result: "bool" }, (x) => !x), true));
const x = Deno.UnsafePointer.create(1234n);
t("pointer results", () => {
  const out = [];
  for (const ret of [() => x, () => new Uint8Array(4), () => new ArrayBuffer(4), () => 77, () => null]) {
    for (const ty of ["pointer", "buffer", "function"]) {
      const r = s.call_ptr(cb({ parameters: ["pointer"], result: ty }, ret), null);
      out.push(r === null ? null : P(r) === 1234n ? "same" : "other");
    }
  }
  return out;
});
t("pointer args", () => [
  s.call_ptr(cb({ parameters: ["pointer"], result: "pointer" }, (p) => p), x) !== null,
  s.call_ptr(cb({ parameters: ["pointer"], result: "pointer" }, (p) => (p === null ? x : null)), null) !== null,
]);
t("struct in", () => s.call_pt(cb({ parameters: [{ struct: ["i32", "i32"] }], result: "f64" }, (p) => {
  const v = new Int32Array(p.buffer, p.byteOffset, 2);
  return v[0] + 2 * v[1] + (p instanceof Uint8Array ? 0.5 : 0);
}), 3, 4));
t("struct out", () => s.call_make_pt(cb({ parameters: ["i32"], result: { struct: ["i32", "i32"] } }, (v) =>
  new Uint8Array(new Int32Array([v, v + 1]).buffer)), 7));
let count = 0;
t("many calls", () => [s.call_void(cb({ parameters: [], result: "void" }, () => void count++), 1000), count]);
t("re-entry", () => s.call_i32(cb({ parameters: ["i32"], result: "i32" }, (v) => s.add_i32(v, 100)), 5));
const nested = new Deno.UnsafeCallback({ parameters: ["i32"], result: "i32" },
  (v) => (v > 0 ? s.call_i32(nested.pointer, v - 1) * 2 : 1));
t("recursion", () => s.call_i32(nested.pointer, 3));
t("throws", () => s.call_i32(cb({ parameters: ["i32"], result: "i32" }, (v) => {
  throw new Error("boom " + v);
}), 3));
let runs = 0;
const flaky = cb({ parameters: [], result: "void" }, () => {
  runs++;
  if (runs % 2 === 1) throw new Error("odd run " + runs);
});
t("last throw wins", () => [s.call_void(flaky, 3), runs]);
t("last run returns", () => [s.call_void(flaky, 3), runs]);
t("nonblocking definition", () => new Deno.UnsafeCallback({ parameters: [], result: "void", nonblocking: true }, () => {}));
t("not a function", () => new Deno.UnsafeCallback({ parameters: [], result: "i32" }, 5));

// A thread-safe callback keeps the event loop alive until closed.
const seen = [];
let finish;
const finished = new Promise((resolve) => (finish = resolve));
const sink = Deno.UnsafeCallback.threadSafe({ parameters: ["u32"], result: "void" }, (i) => {
  seen.push(i);
  if (seen.length === 5) finish();
});
console.log("thread started", s.call_on_thread(sink.pointer, 5, 1));
await finished;
// unref, not close: the native thread may still be returning through the
// callback's code (stock Deno crashes when it is freed under it).
sink.unref();
console.log("from a native thread", seen);

// The microtasks a thread-safe callback queues run before the native
// thread that called it goes on: none sees its own call returned.
// The counter is shared by every job thread: first let the thread above
// count its last return, which races with the code after `await finished`.
while (s.thread_calls_returned() < 5) await new Promise((r) => setTimeout(r, 1));
const sawReturned = [];
let settled;
const allSettled = new Promise((resolve) => (settled = resolve));
const ordered = Deno.UnsafeCallback.threadSafe({ parameters: ["u32"], result: "void" }, (i) => {
  const during = s.thread_calls_returned();
  Promise.resolve().then(() => {
    const start = performance.now();
    while (performance.now() - start < 20);
    sawReturned.push(s.thread_calls_returned() - during);
    if (i === 1) settled();
  });
});
s.call_on_thread(ordered.pointer, 2, 0);
await allSettled;
ordered.unref();
console.log("microtasks before the native thread goes on", sawReturned);

// Called from a nonblocking call's worker thread, through the event loop.
const fromWorker = [];
const worker = cb({ parameters: ["u32"], result: "void" }, (i) => fromWorker.push(i * 10));
console.log("from a worker", await s.call_on_thread_join(worker, 4), fromWorker);

// A throw on another thread is reported; the loop goes on.
const thrower = Deno.UnsafeCallback.threadSafe({ parameters: ["u32"], result: "void" }, (i) => {
  if (i === 0) throw new Error("thread boom");
  finish();
});
const afterThrow = new Promise((resolve) => (finish = resolve));
s.call_on_thread(thrower.pointer, 2, 1);
await afterThrow;
thrower.unref();
console.log("after a throw on a thread");
// An unref'd callback called from a native thread while only a timer is
// pending runs at once, not when the timer fires.
const order = [];
s.call_on_thread(cb({ parameters: ["u32"], result: "void" }, () => order.push("callback")), 1, 1);
await new Promise((resolve) => setTimeout(() => resolve(order.push("timer")), 300));
console.log("served while a timer waits", order);
for (const c of made) c.close();
double.close();
nested.close();
