// t.step: nested steps, a failing step failing its test, steps' results.
interface Counter { n: number }
const counter: Counter = { n: 0 };
Deno.test("outer", async (t) => {
  await t.step("inner one", () => { counter.n++; });
  await t.step({ name: "inner two", fn: async (t2) => { await t2.step("deep", () => {}); } });
  const result = await t.step("inner fails", () => {
    throw new Error("step boom");
  });
  console.log("step result", result, counter.n);
});
Deno.test("after", () => {});
