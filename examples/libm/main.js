// libm through Deno.dlopen: runs unchanged under `ffic run` and stock Deno.
//   ffic run --allow-ffi examples/libm/main.js
const libm = Deno.dlopen("libm.so.6", {
  cos: { parameters: ["f64"], result: "f64" },
  pow: { parameters: ["f64", "f64"], result: "f64" },
  cosf: { parameters: ["f32"], result: "f32" },
  ldexp: { parameters: ["f64", "i32"], result: "f64" },
});
const { cos, pow, cosf, ldexp } = libm.symbols;
console.log("cos(0) =", cos(0));
console.log("cos(pi) =", cos(Math.PI));
console.log("pow(2, 10) =", pow(2, 10));
console.log("pow(2, 0.5) =", pow(2, 0.5));
console.log("cosf(1) =", cosf(1));
console.log("ldexp(0.75, 4) =", ldexp(0.75, 4));
libm.close();
