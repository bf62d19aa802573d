// Node port of bench/calls.js on node:ffi (Node 26), so the same cases can be
// compared across stock Deno, ffic and Node. Same case names, output
// (`name ns-per-call`) and warm-up/best-of logic as calls.js.
//   node --experimental-ffi bench/calls-node.mjs LIB [rounds]
// (FFI is on by default in 26.10.0; the flag is accepted and harmless.)
//
// Cases node:ffi cannot do, so they print no line:
//   struct_arg, struct_result  no struct types in signatures
//   fn_pointer_call            no way to make a callable from a raw address;
//                              getFunction only resolves symbols by name
//   nonblocking                no async/nonblocking calls
//
// Differences from the Deno script (node:ffi 26.10.0 rules):
//   - 64-bit integer arguments must be bigints: the JS wrappers of the fast
//     and shared-buffer paths reject numbers (newer docs say safe-integer
//     numbers are accepted; this release does not). calls.js passes bigints
//     there too (buf_sum's 64n, many26's i64/u64 slots), so the calls match.
//   - node:ffi has no `usize`; buf_sum's length is declared `u64`.
//   - the floor_* cases of calls.js exist only in ffic's bench build.
import ffi from "node:ffi";

const [libPath, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 5);
const { lib, functions: s } = ffi.dlopen(libPath, {
  nop: { arguments: [], return: "void" },
  add_i32: { arguments: ["i32", "i32"], return: "i32" },
  add_f64: { arguments: ["f64", "f64"], return: "f64" },
  id_u64: { arguments: ["u64"], return: "u64" },
  buf_sum: { arguments: ["buffer", "u64"], return: "u32" },
  // 26 arguments exceed the fast path's 8, so this lands on the
  // shared-buffer path (libffi behind a per-function argument buffer).
  many26: {
    arguments: ["i8", "f64", "u16", "f32", "i32", "f64", "i64", "f32", "u8", "f64", "i16", "f32", "u32",
      "f64", "u64", "f32", "i64", "f64", "i32", "f32", "u8", "f64", "i8", "f32", "u16", "f64"],
    return: "f64",
  },
  // node:ffi's own string type: the JS string passed as a C string.
  cstring_length: { arguments: ["string"], return: "u64" },
});

function time(name, n, body) {
  body(Math.min(n, 20000));
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    body(n);
    best = Math.min(best, (performance.now() - start) / n);
  }
  console.log(name, (best * 1e6).toFixed(1));
}

const N = 1_000_000;
time("nop", N, (n) => { for (let i = 0; i < n; i++) s.nop(); });
time("add_i32", N, (n) => { let x = 0; for (let i = 0; i < n; i++) x = s.add_i32(x, 1); return x; });
time("add_f64", N, (n) => { let x = 0; for (let i = 0; i < n; i++) x = s.add_f64(x, 0.5); return x; });
time("u64_bigint", N, (n) => { let x = 0n; for (let i = 0; i < n; i++) x = s.id_u64(5n); return x; });
// The Uint8Array is passed directly, as in Deno. With two arguments there is
// no buffer-taking fast entry (only one-argument signatures get one), so the
// wrapper turns it into a pointer bigint with getRawPointer on every call.
const buffer = new Uint8Array(64).fill(1);
time("buffer", N, (n) => { let x = 0; for (let i = 0; i < n; i++) x += s.buf_sum(buffer, 64n); return x; });
time("many26", N / 4, (n) => {
  let x = 0;
  for (let i = 0; i < n; i++) {
    x += s.many26(1, 2, 3, 4, 5, 6, 7n, 8, 9, 10, 11, 12, 13, 14, 15n, 16, 17n, 18, 19, 20, 21, 22, 23, 24, 25, 26);
  }
  return x;
});
for (const [name, size] of [["cstring_16", 16], ["cstring_1k", 1024]]) {
  const text = new TextDecoder().decode(new Uint8Array(size).fill(0x61));
  time(name, N / 4, (n) => {
    let x = 0n;
    for (let i = 0; i < n; i++) x += s.cstring_length(text);
    if (x !== BigInt(n * size)) throw new Error(`${name}: ${x}`);
  });
}
// No view object: the getters take the address (bigint) and a byte offset.
const ptr = ffi.getRawPointer(buffer);
time("view_getUint32", N, (n) => { let x = 0; for (let i = 0; i < n; i++) x += ffi.getUint32(ptr, i & 31); return x; });
lib.close();
