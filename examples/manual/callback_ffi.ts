// A callback: C code calls back into JavaScript through a function pointer
// it was given earlier.
//   cc -shared -fPIC -o libcallback.so callback.c
//   deno run --allow-ffi --unstable-ffi callback_ffi.ts
//   ffic run --allow-ffi --unstable-ffi callback_ffi.ts
const library = Deno.dlopen("./libcallback.so", {
  set_status_callback: { parameters: ["function"], result: "void" },
  start_long_operation: { parameters: [], result: "void" },
  check_status: { parameters: [], result: "void" },
} as const);

enum Status {
  Failed = 0,
  Succeeded = 1,
}

const reports: Status[] = [];
const callback = new Deno.UnsafeCallback(
  { parameters: ["u8"], result: "void" } as const,
  (success: number) => {
    reports.push(success as Status);
    console.log(`Status: ${Status[success]}`);
  },
);

library.symbols.set_status_callback(callback.pointer);
library.symbols.check_status();
library.symbols.start_long_operation();
library.symbols.check_status();
console.log("Reports:", reports);

callback.close();
library.close();
