// ffic only: re-entering JS from native code called by an optimized caller
// (run with --v8-flags=--allow-natives-syntax and the descriptor of
// ffi_fast.js). Stock Deno aborts here: V8 cannot lazily deoptimize a caller
// whose fast call returns a value.
const descriptor = (await import("./fast/symbols.json", { with: { type: "json" } })).default;
const lib = Deno.dlopen(Deno.args[0], descriptor);
const s = lib.symbols;

// A callback re-entering JS from a fast call of a void symbol, and from a
// symbol that returns a value (which ffic then calls through its re-entrant
// form), each time writing a field the optimized caller had folded as a
// constant, so V8 deoptimizes the caller while the native call is still
// running.
const voidState = { k: 1 };
const valueState = { value: 1 };
let armed = false;
const bump = new Deno.UnsafeCallback({ parameters: [], result: "void" }, () => {
  if (armed) voidState.k = 2;
});
const twice = new Deno.UnsafeCallback({ parameters: ["i32"], result: "i32" }, (x) => {
  if (armed) valueState.value = 2;
  return x * 2;
});
const reenterVoid = () => {
  s.call_void(bump.pointer, 1);
  return voidState.k * 10;
};
const reenterValue = (x) => s.call_i32(twice.pointer, x) + valueState.value * 10;
%PrepareFunctionForOptimization(reenterVoid);
%PrepareFunctionForOptimization(reenterValue);
// These calls give the symbol's wrapper the feedback V8 inlines it with.
for (let i = 0; i < 16; i++) {
  reenterVoid();
  reenterValue(1);
}
%OptimizeFunctionOnNextCall(reenterVoid);
%OptimizeFunctionOnNextCall(reenterValue);
reenterVoid();
reenterValue(1);
armed = true;
console.log("re-enter void", reenterVoid(), voidState.k);
console.log("re-enter value", reenterValue(20), valueState.value);
bump.close();
twice.close();
console.log("descriptor order", Object.keys(s).join() === Object.keys(descriptor).join());
