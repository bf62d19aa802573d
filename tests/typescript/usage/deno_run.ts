// Stock Deno runs the generated module against the native test library:
// every symbol is called (or read) and checked. Usage:
//   deno run --allow-ffi deno_run.ts path/to/libffic_test.so
import { artifact, open, symbols } from "./ffic_test.js";

const lib = open(Deno.args[0]);
const s = lib.symbols;
const checked = new Set<string>();
const failures: string[] = [];

function check(name: keyof typeof symbols, actual: unknown, expected: unknown) {
  checked.add(name);
  const same = typeof expected === "number" && Number.isNaN(expected)
    ? Number.isNaN(actual)
    : Object.is(actual, expected);
  if (!same) failures.push(`${name}: got ${String(actual)}, expected ${String(expected)}`);
}

function bytes(view: Uint8Array): number[] {
  return Array.from(view);
}

function struct(fields: [string, number][], size: number): Uint8Array<ArrayBuffer> {
  // Little-endian C layout, fields given with their offsets.
  const buf = new Uint8Array(size);
  const view = new DataView(buf.buffer);
  for (const [kind, value, offset] of fields as unknown as [string, number, number][]) {
    if (kind === "i32") view.setInt32(offset, value, true);
    else if (kind === "f32") view.setFloat32(offset, value, true);
    else if (kind === "f64") view.setFloat64(offset, value, true);
    else if (kind === "i64") view.setBigInt64(offset, BigInt(value), true);
    else if (kind === "u8") view.setUint8(offset, value);
    else if (kind === "u16") view.setUint16(offset, value, true);
  }
  return buf;
}

function f(kind: string, value: number, offset: number): [string, number] {
  return [kind, value, offset] as unknown as [string, number];
}

const before = s.nop_count();
s.nop();
check("nop", s.nop_count(), before + 1);
check("nop_count", s.nop_count(), before + 1);
check("id_bool", s.id_bool(true), true);
check("id_u8", s.id_u8(255), 255);
check("id_i8", s.id_i8(-128), -128);
check("id_u16", s.id_u16(65535), 65535);
check("id_i16", s.id_i16(-32768), -32768);
check("id_u32", s.id_u32(4294967295), 4294967295);
check("id_i32", s.id_i32(-2147483648), -2147483648);
check("id_u64", s.id_u64(18446744073709551615n), 18446744073709551615n);
check("id_i64", s.id_i64(-9223372036854775808n), -9223372036854775808n);
check("id_usize", s.id_usize(18446744073709551615n), 18446744073709551615n);
check("id_isize", s.id_isize(-9223372036854775808n), -9223372036854775808n);
check("id_f32", s.id_f32(1.5), 1.5);
check("id_f64", s.id_f64(-0), -0);
check("id_pointer", s.id_pointer(null), null);
check("not_bool", s.not_bool(false), true);
check("widen_i8", s.widen_i8(-1), -1);
check("widen_u8", s.widen_u8(200), 200);
check("widen_i16", s.widen_i16(-300), -300);
check("widen_u16", s.widen_u16(60000), 60000);
check("add_i32", s.add_i32(2147483647, 1), -2147483648);
check("add_u8", s.add_u8(200, 100), 44);
check("add_i64", s.add_i64(1n, -2n), -1n);
check("add_u64", s.add_u64(18446744073709551615n, 2n), 1n);
check("add_f32", s.add_f32(0.5, 0.25), 0.75);
check("add_f64", s.add_f64(0.1, 0.2), 0.1 + 0.2);
check("mix6", s.mix6(-3, 65535, -7, 1n << 40n, 0.5, 0.25), -3 + 2 * 65535 - 21 + 4 * 2 ** 40 + 2.5 + 1.5);
const many = Array.from({ length: 26 }, (_, i) => i + 1);
const manyArgs = many.map((v, i) => [6, 14, 16].includes(i) ? BigInt(v) : v) as Parameters<typeof s.many26>;
check("many26", s.many26(...manyArgs), many.reduce((acc, v) => acc + v * v, 0));
// pick_arg returns its argument `which` as 64 bits; declared narrower here,
// only the declared bits are certain.
for (const which of [1, 5, 6, 8]) {
  const low = (bits: number, v: bigint) => Number(BigInt.asIntN(bits, v));
  const lowU = (bits: number, v: bigint) => Number(BigInt.asUintN(bits, v));
  check("pick_i8", low(8, s.pick_i8(which, -1, -2, -3, -4, -5, -6, -7, -8)), -which);
  check("pick_u8", lowU(8, s.pick_u8(which, 241, 242, 243, 244, 245, 246, 247, 248)), 240 + which);
  check("pick_i16", low(16, s.pick_i16(which, -1e3, -2e3, -3e3, -4e3, -5e3, -6e3, -7e3, -8e3)), -1e3 * which);
  check("pick_u16", lowU(16, s.pick_u16(which, 65281, 65282, 65283, 65284, 65285, 65286, 65287, 65288)), 65280 + which);
  check("pick_i32", low(32, s.pick_i32(which, -1e9, -2e9 + 1, -3, -4, -5, -6, -7, -8)), [-1e9, -2e9 + 1, -3, -4, -5, -6, -7, -8][which - 1]);
  check("pick_u32", lowU(32, s.pick_u32(which, 4e9, 4e9 + 2, 3, 4, 5, 6, 7, 8)), [4e9, 4e9 + 2, 3, 4, 5, 6, 7, 8][which - 1]);
}
check("is_null", s.is_null(null), true);
const data = new Uint8Array([1, 2, 3, 250]);
check("buf_sum", s.buf_sum(data, 4n), 256);
s.buf_fill(data, 2n, 9);
check("buf_fill", bytes(data).join(), "9,9,3,250");
const base = Deno.UnsafePointer.value(Deno.UnsafePointer.of(data));
check("buf_offset", Deno.UnsafePointer.value(s.buf_offset(data, 3n)), BigInt(base) + 3n);
const add = s.get_add_i32();
check("get_add_i32", add === null, false);
check("apply_binop", s.apply_binop(add, 40, 2), 42);

const pt = s.make_pt(-5, 7);
check("make_pt", bytes(pt).join(), bytes(struct([f("i32", -5, 0), f("i32", 7, 4)], 8)).join());
check("sum_pt", s.sum_pt(pt), -5 + 14);
check("swap_pt", bytes(s.swap_pt(pt)).join(), bytes(struct([f("i32", 7, 0), f("i32", -5, 4)], 8)).join());
const f2 = s.make_f2(1.5, -2.25);
check("make_f2", new Float32Array(f2.buffer).join(), "1.5,-2.25");
check("sum_f2", s.sum_f2(f2), 1.5 - 4.5);
check("swap_f2", new Float32Array(s.swap_f2(f2).buffer).join(), "-2.25,1.5");
const iff = s.make_if(0.5, -7, 1e10);
check("make_if", bytes(iff).join(), bytes(struct([f("f32", 0.5, 0), f("i32", -7, 4), f("f64", 1e10, 8)], 16)).join());
check("sum_if", s.sum_if(iff), 0.5 - 14 + 3e10);
check("twice_if", s.sum_if(s.twice_if(iff)), 1 - 28 + 6e10);
checked.add("twice_if");
const dl = s.make_dl(-0.5, -4n);
check("make_dl", bytes(dl).join(), bytes(struct([f("f64", -0.5, 0), f("i64", -4, 8)], 16)).join());
check("sum_dl", s.sum_dl(dl), -0.5 - 8);
check("twice_dl", s.sum_dl(s.twice_dl(dl)), -1 - 16);
const dd = s.make_dd(3, -4);
check("make_dd", new Float64Array(dd.buffer).join(), "3,-4");
check("sum_dd", s.sum_dd(dd), -5);
check("swap_dd", new Float64Array(s.swap_dd(dd).buffer).join(), "-4,3");
const f3 = s.make_f3(1, 2, 3);
check("make_f3", new Float32Array(f3.buffer).join(), "1,2,3");
check("sum_f3", s.sum_f3(f3), 14);
check("rotate_f3", new Float32Array(s.rotate_f3(f3).buffer).join(), "2,3,1");
const tiny = s.make_tiny(1, 2, 255);
check("make_tiny", bytes(tiny).join(), "1,2,255");
check("sum_tiny", s.sum_tiny(tiny), 1 + 4 + 765);
check("rotate_tiny", bytes(s.rotate_tiny(tiny)).join(), "2,255,1");
const big = s.make_big(1n, -2n, 3n, 0.25);
check("make_big", bytes(big).join(), bytes(struct([f("i64", 1, 0), f("i64", -2, 8), f("i64", 3, 16), f("f64", 0.25, 24)], 32)).join());
check("sum_big", s.sum_big(big), 1 - 4 + 9 + 1);
check("twice_big", s.sum_big(s.twice_big(big)), 2 - 8 + 18 + 2);
const odd = s.make_odd(1, 2, 3, 4, -5);
check("make_odd", new Int32Array(odd.buffer).join(), "1,2,3,4,-5");
check("sum_odd", s.sum_odd(odd), 1n + 4n + 9n + 16n - 25n);
check("rotate_odd", new Int32Array(s.rotate_odd(odd).buffer).join(), "2,3,4,-5,1");
const nested = s.make_nested(7, 0.5, -1.5, 65535);
check("make_nested", bytes(nested).join(), bytes(struct([f("u8", 7, 0), f("f32", 0.5, 4), f("f32", -1.5, 8), f("u16", 65535, 12)], 16)).join());
check("sum_nested", s.sum_nested(nested), 7 + 1 - 4.5 + 4 * 65535);
const deep = s.make_deep(-1, 2, 0.125, 200);
check("make_deep", bytes(deep).join(), bytes(struct([f("i32", -1, 0), f("i32", 2, 4), f("f64", 0.125, 8), f("u8", 200, 16)], 24)).join());
check("sum_deep", s.sum_deep(deep), -1 + 4 + 0.375 + 800);
check("dl_after_ints", s.dl_after_ints(1n, 2n, 3n, 4n, 5n, s.make_dl(0.5, 3n), -1n), 55 + 3 + 21 - 8);
check("dd_after_floats", s.dd_after_floats(1, 2, 3, 4, 5, 6, 7, s.make_dd(0.5, 0.25), -2), 140 + 4 + 2.25 - 20);
// The test library fills padding with 0xAB: only fields are compared here
// (stock Deno passes that padding on; ffic zeroes it, tested in run.rs).
const padMem = new DataView(s.pad_mem(3, 7n).buffer);
check("pad_mem", [padMem.getUint8(0), padMem.getFloat32(4, true), padMem.getFloat64(8, true), padMem.getFloat64(16, true), padMem.getBigUint64(24, true)].join(), "3,1.5,2.5,-1,7");
const padInt = new DataView(s.pad_int(3, 9).buffer);
check("pad_int", [padInt.getUint8(0), padInt.getUint32(4, true)].join(), "3,9");
const padSse = new DataView(s.pad_sse(1.5, 2.5).buffer);
check("pad_sse", [padSse.getFloat32(0, true), padSse.getFloat64(8, true)].join(), "1.5,2.5");
const padCallback = new Deno.UnsafeCallback(
  { parameters: [{ struct: ["u8", "u32"] }], result: "u32" } as const,
  (b) => b[0] * 1000 + new DataView(b.buffer, b.byteOffset).getUint32(4, true),
);
check("give_pad_int", s.give_pad_int(padCallback.pointer, 3, 9), 3009);
padCallback.close();
check("add_i32_async", await s.add_i32_async(5, 6), 11);
check("absent", s.absent, null);
check("static_i32", s.static_i32, -42);
check("static_u64", s.static_u64, 18446744073709551615n);
check("static_f64", s.static_f64, 3.5);
// A pointer static is the address of the variable (Deno's behaviour), so the
// string's own pointer is read through it.
const variable = s.static_str;
const str = variable === null ? null : new Deno.UnsafePointerView(variable).getPointer();
check("static_str", str === null ? null : new Deno.UnsafePointerView(str).getCString(), "ffic");
check("absent_static", s.absent_static, null);

const meta = (symbols as unknown as Record<symbol, { artifact: string; digest: string }>)[Symbol.for("ffic")];
if (meta?.artifact !== artifact.href || !/^[0-9a-f]{64}$/.test(meta.digest)) {
  failures.push(`ffic metadata: ${JSON.stringify(meta)}`);
}
if (!Object.isFrozen(symbols) || !Object.isFrozen(symbols.many26.parameters)) {
  failures.push("the descriptor is not deeply frozen");
}
const unchecked = Object.keys(symbols).filter((k) => !checked.has(k));
if (unchecked.length > 0) failures.push(`never checked: ${unchecked.join(", ")}`);
lib.close();
if (failures.length > 0) {
  console.error(failures.join("\n"));
  Deno.exit(1);
}
console.log(`ok: ${checked.size} symbols`);
