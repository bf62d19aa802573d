// Nonblocking symbols and function pointers against the native test library
// (first argument): every result class (null for void, BigInt for 64-bit,
// Uint8Array for a struct), argument errors as rejections, buffers kept
// alive across GC while the call runs (run with --v8-flags=--expose-gc),
// and 10,000 calls in flight at once.
const nb = (parameters, result, name) => ({ parameters, result, name, nonblocking: true });
const lib = Deno.dlopen(Deno.args[0], {
  nop: nb([], "void"),
  id_bool: nb(["bool"], "bool"),
  id_i8: nb(["i8"], "i8"),
  id_u16: nb(["u16"], "u16"),
  id_i32: nb(["i32"], "i32"),
  id_u32: nb(["u32"], "u32"),
  id_i64: nb(["i64"], "i64"),
  id_u64: nb(["u64"], "u64"),
  id_usize: nb(["usize"], "usize"),
  id_f32: nb(["f32"], "f32"),
  id_f64: nb(["f64"], "f64"),
  id_pointer: nb(["pointer"], "pointer"),
  make_pt: nb(["i32", "i32"], { struct: ["i32", "i32"] }),
  sum_pt: nb([{ struct: ["i32", "i32"] }], "f64"),
  sleep_then: nb(["u32", "u32"], "u32"),
  slow_buf_sum: nb(["buffer", "usize", "u32"], "u32"),
  get_add_i32: { parameters: [], result: "function" },
});
const s = lib.symbols;
const show = async (label, promise) => {
  try {
    console.log(label, await promise);
  } catch (e) {
    console.log(label, "rejected", e.constructor.name, e.message);
  }
};
const d = Object.getOwnPropertyDescriptor(s, "nop");
console.log("descriptor", typeof d.value, d.value.name, d.writable, d.enumerable, d.configurable);
console.log("is a promise", s.nop() instanceof Promise);
await show("void", s.nop());
await show("bool", s.id_bool(true));
await show("i8", s.id_i8(-128));
await show("u16", s.id_u16(65535));
await show("i32", s.id_i32(-2147483648));
await show("u32", s.id_u32(4294967295));
await show("i64", s.id_i64(-(2n ** 63n)));
await show("u64", s.id_u64(2n ** 64n - 1n));
await show("usize", s.id_usize(7));
await show("f32", s.id_f32(0.1));
await show("f64", s.id_f64(-0.5));
await show("null pointer", s.id_pointer(null));
await show("pointer", s.id_pointer(Deno.UnsafePointer.create(77n)).then(Deno.UnsafePointer.value));
await show("struct result", s.make_pt(3, 4));
await show("struct argument", s.sum_pt(new Int32Array([5, 6])));
await show("bad argument", s.id_i32("x"));
await show("missing buffer", s.slow_buf_sum(undefined, 1, 0));

// The only reference to each buffer is the call's: GC and fresh garbage
// while the calls sleep must not free or reuse their memory.
const sums = [];
for (let i = 0; i < 4; i++) {
  const size = 1 << 20;
  sums.push(s.slow_buf_sum(new Uint8Array(size).fill(i + 1), size, 50));
}
for (let i = 0; i < 8; i++) {
  globalThis.gc();
  new Uint8Array(1 << 20).fill(0xee);
}
console.log("buffers alive", await Promise.all(sums));

// Ten thousand calls in flight at once, each result in its place.
const many = await Promise.all(Array.from({ length: 10000 }, (_, i) => s.sleep_then(0, i)));
console.log("10k calls", many.length, many.every((v, i) => v === i));

// Function pointers, nonblocking too.
const add = new Deno.UnsafeFnPointer(s.get_add_i32(), nb(["i32", "i32"], "i32"));
await show("fn pointer", add.call(40, 2));
await show("fn pointer error", add.call(1, 2n));
const pts = Deno.dlopen(Deno.args[0], { make_pt: { type: "pointer" } });
const makePt = new Deno.UnsafeFnPointer(pts.symbols.make_pt, nb(["i32", "i32"], { struct: ["i32", "i32"] }));
await show("fn pointer struct", makePt.call(-1, 9));

// Calls overlap: the slow one finishes last, the others don't wait for it.
const order = [];
await Promise.all([
  s.sleep_then(200, 1).then((v) => order.push(v)),
  s.sleep_then(0, 2).then((v) => order.push(v)),
]);
console.log("overlap", order);
