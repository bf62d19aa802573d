// One of many.js's workers: opens the library and answers with a call.
onmessage = (e) => {
  const [lib, i] = e.data;
  const l = Deno.dlopen(lib, { add_i32: { parameters: ["i32", "i32"], result: "i32" } });
  postMessage(l.symbols.add_i32(i, 1));
};
