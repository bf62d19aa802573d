// Without unrestricted --allow-ffi, pointers, views, function pointers and
// callbacks throw Deno's NotCapable (run with no flag and with a path list).
const t = (label, f) => {
  try {
    console.log(label, f());
  } catch (e) {
    console.log(label, e.constructor.name, e.message);
  }
};
t("callback", () => typeof new Deno.UnsafeCallback({ parameters: [], result: "void" }, () => {}).pointer);
t("threadSafe", () => Deno.UnsafeCallback.threadSafe({ parameters: [], result: "void" }, () => {}));
t("nonblocking callback", () => new Deno.UnsafeCallback({ parameters: [], result: "void", nonblocking: true }, () => {}));
t("create", () => Deno.UnsafePointer.create(5n));
t("of", () => Deno.UnsafePointer.of(new Uint8Array(4)));
t("value", () => Deno.UnsafePointer.value(null));
t("offset", () => Deno.UnsafePointer.offset(null, 0));
t("equals", () => Deno.UnsafePointer.equals(null, null));
t("view", () => typeof new Deno.UnsafePointerView(null));
t("getUint8", () => new Deno.UnsafePointerView(null).getUint8());
t("getCString", () => Deno.UnsafePointerView.getCString(null));
t("getArrayBuffer", () => Deno.UnsafePointerView.getArrayBuffer(null, 1));
t("copyInto", () => Deno.UnsafePointerView.copyInto(null, new Uint8Array(1)));
t("fn pointer", () => typeof new Deno.UnsafeFnPointer(null, { parameters: [], result: "void" }));
t("fn pointer call", () => new Deno.UnsafeFnPointer(null, { parameters: [], result: "void" }).call());
await new Deno.UnsafeFnPointer(null, { parameters: [], result: "void", nonblocking: true }).call()
  .catch((e) => console.log("nonblocking fn pointer call", e.constructor.name, e.message));
// Argument errors come before the permission check, as in Deno.
t("dlopen null symbols", () => Deno.dlopen("/usr/lib/nope.so", null));
try {
  Deno.dlopen("/usr/lib/nope.so", { f: { parameters: ["bad"], result: "void" } });
} catch (e) {
  console.log("dlopen bad symbols", e.constructor.name);
}
