// Deno.dlopen on the slow path against the native test library (its path is
// the first argument): every type at its boundaries, Deno's conversions of
// odd values, its TypeErrors, pointers, buffers, structs in and out, statics
// and absent optional symbols.
const lib = Deno.dlopen(Deno.args[0], {
  nop: { parameters: [], result: "void" },
  id_bool: { parameters: ["bool"], result: "bool" },
  id_u8: { parameters: ["u8"], result: "u8" },
  id_i8: { parameters: ["i8"], result: "i8" },
  id_u16: { parameters: ["u16"], result: "u16" },
  id_i16: { parameters: ["i16"], result: "i16" },
  id_u32: { parameters: ["u32"], result: "u32" },
  id_i32: { parameters: ["i32"], result: "i32" },
  id_u64: { parameters: ["u64"], result: "u64" },
  id_i64: { parameters: ["i64"], result: "i64" },
  id_usize: { parameters: ["usize"], result: "usize" },
  id_isize: { parameters: ["isize"], result: "isize" },
  id_f32: { parameters: ["f32"], result: "f32" },
  id_f64: { parameters: ["f64"], result: "f64" },
  id_pointer: { parameters: ["pointer"], result: "pointer" },
  is_null: { parameters: ["pointer"], result: "bool" },
  mix6: { parameters: ["i8", "u16", "i32", "i64", "f32", "f64"], result: "f64" },
  buf_sum: { parameters: ["buffer", "usize"], result: "u32" },
  buf_fill: { parameters: ["buffer", "usize", "u8"], result: "void" },
  get_add_i32: { parameters: [], result: "function" },
  apply_binop: { parameters: ["function", "i32", "i32"], result: "i32" },
  sum_pt: { parameters: [{ struct: ["i32", "i32"] }], result: "f64" },
  make_pt: { parameters: ["i32", "i32"], result: { struct: ["i32", "i32"] } },
  make_big: { parameters: ["i64", "i64", "i64", "f64"], result: { struct: ["i64", "i64", "i64", "f64"] } },
  make_tiny: { parameters: ["u8", "u8", "u8"], result: { struct: ["u8", "u8", "u8"] } },
  static_i32: { type: "i32" },
  static_u64: { type: "u64" },
  static_f64: { type: "f64" },
  absent: { name: "ffic_no_such_symbol", parameters: ["i32"], result: "i32", optional: true },
  absent_static: { name: "ffic_no_such_static", type: "i32", optional: true },
  renamed: { name: "add_i32", parameters: ["i32", "i32"], result: "i32" },
});
const s = lib.symbols;
const t = (label, f) => {
  try {
    console.log(label, f());
  } catch (e) {
    console.log(label, e.constructor.name, e.message);
  }
};

t("void", () => s.nop());
t("bool", () => [s.id_bool(true), s.id_bool(false)]);
t("u8", () => [s.id_u8(0), s.id_u8(255), s.id_u8(256), s.id_u8(300)]);
t("i8", () => [s.id_i8(-128), s.id_i8(127), s.id_i8(-200), s.id_i8(200)]);
t("u16", () => [s.id_u16(65535), s.id_u16(65536 + 7)]);
t("i16", () => [s.id_i16(-32768), s.id_i16(40000)]);
t("u32", () => [s.id_u32(0), s.id_u32(4294967295)]);
t("i32", () => [s.id_i32(-2147483648), s.id_i32(2147483647)]);
t("bad i32 minus zero", () => s.id_i32(-0));
t("u64", () => [s.id_u64(0n), s.id_u64(2n ** 64n - 1n), s.id_u64(2n ** 64n + 3n), s.id_u64(-1n), s.id_u64(5), s.id_u64(-1), s.id_u64(1.9)]);
t("i64", () => [s.id_i64(-(2n ** 63n)), s.id_i64(2n ** 63n), s.id_i64(-5), s.id_i64(2 ** 53)]);
t("usize", () => [s.id_usize(2n ** 64n - 1n), s.id_usize(7)]);
t("isize", () => [s.id_isize(-1n), s.id_isize(-7)]);
t("f32", () => [s.id_f32(1.5), s.id_f32(0.1), s.id_f32(-0), s.id_f32(Infinity), s.id_f32(1e40), s.id_f32(NaN)]);
t("f64", () => [s.id_f64(0.1), s.id_f64(-0), s.id_f64(-Infinity), s.id_f64(Number.MIN_VALUE), s.id_f64(NaN)]);
t("mix6", () => s.mix6(-1, 2, -3, 4n, 0.5, 0.25));

t("bad bool", () => s.id_bool(1));
t("bad u8 negative", () => s.id_u8(-1));
t("bad u8 fraction", () => s.id_u8(1.5));
t("bad u8 string", () => s.id_u8("1"));
t("bad u16", () => s.id_u16(-1));
t("bad i16", () => s.id_i16(0.5));
t("bad i32 range", () => s.id_i32(2 ** 31));
t("bad u32 range", () => s.id_u32(2 ** 32));
t("bad u64 string", () => s.id_u64("1"));
t("bad i64 boolean", () => s.id_i64(true));
t("bad usize", () => s.id_usize(null));
t("bad isize", () => s.id_isize(undefined));
t("bad f32", () => s.id_f32(1n));
t("bad f64", () => s.id_f64("1"));
t("bad pointer number", () => s.id_pointer(1));
t("bad pointer object", () => s.id_pointer({}));
t("bad function", () => s.apply_binop(5, 1, 2));
t("missing argument", () => s.id_i32());
t("extra argument", () => s.id_i32(1, 2));

const p = Deno.UnsafePointer.create(0x1234n);
t("pointer", () => [s.id_pointer(null), Deno.UnsafePointer.value(s.id_pointer(p)), s.is_null(null), s.is_null(p)]);
t("pointer value", () => [Deno.UnsafePointer.value(null), Deno.UnsafePointer.create(0n), Deno.UnsafePointer.equals(p, s.id_pointer(p))]);
t("pointer offset", () => Deno.UnsafePointer.value(Deno.UnsafePointer.offset(p, 16)));
t("function pointer", () => s.apply_binop(s.get_add_i32(), 40, 2));

const bytes = new Uint8Array([1, 2, 3, 4, 5, 6]);
t("buffer", () => [s.buf_sum(bytes, 6n), s.buf_sum(bytes.subarray(2), 4), s.buf_sum(bytes.buffer, 3), s.buf_sum(null, 0)]);
t("buffer write", () => {
  const out = new Uint8Array(4);
  s.buf_fill(out, 4, 9);
  return out;
});
t("bad buffer", () => s.buf_sum(undefined, 0));
t("bad buffer string", () => s.buf_sum("abc", 3));

t("struct in", () => [s.sum_pt(new Int32Array([1, 2])), s.sum_pt(new Int32Array([-3, 5]).buffer)]);
t("struct out", () => s.make_pt(7, -9));
t("struct out big", () => new BigInt64Array(s.make_big(1n, -2n, 3n, 0.5).buffer, 0, 3));
t("struct out tiny", () => s.make_tiny(1, 2, 3));
t("bad struct", () => s.sum_pt(null));
t("bad struct number", () => s.sum_pt(1));

t("statics", () => [s.static_i32, s.static_u64, s.static_f64]);
t("absent", () => [s.absent, s.absent_static]);
t("renamed", () => s.renamed(20, 22));
t("keys", () => Object.keys(s).sort());
t("types", () => [typeof s.nop, typeof s.make_pt, typeof s.static_i32]);
lib.close();
console.log("closed");
