// expect TS2322: a nonblocking call that captures errno resolves to { value, errno }
import { open } from "./errno.js";
const lib = open("libc.so.6");
const fd: number = await lib.symbols.openLater("/x", 0);
void fd;
