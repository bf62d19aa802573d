// Variadic functions through a generated module (Deno.args[1]): the test
// library's va_sum reads each call shape's arguments with va_arg, and
// libc's snprintf and open take theirs; ffic calls each shape's symbol
// with %al set, stock Deno through the module's separate symbols. Both
// must print the same. Deno.args[0] is the test library, Deno.args[2] the
// libc module.
const { open, shape } = await import(Deno.args[1]);
const testLibrary = open(Deno.args[0]);
const s = testLibrary.symbols;

console.log(s.va_sum(""), s.va_sum_i("i", 41));
// Promoted: i8, u16 and bool travel as int, f32 as double.
console.log(s.va_sum_small("iiid", -5, 65535, 1, 0.5));
const p = Deno.UnsafePointer.of(new Uint8Array(1));
console.log(s.va_sum_mixed("ldsp", 1n << 40n, 0.25, "héllo", p), s.va_sum_mixed("ldsp", -1n, 0, "", null));
// Past the 8 vector and 6 integer argument registers: on the stack.
console.log(s.va_sum_doubles("dddddddddd", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10.5));
console.log(s.va_sum_ints("iiiiiiii", 1, 2, 3, 4, 5, 6, 7, -8));
// Hot enough for optimized code to make fast calls (in a function of its
// own, which V8 optimizes whatever the rest of the module holds).
function hot() {
  let total = 0;
  for (let i = 0; i < 20000; i++) total += s.va_sum_doubles("dddddddddd", i, 1, 1, 1, 1, 1, 1, 1, 1, 0.5);
  return total;
}
console.log(hot());

// Shapes chosen at run time: compiled on first use by ffic (each its own
// symbol on stock Deno), the same function for the same shape after.
const sumID = shape(testLibrary, "va_sum", ["i32", "f64"]);
console.log(sumID("id", 7, 0.5), sumID === shape(testLibrary, "va_sum", ["i32", "f64"]));
const sumText = shape(testLibrary, "va_sum", ["cstring", "u8", "f32", "pointer"]);
console.log(sumText("sidp", "four", 255, 0.25, p), sumText("sidp", "", 1, -1, null));
for (const [name, types] of [["va_sum", ["void"]], ["va_sum", "i32"], ["va_sum", [{ struct: ["i32"] }]], ["nope", []]]) {
  try {
    shape(testLibrary, name, types);
  } catch (e) {
    console.log(e.constructor.name, e.message);
  }
}

// libc: snprintf with every promoted type, and open with a mode.
const { open: openLibc, errno, shape: libcShape } = await import(Deno.args[2]);
const libcLibrary = openLibc("libc.so.6");
const libc = libcLibrary.symbols;
const out = new Uint8Array(128);
const text = (n) => new TextDecoder().decode(out.subarray(0, n));
console.log(text(libc.snprintfInts(out, 128n, "%d %d %d %d %d %u %d", -128, 255, -32768, 65535, -7, 4294967295, 1)));
console.log(text(libc.snprintfWide(out, 128n, "%lld %llu %zd %zu", -(1n << 62n), (1n << 64n) - 1n, -3n, 3n)));
console.log(text(libc.snprintfFloats(out, 128n, "%.3f %.3f %g", 1.5, -0.125, 1e300)));
console.log(text(libc.snprintfText(out, 128n, "[%s] %s [%s]", "héllo", null, "")));
console.log(libc.snprintf(out, 128n, "no arguments"), text(12));
const dir = Deno.makeTempDirSync();
const path = `${dir}/created`;
const fd = libc.openMode(path, 0o101 /* O_WRONLY | O_CREAT */, 0o600);
console.log(fd > 2, (Deno.statSync(path).mode & 0o777).toString(8), libc.close(fd));
console.log(libc.openMode(`${dir}/missing/file`, 0o101, 0o600), errno());
// A shape of a function that takes C strings and captures errno.
const openShape = libcShape(libcLibrary, "open", ["i32"]);
console.log(openShape(`${dir}/missing/again`, 0o101, 0o600), errno());
const snprintfShape = libcShape(libcLibrary, "snprintf", ["cstring", "f64", "i64"]);
console.log(text(snprintfShape(out, 128n, "%s|%.2f|%lld", "shape", 2.5, -(1n << 40n))));
Deno.removeSync(dir, { recursive: true });
testLibrary.close();
libcLibrary.close();
try {
  shape(testLibrary, "va_sum", ["i32"]);
} catch (e) {
  console.log(e.constructor.name, e.message);
}
