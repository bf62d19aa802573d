// expect TS2769: only a variadic function has shapes (no overload names it)
import { open, shape } from "./variadic_libc.js";
const lib = open("libc.so.6");
shape(lib, "close", ["i32"]);
