// Deno.UnsafePointer.of and UnsafePointerView against the native test
// library (first argument): every getter, C strings, ArrayBuffers over
// native memory, copyInto, the static forms and the null-pointer errors.
const lib = Deno.dlopen(Deno.args[0], {
  static_str: { type: "pointer" },
  buf_offset: { parameters: ["buffer", "usize"], result: "buffer" },
});
const t = (label, f) => {
  try {
    console.log(label, f());
  } catch (e) {
    console.log(label, e.constructor.name, e.message);
  }
};

const bytes = new Uint8Array([0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x80, 0x3f, 0, 0, 0xc0, 0x3f]);
const ptr = Deno.UnsafePointer.of(bytes);
const view = new Deno.UnsafePointerView(ptr);
t("bool", () => [view.getBool(), view.getBool(12)]);
t("8", () => [view.getUint8(), view.getInt8(), view.getUint8(10), view.getInt8(10)]);
t("16", () => [view.getUint16(), view.getInt16(), view.getUint16(9)]);
t("32", () => [view.getUint32(), view.getInt32(), view.getUint32(1.7)]);
t("64", () => [view.getBigUint64(), view.getBigInt64(), view.getBigUint64(8)]);
t("floats", () => [view.getFloat32(10), view.getFloat64(8)]);
t("pointer", () => Deno.UnsafePointer.value(view.getPointer(0)));
t("of", () => [Deno.UnsafePointer.of(new Uint8Array(0)), Deno.UnsafePointer.equals(ptr, Deno.UnsafePointer.of(bytes.buffer))]);
t("of subarray", () => Deno.UnsafePointer.value(Deno.UnsafePointer.of(bytes.subarray(3))) - Deno.UnsafePointer.value(ptr));
t("of number", () => Deno.UnsafePointer.of(5));
t("of null", () => Deno.UnsafePointer.of(null));
t("of string", () => Deno.UnsafePointer.of("abc"));

// A pointer static is the variable's address (as in Deno): read the
// pointer stored there, then the string it points to.
const str = new Deno.UnsafePointerView(lib.symbols.static_str).getPointer();
t("cstring", () => [new Deno.UnsafePointerView(str).getCString(), Deno.UnsafePointerView.getCString(str, 1)]);
const text = new TextEncoder().encode("hello\0world\0");
t("cstring offset", () => Deno.UnsafePointerView.getCString(Deno.UnsafePointer.of(text), 6));
t("array buffer", () => new Uint8Array(view.getArrayBuffer(4, 2)));
t("array buffer static", () => new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(ptr, 3)));
t("shares memory", () => {
  const ab = Deno.UnsafePointerView.getArrayBuffer(ptr, 2);
  new Uint8Array(ab)[1] = 42;
  return bytes[1];
});
t("copy into", () => {
  const out = new Uint8Array(5);
  view.copyInto(out, 1);
  return out;
});
t("copy into static", () => {
  const out = new Uint16Array(2);
  Deno.UnsafePointerView.copyInto(ptr, out, 2);
  return out;
});
t("buffer result", () => new Deno.UnsafePointerView(lib.symbols.buf_offset(bytes, 4)).getUint8());

const none = new Deno.UnsafePointerView(null);
for (const getter of ["getBool", "getUint8", "getInt16", "getUint32", "getBigInt64", "getFloat32", "getFloat64", "getPointer"]) {
  t(`null ${getter}`, () => none[getter]());
}
t("null cstring", () => Deno.UnsafePointerView.getCString(null));
for (const pointer of [5, "x", undefined]) {
  t(`not a pointer ${typeof pointer}`, () => [new Deno.UnsafePointerView(pointer).getInt16()]);
  t(`not a pointer cstring ${typeof pointer}`, () => Deno.UnsafePointerView.getCString(pointer));
}
t("view fields", () => Object.keys(view));
lib.close();
