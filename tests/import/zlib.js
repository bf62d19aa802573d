// Calls zlib through a module compiled from the descriptor `ffic import`
// made of the system's zlib.h (Deno.args[0]): the same output under ffic
// and stock Deno.
const { open } = await import(Deno.args[0]);
const zlib = open("libz.so.1").symbols;
const text = new TextEncoder().encode("hello, imported zlib");
console.log(zlib.zlibVersion().split(".").length >= 3);
console.log(zlib.crc32(0n, text, text.length), zlib.adler32(1n, text, text.length));
const bound = zlib.compressBound(BigInt(text.length));
const packed = new Uint8Array(Number(bound));
const size = new BigUint64Array([bound]);
console.log(zlib.compress(packed, size, text, BigInt(text.length)), size[0] <= bound);
const unpacked = new Uint8Array(text.length);
const back = new BigUint64Array([BigInt(text.length)]);
const status = zlib.uncompress(unpacked, back, packed, size[0]);
console.log(status, new TextDecoder().decode(unpacked));
