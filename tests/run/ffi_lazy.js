// A library of 200 symbols, which ffic binds lazily (each V8 function is
// made on first access): what scripts see must not show it. Stdout is the
// same under stock Deno; with a second argument "order" it also says
// whether Object.keys follows the descriptor (ffic does; Deno's order
// follows a hash map).
const natives = [
  ["add_i32", { parameters: ["i32", "i32"], result: "i32" }, [40, 2]],
  ["add_f64", { parameters: ["f64", "f64"], result: "f64" }, [0.5, 0.25]],
  ["nop", { parameters: [], result: "void" }, []],
];
const descriptor = {};
for (let i = 0; i < 200; i++) {
  const [name, signature] = natives[i % 3];
  descriptor[`s${i}`] = { name, ...signature };
}
const lib = Deno.dlopen(Deno.args[0], descriptor);
const s = lib.symbols;
const keys = Object.keys(s);
console.log("count", keys.length, "same names", [...keys].sort().join() === Object.keys(descriptor).sort().join());
console.log("in", "s7" in s, "s200" in s, Object.hasOwn(s, "s199"));
const described = Object.getOwnPropertyDescriptor(s, "s4");
console.log("descriptor", typeof described.value, described.writable, described.enumerable, described.configurable);
console.log("first calls", s.s0(...natives[0][2]), s.s1(...natives[1][2]), s.s2(...natives[2][2]));
console.log("typeof", [...new Set(keys.map((k) => typeof s[k]))].join());
console.log("same function", s.s10 === s.s10, s.s10 !== s.s13);
console.log("calls", keys.map((k) => s[k](...natives[Number(k.slice(1)) % 3][2])).filter((v) => v !== undefined).length);
console.log("json", JSON.stringify(s).length);
if (Deno.args[1] === "order") console.log("descriptor order", keys.join() === Object.keys(descriptor).join());
lib.close();
