// Calls zlib through a module compiled from the descriptor `ffic import`
// made of the system's zlib.h (Deno.args[0]): the same output under ffic
// and stock Deno.
const { open, constants } = await import(Deno.args[0]);
// The library the import named (--library libz.so.1) opens by default.
const zlib = open().symbols;
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
// A z_stream through its typed view: deflate by the struct's fields.
const { structs } = await import(Deno.args[0]);
const stream = new structs.z_stream();
const input = new TextEncoder().encode("hello ".repeat(100));
const output = new Uint8Array(1024);
stream.next_in = Deno.UnsafePointer.of(input);
stream.avail_in = input.length;
stream.next_out = Deno.UnsafePointer.of(output);
stream.avail_out = output.length;
const handle = Deno.UnsafePointer.of(stream.bytes);
const streamSize = structs.z_stream.size;
console.log(zlib.deflateInit_(handle, constants.Z_BEST_COMPRESSION, constants.ZLIB_VERSION, streamSize) === constants.Z_OK);
console.log(zlib.deflate(handle, constants.Z_FINISH) === constants.Z_STREAM_END, stream.total_in, stream.total_out < 100n, stream.avail_in, stream.msg);
console.log(zlib.deflateEnd(handle) === constants.Z_OK, streamSize);
// The typedef's name and the tag's are the same class.
console.log(structs.z_stream === structs.z_stream_s, structs.z_stream.name);
