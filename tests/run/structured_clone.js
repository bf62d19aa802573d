// structuredClone: what V8's serializer copies (cycles, dates, maps, errors,
// typed arrays), what it refuses (DataCloneError) and transferred buffers.
const v = { a: 1, b: [1, 2, { c: "s" }], d: new Date(0), m: new Map([[1, 2]]), s: new Set([3]), r: /x/g, big: 10n, u8: new Uint8Array([1, 2]), nested: null, und: undefined, err: new RangeError("e") };
v.self = v;
const c = structuredClone(v);
console.log(c, c !== v, c.self === c, c.err instanceof RangeError, c.u8.buffer !== v.u8.buffer);
for (const bad of [() => {}, Symbol("s"), { f() {} }, new WeakMap()]) {
  try { structuredClone(bad); } catch (e) { console.log(e.constructor.name, e.name, e.message, e.code); }
}
try { structuredClone(); } catch (e) { console.log(e.constructor.name, e.message); }
console.log(structuredClone(undefined), structuredClone(5), structuredClone("x"));
class K { constructor() { this.x = 1; } }
console.log(structuredClone(new K()));
const buf = new ArrayBuffer(8);
const moved = structuredClone(buf, { transfer: [buf] });
console.log(buf.byteLength, moved.byteLength);
const err = new Error("with cause", { cause: 1 }); err.extra = 2;
console.log(structuredClone(err).cause, structuredClone(err).extra, structuredClone(err).stack === err.stack);
