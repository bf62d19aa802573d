// A nonblocking call: the C function runs on another thread and its
// promise settles when it returns, while JavaScript goes on.
//   cc -shared -fPIC -o libsleep.so sleep.c
//   deno run --allow-ffi --unstable-ffi nonblocking_ffi.ts
//   ffic run --allow-ffi --unstable-ffi nonblocking_ffi.ts
const library = Deno.dlopen("./libsleep.so", {
  nap: { parameters: ["usize"], result: "void", nonblocking: true },
} as const);

const napping: Promise<void> = library.symbols.nap(200n);
napping.then(() => {
  console.log("After the nap");
  library.close();
});
console.log("Before the nap ends");
