// Workers, as Deno has them: the Worker class a parent uses, and in a
// worker, the global's postMessage, close, name and message events. Their
// isolates and threads live in `worker.rs`. Evaluates to a function called
// with (natives, events, info) that gives `{ Worker, workerEvent,
// workerMessage }`, the last two being the hooks the host calls.
(function workers(natives, events, info) {
  "use strict";
  const { EventTarget, MessageEvent, ErrorEvent, DOMException } = events;

  // A transfer list as Deno takes it: an array, or { transfer: array }, of
  // distinct ArrayBuffers.
  function transferList(transfer) {
    const list = Array.isArray(transfer) ? transfer : transfer?.transfer ?? [];
    for (const buffer of list) {
      if (!(buffer instanceof ArrayBuffer)) {
        throw new DOMException("Value not transferable", "DataCloneError");
      }
    }
    if (new Set(list).size !== list.length) {
      throw new DOMException("Transfer list contains duplicate ArrayBuffers", "DataCloneError");
    }
    return [...list];
  }

  const live = new Map();

  class Worker extends EventTarget {
    #id;
    #ended = false;
    constructor(specifier, options = undefined) {
      super();
      const type = options?.type ?? "classic";
      if (type !== "module") {
        throw new DOMException("Classic workers are not supported.", "NotSupportedError");
      }
      let url;
      try {
        url = specifier instanceof URL ? specifier : new URL(String(specifier));
      } catch {
        throw new URIError("invalid URL: relative URL without a base");
      }
      if (url.protocol !== "file:") {
        throw new TypeError(`Unsupported scheme "${url.protocol.slice(0, -1)}" for module "${url.href}"`);
      }
      this.#id = natives.workerCreate(url.href, String(options?.name ?? ""));
      live.set(this.#id, this);
    }
    postMessage(message, transfer = undefined) {
      if (this.#ended) return;
      natives.workerPost(this.#id, message, transferList(transfer));
    }
    terminate() {
      if (this.#ended) return;
      this.#ended = true;
      live.delete(this.#id);
      natives.workerTerminate(this.#id);
    }
    // The host's report of the worker's end.
    static ended(worker) {
      worker.#ended = true;
    }
  }
  for (const type of ["message", "messageerror", "error"]) events.defineHandler(Worker.prototype, type);

  // A worker's message, error or end, on its Worker object; false for an
  // error no listener prevented.
  function workerEvent(id, kind, data) {
    const worker = live.get(id);
    if (worker === undefined) return true;
    if (kind === "closed") {
      live.delete(id);
      Worker.ended(worker);
      return true;
    }
    if (kind === "message") {
      worker.dispatchEvent(new MessageEvent("message", { data }));
      return true;
    }
    const event = new ErrorEvent("error", { cancelable: true, ...data });
    worker.dispatchEvent(event);
    return event.defaultPrevented;
  }

  // In a worker: the parent's message, on the global.
  function workerMessage(data) {
    events.dispatch(globalThis, new MessageEvent("message", { data }));
  }

  // A worker's global: postMessage, close, name, onmessage.
  if (info.workerName !== undefined) {
    const define = (name, value) =>
      Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: true });
    define("postMessage", function postMessage(message, transfer = undefined) {
      natives.postToParent(message, transferList(transfer));
    });
    define("close", function close() {
      natives.closeSelf();
    });
    define("name", info.workerName);
    for (const type of ["message", "messageerror"]) events.defineHandler(globalThis, type);
  }

  return { Worker, workerEvent, workerMessage };
});
