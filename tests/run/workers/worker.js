// The worker of main.js: what it does depends on its name (the mode).
const mode = self.name;
const reply = (data) => postMessage(data);

if (mode === "messages") {
  let count = 0;
  onmessage = (e) => {
    count++;
    if (count === 1) {
      const { hello, n, nested, buf } = e.data;
      reply({ hello, n, nested, bytes: [...new Uint8Array(buf)], self: self === globalThis, name: self.name, deno: typeof Deno.dlopen });
    } else {
      reply({ done: true, second: e.data, isEvent: e instanceof MessageEvent });
    }
  };
} else if (mode === "ffi") {
  onmessage = async (e) => {
    const l = Deno.dlopen(e.data, {
      add_i32: { parameters: ["i32", "i32"], result: "i32" },
      sleep_then: { parameters: ["u32", "u32"], result: "u32", nonblocking: true },
    });
    let sum = 0;
    for (let i = 0; i < 100000; i++) sum += l.symbols.add_i32(i, 1);
    const later = await l.symbols.sleep_then(5, 42);
    reply({ sum, later });
  };
} else if (mode === "callback") {
  onmessage = (e) => {
    const l = Deno.dlopen(e.data, {
      call_on_thread: { parameters: ["function", "u32", "u32"], result: "bool" },
    });
    const seen = [];
    const cb = Deno.UnsafeCallback.threadSafe({ parameters: ["u32"], result: "void" }, (i) => {
      seen.push(i);
      if (seen.length === 3) {
        cb.close();
        reply({ seen });
      }
    });
    l.symbols.call_on_thread(cb.pointer, 3, 1);
  };
} else if (mode === "terminate-inflight") {
  onmessage = (e) => {
    const l = Deno.dlopen(e.data, {
      sleep_then: { parameters: ["u32", "u32"], result: "u32", nonblocking: true },
    });
    l.symbols.sleep_then(200, 1).then(() => reply("never: terminated first"));
    reply("call started");
  };
} else if (mode === "error" || mode === "unhandled-error") {
  onmessage = () => setTimeout(() => { throw new Error("worker boom"); }, 1);
  reply("ready");
} else if (mode === "exit") {
  reply("exiting");
  setTimeout(() => Deno.exit(3), 20);
} else if (mode === "close") {
  reply("closing");
  close();
  reply("never: closed");
}
