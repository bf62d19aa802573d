// TypeScript as Deno runs it (no type check): every construct that needs
// more than stripping types, and modules in .ts, .mts and from .js.
import type { Shape } from "./ts/shapes.ts";
import { type Named, describe, Square } from "./ts/shapes.ts";
import { triple } from "./ts/math.mts";
import { viaJs } from "./ts/bridge.js";

enum Color { Red, Green = 5, Blue }
enum Label { Yes = "y", No = "n" }
const enum Flag { A = 1, B = 2, C = A | B }
declare const declared: number;

namespace Geometry {
  export const unit = 2;
  export namespace Inner {
    export const deep = unit * 10;
  }
  export function double(x: number): number {
    return x * unit;
  }
}
namespace Geometry {
  export const merged = true;
}

class Point implements Shape {
  static created = 0;
  declare tag: string;
  label!: string;
  constructor(public x: number, private readonly y: number = 1, protected z?: number) {
    Point.created++;
  }
  area(): number {
    return this.x * this.y;
  }
}

abstract class Base<T> {
  abstract value(): T;
  twice(): [T, T] {
    return [this.value(), this.value()];
  }
}
class Seven extends Base<number> {
  override value(): number {
    return 7;
  }
}

function pick(x: string): string;
function pick(x: number): number;
function pick(x: string | number): string | number {
  return x;
}

const config = { retries: 3, mode: "fast" } as const satisfies { retries: number; mode: string };
const generic = <T,>(x: T): T => x;
const maybe: { v?: { w: number } } = { v: { w: 4 } };
const named: Named = { name: "n" };
let assertion = <number> (config.retries as unknown);
const tuple: readonly [number, string] = [1, "a"];
type Alias = keyof typeof config;
const key: Alias = "mode";

console.log("enums", Color.Green, Color[6], Label.No, Flag.C, typeof declared);
console.log("namespaces", Geometry.double(3), Geometry.Inner.deep, Geometry.merged);
const p = new Point(2, 3);
console.log("classes", p.area(), p.x, Point.created, Object.keys(p), new Seven().twice());
console.log("overloads", pick("s"), pick(5), generic<string>("g"), maybe.v!.w, maybe?.v?.w);
console.log("satisfies", config, assertion, tuple, key, named.name);
console.log("modules", describe(new Square(3)), triple(4), viaJs());
