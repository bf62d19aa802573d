// `only` runs just those tests, and fails the run.
Deno.test("skipped", () => {});
Deno.test({ name: "the only one", only: true, fn() {} });
Deno.test.only("another only", () => {});
