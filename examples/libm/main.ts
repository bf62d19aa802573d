// libm from TypeScript, through the module `ffic compile` writes from
// symbols.json: libm.d.ts types every call (an editor, `tsc` or
// `deno check` see `pow(base: number, exponent: number): number`), and
// under `ffic run` the calls go through libm.ffic, precompiled. Runs
// unchanged under `ffic run` and stock Deno:
//   ffic compile examples/libm/symbols.json
//   ffic run --allow-ffi examples/libm/main.ts
import { open } from "./libm.js";

const libm = open("libm.so.6");
const { cos, pow, ldexp } = libm.symbols;

type Row = readonly [label: string, value: number];
const rows: Row[] = [
  ["cos(pi)", cos(Math.PI)],
  ["pow(2, 10)", pow(2, 10)],
  ["ldexp(0.75, 4)", ldexp(0.75, 4)],
];
for (const [label, value] of rows) {
  console.log(`${label} = ${value}`);
}
libm.close();
