// Edges of the Deno.dlopen family, compared with stock Deno: file URLs,
// closing in every state, SharedArrayBuffer pointers, offsets, the dynamic
// loader's own reason for a missing symbol, invalid UnsafeCallback and
// UnsafeFnPointer arguments, pointer views at their edges. Where ffic words
// a definition error itself (Deno prints its deserializer's words) only the
// error's class is compared; ffic refuses a "void" callback parameter,
// which Deno accepts.
const path = Deno.args[0];
const show = (s) => String(s).replaceAll(path, "<lib>");
const t = (label, f, messages = true) => {
  try {
    console.log(label, f());
  } catch (e) {
    console.log(label, e.name, messages ? show(e.message) : "", e instanceof Deno.errors.BadResource);
  }
};
const isPointer = (v) => typeof v === "object" && v !== null && Object.getPrototypeOf(v) === null;
const symbols = { add_i32: { parameters: ["i32", "i32"], result: "i32" } };
const lib = Deno.dlopen(new URL(`file://${path}`), symbols);
t("url", () => lib.symbols.add_i32(1, 2));
t("close", () => lib.close());
t("close twice", () => lib.close());
const cb = new Deno.UnsafeCallback({ parameters: [], result: "void" }, () => {});
t("callback close", () => cb.close());
t("callback close twice", () => cb.close());
const shared = new SharedArrayBuffer(8);
new Uint8Array(shared)[3] = 42;
t("shared", () => new Deno.UnsafePointerView(Deno.UnsafePointer.of(shared)).getUint8(3));
t("shared empty", () => Deno.UnsafePointer.of(new SharedArrayBuffer(0)));
t("shared view", () => Deno.UnsafePointer.of(new Uint8Array(shared)) !== null);
t("offset null", () => Deno.UnsafePointer.offset(null, 5));
t("offset to zero", () => Deno.UnsafePointer.offset(Deno.UnsafePointer.create(8n), -8));
t("offset", () => Deno.UnsafePointer.value(Deno.UnsafePointer.offset(Deno.UnsafePointer.create(8n), 8)));
t("missing symbol", () => Deno.dlopen(path, { nope: { parameters: [], result: "void" } }));

for (const [label, definition] of [
  ["no parameters", { result: "void" }],
  ["no result", { parameters: [] }],
  ["bad parameter", { parameters: ["i33"], result: "void" }],
  ["bad result", { parameters: [], result: "bogus" }],
]) {
  t(`callback ${label}`, () => new Deno.UnsafeCallback(definition, () => {}), false);
}
t("callback struct result", () => {
  const made = new Deno.UnsafeCallback({ parameters: [], result: { struct: ["u8"] } }, () => {});
  made.close();
  return "made";
});
t("callback not a function", () => new Deno.UnsafeCallback({ parameters: [], result: "void" }, null));
const counted = new Deno.UnsafeCallback({ parameters: [], result: "void" }, () => {});
t("ref", () => counted.ref());
t("ref again", () => counted.ref());
t("unref", () => counted.unref());
t("unref", () => counted.unref());
t("unref below zero", () => counted.unref());
t("close", () => counted.close());
t("ref after close", () => counted.ref());
t("pointer after close", () => isPointer(counted.pointer));

const fnLib = Deno.dlopen(path, { get_add_i32: { parameters: [], result: "function" } });
const add = fnLib.symbols.get_add_i32();
const fn = (definition) => new Deno.UnsafeFnPointer(add, definition);
t("fn", () => fn({ parameters: ["i32", "i32"], result: "i32" }).call(2, 3));
t("fn bad definition", () => fn({ parameters: ["x"], result: "i32" }).call(2, 3), false);
t("fn no arguments", () => fn({ parameters: ["i32", "i32"], result: "i32" }).call());
t("fn string argument", () => fn({ parameters: ["i32", "i32"], result: "i32" }).call("2", 3));
t("fn null pointer", () => new Deno.UnsafeFnPointer(null, { parameters: [], result: "void" }).pointer);
t("fn number pointer", () => new Deno.UnsafeFnPointer(5, { parameters: [], result: "void" }).call());
fnLib.close();

const bytes = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 0]);
const p = Deno.UnsafePointer.of(bytes);
const view = new Deno.UnsafePointerView(p);
t("getUint8 at 8", () => view.getUint8(8));
t("getUint32 at 5", () => view.getUint32(5));
t("getBigUint64 at 1", () => view.getBigUint64(1));
t("getFloat64", () => view.getFloat64());
t("getInt8 at -1", () => new Deno.UnsafePointerView(Deno.UnsafePointer.offset(p, 4)).getInt8(-1));
t("getCString", () => view.getCString());
t("getCString at 7", () => view.getCString(7));
t("getArrayBuffer of 0", () => view.getArrayBuffer(0).byteLength);
t("getArrayBuffer of 3 at 2", () => [...new Uint8Array(view.getArrayBuffer(3, 2))].join());
t("copyInto", () => {
  const into = new Uint8Array(4);
  view.copyInto(into, 1);
  return into.join();
});
t("copyInto an ArrayBuffer", () => {
  const into = new ArrayBuffer(2);
  view.copyInto(into);
  return [...new Uint8Array(into)].join();
});
t("view of null", () => new Deno.UnsafePointerView(null).getUint8());
t("offset by a BigInt", () => Deno.UnsafePointer.value(Deno.UnsafePointer.offset(p, 3n)) - Deno.UnsafePointer.value(p));
t("create 0", () => Deno.UnsafePointer.create(0n));
t("create from a Number", () => Deno.UnsafePointer.value(Deno.UnsafePointer.create(16)));
t("create -1", () => Deno.UnsafePointer.value(Deno.UnsafePointer.create(-1n)));
t("value of a Number", () => Deno.UnsafePointer.value(5));
t("equals null null", () => Deno.UnsafePointer.equals(null, null));
t("equals", () => Deno.UnsafePointer.equals(p, Deno.UnsafePointer.of(bytes)));

const open = Deno.dlopen(path, symbols);
t("close an open library", () => open.close());
t("its symbols after close", () => typeof open.symbols.add_i32);
t("close it again", () => open.close());
