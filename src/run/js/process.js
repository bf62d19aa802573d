// Deno 2's `process` global, the part of Node's that FFI programs use:
// platform, arch, argv, env (Deno.env behind --allow-env), pid, cwd, exit,
// exitCode, execPath, version(s), nextTick, and the EventEmitter methods
// with the `exit` event. Not here: streams, signals, hrtime. Evaluates to a
// function called with (natives, Deno, info, reportException) that gives
// `{ process, drainTicks, emitExit }`.
(function makeProcess(natives, Deno, info, reportException) {
  "use strict";
  const NODE_VERSION = "26.3.0";

  // process.env: the environment, read and written through Deno.env.
  const env = new Proxy({}, {
    get: (_, key) => (typeof key === "string" ? Deno.env.get(key) : undefined),
    set: (_, key, value) => (Deno.env.set(String(key), String(value)), true),
    has: (_, key) => typeof key === "string" && Deno.env.has(key),
    deleteProperty: (_, key) => (Deno.env.delete(String(key)), true),
    ownKeys: () => Object.keys(Deno.env.toObject()),
    getOwnPropertyDescriptor(_, key) {
      const value = typeof key === "string" ? Deno.env.get(key) : undefined;
      return value === undefined ? undefined : { value, writable: true, enumerable: true, configurable: true };
    },
  });

  // Callbacks queued by nextTick: they run after the current macrotask,
  // before its promise jobs (from the host's loop after the top level).
  const ticks = [];
  function drainTicks() {
    while (ticks.length > 0) {
      const [callback, args] = ticks.shift();
      try {
        callback(...args);
      } catch (error) {
        reportException(error);
      }
    }
  }

  // Node's ERR_INVALID_ARG_TYPE, naming what was received as Node does.
  function invalidArgument(what, value) {
    let received;
    if (value === null || value === undefined) received = String(value);
    else if (typeof value === "function") received = `function ${value.name}`;
    else if (typeof value === "object") received = `an instance of ${value.constructor?.name ?? "Object"}`;
    else if (typeof value === "string") received = `type string ('${value}')`;
    else received = `type ${typeof value} (${typeof value === "bigint" ? `${value}n` : String(value)})`;
    const error = new TypeError(`The "${what} Received ${received}`);
    error.code = "ERR_INVALID_ARG_TYPE";
    return error;
  }

  // process's EventEmitter methods: listeners per event name, in order,
  // in lists copied on change and read by index, so that emitting `exit`
  // at the end works whatever a script did to Array or Map prototypes.
  const { apply: ReflectApply } = Reflect;
  const listeners = { __proto__: null };
  const listOf = (name) => listeners[name] ?? { __proto__: null, length: 0 };
  function copied(list, skip = -1, extra = undefined, first = false) {
    const copy = { __proto__: null, length: 0 };
    if (extra !== undefined && first) copy[copy.length++] = extra;
    for (let i = 0; i < list.length; i++) if (i !== skip) copy[copy.length++] = list[i];
    if (extra !== undefined && !first) copy[copy.length++] = extra;
    return copy;
  }
  function addListener(name, listener, once = false, prepend = false) {
    if (typeof listener !== "function") {
      throw invalidArgument('listener" argument must be of type function.', listener);
    }
    listeners[name] = copied(listOf(name), -1, { __proto__: null, listener, once }, prepend);
    return process;
  }
  function removeListener(name, listener) {
    const list = listOf(name);
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i].listener === listener) {
        listeners[name] = copied(list, i);
        break;
      }
    }
    return process;
  }
  function emit(name, ...args) {
    const list = listOf(name);
    for (let i = 0; i < list.length; i++) {
      const entry = list[i];
      if (entry.once) removeListener(name, entry.listener);
      ReflectApply(entry.listener, process, args);
    }
    return list.length > 0;
  }
  // `exit`, once: at the end (after `unload`) or from process.exit().
  let exited = false;
  function emitExit(code) {
    if (exited) return;
    exited = true;
    emit("exit", code);
  }

  let exitCode;
  const process = {
    platform: Deno.build.os,
    arch: Deno.build.arch === "x86_64" ? "x64" : Deno.build.arch === "aarch64" ? "arm64" : Deno.build.arch,
    argv: [Deno.execPath(), info.mainPath, ...Deno.args],
    env,
    pid: Deno.pid,
    execPath: Deno.execPath(),
    title: Deno.execPath(),
    version: `v${NODE_VERSION}`,
    versions: { node: NODE_VERSION, ...Deno.version },
    cwd: () => Deno.cwd(),
    get exitCode() {
      return exitCode;
    },
    set exitCode(code) {
      exitCode = code;
      if (code !== undefined) Deno.exitCode = Number(code);
    },
    exit(code = undefined) {
      if (code !== undefined) {
        if (!Number.isInteger(Number(code)) || (typeof code !== "number" && typeof code !== "string")) {
          throw invalidArgument('code" argument must be integer.', code);
        }
        process.exitCode = Number(code);
      }
      emitExit(exitCode ?? 0);
      Deno.exit();
    },
    on: (name, listener) => addListener(name, listener),
    addListener: (name, listener) => addListener(name, listener),
    prependListener: (name, listener) => addListener(name, listener, false, true),
    once: (name, listener) => addListener(name, listener, true),
    off: removeListener,
    removeListener,
    removeAllListeners(name = undefined) {
      for (const key of name === undefined ? Reflect.ownKeys(listeners) : [name]) delete listeners[key];
      return process;
    },
    emit,
    listenerCount: (name) => listOf(name).length,
    listeners: (name) => Array.from(listOf(name), (entry) => entry.listener),
    nextTick(callback, ...args) {
      if (typeof callback !== "function") {
        throw invalidArgument('callback" argument must be of type function.', callback);
      }
      if (ticks.length === 0) natives.ticksQueued();
      ticks.push([callback, args]);
    },
    get [Symbol.toStringTag]() {
      return "process";
    },
  };
  return { process, drainTicks, emitExit: () => emitExit(exitCode ?? 0) };
});
