// ffic's `cstring` type through a generated module (Deno.args[1]): ffic's
// host passes and returns C strings itself, stock Deno through the module's
// wrappers; both must print the same. Deno.args[0] is the test library.
const { open } = await import(Deno.args[1]);
const lib = open(Deno.args[0]);
const s = lib.symbols;

console.log(s.cstring_length("hello"), s.cstring_length(""), s.cstring_length(null));
// Two-byte strings, Latin-1 beyond ASCII, and strings too long for the
// fast path's stack scratch.
console.log(s.cstring_length("héllo wörld ✓ 🦕"), s.cstring_length("é".repeat(300)));
console.log(s.cstring_length("x".repeat(5000)), s.cstring_length("ÿ".repeat(127) + "a"));
console.log(s.cstring_echo("round trip ✓"), s.cstring_echo(null), s.cstring_echo(""));
console.log(JSON.stringify(s.cstring_invalid()));
console.log(s.cstring_compare("abc", 3, "abd"), s.cstring_compare("b", 1, "a"), s.cstring_compare("same", 4, "same"));
for (const bad of ["a\0b", "\0", 42, undefined, {}, new Uint8Array([97, 0])]) {
  try {
    console.log("accepted", s.cstring_length(bad));
  } catch (e) {
    console.log(e.constructor.name, e.message);
  }
}
// A NUL in the second string, after the first was copied.
try {
  s.cstring_compare("é".repeat(400), 3, "a\0");
} catch (e) {
  console.log(e.constructor.name, e.message);
}
// Hot enough for optimized code to call the fast path.
const words = ["alpha", "beta", "gamma", "déjà vu", "", "x".repeat(300)];
let total = 0n;
for (let i = 0; i < 200000; i++) total += s.cstring_length(words[i % words.length]);
console.log(total);
let bad = 0;
for (let i = 0; i < 20000; i++) {
  try {
    s.cstring_length(i % 1000 === 999 ? "nul\0inside" : words[i % 3]);
  } catch {
    bad++;
  }
}
console.log(bad);
console.log(await s.cstring_slow_sum("abc", 20), await s.cstring_echo_later("later ✓"));
console.log(s.add_i32(40, 2));
lib.close();
