// expect TS2554: a call shape takes every type it lists
import { open } from "./variadic_libc.js";
const lib = open("libc.so.6");
lib.symbols.snprintfFloats(new Uint8Array(8), 8n, "%f", 1.5);
