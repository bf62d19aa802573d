// Deno.env behind --allow-env (all, a list, none), the checks on names and
// values, and the process facts scripts read: pid, mainModule, noColor,
// cwd, exitCode (the status when the script ends by itself).
const attempts = {
  "get HOME": () => Deno.env.get("HOME") !== undefined,
  "get FFIC_TEST_ENV": () => Deno.env.get("FFIC_TEST_ENV"),
  "get missing": () => Deno.env.get("FFIC_TEST_MISSING"),
  "toObject": () => Deno.env.toObject().FFIC_TEST_ENV,
  "set": () => Deno.env.set("FFIC_TEST_SET", "v"),
  "has after set": () => Deno.env.has("FFIC_TEST_SET"),
  "delete": () => Deno.env.delete("FFIC_TEST_SET"),
  "has after delete": () => Deno.env.has("FFIC_TEST_SET"),
  "empty name": () => Deno.env.get(""),
  "name with =": () => Deno.env.get("A=B"),
  "value with NUL": () => Deno.env.set("FFIC_TEST_SET", "a\0b"),
};
for (const [what, attempt] of Object.entries(attempts)) {
  try {
    console.log(what, attempt());
  } catch (e) {
    console.log(what, e.constructor.name, e.message);
  }
}
console.log("pid", typeof Deno.pid, Number.isInteger(Deno.pid));
console.log("mainModule", Deno.mainModule.endsWith("/tests/run/env.js"));
console.log("noColor", Deno.noColor, "cwd", Deno.cwd().endsWith("/tests/run"));
console.log("exitCode", Deno.exitCode);
try {
  Deno.exitCode = "3";
} catch (e) {
  console.log(e.constructor.name, e.message);
}
Deno.exitCode = 3;
