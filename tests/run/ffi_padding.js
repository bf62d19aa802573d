// Struct padding never reaches JS (ffic only: stock Deno hands over the
// bytes the callee left there). The test library fills padding with 0xAB;
// each result's padding prints as 0,0,0 on the slow, fast and nonblocking
// paths, and a callback's struct argument arrives with its padding zeroed.
const mem = { struct: ["u8", "f32", "f64", "f64", "u64"] };
const int = { struct: ["u8", "u32"] };
const lib = Deno.dlopen(Deno.args[0], {
  pad_mem: { parameters: ["u8", "u64"], result: mem },
  pad_int: { parameters: ["u8", "u32"], result: int },
  pad_mem_async: { name: "pad_mem", parameters: ["u8", "u64"], result: mem, nonblocking: true },
  give_pad_int: { parameters: ["function", "u8", "u32"], result: "u32" },
});
const s = lib.symbols;
const pad = (b) => [...b.subarray(1, 4)].join();
// The struct-result wrappers are JS: optimized, they call the symbol fast.
%PrepareFunctionForOptimization(s.pad_mem);
%PrepareFunctionForOptimization(s.pad_int);
console.log("slow", `${pad(s.pad_mem(3, 7n))} ${pad(s.pad_int(3, 9))}`);
%OptimizeFunctionOnNextCall(s.pad_mem);
%OptimizeFunctionOnNextCall(s.pad_int);
console.log("fast", `${pad(s.pad_mem(3, 7n))} ${pad(s.pad_int(3, 9))}`);
console.log("nonblocking", pad(await s.pad_mem_async(3, 7n)));
const cb = new Deno.UnsafeCallback({ parameters: [int], result: "u32" }, (b) => b[0] * 1000 + b[1] + b[2] + b[3]);
console.log("callback argument", s.give_pad_int(cb.pointer, 3, 9));
cb.close();
lib.close();
