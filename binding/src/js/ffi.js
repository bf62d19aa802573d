// The JS half of Deno's FFI API, built on the binding's natives: dlopen
// (with the struct-result wrapper and generated modules' artifacts),
// UnsafePointer, UnsafePointerView, UnsafeFnPointer, UnsafeCallback, and
// the NotCapable and BadResource errors they throw. Evaluates to a
// function called with (natives, allowed) that gives those members;
// `allowed` says whether the policy lets scripts use pointers and create
// callbacks.
(function ffi(natives, allowed) {
  "use strict";
  // Captured now, before any script runs: whatever a script later does to
  // the globals and prototypes, dlopen and the classes work as specified.
  const { apply: ReflectApply } = Reflect;
  const { defineProperty, entries, freeze, isFrozen, keys } = Object;
  const { stringify } = JSON;
  const { BigInt, Error, TypeError, Symbol, Function, Promise, Uint8Array, decodeURIComponent } = globalThis;
  const promiseReject = Promise.reject;
  const uncurry = (f) => (self, ...args) => ReflectApply(f, self, args);
  const startsWith = uncurry(String.prototype.startsWith);
  const slice = uncurry(String.prototype.slice);
  const replace = uncurry(String.prototype.replace);
  const rejected = (reason) => ReflectApply(promiseReject, Promise, [reason]);
  const fficKey = Symbol.for("ffic");

  class NotCapable extends Error {
    constructor(message = undefined, options = undefined) {
      super(message, options);
      this.name = "NotCapable";
    }
  }
  class BadResource extends Error {
    constructor(message = undefined, options = undefined) {
      super(message, options);
      this.name = "BadResource";
    }
  }
  // A refusal, which the policy hears of first.
  function notCapable(message, item = undefined) {
    natives.refused(item);
    return new NotCapable(message);
  }
  // What Deno throws for a library or callback closed already.
  const badResource = () => new BadResource("Bad resource ID");
  const ffiDenied = () => notCapable("Requires ffi access, run again with the --allow-ffi flag");
  function requirePointers() {
    if (!allowed.pointers) throw ffiDenied();
  }

  // A struct result travels in a buffer the caller passes last. The wrapper
  // has a fixed arity (as Deno's has), so that optimized callers call `raw`
  // with a known argument count, which V8's fast calls need.
  function withStructResult(raw, shape) {
    const size = shape[0];
    const count = shape[1];
    let params = "";
    for (let i = 0; i < count; i++) params += i === 0 ? `p${i}` : `, p${i}`;
    const sep = count > 0 ? ", " : "";
    return new Function(
      "raw",
      "Uint8Array",
      `return function (${params}) {
  const buffer = new Uint8Array(${size});
  raw(${params}${sep}buffer);
  return buffer;
};`,
    )(raw, Uint8Array);
  }

  // What an ffic-generated module's frozen descriptor carries under
  // Symbol.for("ffic"): its artifact, as a path (a file: URL's), and the
  // JSON text the descriptor was parsed from, trusted only where the key
  // names this very object (a key copied onto another object gives nothing).
  function precompiled(symbols) {
    const ffic = symbols[fficKey];
    if (!ffic || !isFrozen(symbols)) return { __proto__: null };
    // Each read once: a getter cannot pass the check and then change.
    const artifact = ffic.artifact;
    if (typeof artifact !== "string") return { __proto__: null };
    const owner = ffic.symbols;
    const carried = ffic.text;
    const text = owner === symbols && typeof carried === "string" ? carried : undefined;
    if (!startsWith(artifact, "file:///")) return { __proto__: null, text };
    return { __proto__: null, artifact: decodeURIComponent(slice(artifact, "file://".length)), text };
  }

  // A library path as Deno takes it: a string as it is, a URL object (where
  // the host has URL) only with the file: scheme (a string spelling a URL
  // is a relative path).
  function pathFromURL(path) {
    if (typeof globalThis.URL !== "function" || !(path instanceof globalThis.URL)) return String(path);
    if (path.protocol !== "file:") throw new TypeError("Must be a file URL");
    if (path.hostname !== "") throw new TypeError("Host must be empty");
    return decodeURIComponent(replace(path.pathname, /%(?![0-9A-Fa-f]{2})/g, "%25"));
  }

  // A primitive named as Deno's argument errors name it.
  function describe(value) {
    if (value === null) return "null";
    const names = { number: "Number", boolean: "Boolean", bigint: "BigInt", symbol: "Symbol" };
    return names[typeof value] ?? typeof value;
  }

  // Deno.dlopen: the library's functions come from natives.dlopen; symbols
  // returning a struct get a wrapper that passes the result buffer last.
  class DynamicLibrary {
    #id;
    #closed = false;
    constructor(path, symbols) {
      path = pathFromURL(path);
      if (symbols === null || (typeof symbols !== "object" && typeof symbols !== "function")) {
        throw new TypeError(
          `serde_v8 error: invalid type; expected: object, got: ${describe(symbols)}`,
        );
      }
      // The descriptor is checked first, then the path against the policy.
      const { artifact, text } = precompiled(symbols);
      const opened = natives.dlopen(path, text ?? stringify(symbols), artifact);
      if (typeof opened === "string") {
        throw notCapable(`Requires ffi access to "${opened}", run again with the --allow-ffi flag`, opened);
      }
      this.#id = opened.id;
      const structs = entries(opened.structResults);
      for (let i = 0; i < structs.length; i++) {
        const name = structs[i][0];
        opened.symbols[name] = withStructResult(opened.symbols[name], structs[i][1]);
      }
      // Deno defines these as read-only arrow functions named `value`.
      const nonblocking = opened.nonblocking;
      for (let i = 0; i < nonblocking.length; i++) {
        const name = nonblocking[i];
        const raw = opened.symbols[name];
        defineProperty(opened.symbols, name, {
          __proto__: null,
          configurable: false,
          enumerable: true,
          writable: false,
          value: (...args) => ReflectApply(raw, undefined, args),
        });
      }
      this.symbols = opened.symbols;
    }
    close() {
      if (this.#closed) throw badResource();
      natives.dlclose(this.#id);
      this.#closed = true;
    }
  }
  // Says this host applies what ffic's extension names (C strings, errno
  // capture), and reads captured errno: generated modules wrap symbols for
  // stock Deno otherwise.
  const host = freeze({ __proto__: null, errno: () => natives.lastErrno() });
  defineProperty(DynamicLibrary.prototype, fficKey, { __proto__: null, value: host });

  const UnsafePointer = {
    create: (value) => (requirePointers(), natives.pointerCreate(BigInt(value))),
    of: (buffer) => (requirePointers(), natives.pointerOf(buffer)),
    value: (pointer) => (requirePointers(), natives.pointerValue(pointer)),
    equals: (a, b) => natives.pointerValue(a) === natives.pointerValue(b),
    offset: (pointer, offset) => {
      requirePointers();
      if (pointer === null) throw new TypeError("Invalid pointer to offset, pointer is null");
      return natives.pointerCreate(natives.pointerValue(pointer) + BigInt(offset));
    },
  };

  class UnsafeFnPointer {
    #call;
    pointer;
    definition;
    constructor(pointer, definition) {
      this.pointer = pointer;
      this.definition = definition;
    }
    call(...args) {
      if (!allowed.pointers) {
        if (this.definition?.nonblocking) return rejected(ffiDenied());
        throw ffiDenied();
      }
      // Prepared at the first call: Deno's constructor checks nothing either.
      if (this.#call === undefined) {
        const made = natives.fnPointer(this.pointer, stringify(this.definition));
        this.#call = made.struct ? withStructResult(made.call, made.struct) : made.call;
      }
      return ReflectApply(this.#call, undefined, args);
    }
  }

  // A JS function native code can call. Ref'd callbacks keep the event loop
  // alive; the count lives here, the native side only hears 0 <-> 1.
  class UnsafeCallback {
    #refcount = 0;
    #id;
    #closed = false;
    definition;
    callback;
    pointer;
    constructor(definition, callback) {
      if (definition.nonblocking) {
        throw new TypeError("Cannot construct UnsafeCallback: cannot be nonblocking");
      }
      if (!allowed.callbacks) throw ffiDenied();
      const made = natives.callbackCreate(stringify(definition), callback);
      const id = made[0];
      const pointer = made[1];
      this.#id = id;
      this.pointer = pointer;
      this.definition = definition;
      this.callback = callback;
    }
    static threadSafe(definition, callback) {
      const made = new UnsafeCallback(definition, callback);
      made.ref();
      return made;
    }
    ref() {
      if (this.#refcount++ === 0) natives.callbackRef(this.#id, true);
      return this.#refcount;
    }
    unref() {
      if (this.#refcount > 0 && --this.#refcount === 0) natives.callbackRef(this.#id, false);
      return this.#refcount;
    }
    close() {
      if (this.#closed) throw badResource();
      this.#closed = true;
      this.#refcount = 0;
      natives.callbackClose(this.#id);
    }
  }

  // Reads of raw memory, unchecked as in Deno (pointers must be allowed).
  class UnsafePointerView {
    pointer;
    constructor(pointer) {
      this.pointer = pointer;
    }
    static getCString(pointer, offset = 0) {
      requirePointers();
      return natives.viewCString(pointer, offset);
    }
    static getArrayBuffer(pointer, byteLength, offset = 0) {
      requirePointers();
      return natives.viewArrayBuffer(pointer, byteLength, offset);
    }
    static copyInto(pointer, destination, offset = 0) {
      requirePointers();
      natives.viewCopyInto(pointer, destination, offset);
    }
    getCString(offset = 0) {
      requirePointers();
      return natives.viewCString(this.pointer, offset);
    }
    getArrayBuffer(byteLength, offset = 0) {
      requirePointers();
      return natives.viewArrayBuffer(this.pointer, byteLength, offset);
    }
    copyInto(destination, offset = 0) {
      requirePointers();
      natives.viewCopyInto(this.pointer, destination, offset);
    }
  }
  // The getters are V8 fast functions (pointer, offset) -> value, one per
  // type; each method calls its own, so optimized callers call it fast.
  const [
    readBool, readU8, readI8, readU16, readI16, readU32,
    readI32, readU64, readI64, readF32, readF64, readPointer,
  ] = natives.viewGetters;
  const getters = {
    getBool(offset = 0) { requirePointers(); return readBool(this.pointer, offset); },
    getUint8(offset = 0) { requirePointers(); return readU8(this.pointer, offset); },
    getInt8(offset = 0) { requirePointers(); return readI8(this.pointer, offset); },
    getUint16(offset = 0) { requirePointers(); return readU16(this.pointer, offset); },
    getInt16(offset = 0) { requirePointers(); return readI16(this.pointer, offset); },
    getUint32(offset = 0) { requirePointers(); return readU32(this.pointer, offset); },
    getInt32(offset = 0) { requirePointers(); return readI32(this.pointer, offset); },
    getBigUint64(offset = 0) { requirePointers(); return readU64(this.pointer, offset); },
    getBigInt64(offset = 0) { requirePointers(); return readI64(this.pointer, offset); },
    getFloat32(offset = 0) { requirePointers(); return readF32(this.pointer, offset); },
    getFloat64(offset = 0) { requirePointers(); return readF64(this.pointer, offset); },
    getPointer(offset = 0) { requirePointers(); return readPointer(this.pointer, offset); },
  };
  for (const method of keys(getters)) {
    defineProperty(UnsafePointerView.prototype, method, {
      value: getters[method],
      writable: true,
      configurable: true,
    });
  }

  return {
    dlopen: (path, symbols) => new DynamicLibrary(path, symbols),
    UnsafePointer,
    UnsafePointerView,
    UnsafeFnPointer,
    UnsafeCallback,
    errors: { NotCapable, BadResource },
  };
});
