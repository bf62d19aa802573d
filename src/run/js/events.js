// DOM events as Deno gives them: Event, CustomEvent, ErrorEvent,
// PromiseRejectionEvent and EventTarget, the global object as an
// EventTarget (Window), its on* handler properties, and how uncaught
// errors are reported: an `error` event on the global, fatal unless a
// listener calls preventDefault(); AbortController and AbortSignal.
// Evaluates to a function called with (natives, host) that gives the
// classes and the hooks the host calls; `host` gives `inspect` and
// `DOMException` once the bootstrap has made them.
(function events(natives, host) {
  "use strict";
  // Captured now, before any script can replace them: dispatching (the
  // host's load/unload included) must work whatever a script did to the
  // globals and prototypes.
  const { apply: ReflectApply } = Reflect;
  const { defineProperty, setPrototypeOf } = Object;
  const { String, Boolean, TypeError, Error, Symbol, WeakMap, RegExp } = globalThis;
  const uncurry = (f) => (self, ...args) => ReflectApply(f, self, args);
  const weakGet = uncurry(WeakMap.prototype.get);
  const weakSet = uncurry(WeakMap.prototype.set);
  const errorStack = (error) => ReflectApply(Error.prototype.toString, error, []);
  const regexpExec = uncurry(RegExp.prototype.exec);

  // An event's state, in a private field (which no script can reach or
  // hook), so that inspection shows no own keys, as Deno's does.
  let stateOf;

  class Event {
    #state;
    static {
      stateOf = (event) => {
        if (typeof event !== "object" || event === null || !(#state in event)) {
          throw new TypeError("Illegal invocation");
        }
        return event.#state;
      };
    }
    constructor(type, init = undefined) {
      if (arguments.length === 0) {
        throw new TypeError("Failed to construct 'Event': 1 argument required, but only 0 present");
      }
      this.#state = {
        __proto__: null,
        type: String(type),
        bubbles: Boolean(init?.bubbles),
        cancelable: Boolean(init?.cancelable),
        composed: Boolean(init?.composed),
        target: null,
        currentTarget: null,
        phase: 0,
        canceled: false,
        stop: false,
        stopImmediate: false,
        passive: false,
        trusted: false,
      };
    }
    get type() { return stateOf(this).type; }
    get target() { return stateOf(this).target; }
    get srcElement() { return stateOf(this).target; }
    get currentTarget() { return stateOf(this).currentTarget; }
    composedPath() {
      const state = stateOf(this);
      return state.currentTarget === null ? [] : [state.currentTarget];
    }
    get eventPhase() { return stateOf(this).phase; }
    stopPropagation() { stateOf(this).stop = true; }
    get cancelBubble() { return stateOf(this).stop; }
    set cancelBubble(value) { if (value) stateOf(this).stop = true; }
    stopImmediatePropagation() {
      const state = stateOf(this);
      state.stop = true;
      state.stopImmediate = true;
    }
    get bubbles() { return stateOf(this).bubbles; }
    get cancelable() { return stateOf(this).cancelable; }
    get returnValue() { return !stateOf(this).canceled; }
    set returnValue(value) { if (!value) this.preventDefault(); }
    preventDefault() {
      const state = stateOf(this);
      if (state.cancelable && !state.passive) state.canceled = true;
    }
    get defaultPrevented() { return stateOf(this).canceled; }
    get composed() { return stateOf(this).composed; }
    get timeStamp() { stateOf(this); return 0; }
    get isTrusted() { return stateOf(this).trusted; }
  }
  for (const [name, value] of [["NONE", 0], ["CAPTURING_PHASE", 1], ["AT_TARGET", 2], ["BUBBLING_PHASE", 3]]) {
    defineProperty(Event, name, { value, enumerable: true });
    defineProperty(Event.prototype, name, { value, enumerable: true });
  }

  class CustomEvent extends Event {
    #detail;
    constructor(type, init = undefined) {
      super(type, init);
      this.#detail = init?.detail;
    }
    get detail() { return this.#detail; }
  }

  class ErrorEvent extends Event {
    #init;
    constructor(type, init = undefined) {
      super(type, init);
      this.#init = {
        message: init?.message === undefined ? "" : String(init.message),
        filename: init?.filename === undefined ? "" : String(init.filename),
        lineno: init?.lineno >>> 0,
        colno: init?.colno >>> 0,
        error: init?.error,
      };
    }
    get message() { return this.#init.message; }
    get filename() { return this.#init.filename; }
    get lineno() { return this.#init.lineno; }
    get colno() { return this.#init.colno; }
    get error() { return this.#init.error; }
  }

  class MessageEvent extends Event {
    #init;
    constructor(type, init = undefined) {
      super(type, init);
      this.#init = {
        data: init?.data,
        origin: init?.origin === undefined ? "" : String(init.origin),
        lastEventId: init?.lastEventId === undefined ? "" : String(init.lastEventId),
        source: init?.source ?? null,
        ports: init?.ports === undefined ? [] : [...init.ports],
      };
    }
    get data() { return this.#init.data; }
    get origin() { return this.#init.origin; }
    get lastEventId() { return this.#init.lastEventId; }
    get source() { return this.#init.source; }
    get ports() { return this.#init.ports; }
  }

  class PromiseRejectionEvent extends Event {
    #promise;
    #reason;
    constructor(type, init = undefined) {
      super(type, init);
      this.#promise = init?.promise;
      this.#reason = init?.reason;
    }
    get promise() { return this.#promise; }
    get reason() { return this.#reason; }
  }

  for (const cls of [Event, CustomEvent, ErrorEvent, MessageEvent, PromiseRejectionEvent]) {
    defineProperty(cls.prototype, Symbol.toStringTag, { value: cls.name, configurable: true });
  }

  // What console.log shows for an event: its getters' values, base first.
  const baseFields = [
    "bubbles", "cancelable", "composed", "currentTarget", "defaultPrevented",
    "eventPhase", "srcElement", "target", "returnValue", "timeStamp", "type",
  ];
  const ownFields = new Map([
    [CustomEvent, ["detail"]],
    [ErrorEvent, ["message", "filename", "lineno", "colno", "error"]],
    [PromiseRejectionEvent, ["promise", "reason"]],
    [MessageEvent, ["data", "origin", "lastEventId", "source", "ports"]],
  ]);
  function eventFields(event) {
    const fields = { __proto__: null };
    for (const key of baseFields) fields[key] = event[key];
    for (const [cls, keys] of ownFields) {
      if (event instanceof cls) for (const key of keys) fields[key] = event[key];
    }
    return fields;
  }

  // Listeners per target (type → list), kept off the object so the global
  // can be one. Lists are array-likes without a prototype, so no setter a
  // script puts on Array.prototype runs when they grow.
  const listenersOf = new WeakMap();
  function listeners(target, type) {
    let byType = weakGet(listenersOf, target);
    if (byType === undefined) weakSet(listenersOf, target, (byType = { __proto__: null }));
    return (byType[type] ??= { __proto__: null, length: 0 });
  }
  function find(list, callback, capture) {
    for (let i = 0; i < list.length; i++) {
      if (list[i].callback === callback && list[i].capture === capture) return i;
    }
    return -1;
  }
  const captureOf = (options) => typeof options === "boolean" ? options : Boolean(options?.capture);

  class EventTarget {
    addEventListener(type, callback, options = undefined) {
      const target = this ?? globalThis;
      if (arguments.length < 2) {
        throw new TypeError(
          `Failed to execute 'addEventListener' on 'EventTarget': 2 arguments required, but only ${arguments.length} present.`,
        );
      }
      if (callback === null || callback === undefined) return;
      const capture = captureOf(options);
      const signal = typeof options === "object" && options !== null ? options.signal : undefined;
      if (signal?.aborted) return;
      const list = listeners(target, String(type));
      if (find(list, callback, capture) !== -1) return;
      const listener = {
        __proto__: null,
        callback,
        capture,
        once: typeof options === "object" && Boolean(options?.once),
        passive: typeof options === "object" && Boolean(options?.passive),
        removed: false,
      };
      list[list.length++] = listener;
      signal?.addEventListener?.("abort", () => target.removeEventListener(type, callback, options));
    }
    removeEventListener(type, callback, options = undefined) {
      const target = this ?? globalThis;
      const list = listeners(target, String(type));
      const capture = captureOf(options);
      const index = find(list, callback, capture);
      if (index !== -1) {
        list[index].removed = true;
        for (let i = index; i < list.length - 1; i++) list[i] = list[i + 1];
        delete list[--list.length];
      }
    }
    dispatchEvent(event) {
      const target = this ?? globalThis;
      if (!(event instanceof Event)) {
        throw new TypeError("Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'.");
      }
      dispatch(target, event);
      return !event.defaultPrevented;
    }
  }

  // Listeners see the target as `this`; one that throws is reported as
  // an uncaught error (fatal unless an `error` listener prevents it) and
  // the others still run.
  function dispatch(target, event) {
    const state = stateOf(event);
    state.target = target;
    state.currentTarget = target;
    state.phase = 2;
    state.stop = false;
    state.stopImmediate = false;
    const list = listeners(target, state.type);
    const snapshot = { __proto__: null, length: list.length };
    for (let i = 0; i < list.length; i++) snapshot[i] = list[i];
    for (let i = 0; i < snapshot.length; i++) {
      const listener = snapshot[i];
      if (listener.removed) continue;
      if (listener.once) ReflectApply(EventTarget.prototype.removeEventListener, target, [state.type, listener.callback, listener]);
      state.passive = listener.passive;
      try {
        const { callback } = listener;
        if (typeof callback === "function") {
          ReflectApply(callback, target, [event]);
        } else {
          const handle = callback.handleEvent;
          if (typeof handle === "function") ReflectApply(handle, callback, [event]);
        }
      } catch (error) {
        reportException(error);
      }
      state.passive = false;
      if (state.stopImmediate) break;
    }
    state.phase = 0;
    state.currentTarget = null;
  }

  // Where an error was made: the first frame of its stack.
  const firstFrame = /\n {4}at (?:.*\()?([^\s()]+):(\d+):(\d+)\)?(?:\n|$)/;
  function origin(error) {
    const stack = error instanceof Error ? error.stack : undefined;
    const match = typeof stack === "string" ? regexpExec(firstFrame, stack) : null;
    return match ? { filename: match[1], lineno: +match[2], colno: +match[3] } : { filename: "", lineno: 0, colno: 0 };
  }

  // An exception nothing caught: an `error` event on the global, and the
  // end of the process unless a listener prevented it. An error thrown
  // while reporting is fatal at once.
  let reporting = false;
  function reportException(error) {
    if (reporting) natives.fatal(error);
    const text = error instanceof Error ? errorStack(error) : host.inspect(error);
    const { filename, lineno, colno } = origin(error);
    const event = new ErrorEvent("error", { cancelable: true, message: `Uncaught ${text}`, error, filename, lineno, colno });
    stateOf(event).trusted = true;
    reporting = true;
    try {
      dispatch(globalThis, event);
    } finally {
      reporting = false;
    }
    if (!event.defaultPrevented) natives.fatal(error);
  }

  // ---- aborting ------------------------------------------------------------
  const abortStates = new WeakMap();
  const abortStateOf = (signal) => {
    const state = abortStates.get(signal);
    if (state === undefined) throw new TypeError("Illegal invocation");
    return state;
  };
  function signalAbort(signal, reason) {
    const state = abortStateOf(signal);
    if (state.aborted) return;
    state.aborted = true;
    state.reason = reason === undefined ? new host.DOMException("The signal has been aborted", "AbortError") : reason;
    const event = new Event("abort");
    stateOf(event).trusted = true;
    dispatch(signal, event);
  }
  const illegal = Symbol("illegal constructor key");
  class AbortSignal extends EventTarget {
    #onabort = null;
    constructor(key = undefined) {
      if (key !== illegal) throw new TypeError("Illegal constructor");
      super();
      abortStates.set(this, { aborted: false, reason: undefined });
    }
    static abort(reason = undefined) {
      const signal = new AbortSignal(illegal);
      signalAbort(signal, reason);
      return signal;
    }
    get aborted() { return abortStateOf(this).aborted; }
    get reason() { return abortStateOf(this).reason; }
    throwIfAborted() {
      const state = abortStateOf(this);
      if (state.aborted) throw state.reason;
    }
    get onabort() { return this.#onabort; }
    set onabort(value) {
      if (this.#onabort !== null) this.removeEventListener("abort", this.#onabort);
      this.#onabort = typeof value === "function" ? value : null;
      if (this.#onabort !== null) this.addEventListener("abort", this.#onabort);
    }
  }
  class AbortController {
    #signal = new AbortSignal(illegal);
    get signal() { return this.#signal; }
    abort(reason = undefined) { signalAbort(this.#signal, reason); }
  }

  // The global object is a Window: an EventTarget with on* handlers.
  class Window extends EventTarget {}
  setPrototypeOf(globalThis, Window.prototype);
  // An `on<type>` property on `target` (per instance when `target` is a
  // prototype): the function set is a listener, in the place it was first
  // set, and `null` removes it.
  const handlers = new WeakMap();
  function defineHandler(target, type) {
    const slot = (self) => {
      let map = weakGet(handlers, self);
      if (map === undefined) weakSet(handlers, self, (map = { __proto__: null }));
      return (map[type] ??= { __proto__: null, handler: null, wrapper: null });
    };
    defineProperty(target, `on${type}`, {
      get() {
        return slot(this ?? globalThis).handler;
      },
      set(value) {
        const self = this ?? globalThis;
        const entry = slot(self);
        const installed = entry.handler !== null;
        entry.handler = typeof value === "function" || (typeof value === "object" && value !== null) ? value : null;
        entry.wrapper ??= (event) => {
          if (typeof entry.handler === "function") ReflectApply(entry.handler, self, [event]);
        };
        if (entry.handler !== null && !installed) ReflectApply(EventTarget.prototype.addEventListener, self, [type, entry.wrapper]);
        if (entry.handler === null && installed) ReflectApply(EventTarget.prototype.removeEventListener, self, [type, entry.wrapper]);
      },
      enumerable: true,
      configurable: true,
    });
  }
  for (const type of ["load", "unload", "beforeunload", "error", "unhandledrejection"]) {
    defineHandler(globalThis, type);
  }

  // What the host dispatches on the global: true if a listener prevented
  // the default.
  function dispatchGlobal(type) {
    const event = new Event(type, { cancelable: type === "beforeunload" });
    stateOf(event).trusted = true;
    dispatch(globalThis, event);
    return event.defaultPrevented;
  }
  function dispatchRejection(promise, reason) {
    const event = new PromiseRejectionEvent("unhandledrejection", { cancelable: true, promise, reason });
    stateOf(event).trusted = true;
    dispatch(globalThis, event);
    return event.defaultPrevented;
  }

  return {
    Event,
    EventTarget,
    CustomEvent,
    ErrorEvent,
    PromiseRejectionEvent,
    Window,
    MessageEvent,
    defineHandler,
    dispatch,
    stateOf,
    AbortController,
    AbortSignal,
    eventFields,
    reportException,
    reportError: (error) => reportException(error),
    dispatchGlobal,
    dispatchRejection,
  };
});
