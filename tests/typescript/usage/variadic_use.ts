// The generated types for a variadic function's call shapes: each is a
// symbol of its own, taking the promoted types after the fixed ones; a
// shape chosen at run time takes the arguments its types say.
import { errno, type Library, open, shape, symbols } from "./variadic_libc.js";

export function use(): string {
  const lib: Library = open("libc.so.6");
  const out = new Uint8Array(64);
  const n: number = lib.symbols.snprintfInts(out, 64n, "%d", 1, 2, 3, 4, 5, 6, 7);
  lib.symbols.snprintfWide(out, 64n, "%lld", -1n, 1n, 2n, 3n);
  lib.symbols.snprintfFloats(out, 64n, "%f", 1.5, 2, 3);
  lib.symbols.snprintfText(out, 64n, "%s", "text", null, null);
  const fd: number = lib.symbols.openMode("/tmp/x", 0o101, 0o600);
  const native: "snprintf" = symbols.snprintfInts.name;
  const chosen = shape(lib, "snprintf", ["cstring", "f32", "u64", "pointer"]);
  const m: number = chosen(out, 64n, "%s %f %llu %p", "text", 1.5, 1n, null);
  const opened: number = shape(lib, "open", ["u32"])("/tmp/x", 0o101, 0o600);
  void [n, fd, errno(), native, m, opened];
  return new TextDecoder().decode(out);
}
