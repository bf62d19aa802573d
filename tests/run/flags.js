// What Deno's command-line flags mean to a script: its arguments (all that
// follows it), Math.random under --seed, and whether FFI is allowed.
let ffi;
try {
  Deno.dlopen("./no-such-library.so", {});
} catch (e) {
  ffi = e.constructor.name;
}
console.log("args", Deno.args, "random", Math.random(), "dlopen", ffi);
