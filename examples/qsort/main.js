// libc's qsort sorting an Int32Array in place, with a JS comparator passed
// as an UnsafeCallback. Runs unchanged under `ffic run` and stock Deno.
//   ffic run --allow-ffi examples/qsort/main.js
// The symbols are ffic's descriptor for this library (`ffic compile` turns
// it into an artifact); Deno.dlopen takes it as is, once its "$schema" key
// is dropped.
import descriptor from "./symbols.json" with { type: "json" };
const { $schema: _, ...symbols } = descriptor;
const libc = Deno.dlopen("libc.so.6", symbols);
let comparisons = 0;
const compare = new Deno.UnsafeCallback(
  { parameters: ["pointer", "pointer"], result: "i32" },
  (a, b) => {
    comparisons++;
    const x = new Deno.UnsafePointerView(a).getInt32();
    const y = new Deno.UnsafePointerView(b).getInt32();
    return x < y ? -1 : x > y ? 1 : 0;
  },
);
const numbers = new Int32Array([42, -7, 19, 0, 2147483647, -2147483648, 3, 3, 100]);
libc.symbols.qsort(numbers, numbers.length, numbers.BYTES_PER_ELEMENT, compare.pointer);
console.log("sorted", Array.from(numbers));
console.log("compared", comparisons > 0);
compare.close();
libc.close();
