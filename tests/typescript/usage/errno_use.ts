// The generated types for errno capture: `errno()` after a call, and a
// nonblocking call's promise of `{ value, errno }`.
import { errno, type Library, open } from "./errno.js";

export async function use(): Promise<number | null> {
  const lib: Library = open("libc.so.6");
  const fd: number = lib.symbols.open("/nonexistent", 0);
  const code: number = errno();
  const message: string | null = lib.symbols.strerror(code);
  const parsed: bigint = lib.symbols.strtol("12", null, 10);
  const later: { value: number; errno: number | null } = await lib.symbols.openLater("/x", 0);
  void [fd, message, parsed];
  return later.errno;
}
