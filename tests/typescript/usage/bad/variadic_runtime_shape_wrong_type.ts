// expect TS2345: a shape chosen at run time takes what its types say
import { open, shape } from "./variadic_libc.js";
const lib = open("libc.so.6");
shape(lib, "snprintf", ["f64"])(new Uint8Array(8), 8n, "%f", "1.5");
