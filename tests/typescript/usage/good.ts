// Correct use of the generated ffic_test module: must type-check cleanly
// under `tsc --strict` and `deno check`.
import { artifact, type Library, open, symbols, type Symbols } from "./ffic_test.js";
import type { Mismatched, Same } from "./exact.ts";

// Every generated signature is exactly the type Deno derives from the
// descriptor: a mismatch names the offending symbols here.
type DenoSymbols = Deno.StaticForeignLibraryInterface<typeof symbols>;
type Mismatch = Mismatched<Symbols, DenoSymbols>;
const noneMismatched: [Mismatch] extends [never] ? true : Mismatch = true;
// And the same keys on both sides.
const sameKeys: Same<keyof Symbols, keyof DenoSymbols> = true;

export function use(path: string): number {
  const lib: Library = open(path);
  // Code written against Deno's own types keeps compiling.
  const asDeno: Deno.DynamicLibrary<typeof symbols> = lib;
  const direct = Deno.dlopen(path, symbols);
  const viaDeno: number = direct.symbols.add_i32(1, 2);

  const sum: number = lib.symbols.add_i32(1, 2);
  const wide: bigint = lib.symbols.add_u64(1n, 2n);
  const flag: boolean = lib.symbols.not_bool(false);
  const pointer: Deno.PointerValue = lib.symbols.id_pointer(null);
  const fn: Deno.PointerValue = lib.symbols.get_add_i32();
  const applied: number = lib.symbols.apply_binop(fn, 1, 2);
  const bytes: number = lib.symbols.buf_sum(new Uint8Array([1, 2]), 2n);
  const offset: Deno.PointerValue = lib.symbols.buf_offset(null, 0n);
  const pt: Uint8Array<ArrayBuffer> = lib.symbols.make_pt(1, 2);
  const ptSum: number = lib.symbols.sum_pt(pt);
  const later: Promise<number> = lib.symbols.add_i32_async(1, 2);
  const absent = lib.symbols.absent;
  const maybe: number = absent === null ? 0 : absent(3);
  const st: number = lib.symbols.static_i32;
  const big: bigint = lib.symbols.static_u64;
  const optionalStatic: number | null = lib.symbols.absent_static;
  lib.symbols.nop();
  const where: URL = artifact;
  void [noneMismatched, sameKeys, asDeno, viaDeno, wide, flag, applied, bytes, offset, ptSum, later];
  void [maybe, st, big, optionalStatic, where];
  lib.close();
  return sum;
}
