// Variadic functions through a generated module (Deno.args[1]): the test
// library's va_sum reads each call shape's arguments with va_arg, and
// libc's snprintf and open take theirs; ffic calls each shape's symbol
// with %al set, stock Deno through the module's separate symbols. Both
// must print the same. Deno.args[0] is the test library, Deno.args[2] the
// libc module.
const { open } = await import(Deno.args[1]);
const s = open(Deno.args[0]).symbols;

console.log(s.va_sum(""), s.va_sum_i("i", 41));
// Promoted: i8, u16 and bool travel as int, f32 as double.
console.log(s.va_sum_small("iiid", -5, 65535, 1, 0.5));
const p = Deno.UnsafePointer.of(new Uint8Array(1));
console.log(s.va_sum_mixed("ldsp", 1n << 40n, 0.25, "héllo", p), s.va_sum_mixed("ldsp", -1n, 0, "", null));
// Past the 8 vector and 6 integer argument registers: on the stack.
console.log(s.va_sum_doubles("dddddddddd", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10.5));
console.log(s.va_sum_ints("iiiiiiii", 1, 2, 3, 4, 5, 6, 7, -8));
// Hot enough for optimized code to make fast calls.
let total = 0;
for (let i = 0; i < 20000; i++) total += s.va_sum_doubles("dddddddddd", i, 1, 1, 1, 1, 1, 1, 1, 1, 0.5);
console.log(total);

// libc: snprintf with every promoted type, and open with a mode.
const { open: openLibc, errno } = await import(Deno.args[2]);
const libc = openLibc("libc.so.6").symbols;
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
Deno.removeSync(dir, { recursive: true });
