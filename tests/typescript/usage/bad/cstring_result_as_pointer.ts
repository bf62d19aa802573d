// expect TS2322: a cstring result is a string, not a pointer
import { open } from "./cstring.js";
const lib = open("libffic_test.so");
const pointer: Deno.PointerValue = lib.symbols.cstring_echo("text");
void pointer;
