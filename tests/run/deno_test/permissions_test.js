// Per-test permissions: narrower than the run's, "none", "inherit", lists,
// and asking for more than the run has.
const state = (name, extra = {}) => Deno.permissions.querySync({ name, ...extra }).state;
Deno.test({ name: "read only", permissions: { read: true }, fn() { console.log(state("env"), state("read")); } });
Deno.test({ name: "none", permissions: "none", fn() { console.log(state("read"), state("env")); } });
Deno.test({ name: "inherit", permissions: "inherit", fn() { console.log(state("env")); } });
Deno.test({ name: "restored", fn() { console.log(state("env")); } });
Deno.test({ name: "a list", permissions: { read: ["/tmp"] }, fn() { console.log(state("read"), state("read", { path: "/tmp/x" })); } });
Deno.test({ name: "refused inside", permissions: { read: false }, fn() { Deno.readTextFileSync("x"); } });
