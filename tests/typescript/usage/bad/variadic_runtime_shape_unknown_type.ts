// expect TS2769: only the variadic types name a shape's arguments (no overload takes it)
import { open, shape } from "./variadic_libc.js";
const lib = open("libc.so.6");
shape(lib, "snprintf", ["f128"]);
