// Workers, one case per mode (Deno.args[0]; Deno.args[1] is the test
// library). Output is ordered by the messages themselves, so each run
// prints the same as stock Deno's.
const [mode, lib] = Deno.args;
const script = mode === "typescript" ? "./typed_worker.ts" : "./worker.js";
const worker = new Worker(new URL(script, import.meta.url), { type: "module", name: mode });
const log = (...args) => console.log(...args);

if (mode === "messages") {
  const buf = new Uint8Array([1, 2, 3]).buffer;
  worker.postMessage({ hello: "worker", n: 1n, nested: { list: [1, "two"] }, buf }, [buf]);
  log("transferred away", buf.byteLength);
  worker.onmessage = (e) => {
    log("main got", e.data, e.constructor.name, e.target === worker);
    if (e.data.done) worker.terminate();
    else worker.postMessage("again", { transfer: [] });
  };
  try { worker.postMessage(() => {}); } catch (e) { log(e.name, e.message); }
} else if (mode === "ffi" || mode === "callback") {
  worker.postMessage(lib);
  worker.addEventListener("message", (e) => {
    log("main got", e.data);
    worker.terminate();
  });
} else if (mode === "terminate-inflight") {
  worker.postMessage(lib);
  worker.onmessage = (e) => {
    log("main got", e.data);
    worker.terminate();
    setTimeout(() => log("main after the call would have ended"), 300);
  };
} else if (mode === "error" || mode === "unhandled-error") {
  if (mode === "error") {
    worker.onerror = (e) => {
      log("onerror", e.constructor.name, e.message, e.filename.split("/").pop(), e.lineno, e.colno, e.cancelable);
      e.preventDefault();
      setTimeout(() => log("main continues"), 10);
    };
  }
  worker.onmessage = (e) => {
    log("main got", e.data);
    worker.postMessage("go");
  };
} else if (mode === "typescript") {
  worker.onmessage = (e) => {
    log("area", e.data);
    worker.terminate();
  };
  worker.postMessage({ n: 7 });
} else if (mode === "exit") {
  worker.onmessage = (e) => log("main got", e.data);
  setTimeout(() => log("main outlives the worker's Deno.exit"), 200);
} else if (mode === "close") {
  worker.onmessage = (e) => log("main got", e.data);
} else if (mode === "bad") {
  for (const make of [
    () => new Worker("./worker.js", { type: "module" }),
    () => new Worker(new URL("./worker.js", import.meta.url)),
  ]) {
    try { make(); } catch (e) { log(e.name, e.message); }
  }
  worker.terminate();
}
