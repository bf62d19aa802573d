// A script that replaces globals and adds to Object.prototype and
// Array.prototype before it opens a library: the wrappers of symbols with a
// value are built by a factory made before it ran, from what it captured
// then, so calls stay right, and switch to the re-entrant form once a
// callback exists (ffic only: stock Deno has its own defences). The
// host's events hold too: the unload listener runs at the end.
addEventListener("unload", () => console.log("unload"));
process.on("exit", (code) => console.log("exit", code));
Object.defineProperty(Array.prototype, "0", { set() { throw new Error("hooked index"); }, configurable: true });
Object.prototype.get = function () { return 1; };
Object.prototype.value = 42;
Object.prototype.pointer = {};
Array.from = () => { throw new Error("hooked from"); };
Array.prototype.join = () => { throw new Error("hooked join"); };
Array.prototype.push = () => { throw new Error("hooked push"); };
Map.prototype.get = () => { throw new Error("hooked map"); };
WeakMap.prototype.get = () => { throw new Error("hooked weak map"); };
Reflect.apply = () => { throw new Error("hooked apply"); };
Function.prototype.call = () => { throw new Error("hooked call"); };
Object.defineProperty = () => { throw new Error("hooked define"); };
globalThis.Function = function () { throw new Error("hooked Function"); };
JSON.stringify = () => { throw new Error("hooked stringify"); };
Object.entries = () => { throw new Error("hooked entries"); };
Promise.reject = () => { throw new Error("hooked reject"); };
const lib = Deno.dlopen(Deno.args[0], {
  add_i32: { parameters: ["i32", "i32"], result: "i32" },
  call_i32: { parameters: ["function", "i32"], result: "i32" },
  id_pointer: { parameters: ["pointer"], result: "pointer" },
  id_bool: { parameters: ["bool"], result: "bool" },
  make_pt: { parameters: ["i32", "i32"], result: { struct: ["i32", "i32"] } },
  sleep_then: { parameters: ["u32", "u32"], result: "u32", nonblocking: true },
});
const s = lib.symbols;
const run = () => s.add_i32(2, 3);
let x = 0;
for (let i = 0; i < 20000; i++) x += run();
console.log("before callbacks", run(), x, s.add_i32.length);
const twice = new Deno.UnsafeCallback({ parameters: ["i32"], result: "i32" }, (v) => v * 2);
for (let i = 0; i < 20000; i++) x += run() + s.call_i32(twice.pointer, 1) + (s.id_bool(true) ? 1 : 0);
console.log("after callbacks", run(), s.call_i32(twice.pointer, 21), s.id_pointer(null), s.id_bool(false), x);
twice.close();
const pt = new Int32Array(s.make_pt(3, 4).buffer);
console.log("struct and nonblocking", pt[0], pt[1], await s.sleep_then(1, 9));
