// Fast calls whatever a library's size: ffic binds the functions of a
// library of up to 19 symbols at open, and those of a larger one on first
// access. In each library, the first symbol (add_i32 under a name of its
// own) is called from an optimized caller. Stdout is the same under stock
// Deno; `ffic run --trace-ffi` also counts the fast calls.
for (const size of [1, 19, 20, 200]) {
  const descriptor = {};
  for (let i = 0; i < size; i++) {
    descriptor[`add${size}_${i}`] = { name: "add_i32", parameters: ["i32", "i32"], result: "i32" };
  }
  const lib = Deno.dlopen(Deno.args[0], descriptor);
  const f = new Function("s", `return (x) => s.add${size}_0(x, 1);`)(lib.symbols);
  %PrepareFunctionForOptimization(f);
  const slow = f(size);
  // ffic's wrapper of the symbol gets its feedback vector on its 8th call,
  // and V8 inlines it into the caller once its calls have feedback.
  for (let i = 1; i < 16; i++) f(size);
  %OptimizeFunctionOnNextCall(f);
  console.log(size, slow, f(-size));
}
