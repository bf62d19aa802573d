// expect TS2345: a cstring parameter takes a string, not the bytes Deno would
import { open } from "./cstring.js";
const lib = open("libffic_test.so");
lib.symbols.cstring_length(new TextEncoder().encode("text\0"));
