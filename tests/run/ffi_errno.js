// errno capture through a generated module (Deno.args[1]) over libc: ffic's
// host reads errno inside the call, stock Deno (through the module's
// wrappers) right after it; both must print the same, but for the hot
// loop's count of exact reads: all 50000 under ffic, while stock Deno now
// and then finds errno changed between the call and its read.
const { open, errno } = await import(Deno.args[1]);
const libc = open("libc.so.6");
const s = libc.symbols;

console.log(s.open("/nonexistent/ffic-errno", 0), errno(), s.strerror(errno()));
console.log(s.strtol("99999999999999999999", null, 10), errno(), s.strerror(errno()));
console.log(s.close(-1), errno());
// A call that does not capture errno leaves the captured one as it was,
// though it changes errno itself, and so does a collection in between.
console.log(s.open("/nonexistent/ffic-errno", 0), s.closeUnmarked(-1));
globalThis.gc?.();
console.log(errno());
// Hot enough for optimized code to make fast calls.
let exact = 0;
for (let i = 0; i < 50000; i++) {
  const missing = i % 2 === 0;
  if (missing) s.open("/nonexistent/ffic-errno", 0);
  else s.close(-1);
  s.closeUnmarked(-1);
  if (i % 10000 === 0) globalThis.gc?.();
  if (errno() === (missing ? 2 : 9)) exact++;
}
console.log(exact);
// A nonblocking call's errno comes with its result (stock Deno cannot
// read a worker thread's: null there).
const later = await s.openLater("/nonexistent/ffic-errno", 0);
console.log(later.value, later.errno === 2 || later.errno === null);
libc.close();
