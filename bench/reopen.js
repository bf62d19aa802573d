// Resident memory over repeated Deno.dlopen + call + close cycles of one
// small library, run unchanged by `ffic run` and stock Deno:
// `reopen.js LIB DESCRIPTOR [cycles]`, where DESCRIPTOR is a JSON file
// (ffic: JIT) or an ffic-generated module (ffic: its artifact) whose
// symbols map onto the test library. A long-running host that reopens a
// plugin must not grow with every open; like such a host between requests,
// the loop yields to the event loop every 100 cycles. Prints
//   rss_start MB       after the first 1000 cycles (warm-up)
//   rss_end MB         after all cycles
//   growth_kb_per_open (rss_end - rss_start) per cycle after the warm-up
//   heap_kb_per_open   the same for V8's used heap
// with a GC before each reading when the runtime exposes one.
const [libPath, descriptorPath, cyclesArg] = Deno.args;
const cycles = Number(cyclesArg ?? 20000);
const symbols = descriptorPath.endsWith(".json")
  ? (await import(descriptorPath, { with: { type: "json" } })).default
  : (await import(descriptorPath)).symbols;
const args = { add_i32: [1, 2], add_f64: [1.5, 2], nop: [] };
const names = Object.keys(symbols);
const argsOf = names.map((name) => args[symbols[name].name ?? name]);

function cycle() {
  const lib = Deno.dlopen(libPath, symbols);
  for (let i = 0; i < names.length; i++) lib.symbols[names[i]](...argsOf[i]);
  lib.close();
}

const usage = () => {
  globalThis.gc?.();
  const { rss, heapUsed } = Deno.memoryUsage();
  return { rss: rss / 2 ** 20, heap: heapUsed / 2 ** 20 };
};
const warmup = Math.min(1000, cycles);
const yieldEvery = 100;
const turn = () => new Promise((resolve) => setTimeout(resolve, 0));
for (let i = 0; i < warmup; i++) {
  cycle();
  if (i % yieldEvery === yieldEvery - 1) await turn();
}
const before = usage();
const start = before.rss;
for (let i = warmup; i < cycles; i++) {
  cycle();
  if (i % yieldEvery === yieldEvery - 1) await turn();
}
const after = usage();
const end = after.rss;
console.log("rss_start", start.toFixed(1));
console.log("rss_end", end.toFixed(1));
const perOpen = (mb) => ((mb * 1024) / Math.max(1, cycles - warmup)).toFixed(2);
console.log("growth_kb_per_open", perOpen(end - start));
console.log("heap_kb_per_open", perOpen(after.heap - before.heap));
