// Deno.test's forms, pass, fail, ignore, async, output and pre-test output.
console.log("module body");
Deno.test("sync passes", () => {});
Deno.test("async passes", async () => {
  await new Promise((resolve) => setTimeout(resolve, 1));
});
Deno.test({ name: "ignored", ignore: true, fn() { throw new Error("not run"); } });
Deno.test.ignore("ignored too", () => {});
Deno.test("fails", () => {
  throw new Error("boom");
});
Deno.test(function namedFunction() {});
Deno.test("name and options", { ignore: false }, () => {});
Deno.test({ name: "prints" }, (t) => {
  console.log("name", t.name, t.origin.endsWith("/basic_test.js"));
  console.error("to stderr");
});
Deno.test("rejects", () => Promise.reject(new TypeError("rejected")));
