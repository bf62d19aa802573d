// Timers, microtasks, text coding, performance and the Deno namespace.
const order = [];
setTimeout(() => order.push("timeout 10"), 10);
setTimeout(() => order.push("timeout 0"), 0);
const cancelled = setTimeout(() => order.push("cancelled"), 1);
clearTimeout(cancelled);
queueMicrotask(() => order.push("microtask"));
Promise.resolve().then(() => order.push("promise"));
let ticks = 0;
const interval = setInterval(() => {
  ticks++;
  if (ticks === 3) clearInterval(interval);
}, 1);
order.push("sync");
await new Promise((resolve) => setTimeout(resolve, 30));
console.log(order, ticks);

const encoded = new TextEncoder().encode("héllo €𝄞");
console.log(encoded, new TextEncoder().encoding);
console.log(new TextDecoder().decode(encoded), new TextDecoder().decode(encoded.subarray(1, 3)));
console.log(new TextDecoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41])).length);
console.log(new TextDecoder("utf-8", { ignoreBOM: true }).decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41])).length);
console.log(new TextDecoder().decode(new Uint8Array([0x61, 0xff, 0x62])));
try {
  new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array([0xff]));
} catch (e) {
  console.log(e instanceof TypeError);
}
console.log(new TextDecoder().decode(new Uint8Array([104, 105]).buffer), new TextDecoder().decode());

const t0 = performance.now();
const t1 = performance.now();
console.log(typeof t0, t1 >= t0, t0 >= 0);

console.log(Deno.args);
console.log(Deno.build.os, Deno.build.arch, typeof Deno.execPath());
const usage = Deno.memoryUsage();
console.log(Object.keys(usage), usage.rss > 1e6, usage.heapUsed > 0);
console.log(typeof Deno.errors.NotCapable, new Deno.errors.NotCapable("x") instanceof Error);
Deno.exit(3);
console.log("not reached");
