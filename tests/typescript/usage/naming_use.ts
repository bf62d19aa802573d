// The generated types for unusual names (quoted keys, reserved words, docs
// holding "*/", optional statics, nonblocking optional symbols) are exactly
// Deno's for the same descriptor.
import { type Library, open, symbols, type Symbols } from "./naming.js";
import type { Mismatched, Same } from "./exact.ts";

type DenoSymbols = Deno.StaticForeignLibraryInterface<typeof symbols>;
type Mismatch = Mismatched<Symbols, DenoSymbols>;
const noneMismatched: [Mismatch] extends [never] ? true : Mismatch = true;
const sameKeys: Same<keyof Symbols, keyof DenoSymbols> = true;

export async function use(path: string): Promise<bigint> {
  const lib: Library = open(path);
  const slept: number = await lib.symbols.sleep(0);
  const usleep = lib.symbols.usleep;
  const maybe: number = usleep === null ? 0 : await usleep(0);
  const quotient: Uint8Array<ArrayBuffer> = lib.symbols.div(7, 2);
  const absolute: number = lib.symbols["$weird key"](-1);
  const errno: number | null = lib.symbols.errno;
  void [noneMismatched, sameKeys, slept, maybe, quotient, absolute, errno];
  return lib.symbols["my-func"](new TextEncoder().encode("ffic\0"));
}
