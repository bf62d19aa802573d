// Cost of opening the native test library with N symbol definitions on
// node:ffi (Node 26), to compare with Deno.dlopen and ffic:
//   node --experimental-ffi bench/dlopen-node.mjs LIB N [runs]
// Symbols s0..sN-1 map round-robin onto add_i32, add_f64 and nop. Prints
//   dlopen_N ms       median over runs of opening and binding all N symbols
//   dlopen_call_N ms  the same plus the first call of every symbol
//   rss_N MB          RSS growth over the first run (dlopen + first calls,
//                     library still open), after V8's compilers ran on a
//                     loop of the same shape; one N per process keeps it clean
//
// node:ffi has no separate native name in a definition (dlopen's keys are
// the dlsym names), so each s<i> is bound with lib.getFunction(native, sig)
// on a DynamicLibrary, which is dlopen without definitions. getFunction
// caches per native symbol and returns the same wrapper for the same
// signature: only the first three s<i> build a function, the rest are
// cache hits, and "first call" runs only three distinct wrappers.
import ffi from "node:ffi";

const [libPath, nArg, runsArg] = process.argv.slice(2);
const n = Number(nArg ?? 100);
const runs = Number(runsArg ?? 11);
const natives = [
  ["add_i32", { arguments: ["i32", "i32"], return: "i32" }, [1, 2]],
  ["add_f64", { arguments: ["f64", "f64"], return: "f64" }, [1.5, 2]],
  ["nop", { arguments: [], return: "void" }, []],
];

function open() {
  const lib = new ffi.DynamicLibrary(libPath);
  const s = {};
  for (let i = 0; i < n; i++) {
    const [name, sig] = natives[i % natives.length];
    s[`s${i}`] = lib.getFunction(name, sig);
  }
  return { lib, s };
}

function callAll(s) {
  for (let i = 0; i < n; i++) s[`s${i}`](...natives[i % natives.length][2]);
}

const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
// V8's compilers first run on a loop like callAll's over plain functions,
// as in bench/dlopen.js: their code paged in is the process's cost.
const plain = Object.fromEntries(Array.from({ length: n }, (_, i) => [`s${i}`, (a, b) => a + b]));
const warm = new Function("s", "natives", `for (let i = 0; i < ${n}; i++) s[\`s\${i}\`](...natives[i % natives.length][2]);`);
for (let i = 0; i < Math.ceil(2e5 / n); i++) warm(plain, natives);
const openTimes = [];
const callTimes = [];
let rssGrowth;
for (let r = 0; r < runs; r++) {
  const rssBefore = process.memoryUsage().rss;
  let start = performance.now();
  const first = open();
  callAll(first.s);
  callTimes.push(performance.now() - start);
  if (r === 0) rssGrowth = process.memoryUsage().rss - rssBefore;
  first.lib.close();

  start = performance.now();
  const { lib } = open();
  openTimes.push(performance.now() - start);
  lib.close();
}
console.log(`dlopen_${n}`, median(openTimes).toFixed(3));
console.log(`dlopen_call_${n}`, median(callTimes).toFixed(3));
console.log(`rss_${n}`, (rssGrowth / 2 ** 20).toFixed(2));
