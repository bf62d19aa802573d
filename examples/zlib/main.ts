// zlib through its own header: `ffic import` made symbols.json of the
// system's zlib.h (every function, the Z_* constants, the z_stream struct),
// and `ffic compile` makes the typed module this runs through (zlib.js and
// zlib.d.ts; zlib.ffic, its precompiled calls, for ffic). Runs unchanged
// under `ffic run` and stock Deno:
//   ffic import /usr/include/zlib.h --library libz.so.1 -o examples/zlib/symbols.json
//   ffic compile examples/zlib/symbols.json
//   ffic run --allow-ffi examples/zlib/main.ts
import { constants as Z, open, structs } from "./zlib.js";

// The library the import recorded (--library) opens by default.
const zlib = open();
const z = zlib.symbols;
const text = "ffic ".repeat(200) + "and the end.";
const input = new TextEncoder().encode(text);

// One call each way; lengths travel through a u64 cell (uLongf *).
const bound = z.compressBound(BigInt(input.length));
const packed = new Uint8Array(Number(bound));
const packedLength = new BigUint64Array([bound]);
const status = z.compress(packed, packedLength, input, BigInt(input.length));
console.log("compress", status === Z.Z_OK, input.length, "->", Number(packedLength[0]));
const unpacked = new Uint8Array(input.length);
const unpackedLength = new BigUint64Array([BigInt(unpacked.length)]);
const back = z.uncompress(unpacked, unpackedLength, packed, packedLength[0]);
console.log("uncompress", back === Z.Z_OK, Number(unpackedLength[0]));
console.log("round trip", new TextDecoder().decode(unpacked) === text);

/** Runs `step` over `stream` until it stops asking for room, in 16-byte
 * pieces of output, and gives the output with the last status. */
function drain(stream: InstanceType<typeof structs.z_stream>, step: () => number) {
  const room = new Uint8Array(16);
  const pieces: number[] = [];
  let calls = 0, code;
  do {
    stream.next_out = Deno.UnsafePointer.of(room);
    stream.avail_out = room.length;
    code = step();
    calls++;
    pieces.push(...room.subarray(0, room.length - stream.avail_out));
  } while (code === Z.Z_OK);
  return { bytes: new Uint8Array(pieces), code, calls };
}

// Streaming, through a z_stream's typed fields: deflate, then inflate.
const deflating = new structs.z_stream();
const deflater = Deno.UnsafePointer.of(deflating.bytes);
deflating.next_in = Deno.UnsafePointer.of(input);
deflating.avail_in = input.length;
const size = structs.z_stream.size;
console.log("deflateInit", z.deflateInit_(deflater, Z.Z_BEST_COMPRESSION, Z.ZLIB_VERSION, size) === Z.Z_OK);
const deflated = drain(deflating, () => z.deflate(deflater, Z.Z_FINISH));
console.log("deflate", deflated.code === Z.Z_STREAM_END, deflating.total_in, "->", deflating.total_out, "in", deflated.calls, "calls");
console.log("deflateEnd", z.deflateEnd(deflater) === Z.Z_OK, deflating.msg);

const inflating = new structs.z_stream();
const inflater = Deno.UnsafePointer.of(inflating.bytes);
inflating.next_in = Deno.UnsafePointer.of(deflated.bytes);
inflating.avail_in = deflated.bytes.length;
console.log("inflateInit", z.inflateInit_(inflater, Z.ZLIB_VERSION, size) === Z.Z_OK);
const inflated = drain(inflating, () => z.inflate(inflater, Z.Z_NO_FLUSH));
console.log("inflate", inflated.code === Z.Z_STREAM_END, new TextDecoder().decode(inflated.bytes) === text);
z.inflateEnd(inflater);
// A checksum of the same bytes, and a stream that is not zlib's.
console.log("crc32", z.crc32(0n, input, input.length), "adler32", z.adler32(1n, input, input.length));
console.log("corrupt", z.uncompress(unpacked, unpackedLength, input, BigInt(input.length)) === Z.Z_DATA_ERROR);
zlib.close();
