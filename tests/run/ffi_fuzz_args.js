// Differential fuzz of the JS argument conversions: seeded pseudo-random
// arguments (every JS type, edge numbers and BigInts, buffers of every
// length, pointers, objects with valueOf, wrong counts) for the test
// library's symbols that only read their arguments. Each call prints its
// result or its error; stdout must match stock Deno's byte for byte.
// One deliberate difference is kept out: a struct argument from a
// non-empty buffer shorter than the struct, which Deno reads past its end
// (garbage, or a crash) and ffic refuses; such buffers are grown here.
// Usage: ffi_fuzz_args.js LIB [cases] [seed]
const [path, casesArg, seedArg] = Deno.args;
const cases = Number(casesArg ?? 2000);
let state = Number(seedArg ?? 1) >>> 0;
// mulberry32: small, seedable, the same in every runtime.
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const below = (n) => Math.floor(random() * n);
const pick = (xs) => xs[below(xs.length)];
const bigint = () => (BigInt(below(2 ** 32)) << 32n | BigInt(below(2 ** 32))) - (random() < 0.5 ? 0n : 1n << 63n);
const bytes = (n) => Uint8Array.from({ length: n }, () => below(256));

const i = (t) => t;
const sym = (parameters, result) => ({ parameters, result });
const symbols = {
  id_bool: sym(["bool"], "bool"),
  id_u8: sym(["u8"], "u8"),
  id_i8: sym(["i8"], "i8"),
  id_u16: sym(["u16"], "u16"),
  id_i16: sym(["i16"], "i16"),
  id_u32: sym(["u32"], "u32"),
  id_i32: sym(["i32"], "i32"),
  id_u64: sym(["u64"], "u64"),
  id_i64: sym(["i64"], "i64"),
  id_usize: sym(["usize"], "usize"),
  id_isize: sym(["isize"], "isize"),
  id_f32: sym(["f32"], "f32"),
  id_f64: sym(["f64"], "f64"),
  id_pointer: sym(["pointer"], "pointer"),
  is_null: sym(["pointer"], "bool"),
  add_u8: sym(["u8", "u8"], "u8"),
  add_i64: sym(["i64", "i64"], "i64"),
  add_u64: sym(["u64", "u64"], "u64"),
  add_f32: sym(["f32", "f32"], "f32"),
  mix6: sym(["i8", "u16", "i32", "i64", "f32", "f64"], "f64"),
  pick_i32: { name: "pick_arg", ...sym(["u32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32"], "u64") },
  make_pt: sym(["i32", "i32"], { struct: ["i32", "i32"] }),
  sum_pt: sym([{ struct: ["i32", "i32"] }], "f64"),
  swap_dd: sym([{ struct: ["f64", "f64"] }], { struct: ["f64", "f64"] }),
  sum_tiny: sym([{ struct: ["u8", "u8", "u8"] }], "u32"),
  twice_big: sym([{ struct: ["i64", "i64", "i64", "f64"] }], { struct: ["i64", "i64", "i64", "f64"] }),
  dl_after_ints: sym(["i64", "i64", "i64", "i64", "i64", { struct: ["f64", "i64"] }, "i64"], "f64"),
};
const lib = Deno.dlopen(path, symbols);
// Size of a struct of primitives (all naturally aligned), else 0.
const SIZES = { u8: 1, i8: 1, u16: 2, i16: 2, i32: 4, u32: 4, f32: 4, i64: 8, u64: 8, f64: 8 };
function structSize(type) {
  if (typeof type === "string") return 0;
  let end = 0;
  let align = 1;
  for (const field of type.struct) {
    const size = SIZES[field];
    end = Math.ceil(end / size) * size + size;
    align = Math.max(align, size);
  }
  return Math.ceil(end / align) * align;
}
const names = Object.keys(symbols);

const values = [
  () => pick([0, -0, 1, -1, 127, 128, 255, 256, 32767, 65535, 65536]),
  () => pick([2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32 - 1, 2 ** 32, 2 ** 53, -(2 ** 53), 2 ** 64]),
  () => pick([1.5, -1.5, 0.1, 1e300, -1e-300, 3.4028235e38, NaN, Infinity, -Infinity]),
  () => (random() - 0.5) * 2 ** below(70),
  () => below(2 ** 33) - 2 ** 32,
  () => pick([0n, 1n, -1n, 2n ** 63n - 1n, 2n ** 63n, -(2n ** 63n), 2n ** 64n - 1n, 2n ** 64n, -(2n ** 64n) - 1n]),
  bigint,
  () => pick([true, false, null, undefined]),
  () => pick(["", "7", "0x10", "1e3", " 12 ", "abc"]),
  () => pick([[], [5], {}, { valueOf: () => 7 }, { valueOf: () => 2n }, () => 1, Symbol("s")]),
  () => bytes(below(40)),
  () => new Uint8Array(below(40)).buffer,
  () => new Int32Array(below(10)).fill(below(1000) - 500),
  () => new Float64Array(below(6)).fill(random() * 100),
  () => new DataView(new ArrayBuffer(below(40))),
  () => bytes(40).subarray(below(8), 8 + below(32)),
  () => Deno.UnsafePointer.create(BigInt(below(2 ** 31)) * 8n),
];
const value = () => pick(values)();

function show(v) {
  if (v === null) return "null";
  switch (typeof v) {
    case "number":
      return Object.is(v, -0) ? "-0" : String(v);
    case "bigint":
      return `${v}n`;
    case "string":
      return JSON.stringify(v);
    case "symbol":
    case "function":
      return typeof v;
    case "undefined":
    case "boolean":
      return String(v);
  }
  if (v instanceof ArrayBuffer) return `ArrayBuffer(${v.byteLength})`;
  if (ArrayBuffer.isView(v)) {
    return `${v.constructor.name}(${v.byteLength})[${[...new Uint8Array(v.buffer, v.byteOffset, v.byteLength)]}]`;
  }
  if (Object.getPrototypeOf(v) === null) return `pointer(${Deno.UnsafePointer.value(v)})`;
  return Array.isArray(v) ? `[${v.map(show)}]` : "object";
}

for (let n = 0; n < cases; n++) {
  const name = pick(names);
  const arity = symbols[name].parameters.length;
  const count = random() < 0.1 ? below(arity + 2) : arity;
  const args = Array.from({ length: count }, value);
  symbols[name].parameters.forEach((type, k) => {
    const size = structSize(type);
    const length = args[k]?.byteLength;
    if (length > 0 && length < size) args[k] = bytes(size + below(3));
  });
  let out;
  try {
    out = `= ${show(lib.symbols[name](...args))}`;
  } catch (e) {
    out = `throws ${e.constructor.name}: ${e.message}`;
  }
  console.log(`${n} ${name}(${args.map(show).join(", ")}) ${out}`);
}
lib.close();
