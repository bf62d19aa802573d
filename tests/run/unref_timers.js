// Timers that do not keep the event loop alive (Deno.unrefTimer), and one
// made to again (Deno.refTimer).
const a = setTimeout(() => console.log("unref'd timer fired"), 300);
Deno.unrefTimer(a);
setTimeout(() => console.log("timer fired"), 10);
const c = setInterval(() => console.log("unref'd interval fired"), 1000);
Deno.unrefTimer(c);
const d = setTimeout(() => console.log("re-ref'd timer fired"), 40);
Deno.unrefTimer(d);
Deno.refTimer(d);
const e = setTimeout(() => console.log("unref'd timer before a ref'd one fired"), 20);
Deno.unrefTimer(e);
Deno.unrefTimer(123456);
Deno.refTimer(123456);
console.log("end of module", typeof Deno.unrefTimer);
