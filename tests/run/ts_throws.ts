// A TypeScript module whose errors carry stack traces: each position is
// the .ts file's, mapped through the transpiled code's source map.
interface P { x: number }
enum E { A }
function inner(p: P): number {
  if (p.x > 0) {
    throw new Error("boom " + E.A);
  }
  return p.x;
}
class K {
  constructor(private readonly v: number) {}
  run(): number { return inner({ x: this.v }); }
}
try {
  new K(1).run();
} catch (e) {
  console.log((e as Error).stack);
}
const f = (n: number): void => { throw new TypeError(`bad ${n}`); };
f(2);
