// DOM events and the global's load/unload/error/unhandledrejection events,
// one case per mode (Deno.args[0]), run under ffic and stock Deno.
const mode = Deno.args[0];
const log = (...args) => console.log(...args);

if (mode === "targets") {
  const t = new EventTarget();
  t.addEventListener("x", function (e) {
    log("x", this === t, e.detail, e.eventPhase, e.currentTarget === t, e.target === t);
  }, { once: true });
  log(t.dispatchEvent(new CustomEvent("x", { detail: 42 })), t.dispatchEvent(new CustomEvent("x")));
  const cancelable = new Event("y", { cancelable: true });
  t.addEventListener("y", (e) => e.preventDefault());
  log(t.dispatchEvent(cancelable), cancelable.defaultPrevented, cancelable.returnValue);
  log(t.dispatchEvent(new Event("y")), "not cancelable");
  const h = { handleEvent(e) { log("object listener", this === h, e.type); } };
  t.addEventListener("a", h);
  t.addEventListener("a", h);
  t.addEventListener("a", (e) => { e.stopImmediatePropagation(); log("stops"); });
  t.addEventListener("a", () => log("never"));
  t.dispatchEvent(new Event("a"));
  t.removeEventListener("a", h);
  t.dispatchEvent(new Event("a"));
  const ac = new AbortController();
  t.addEventListener("b", () => log("b until aborted"), { signal: ac.signal });
  t.dispatchEvent(new Event("b"));
  ac.abort();
  t.dispatchEvent(new Event("b"));
  log(ac.signal.aborted, ac.signal.reason instanceof DOMException, ac.signal.reason.name);
  log(AbortSignal.abort(7).reason);
  try { AbortSignal.abort("why").throwIfAborted(); } catch (e) { log("thrown", e); }
  t.addEventListener("p", (e) => { e.preventDefault(); log("passive", e.defaultPrevented); }, { passive: true });
  t.dispatchEvent(new Event("p", { cancelable: true }));
  t.addEventListener("q", null);
  try { new Event(); } catch (e) { log(e.name, e.message); }
  log(new Event("z"), String(new Event("q")), Object.keys(new Event("z")));
  log(Event.NONE, Event.CAPTURING_PHASE, Event.AT_TARGET, Event.BUBBLING_PHASE, new Event("k").AT_TARGET);
  log(new CustomEvent("d", { detail: { a: 1 } }));
  log(new ErrorEvent("error", { message: "m", error: 1, filename: "f", lineno: 2, colno: 3 }));
  log(new PromiseRejectionEvent("unhandledrejection", { promise: Promise.resolve(), reason: 9 }).reason);
  const e = new Event("c", { cancelable: true });
  log(e.isTrusted, e.cancelBubble, e.composedPath(), e.bubbles, e.composed, e.timeStamp);
  e.returnValue = false;
  log(e.defaultPrevented);
  log(globalThis instanceof EventTarget, Object.getPrototypeOf(globalThis).constructor.name, typeof Window);
  log(onload, onunload, onbeforeunload, onerror, onunhandledrejection);
} else if (mode === "lifecycle") {
  addEventListener("load", (e) => log("load", e.type, e instanceof Event, e.target === globalThis, e.cancelable));
  onload = () => log("onload");
  addEventListener("beforeunload", (e) => log("beforeunload", e.cancelable, Deno.exitCode));
  addEventListener("unload", (e) => log("unload", e.cancelable, Deno.exitCode));
  setTimeout(() => log("timer"), 0);
  queueMicrotask(() => log("microtask"));
  await new Promise((resolve) => setTimeout(resolve, 5));
  log("after top-level await");
  Deno.exitCode = 3;
} else if (mode === "beforeunload") {
  let turns = 0;
  addEventListener("beforeunload", (e) => {
    log("beforeunload", ++turns);
    if (turns === 1) setTimeout(() => log("more work"), 1);
    if (turns < 4) e.preventDefault();
  });
  addEventListener("unload", () => log("unload after", turns));
} else if (mode === "exit") {
  addEventListener("beforeunload", () => log("not on exit"));
  addEventListener("unload", () => { log("unload", Deno.exitCode); Deno.exit(); });
  setTimeout(() => Deno.exit(2), 1);
} else if (mode === "prevented") {
  addEventListener("error", (e) => {
    log("error", e.constructor.name, e.message, e.filename.split("/").pop(), e.lineno, e.colno, e.cancelable);
    e.preventDefault();
  });
  addEventListener("unhandledrejection", (e) => {
    log("unhandledrejection", e.constructor.name, String(e.reason), e.promise instanceof Promise, e.cancelable);
    if (e.reason !== "last") e.preventDefault();
  });
  // Well past the top level's rejections, which are reported first.
  setTimeout(() => { throw new Error("from a timer"); }, 50);
  setTimeout(() => { throw "a string"; }, 51);
  setTimeout(() => { throw { an: "object" }; }, 52);
  setTimeout(() => queueMicrotask(() => { throw new TypeError("from a microtask"); }), 53);
  setTimeout(() => reportError(new RangeError("reported")), 54);
  setTimeout(() => Promise.reject(new Error("rejected in a timer")), 55);
  setTimeout(() => Promise.reject("last"), 60);
  setTimeout(() => log("not reached"), 150);
  Promise.reject(new Error("at the top level"));
  (async () => { throw 1; })();
} else if (mode === "listener") {
  const t = new EventTarget();
  t.addEventListener("x", () => { throw new Error("from a listener"); });
  t.addEventListener("x", () => log("not reached: the error ends the process at once"));
  log("dispatching");
  t.dispatchEvent(new Event("x"));
  log("not reached");
} else if (mode === "listener-prevented") {
  addEventListener("error", (e) => { log("reported", e.message); e.preventDefault(); });
  const t = new EventTarget();
  t.addEventListener("x", () => { throw new Error("from a listener"); });
  t.addEventListener("x", () => log("second listener runs"));
  log("dispatch gives", t.dispatchEvent(new Event("x")));
} else if (mode === "error-in-error") {
  addEventListener("error", (e) => { log("error", e.message); throw new Error("in the error listener"); });
  setTimeout(() => { throw new Error("first"); }, 0);
} else if (mode === "load-throws") {
  addEventListener("load", () => { throw new Error("in load"); });
  addEventListener("unload", () => log("no unload after a fatal error"));
} else if (mode === "late-handler") {
  addEventListener("unhandledrejection", (e) => log("unhandledrejection", e.reason));
  const p = Promise.reject(7);
  setTimeout(() => p.catch(() => {}), 0);
} else if (mode === "top-level") {
  addEventListener("load", () => log("load"));
  addEventListener("unload", () => log("unload"));
  addEventListener("unhandledrejection", (e) => { log("unhandledrejection", e.reason.message); e.preventDefault(); });
  // (A timer due at once may fire before the module's rejection is reported
  // or after: stock Deno does either, so none is set here.)
  setTimeout(() => log("later timers run too"), 20);
  throw new Error("thrown by the module");
} else if (mode === "top-level-fatal") {
  addEventListener("load", () => log("load"));
  setTimeout(() => log("not reached"), 100);
  throw new Error("thrown by the module");
}
