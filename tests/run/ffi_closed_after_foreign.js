// A callback another thread called, then closed: native code that kept its
// pointer and calls it on the isolate's thread after the next turn gets
// zero, and the JS function does not run (its code is never freed, since
// the other thread may still be returning through it, but its record is).
const lib = Deno.dlopen(Deno.args[0], {
  call_on_thread_join: { parameters: ["function", "u32"], result: "u32", nonblocking: true },
  call_i32: { parameters: ["function", "i32"], result: "i32" },
});
let calls = 0;
const twice = new Deno.UnsafeCallback({ parameters: ["i32"], result: "i32" }, (v) => {
  calls++;
  return v * 2;
});
console.log("before", lib.symbols.call_i32(twice.pointer, 20), calls);
console.log("joined", await lib.symbols.call_on_thread_join(twice.pointer, 3), calls);
const stale = twice.pointer;
twice.close();
await new Promise((resolve) => setTimeout(resolve, 5));
console.log("after close", lib.symbols.call_i32(stale, 20), calls);
