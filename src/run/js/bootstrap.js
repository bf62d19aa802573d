// The globals `ffic run` gives a script, built once per isolate from the
// native functions in `natives.rs`: console (with Deno's value formatting),
// timers, queueMicrotask, performance, TextEncoder/TextDecoder and the
// `Deno` namespace. Evaluates to a function called with (natives, info).
(function bootstrap(natives, info) {
  "use strict";
  // What the parts get once it is made below.
  const host = { inspect: undefined, DOMException: undefined };
  const events = natives.parts.events(natives, host);

  // ---- value formatting, as Deno's console prints values ----------------
  // Entries of an object or array go on one line when they fit 80 columns
  // and nest at most 3 levels below; arrays of more than 6 short entries
  // are laid out in aligned columns; objects deeper than 4 levels print as
  // [Object]/[Array]; iterables show at most 100 entries.
  const BREAK = 80;
  const DEPTH = 4;
  const LIMIT = 100;
  const COMPACT = 3;
  const IDENT = /^[a-zA-Z_][a-zA-Z_0-9]*$/;
  const TypedArray = Object.getPrototypeOf(Uint8Array);
  const typedArrayTag = Object.getOwnPropertyDescriptor(
    TypedArray.prototype,
    Symbol.toStringTag,
  ).get;

  function quote(s) {
    const q = !s.includes('"') ? '"' : !s.includes("'") ? "'" : !s.includes("`") ? "`" : '"';
    let out = q;
    for (const ch of s) {
      const code = ch.codePointAt(0);
      if (ch === q || ch === "\\") out += "\\" + ch;
      else if (ch === "\n") out += "\\n";
      else if (ch === "\t") out += "\\t";
      else if (ch === "\r") out += "\\r";
      else if (ch === "\b") out += "\\b";
      else if (ch === "\f") out += "\\f";
      else if (ch === "\v") out += "\\v";
      else if (code < 0x20 || code === 0x7f) out += "\\x" + code.toString(16).padStart(2, "0");
      else out += ch;
    }
    return out + q;
  }

  function formatNumber(n) {
    return Object.is(n, -0) ? "-0" : String(n);
  }

  function formatKey(key) {
    if (typeof key === "symbol") return key.toString();
    return IDENT.test(key) ? key : quote(key);
  }

  function functionName(f) {
    const source = Function.prototype.toString.call(f);
    if (source.startsWith("class")) return `[class ${f.name || "(anonymous)"}]`;
    return f.name ? `[Function: ${f.name}]` : "[Function (anonymous)]";
  }

  function constructorName(value) {
    const proto = Object.getPrototypeOf(value);
    if (proto === null) return null;
    const ctor = proto.constructor;
    return typeof ctor === "function" && ctor.name ? ctor.name : "Object";
  }

  // Arrays of many short entries: aligned columns, numbers right-aligned.
  function groupEntries(ctx, output, value) {
    let count = output.length;
    if (output.length > 0 && output[output.length - 1].startsWith("... ")) count--;
    const lengths = output.slice(0, count).map((s) => s.length);
    let total = 0;
    let longest = 0;
    for (const len of lengths) {
      total += len + 2;
      if (len > longest) longest = len;
    }
    const cell = longest + 2;
    if (!(cell * 3 + ctx.indent < BREAK && (total / cell > 5 || longest <= 6))) return output;
    const bias = Math.sqrt(cell - total / output.length);
    const width = Math.max(cell - 3 - bias, 1);
    const columns = Math.min(
      Math.round(Math.sqrt(2.5 * width * count) / width),
      Math.floor((BREAK - ctx.indent) / cell),
      COMPACT * 4,
      15,
    );
    if (columns <= 1) return output;
    const columnWidth = [];
    for (let c = 0; c < columns; c++) {
      let w = 0;
      for (let j = c; j < count; j += columns) if (lengths[j] > w) w = lengths[j];
      columnWidth.push(w + 2);
    }
    let numeric = true;
    if (value !== undefined) {
      for (let i = 0; i < count; i++) {
        const t = typeof value[i];
        if (t !== "number" && t !== "bigint") {
          numeric = false;
          break;
        }
      }
    }
    const rows = [];
    for (let i = 0; i < count; i += columns) {
      const end = Math.min(i + columns, count);
      let row = "";
      for (let j = i; j < end - 1; j++) {
        const cellText = output[j] + ", ";
        row += numeric
          ? cellText.padStart(columnWidth[j - i])
          : cellText.padEnd(columnWidth[j - i]);
      }
      const last = output[end - 1];
      row += numeric ? last.padStart(columnWidth[end - 1 - i] - 2) : last;
      rows.push(row);
    }
    if (count < output.length) rows.push(output[count]);
    return rows;
  }

  function fitsOnOneLine(ctx, output, start) {
    let total = output.length + start;
    if (total + output.length > BREAK) return false;
    for (const entry of output) {
      total += entry.length;
      if (total > BREAK) return false;
    }
    return true;
  }

  function join(ctx, output, open, close, level, isArray, value) {
    const entries = output.length;
    if (isArray && entries > 6) output = groupEntries(ctx, output, value);
    if (ctx.deepest - level < COMPACT && entries === output.length) {
      const start = output.length + ctx.indent + open.length + 10;
      if (fitsOnOneLine(ctx, output, start)) {
        const line = output.join(", ");
        if (!line.includes("\n")) return `${open} ${line} ${close}`;
      }
    }
    const pad = "\n" + " ".repeat(ctx.indent);
    return `${open}${pad}  ${output.join(`,${pad}  `)}${pad}${close}`;
  }

  function formatValue(ctx, value, level, nested) {
    switch (typeof value) {
      case "string":
        return nested ? quote(value) : value;
      case "number":
        return formatNumber(value);
      case "bigint":
        return `${value}n`;
      case "boolean":
      case "undefined":
        return String(value);
      case "symbol":
        return value.toString();
      case "function":
        if (Object.keys(value).length === 0) return functionName(value);
        break;
    }
    if (value === null) return "null";
    return formatObject(ctx, value, level);
  }

  // An error's stack, then its own properties other than those the stack
  // shows (as Deno shows a Deno.errors error's `code`).
  function formatError(ctx, error, level) {
    let stack = error.stack ?? String(error);
    // Nested, the stack's lines line up under the entry.
    if (ctx.indent > 0) stack = stack.replaceAll("\n", `\n${" ".repeat(ctx.indent)}`);
    const extra = {};
    for (const key of Object.keys(error)) {
      if (key !== "stack" && key !== "message" && !(key === "name" && stack.startsWith(error.name))) {
        extra[key] = error[key];
      }
    }
    if (Object.keys(extra).length === 0) return stack;
    const fields = formatObject(ctx, extra, level);
    if (!stack.includes("\n")) return `${stack} ${fields}`;
    const lines = Object.keys(extra).map((key) => `  ${formatKey(key)}: ${formatValue(ctx, extra[key], level + 1, true)}`);
    return `${stack} {\n${lines.join(",\n")}\n}`;
  }

  // `name`: the class to show, for a stand-in object of fields.
  function formatObject(ctx, value, level, name = constructorName(value)) {
    const seen = ctx.seen.indexOf(value);
    if (seen !== -1) {
      let ref = ctx.circular.get(value);
      if (ref === undefined) {
        ref = ctx.circular.size + 1;
        ctx.circular.set(value, ref);
      }
      return `[Circular *${ref}]`;
    }
    if (value instanceof Date) return isNaN(value) ? "Invalid Date" : value.toISOString();
    if (value instanceof RegExp) return String(value);
    if (value instanceof Error) return formatError(ctx, value, level);
    if (value instanceof events.Event) return formatObject(ctx, events.eventFields(value), level, constructorName(value));

    const isArray = Array.isArray(value);
    const isTyped = value instanceof TypedArray;
    let open;
    let close;
    if (isArray) {
      open = name === "Array" ? "[" : `${name}(${value.length}) [`;
      close = "]";
    } else if (isTyped) {
      open = `${typedArrayTag.call(value)}(${value.length}) [`;
      close = "]";
    } else if (value instanceof Map) {
      open = `Map(${value.size}) {`;
      close = "}";
    } else if (value instanceof Set) {
      open = `Set(${value.size}) {`;
      close = "}";
    } else if (value instanceof ArrayBuffer) {
      open = "ArrayBuffer {";
      close = "}";
    } else if (typeof value === "function") {
      open = `${functionName(value)} {`;
      close = "}";
    } else if (name === null) {
      open = "[Object: null prototype] {";
      close = "}";
    } else {
      open = name === "Object" ? "{" : `${name} {`;
      close = "}";
    }

    const keys = Object.keys(value);
    const symbols = Object.getOwnPropertySymbols(value).filter((s) =>
      Object.prototype.propertyIsEnumerable.call(value, s)
    );
    const empty =
      keys.length === 0 && symbols.length === 0 &&
      !(value instanceof Map && value.size) && !(value instanceof Set && value.size) &&
      !(value instanceof ArrayBuffer);
    if (empty || ((isArray || isTyped) && value.length === 0 && keys.length === 0)) {
      return `${open}${close}`;
    }
    if (level > DEPTH) {
      return isArray ? "[Array]" : `[${name === null ? "Object: null prototype" : name}]`;
    }

    ctx.seen.push(value);
    ctx.deepest = level;
    const indent = ctx.indent;
    const output = [];
    const entry = (v) => {
      ctx.indent += 2;
      const text = formatValue(ctx, v, level + 1, true);
      ctx.indent -= 2;
      return text;
    };
    let skip = new Set();
    if (isArray || isTyped) {
      const shown = Math.min(value.length, LIMIT);
      let holes = 0;
      for (let i = 0; i < shown; i++) {
        if (isArray && !Object.prototype.hasOwnProperty.call(value, i)) {
          holes++;
          continue;
        }
        if (holes) {
          output.push(`<${holes} empty item${holes > 1 ? "s" : ""}>`);
          holes = 0;
        }
        output.push(entry(value[i]));
      }
      if (holes) output.push(`<${holes} empty item${holes > 1 ? "s" : ""}>`);
      if (value.length > shown) {
        const more = value.length - shown;
        output.push(`... ${more} more item${more > 1 ? "s" : ""}`);
      }
      skip = new Set(keys.filter((k) => String(k >>> 0) === k));
    } else if (value instanceof Map) {
      for (const [k, v] of value) output.push(`${entry(k)} => ${entry(v)}`);
    } else if (value instanceof Set) {
      for (const v of value) output.push(entry(v));
    } else if (value instanceof ArrayBuffer) {
      const bytes = [...new Uint8Array(value).slice(0, 50)]
        .map((b) => b.toString(16).padStart(2, "0"));
      const more = value.byteLength > 50 ? ` ... ${value.byteLength - 50} more bytes` : "";
      output.push(`[Uint8Contents]: <${bytes.join(" ")}${more}>`);
      output.push(`byteLength: ${value.byteLength}`);
    }
    for (const key of keys) {
      if (!skip.has(key)) output.push(`${formatKey(key)}: ${entry(value[key])}`);
    }
    for (const sym of symbols) output.push(`${formatKey(sym)}: ${entry(value[sym])}`);
    ctx.seen.pop();
    ctx.indent = indent;

    let text = join(ctx, output, open, close, level, isArray || isTyped, isArray || isTyped ? value : undefined);
    const ref = ctx.circular.get(value);
    if (ref !== undefined) text = `<ref *${ref}> ${text}`;
    return text;
  }

  function context() {
    return { seen: [], circular: new Map(), indent: 0, deepest: 0 };
  }

  const inspect = (value) => formatValue(context(), value, 0, true);
  host.inspect = inspect;

  // console.log's arguments: format directives in a leading string, then
  // the rest separated by spaces (strings as they are).
  function formatArgs(args) {
    let out = "";
    let next = 0;
    if (typeof args[0] === "string" && args.length > 1) {
      const format = args[0];
      next = 1;
      let i = 0;
      while (i < format.length) {
        const ch = format[i];
        if (ch === "%" && i + 1 < format.length) {
          const d = format[i + 1];
          if (d === "%") {
            out += "%";
            i += 2;
            continue;
          }
          if ("sdifoOc".includes(d) && next < args.length) {
            const arg = args[next++];
            if (d === "s") out += typeof arg === "string" ? arg : formatValue(context(), arg, 0, false);
            else if (d === "d" || d === "i") {
              out += typeof arg === "bigint" ? `${arg}n` : typeof arg === "symbol" ? "NaN" : formatNumber(Math.trunc(Number(arg)));
            } else if (d === "f") out += typeof arg === "symbol" ? "NaN" : formatNumber(Number(arg));
            else if (d === "o" || d === "O") out += inspect(arg);
            i += 2;
            continue;
          }
        }
        out += ch;
        i++;
      }
    }
    for (; next < args.length; next++) {
      if (out !== "" || next > 0) out += " ";
      const arg = args[next];
      out += typeof arg === "string" ? arg : inspect(arg);
    }
    return out;
  }

  // `ffic test` watches output, to mark where a test's begins, and reports
  // all of it on stdout, as deno test does.
  let observer;
  const print = (text, stderr) => {
    if (observer === undefined) return natives.print(text, stderr);
    observer();
    natives.print(text, false);
  };
  const console = {
    log: (...args) => print(formatArgs(args), false),
    info: (...args) => print(formatArgs(args), false),
    debug: (...args) => print(formatArgs(args), false),
    error: (...args) => print(formatArgs(args), true),
    warn: (...args) => print(formatArgs(args), true),
  };

  // ---- timers ------------------------------------------------------------
  const timers = new Map();
  let nextTimer = 1;
  function fireTimer(id) {
    const timer = timers.get(id);
    if (timer === undefined) return;
    if (timer.repeat) {
      natives.timerStart(id, timer.delay);
    } else {
      timers.delete(id);
      natives.timerRef(id, true);
    }
    try {
      timer.callback(...timer.args);
    } catch (error) {
      events.reportException(error);
    }
    drainTicks();
  }
  function startTimer(callback, delay, args, repeat) {
    if (typeof callback !== "function") {
      throw new TypeError("The callback must be a function");
    }
    const id = nextTimer++;
    delay = Number(delay) || 0;
    timers.set(id, { callback, args, delay, repeat });
    natives.timerStart(id, delay);
    return id;
  }
  function clearTimer(id) {
    id = Number(id);
    if (timers.delete(id)) natives.timerCancel(id);
  }
  // Deno.refTimer / Deno.unrefTimer: an unknown id is ignored, as in Deno.
  function referenceTimer(id, referenced) {
    id = Number(id);
    if (timers.has(id)) natives.timerRef(id, referenced);
  }

  // ---- text --------------------------------------------------------------
  class TextEncoder {
    get encoding() {
      return "utf-8";
    }
    encode(input = "") {
      return natives.encodeUtf8(String(input));
    }
  }
  class TextDecoder {
    #fatal;
    #ignoreBOM;
    constructor(label = "utf-8", options = {}) {
      const name = String(label).trim().toLowerCase();
      if (name !== "utf-8" && name !== "utf8" && name !== "unicode-1-1-utf-8") {
        throw new RangeError(`The encoding label provided ('${label}') is invalid.`);
      }
      this.#fatal = Boolean(options.fatal);
      this.#ignoreBOM = Boolean(options.ignoreBOM);
    }
    get encoding() {
      return "utf-8";
    }
    get fatal() {
      return this.#fatal;
    }
    get ignoreBOM() {
      return this.#ignoreBOM;
    }
    decode(input = undefined) {
      return natives.decodeUtf8(input, this.#fatal, this.#ignoreBOM);
    }
  }

  // ---- Deno --------------------------------------------------------------
  // Deno.errors: one Error subclass per name, each named for it.
  const errorNames = [
    "NotFound", "PermissionDenied", "ConnectionRefused", "ConnectionReset", "ConnectionAborted",
    "NotConnected", "AddrInUse", "AddrNotAvailable", "BrokenPipe", "AlreadyExists", "InvalidData",
    "TimedOut", "Interrupted", "WriteZero", "WouldBlock", "UnexpectedEof", "BadResource", "Http",
    "Busy", "NotSupported", "FilesystemLoop", "IsADirectory", "NetworkUnreachable", "NotADirectory",
    "NotCapable",
  ];
  // NotCapable and BadResource are the FFI binding's own.
  const errors = { ...natives.ffi.errors };
  for (const name of errorNames) {
    errors[name] ??= {
      [name]: class extends Error {
        constructor(message = undefined, options = undefined) {
          super(message, options);
          this.name = name;
        }
      },
    }[name];
  }
  const { NotCapable } = errors;
  // A refusal made here; `permission` and `item` (a path, a name) are
  // remembered for Deno.permissions.query (and may give Deno's hint).
  function notCapable(message, permission = undefined, item = undefined) {
    if (permission !== undefined) natives.permissionRefused(permission, item);
    return new NotCapable(message);
  }
  // The error a native throws (`class` of Deno.errors, or Error), its stack
  // starting at the API the script called.
  function makeError(cls, message, code) {
    const error = cls === "NotCapable"
      ? notCapable(message)
      : cls === "DataCloneError"
      ? new DOMException(message, cls)
      : new (errors[cls] ?? Error)(message);
    if (code !== undefined) error.code = code;
    Error.captureStackTrace(error, makeError);
    return error;
  }
  // A path as Deno takes it: a string as it is, a URL object only with the
  // file: scheme (a string spelling a URL is a relative path).
  function pathFromURL(path) {
    if (!(path instanceof URL)) return String(path);
    if (path.protocol !== "file:") throw new TypeError("Must be a file URL");
    if (path.hostname !== "") throw new TypeError("Host must be empty");
    return decodeURIComponent(path.pathname.replace(/%(?![0-9A-Fa-f]{2})/g, "%25"));
  }

  const files = natives.parts.files(natives, pathFromURL);

  // URL: parsed natively (WHATWG rules), with its parts read-only.
  class URL {
    #parts;
    constructor(url, base) {
      this.#parts = natives.parseUrl(String(url), base === undefined ? undefined : String(base));
    }
    get href() { return this.#parts[0]; }
    get protocol() { return this.#parts[1]; }
    get username() { return this.#parts[2]; }
    get password() { return this.#parts[3]; }
    get host() { return this.#parts[4]; }
    get hostname() { return this.#parts[5]; }
    get port() { return this.#parts[6]; }
    get pathname() { return this.#parts[7]; }
    get search() { return this.#parts[8]; }
    get hash() { return this.#parts[9]; }
    get origin() { return this.#parts[10]; }
    toString() { return this.href; }
    toJSON() { return this.href; }
  }

  // Deno.env, behind --allow-env (checked by the natives).
  const env = {
    get: (key) => natives.envGet(String(key)),
    set: (key, value) => natives.envSet(String(key), String(value)),
    has: (key) => natives.envGet(String(key)) !== undefined,
    delete: (key) => natives.envDelete(String(key)),
    toObject: () => natives.envToObject(),
  };
  // Deno.permissions: what the flags granted (no prompts: the answer to a
  // refused request is "denied" from then on, as in Deno without a TTY).
  class PermissionStatus extends events.EventTarget {
    constructor(state) {
      super();
      this.state = state;
      this.onchange = null;
    }
  }
  const permissionItem = { read: "path", write: "path", ffi: "path", env: "variable", net: "host", sys: "kind", run: "command", import: "host" };
  function querySync(descriptor) {
    const name = descriptor?.name;
    if (!Object.hasOwn(permissionItem, name)) {
      throw new TypeError(`The provided value "${name}" is not a valid permission name`);
    }
    let item = descriptor[permissionItem[name]];
    if (item instanceof URL) item = pathFromURL(item);
    return new PermissionStatus(natives.permissionQuery(name, item === undefined ? undefined : String(item)));
  }
  const permissions = {
    querySync,
    query: async (descriptor) => querySync(descriptor),
  };
  let exitCode = 0;
  // `unload` is dispatched once, at the end or by Deno.exit().
  let unloaded = false;
  function dispatchGlobal(type) {
    if (type !== "unload") return events.dispatchGlobal(type);
    if (unloaded) return false;
    unloaded = true;
    events.dispatchGlobal(type);
    emitExit();
    return false;
  }

  // ---- DOMException, base64, crypto --------------------------------------
  // Legacy codes of the names that have one (WebIDL's table).
  const domCodes = {
    IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4,
    InvalidCharacterError: 5, NoModificationAllowedError: 7, NotFoundError: 8,
    NotSupportedError: 9, InvalidStateError: 11, SyntaxError: 12,
    InvalidModificationError: 13, NamespaceError: 14, InvalidAccessError: 15,
    TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20,
    URLMismatchError: 21, QuotaExceededError: 22, TimeoutError: 23,
    InvalidNodeTypeError: 24, DataCloneError: 25,
  };
  class DOMException extends Error {
    #name;
    constructor(message = "", name = "Error") {
      super(String(message));
      this.#name = String(name);
    }
    get name() {
      return this.#name;
    }
    get code() {
      return domCodes[this.#name] ?? 0;
    }
    get [Symbol.toStringTag]() {
      return "DOMException";
    }
  }
  class QuotaExceededError extends DOMException {
    constructor(message = "") {
      super(message, "QuotaExceededError");
    }
  }
  // Deno's error for a missing argument; `code` where Deno gives one.
  const requireArgument = (count, what, code) => {
    if (count === 0) {
      const error = new TypeError(`Failed to execute '${what}': 1 argument required, but only 0 present`);
      if (code !== undefined) error.code = code;
      throw error;
    }
  };
  const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  function btoa(...args) {
    requireArgument(args.length, "btoa", "ERR_MISSING_ARGS");
    const text = String(args[0]);
    const bytes = [];
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code > 0xff) {
        throw new DOMException(
          "Cannot encode string: string contains characters outside of the Latin1 range",
          "InvalidCharacterError",
        );
      }
      bytes.push(code);
    }
    let out = "";
    for (let i = 0; i < bytes.length; i += 3) {
      const [a, b = 0, c = 0] = bytes.slice(i, i + 3);
      const n = (a << 16) | (b << 8) | c;
      out += BASE64[n >> 18] + BASE64[(n >> 12) & 63];
      out += i + 1 < bytes.length ? BASE64[(n >> 6) & 63] : "=";
      out += i + 2 < bytes.length ? BASE64[n & 63] : "=";
    }
    return out;
  }
  // The forgiving base64 decode of the HTML standard.
  function atob(...args) {
    requireArgument(args.length, "atob", "ERR_MISSING_ARGS");
    let text = String(args[0]).replace(/[\t\n\f\r ]/g, "");
    if (text.length % 4 === 0) text = text.replace(/={1,2}$/, "");
    if (text.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(text)) {
      throw new DOMException("Failed to decode base64", "InvalidCharacterError");
    }
    let out = "";
    let bits = 0;
    let count = 0;
    for (const ch of text) {
      bits = (bits << 6) | BASE64.indexOf(ch);
      count += 6;
      if (count >= 8) {
        count -= 8;
        out += String.fromCharCode((bits >> count) & 0xff);
      }
    }
    return out;
  }
  const integerArrays = [
    Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array,
    Uint32Array, BigInt64Array, BigUint64Array,
  ];
  class Crypto {
    getRandomValues(...args) {
      requireArgument(args.length, "call' on 'Crypto");
      const view = args[0];
      if (!integerArrays.some((type) => view instanceof type)) {
        throw new DOMException(
          "The provided value is not an integer-type TypedArray",
          "TypeMismatchError",
        );
      }
      if (view.byteLength > 65536) {
        throw new QuotaExceededError(
          `The ArrayBufferView's byte length (${view.byteLength}) exceeds the number of bytes of entropy available via this API (65536)`,
        );
      }
      natives.randomFill(view);
      return view;
    }
    randomUUID() {
      const bytes = this.getRandomValues(new Uint8Array(16));
      bytes[6] = (bytes[6] & 0x0f) | 0x40;
      bytes[8] = (bytes[8] & 0x3f) | 0x80;
      const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
    get [Symbol.toStringTag]() {
      return "Crypto";
    }
  }
  const navigator = { hardwareConcurrency: natives.hardwareConcurrency() };

  const Deno = {
    args: Object.freeze([...info.args]),
    build: Object.freeze({ ...info.build }),
    errors,
    permissions,
    version: Object.freeze({ deno: "2.9.6", v8: info.v8Version, typescript: "6.0.3" }),
    ...files,
    execPath: () => info.execPath,
    exit(code = undefined) {
      if (code !== undefined) exitCode = code;
      // As Deno: `unload` listeners run, and may change the status.
      dispatchGlobal("unload");
      natives.exit(exitCode);
    },
    get exitCode() {
      return exitCode;
    },
    set exitCode(code) {
      if (typeof code !== "number") {
        throw new TypeError(`Exit code must be a number, got: ${code} (${typeof code})`);
      }
      exitCode = code;
      natives.setExitCode(code);
    },
    env,
    // As console.log shows a value (Deno's options are not read yet).
    inspect: (value) => inspect(value),
    refTimer: (id) => referenceTimer(id, true),
    unrefTimer: (id) => referenceTimer(id, false),
    cwd: () => natives.cwd(),
    chdir: (path) => natives.chdir(pathFromURL(path)),
    pid: info.pid,
    mainModule: info.mainModule,
    noColor: info.noColor,
    memoryUsage: () => natives.memoryUsage(),
    dlopen: natives.ffi.dlopen,
    UnsafePointer: natives.ffi.UnsafePointer,
    UnsafePointerView: natives.ffi.UnsafePointerView,
    UnsafeFnPointer: natives.ffi.UnsafeFnPointer,
    UnsafeCallback: natives.ffi.UnsafeCallback,
  };

  const workers = natives.parts.workers(
    natives,
    { ...events, DOMException },
    info,
  );
  const tests = natives.parts.test(natives, { observeOutput: (fn) => (observer = fn) });
  Deno.test = tests.test;
  const { process, drainTicks, emitExit } = natives.parts.process(natives, Deno, info, events.reportException);

  const define = (name, value) =>
    Object.defineProperty(globalThis, name, {
      value,
      writable: true,
      configurable: true,
      enumerable: false,
    });
  define("console", console);
  define("setTimeout", (cb, delay, ...args) => startTimer(cb, delay, args, false));
  define("setInterval", (cb, delay, ...args) => startTimer(cb, delay, args, true));
  define("clearTimeout", clearTimer);
  define("clearInterval", clearTimer);
  define("queueMicrotask", (cb) => {
    if (typeof cb !== "function") natives.queueMicrotask(cb);
    natives.queueMicrotask(() => {
      try {
        cb();
      } catch (error) {
        events.reportException(error);
      }
    });
  });
  define("performance", { now: () => natives.now() });
  define("TextEncoder", TextEncoder);
  define("TextDecoder", TextDecoder);
  define("URL", URL);
  define("DOMException", DOMException);
  define("QuotaExceededError", QuotaExceededError);
  define("atob", atob);
  define("structuredClone", function structuredClone(value, options = undefined) {
    if (arguments.length === 0) {
      throw new TypeError("Failed to execute 'structuredClone': 1 argument required, but only 0 present");
    }
    const transfer = options?.transfer === undefined ? [] : [...options.transfer];
    for (const buffer of transfer) {
      if (!(buffer instanceof ArrayBuffer)) {
        throw new DOMException("Value not transferable", "DataCloneError");
      }
    }
    if (new Set(transfer).size !== transfer.length) {
      throw new DOMException("Transfer list contains duplicate ArrayBuffers", "DataCloneError");
    }
    return natives.structuredClone(value, transfer);
  });
  define("btoa", btoa);
  define("crypto", new Crypto());
  define("navigator", navigator);
  define("self", globalThis);
  define("Deno", Deno);
  host.DOMException = DOMException;
  const eventGlobals = [
    "Event", "EventTarget", "CustomEvent", "ErrorEvent", "MessageEvent", "PromiseRejectionEvent", "Window", "reportError",
    "AbortController", "AbortSignal",
  ];
  for (const name of eventGlobals) {
    define(name, events[name]);
  }
  Object.defineProperty(globalThis, "process", { value: process, writable: true, configurable: true, enumerable: true });
  if (info.workerName === undefined) define("Worker", workers.Worker);
  natives.setHooks({
    workerEvent: workers.workerEvent,
    workerMessage: workers.workerMessage,
    runTests: tests.runTests,
    fireTimer,
    ticks: drainTicks,
    error: makeError,
    dispatch: dispatchGlobal,
    rejection: events.dispatchRejection,
  });
  if (natives.fficFloor) define("fficFloor", natives.fficFloor);
  define("globalThis", globalThis);
});
