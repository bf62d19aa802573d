// V8 fast calls (run with --v8-flags=--allow-natives-syntax): for every
// fast-callable type, a caller is optimized and the symbol called from the
// optimized code. The descriptor comes from the ffic-generated module named
// by the second argument (its artifact), else from fast/symbols.json. With
// a third argument `callbacks`, an UnsafeCallback exists first (from then
// on ffic calls symbols with a value through their re-entrant form).
// Stdout is the same under stock Deno; `ffic run --trace-ffi` also counts
// the fast calls.
const descriptor = Deno.args[1]
  ? (await import(Deno.args[1])).symbols
  : (await import("./fast/symbols.json", { with: { type: "json" } })).default;
const lib = Deno.dlopen(Deno.args[0], descriptor);
const s = lib.symbols;
if (Deno.args[2] === "callbacks") {
  new Deno.UnsafeCallback({ parameters: [], result: "void" }, () => {}).unref();
}

// Calls `body` unoptimized, then once optimized, and prints the first and
// the optimized call's results. The warm-up calls give V8 feedback for what
// the caller inlines (ffic's wrapper of a symbol with a value result gets
// its feedback vector on its 8th call, then feedback from the calls after).
const WARM_UP = 16;
function optimized(label, body) {
  const f = new Function("s", "p", `return () => ${body};`)(s, values);
  try {
    %PrepareFunctionForOptimization(f);
    const slow = f();
    for (let i = 1; i < WARM_UP; i++) f();
    %OptimizeFunctionOnNextCall(f);
    const fast = f();
    console.log(label, slow, fast);
  } catch (e) {
    console.log(label, e.constructor.name, e.message);
  }
}

const p = Deno.UnsafePointer.create(0x1234n);
const values = { p, bytes: new Uint8Array([1, 2, 3, 4, 5, 6]), pt: new Int32Array([3, -4]) };
optimized("void", "s.nop()");
optimized("bool", "[s.id_bool(true), s.id_bool(false)]");
optimized("u8", "[s.id_u8(255), s.id_u8(300)]");
optimized("i8", "[s.id_i8(-128), s.id_i8(200)]");
optimized("u16", "[s.id_u16(65535), s.id_u16(65543)]");
optimized("i16", "[s.id_i16(-32768), s.id_i16(40000)]");
optimized("u32", "s.id_u32(4294967295)");
optimized("i32", "s.id_i32(-2147483648)");
optimized("u64", "[s.id_u64(2n ** 64n - 1n), s.id_u64(2n ** 64n + 3n)]");
optimized("i64", "[s.id_i64(-(2n ** 63n)), s.id_i64(-5n)]");
optimized("usize", "s.id_usize(2n ** 64n - 1n)");
optimized("isize", "s.id_isize(-7n)");
optimized("f32", "[s.id_f32(1.5), s.id_f32(0.1)]");
optimized("f64", "[s.id_f64(0.1), s.id_f64(-Infinity)]");
optimized("pointer", "[Deno.UnsafePointer.value(s.id_pointer(p.p)), s.id_pointer(null)]");
optimized("function", "Deno.UnsafePointer.equals(s.get_add_i32(), s.get_add_i32())");
optimized("mix6", "s.mix6(-1, 2, -3, 4n, 0.5, 0.25)");
// 13 integers and 13 floats: both go on the stack too, where the last three
// small integers wrap (257 as u8, 255 as i8, 65537 as u16).
optimized("many26", "s.many26(-1, 2, 3, 4, 5, 6, 7n, 8, 9, 10, -11, 12, 13, 14, 15n, 16, -17n, 18, 19, 20, 257, 22, 255, 24, 65537, 26)");
optimized("buffer", "[s.buf_sum(p.bytes, 6n), s.buf_sum(p.bytes.subarray(2), 4n), s.buf_sum(null, 0n)]");
optimized("struct in", "s.sum_pt(p.pt)");
// The struct-result wrapper is itself JS: optimize it too, so that its call
// of the raw symbol is made from optimized code.
%PrepareFunctionForOptimization(s.make_pt);
s.make_pt(1, 2);
%OptimizeFunctionOnNextCall(s.make_pt);
optimized("struct out", "s.make_pt(7, -9)");

// Bad values reach the fast trampoline only once the caller is optimized.
function raises(label, body, good, bad) {
  const f = new Function("s", `return (x) => ${body};`)(s);
  %PrepareFunctionForOptimization(f);
  for (let i = 0; i < WARM_UP; i++) f(good);
  %OptimizeFunctionOnNextCall(f);
  f(good);
  try {
    console.log(label, f(bad));
  } catch (e) {
    console.log(label, e.constructor.name, e.message);
  }
}
raises("bad buffer", "s.buf_sum(x, 0n)", values.bytes, undefined);
raises("bad pointer", "s.id_pointer(x)", null, 5);

// UnsafePointerView getters are fast functions too: every type, a
// fractional offset, a null pointer (thrown from the fast function) and a
// number (V8 falls back to the slow callback, which throws).
const memory = new Uint8Array([0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x80, 0x3f, 0, 0, 0xc0, 0x3f]);
values.view = new Deno.UnsafePointerView(Deno.UnsafePointer.of(memory));
// The getters are JS methods: give them feedback, so that the optimized
// caller inlines them with their native call target known.
for (const getter of Object.getOwnPropertyNames(Deno.UnsafePointerView.prototype)) {
  if (getter.startsWith("get") && getter !== "getCString" && getter !== "getArrayBuffer") {
    %PrepareFunctionForOptimization(Deno.UnsafePointerView.prototype[getter]);
  }
}
optimized("view", `[p.view.getBool(1), p.view.getBool(12), p.view.getUint8(), p.view.getInt8(),
  p.view.getUint16(1), p.view.getInt16(0), p.view.getUint32(1.7), p.view.getInt32(),
  p.view.getBigUint64(8), p.view.getBigInt64(), p.view.getFloat32(10), p.view.getFloat64(8),
  Deno.UnsafePointer.value(p.view.getPointer(2))]`);
raises("null view", "x.getUint32(4)", values.view, new Deno.UnsafePointerView(null));
raises("null pointer view", "x.getPointer()", values.view, new Deno.UnsafePointerView(null));
raises("bad view", "x.getInt16()", values.view, new Deno.UnsafePointerView(5));

optimized("calls back", "s.add_i32(2, 3)");
console.log("keys", Object.keys(s).sort().join(","));
console.log("types", [...new Set(Object.values(s).map((v) => typeof v))].join(","));
