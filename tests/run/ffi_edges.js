// Edges of the Deno.dlopen family where ffic once differed from stock
// Deno: file URLs, closing twice, SharedArrayBuffer pointers, a null offset,
// the dynamic loader's own reason for a missing symbol.
const path = Deno.args[0];
const show = (s) => String(s).replaceAll(path, "<lib>");
const t = (label, f) => {
  try {
    console.log(label, f());
  } catch (e) {
    console.log(label, e.name, show(e.message), e instanceof Deno.errors.BadResource);
  }
};
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
