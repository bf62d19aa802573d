// Deno 2's `process` global: platform, arch, argv, env (through Deno.env
// and its permission), pid, cwd, version, exitCode, nextTick's order
// against promise jobs and timers, the `exit` event and process.exit.
console.log(typeof process, process.platform, process.arch, process.argv.slice(2), process.argv[1].endsWith("/tests/run/process.js"));
console.log(process.argv[0] === Deno.execPath(), process.execPath === Deno.execPath(), process.pid === Deno.pid, process.cwd() === Deno.cwd());
console.log(process.version, process.versions.node, process.versions.deno, String(process), globalThis.process === process);
console.log(Object.getOwnPropertyDescriptor(globalThis, "process").enumerable, process.exitCode);
try {
  console.log("env", process.env.HOME !== undefined, process.env.FFIC_NOT_SET, "HOME" in process.env);
  process.env.FFIC_SET = "v";
  console.log("set", Deno.env.get("FFIC_SET"), delete process.env.FFIC_SET, process.env.FFIC_SET);
  console.log("keys", Object.keys(process.env).includes("HOME"));
} catch (e) {
  console.log(e.name, e.message);
}
for (const bad of [() => process.exit("x"), () => process.nextTick(5), () => process.on("exit", 1)]) {
  try {
    bad();
  } catch (e) {
    console.log(e.name, e.code, e.message);
  }
}
process.nextTick((a, b) => console.log("tick", a, b), 1, 2);
Promise.resolve().then(() => console.log("promise job"));
queueMicrotask(() => console.log("microtask"));
addEventListener("unload", () => console.log("unload"));
process.on("exit", (code) => console.log("exit", code));
process.once("exit", function (code) { console.log("once", code, this === process); });
const removed = () => console.log("removed listener ran");
process.on("exit", removed);
process.off("exit", removed);
console.log(process.listenerCount("exit"), process.emit("custom", 1), process.on("custom", (x) => console.log("custom", x)) === process, process.emit("custom", 2));
setTimeout(() => {
  process.nextTick(() => console.log("tick in a timer"));
  Promise.resolve().then(() => console.log("promise job in a timer"));
}, 1);
setTimeout(() => {
  process.exitCode = 4;
  if (Deno.args[0] === "exit") process.exit(3);
}, 5);
