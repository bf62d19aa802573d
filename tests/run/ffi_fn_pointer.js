// Deno.UnsafeFnPointer against the native test library (first argument):
// function pointers from a symbol and from a static, scalar and struct
// results, argument errors.
const lib = Deno.dlopen(Deno.args[0], {
  get_add_i32: { parameters: [], result: "function" },
});
const t = (label, f) => {
  try {
    console.log(label, f());
  } catch (e) {
    console.log(label, e.constructor.name, e.message);
  }
};
const addPtr = lib.symbols.get_add_i32();
const add = new Deno.UnsafeFnPointer(addPtr, { parameters: ["i32", "i32"], result: "i32" });
t("call", () => [add.call(40, 2), add.call(-1, -2), add.call(2147483647, 1)]);
t("definition", () => add.definition);
t("same pointer", () => Deno.UnsafePointer.equals(add.pointer, addPtr));
t("bad argument", () => add.call(1, "2"));
t("missing argument", () => add.call(1));
t("as i64", () => new Deno.UnsafeFnPointer(addPtr, { parameters: ["i32", "i32"], result: "u8" }).call(200, 100));
t("unchecked until called", () => new Deno.UnsafeFnPointer(5, { parameters: [], result: "void" }));
// A pointer-typed static is the symbol's address: here, a function's.
const fns = Deno.dlopen(Deno.args[0], {
  make_pt: { type: "pointer" },
  sum_pt: { type: "pointer" },
});
const pt = { struct: ["i32", "i32"] };
const makePt = new Deno.UnsafeFnPointer(fns.symbols.make_pt, { parameters: ["i32", "i32"], result: pt });
const sumPt = new Deno.UnsafeFnPointer(fns.symbols.sum_pt, { parameters: [pt], result: "f64" });
t("struct result", () => makePt.call(7, -9));
t("struct argument", () => sumPt.call(makePt.call(3, 4)));
t("bad struct argument", () => sumPt.call(null));
lib.close();
