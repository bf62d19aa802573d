// Cost of Deno.dlopen with N symbols, run unchanged by `ffic run` and stock
// Deno: `dlopen.js LIB DESCRIPTOR [runs]`, where DESCRIPTOR is a JSON file
// (ffic: JIT) or an ffic-generated module (ffic: its artifact) whose
// symbols s0..sN-1 map round-robin onto add_i32, add_f64 and nop.
// scripts/bench-dlopen makes the descriptors and runs every combination.
// Prints
//   dlopen_first_N ms the first open in the process (nothing cached yet)
//   dlopen_N ms       median over runs of opening (every symbol resolved)
//   dlopen_call_N ms  the same plus the first call of every symbol
//   rss_N MB          resident memory an open plus the first call of every
//                     symbol added (after one open and close, and after
//                     V8's compilers ran on a loop of the same shape)
const [libPath, descriptorPath, runsArg] = Deno.args;
const runs = Number(runsArg ?? 11);
const symbols = descriptorPath.endsWith(".json")
  ? (await import(descriptorPath, { with: { type: "json" } })).default
  : (await import(descriptorPath)).symbols;
const names = Object.keys(symbols);
const n = names.length;
const args = { add_i32: [1, 2], add_f64: [1.5, 2], nop: [] };
const argsOf = names.map((name) => args[symbols[name].name]);

function callAll(s) {
  for (let i = 0; i < n; i++) s[names[i]](...argsOf[i]);
}

const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
let start = performance.now();
Deno.dlopen(libPath, symbols).close();
const firstTime = performance.now() - start;
// V8's compilers first run on a loop like callAll's over plain functions:
// their own code, paged in on first use while callAll compiles, is a cost
// of the process, not of an open (it made rss_N vary by up to 0.6 MB).
const plain = Object.fromEntries(names.map((name) => [name, (a, b) => a + b]));
const warm = new Function("s", "names", "argsOf", `for (let i = 0; i < ${n}; i++) s[names[i]](...argsOf[i]);`);
for (let i = 0; i < Math.ceil(2e5 / n); i++) warm(plain, names, argsOf);
const openTimes = [];
const callTimes = [];
let rssGrowth;
for (let r = 0; r < runs; r++) {
  const rssBefore = Deno.memoryUsage().rss;
  start = performance.now();
  const first = Deno.dlopen(libPath, symbols);
  callAll(first.symbols);
  callTimes.push(performance.now() - start);
  if (r === 0) rssGrowth = Deno.memoryUsage().rss - rssBefore;
  first.close();

  start = performance.now();
  const lib = Deno.dlopen(libPath, symbols);
  openTimes.push(performance.now() - start);
  lib.close();
}
console.log(`dlopen_first_${n}`, firstTime.toFixed(3));
console.log(`dlopen_${n}`, median(openTimes).toFixed(3));
console.log(`dlopen_call_${n}`, median(callTimes).toFixed(3));
console.log(`rss_${n}`, (rssGrowth / 2 ** 20).toFixed(2));
