// libm through Deno.dlopen: runs unchanged under `ffic run` and stock Deno.
//   ffic run --allow-ffi examples/libm/main.js
// The symbols are ffic's descriptor for this library (`ffic compile` turns
// it into an artifact); Deno.dlopen takes it as is, once its "$schema" key
// is dropped.
import descriptor from "./symbols.json" with { type: "json" };
const { $schema: _, ...symbols } = descriptor;
const libm = Deno.dlopen("libm.so.6", symbols);
const { cos, pow, cosf, ldexp } = libm.symbols;
console.log("cos(0) =", cos(0));
console.log("cos(pi) =", cos(Math.PI));
console.log("pow(2, 10) =", pow(2, 10));
console.log("pow(2, 0.5) =", pow(2, 0.5));
console.log("cosf(1) =", cosf(1));
console.log("ldexp(0.75, 4) =", ldexp(0.75, 4));
libm.close();
