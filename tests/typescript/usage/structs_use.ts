// The typed views of a descriptor's named structs: fields by name with
// their types, nested structs as views, fixed arrays as typed arrays, and
// the bytes to pass where a struct is taken by value; a typedef's name
// for a struct is the same class.
import { type Library, open, structs } from "./constructs.js";

export function use(lib: Library): number {
  const w = new structs.weighted();
  w.at.x = 1;
  w.at = new structs.point();
  w.weight = 2.5;
  w.pair.a = 3;
  const tag: Int8Array<ArrayBuffer> = w.tag;
  const size: 8 = structs.point.size;
  const p = new structs.point(w.bytes, 0);
  const mid = new structs.point(lib.symbols.midpoint(p.bytes, p.bytes));
  // A typedef's name for a struct is the same class.
  const alias: InstanceType<typeof structs.point> = new structs.point_t();
  const span = new structs.span_t(lib.symbols.span_of(alias.bytes, mid.bytes));
  return mid.x + w.at.y + tag[0] + size + structs.weighted.size + span.to.x;
}
void open;
