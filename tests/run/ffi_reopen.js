// Reopening a library in a loop (ffic only: run.rs reads the count of
// collected opens that --trace-ffi reports). Each open's symbol records go
// once V8 has collected every value that points into them; a library
// still in use keeps its records through the same collections. V8 keeps
// the functions of its first ~1024 function templates for good (the fast
// part of its template instantiation cache), so most of the first 500
// opens stay; the later ones go.
const symbols = {
  add_i32: { parameters: ["i32", "i32"], result: "i32" },
  nop: { parameters: [], result: "void" },
};
const turn = () => new Promise((resolve) => setTimeout(resolve, 0));
const kept = Deno.dlopen(Deno.args[0], symbols);
const add = kept.symbols.add_i32;
let sum = 0;
for (let i = 0; i < 1500; i++) {
  const lib = Deno.dlopen(Deno.args[0], symbols);
  sum += lib.symbols.add_i32(i, 1);
  lib.symbols.nop();
  lib.close();
  if (i % 100 === 99) {
    gc();
    await turn();
  }
}
gc();
await turn();
console.log(sum, add(40, 2), kept.symbols.nop());
kept.close();
