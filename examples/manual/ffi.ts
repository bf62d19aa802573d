// Calling a C function from TypeScript, in the shape of Deno's FFI manual.
// Build the library, then run either way, unchanged:
//   cc -shared -fPIC -o libadd.so add.c
//   deno run --allow-ffi --unstable-ffi ffi.ts
//   ffic run --allow-ffi --unstable-ffi ffi.ts
const suffix = (() => {
  switch (Deno.build.os) {
    case "windows":
      return "dll";
    case "darwin":
      return "dylib";
    default:
      return "so";
  }
})();

const dylib = Deno.dlopen(`./libadd.${suffix}`, {
  add: { parameters: ["isize", "isize"], result: "isize" },
} as const);

const sum: bigint = dylib.symbols.add(35n, 34n);
console.log(`Result from external addition of 35 and 34: ${sum}`);
dylib.close();
