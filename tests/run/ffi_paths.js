// Run with --allow-ffi=. from this directory: each spelling of a library
// path is checked as the very file that would be loaded (a bare name is not
// searched on the system path, "" is not the main program), and argument
// errors come before the permission check.
const symbols = { nop: { parameters: [], result: "void" } };
const show = (s) => String(s).replace(/\/\S*\/tests\/run\//g, "<dir>/");
const t = (label, path, syms = symbols, messages = true) => {
  try {
    Deno.dlopen(path, syms).close();
    console.log(label, "opened");
  } catch (e) {
    console.log(label, e.name, messages ? show(e.message) : "");
  }
};
t("bare system name", "libc.so.6");
t("empty", "");
t("dot", "./libc.so.6");
t("dotdot back in", "../run/nope.so");
t("dotdot out", "../nope.so");
t("absolute outside", "/usr/lib/nope.so");
t("file URL outside", new URL("file:///usr/lib/nope.so"));
t("http URL", new URL("http://example.com/x.so"));
t("URL with a host", new URL("file://host/x.so"));
t("a directory", "lib");
t("a number", 5);
t("null symbols", "nope.so", null);
t("number symbols", "/usr/lib/nope.so", 5);
t("string symbols", "/usr/lib/nope.so", "x");
t("bad symbols outside", "/usr/lib/nope.so", { f: { parameters: ["bad"], result: "void" } }, false);
