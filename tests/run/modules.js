// Static imports (relative, parent, JSON), import.meta and top-level await.
import { add, meta } from "./lib/math.js";
import data from "./lib/data.json" with { type: "json" };
import * as again from "./lib/../lib/math.js";

console.log(add(2, 3), again.add === add, data);
console.log(import.meta.main, meta.main);
console.log(import.meta.url.startsWith("file:///"), import.meta.url.endsWith("/tests/run/modules.js"));
console.log(meta.url.endsWith("/tests/run/lib/math.js"), typeof import.meta.filename, typeof import.meta.dirname);
const waited = await new Promise((resolve) => setTimeout(() => resolve("after await"), 5));
console.log(waited);
// Dynamic imports: the same module instance, a new one, JSON, a failure.
const dynamic = await import("./lib/math.js");
console.log(dynamic.add === add, dynamic.add(1, 1));
const late = await import("./lib/late.js");
console.log(late.value, late.waited);
const json = await import("./lib/data.json", { with: { type: "json" } });
console.log(json.default === data);
try {
  await import("./lib/missing.js");
} catch (e) {
  console.log("missing", e.constructor.name, e.message.startsWith("Module not found"));
}
