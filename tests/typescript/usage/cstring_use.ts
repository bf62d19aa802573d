// The generated types for ffic's own `cstring`: strings (or null) in and
// out, a promise of one for a nonblocking symbol, and Deno's types for the
// rest of the library.
import { type Library, open, type Symbols } from "./cstring.js";
import type { Same } from "./exact.ts";

const exact: Same<Symbols["cstring_echo"], (arg0: string | null) => string | null> = true;

export async function use(path: string): Promise<string | null> {
  const lib: Library = open(path);
  const length: bigint = lib.symbols.cstring_length("text");
  const none: bigint = lib.symbols.cstring_length(null);
  const order: number = lib.symbols.cstring_compare("a", 1, "b");
  const later: string | null = await lib.symbols.cstring_echo_later("x");
  const sum: number = await lib.symbols.cstring_slow_sum("abc", 0);
  const plain: number = lib.symbols.add_i32(1, 2);
  lib.close();
  void [exact, length, none, order, sum, plain];
  return later ?? lib.symbols.cstring_invalid();
}
