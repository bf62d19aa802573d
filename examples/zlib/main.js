// zlib's compress/uncompress round trip. Lengths travel through a u64 out
// parameter (a BigUint64Array passed as a buffer). Runs unchanged under
// `ffic run` and stock Deno.
//   ffic run --allow-ffi examples/zlib/main.js
// The symbols are ffic's descriptor for this library (`ffic compile` turns
// it into an artifact); Deno.dlopen takes it as is, once its "$schema" key
// is dropped.
import descriptor from "./symbols.json" with { type: "json" };
const { $schema: _, ...symbols } = descriptor;
const zlib = Deno.dlopen("libz.so.1", symbols);
const Z_OK = 0;
const text = "ffic ".repeat(200) + "and the end.";
const input = new TextEncoder().encode(text);
const bound = zlib.symbols.compressBound(BigInt(input.length));
const compressed = new Uint8Array(Number(bound));
const compressedLength = new BigUint64Array([bound]);
const status = zlib.symbols.compress(compressed, compressedLength, input, BigInt(input.length));
console.log("compress", status === Z_OK, input.length, "->", Number(compressedLength[0]));
const output = new Uint8Array(input.length);
const outputLength = new BigUint64Array([BigInt(output.length)]);
const back = zlib.symbols.uncompress(output, outputLength, compressed, compressedLength[0]);
console.log("uncompress", back === Z_OK, Number(outputLength[0]));
console.log("round trip", new TextDecoder().decode(output) === text);
const version = Deno.UnsafePointerView.getCString(zlib.symbols.zlibVersion());
console.log("zlib version is a string", typeof version, version.length > 0);
zlib.close();
