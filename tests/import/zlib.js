// Calls zlib through a module compiled from the descriptor `ffic import`
// made of the system's zlib.h (Deno.args[0]): the same output under ffic
// and stock Deno.
const { open, constants } = await import(Deno.args[0]);
const zlib = open("libz.so.1").symbols;
const text = new TextEncoder().encode("hello, imported zlib");
// The header's own version string and constants, imported with it.
console.log(zlib.zlibVersion() === constants.ZLIB_VERSION, constants.Z_OK, constants.Z_BEST_COMPRESSION);
console.log(zlib.crc32(0n, text, text.length), zlib.adler32(1n, text, text.length));
const bound = zlib.compressBound(BigInt(text.length));
const packed = new Uint8Array(Number(bound));
const size = new BigUint64Array([bound]);
console.log(zlib.compress(packed, size, text, BigInt(text.length)), size[0] <= bound);
const unpacked = new Uint8Array(text.length);
const back = new BigUint64Array([BigInt(text.length)]);
const status = zlib.uncompress(unpacked, back, packed, size[0]);
console.log(status === constants.Z_OK, new TextDecoder().decode(unpacked));
console.log(zlib.uncompress(unpacked, back, packed, 2n) === constants.Z_DATA_ERROR);
