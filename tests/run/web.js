// The web globals FFI programs lean on: base64, DOMException, crypto's
// random values and UUIDs, navigator.hardwareConcurrency, self; errors
// as Deno words them.
const t = (what, f) => {
  try {
    console.log(what, f());
  } catch (e) {
    console.log(what, e.constructor.name, e.name, e.code, e.message);
  }
};
t("btoa", () => btoa("hello"));
t("btoa latin1", () => btoa("\xff\xfe\x00"));
t("btoa lengths", () => ["", "a", "ab", "abc", "abcd"].map(btoa));
t("btoa wide", () => btoa("€"));
t("btoa undefined", () => btoa(undefined));
t("btoa no argument", () => btoa());
t("atob", () => atob("aGVsbG8="));
t("atob whitespace", () => atob(" aGVs\tbG8\n"));
t("atob unpadded", () => atob("aGVsbG8"));
t("atob round trip", () => atob(btoa("\x00\x01\xfe\xff")) === "\x00\x01\xfe\xff");
t("atob bad length", () => atob("a"));
t("atob bad character", () => atob("a*bc"));
t("atob no argument", () => atob());
t("DOMException", () => [String(new DOMException("m", "SyntaxError")), new DOMException("m", "SyntaxError").code]);
t("DOMException tag", () => Object.prototype.toString.call(new DOMException()));
t("DOMException defaults", () => [new DOMException().name, new DOMException().message, new DOMException().code]);
t("random values", () => crypto.getRandomValues(new Uint32Array(8)).length);
t("random values differ", () => {
  const a = crypto.getRandomValues(new Uint8Array(32));
  const b = crypto.getRandomValues(new Uint8Array(32));
  return a.some((x, i) => x !== b[i]);
});
t("random values 64K", () => crypto.getRandomValues(new Uint8Array(65536)).byteLength);
t("random values too many", () => crypto.getRandomValues(new Uint8Array(65537)));
t("random values float", () => crypto.getRandomValues(new Float32Array(4)));
t("random values array", () => crypto.getRandomValues([1]));
t("random values none", () => crypto.getRandomValues());
t("quota", () => new QuotaExceededError("q") instanceof DOMException);
t("uuid", () => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()));
t("crypto tag", () => Object.prototype.toString.call(crypto));
t("hardwareConcurrency", () => Number.isInteger(navigator.hardwareConcurrency) && navigator.hardwareConcurrency > 0);
t("self", () => self === globalThis);
