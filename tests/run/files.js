// Deno's file APIs and Deno.permissions under --allow-read/--allow-write:
// Deno.args[0] is an empty directory to work in; paths under it print as
// <dir>, so runs in different directories print the same.
const dir = Deno.args[0];
const shown = (text) => String(text).replaceAll(dir, "<dir>");
const show = (what, value) => console.log(what, shown(Deno.inspect(value)));
async function attempt(what, action) {
  try {
    show(what, await action());
  } catch (e) {
    console.log(what, e.constructor.name, shown(e.message), e.code);
  }
}
const query = async (descriptor) => (await Deno.permissions.query(descriptor)).state;

await attempt("query read", () => query({ name: "read" }));
await attempt("query read dir", () => query({ name: "read", path: dir }));
await attempt("query write out", () => query({ name: "write", path: `${dir}/out/x` }));
await attempt("querySync env", () => Deno.permissions.querySync({ name: "env", variable: "HOME" }).state);
await attempt("query bogus", () => query({ name: "bogus" }));
await attempt("status", () => Deno.permissions.querySync({ name: "net" }));

await attempt("write text", () => Deno.writeTextFileSync(`${dir}/a.txt`, "héllo\n"));
await attempt("append text", () => Deno.writeTextFileSync(`${dir}/a.txt`, "more\n", { append: true }));
await attempt("read text", () => Deno.readTextFileSync(`${dir}/a.txt`));
await attempt("read bytes", () => Deno.readFileSync(new URL(`file://${dir}/a.txt`)));
await attempt("write bytes", () => Deno.writeFileSync(`${dir}/b.bin`, new Uint8Array([1, 2, 3]), { mode: 0o600 }));
await attempt("write a string as bytes", () => Deno.writeFileSync(`${dir}/c.bin`, "text"));
await attempt("write without create", () => Deno.writeTextFileSync(`${dir}/none.txt`, "x", { create: false }));
await attempt("stat", () => {
  const info = Deno.statSync(`${dir}/b.bin`);
  return [info.isFile, info.isDirectory, info.isSymlink, info.size, (info.mode & 0o777).toString(8), info.mtime instanceof Date, info.nlink, Object.keys(info).join()];
});
await attempt("stat dir", () => Deno.statSync(dir).isDirectory);
await attempt("lstat", () => Deno.lstatSync(`${dir}/a.txt`).isSymlink);
await attempt("stat missing", () => Deno.statSync(`${dir}/missing`));
await attempt("read missing", () => Deno.readTextFileSync(`${dir}/missing`));
await attempt("read a directory", () => Deno.readFileSync(dir));
await attempt("mkdir", () => Deno.mkdirSync(`${dir}/out`));
await attempt("mkdir again", () => Deno.mkdirSync(`${dir}/out`));
await attempt("mkdir nested", () => Deno.mkdirSync(`${dir}/out/p/q`));
await attempt("mkdir recursive", () => Deno.mkdirSync(`${dir}/out/p/q`, { recursive: true }));
await attempt("mkdir recursive again", () => Deno.mkdirSync(`${dir}/out/p/q`, { recursive: true }));
await attempt("write in out", () => Deno.writeTextFileSync(`${dir}/out/p/q/f.txt`, "f"));
await attempt("remove non-empty", () => Deno.removeSync(`${dir}/out/p`));
await attempt("remove recursive", () => Deno.removeSync(`${dir}/out/p`, { recursive: true }));
await attempt("remove missing", () => Deno.removeSync(`${dir}/out/p`));
await attempt("temp dir", () => {
  const made = Deno.makeTempDirSync({ dir: `${dir}/out`, prefix: "pre_", suffix: "_suf" });
  const name = made.slice(`${dir}/out/`.length);
  return [name.startsWith("pre_"), name.endsWith("_suf"), name.length > 8, Deno.statSync(made).isDirectory];
});
await attempt("temp dir in the system's", () => typeof Deno.makeTempDirSync());
await attempt("temp dir in a missing dir", () => Deno.makeTempDirSync({ dir: `${dir}/missing` }));
await attempt("async read", () => Deno.readTextFile(`${dir}/a.txt`));
await attempt("async write", () => Deno.writeTextFile(`${dir}/out/async.txt`, "a"));
await attempt("async write outside out", () => Deno.writeFile(`${dir}/outside.bin`, new Uint8Array(1)));
await attempt("async stat", () => Deno.stat(`${dir}/out/async.txt`).then((info) => info.size));
await attempt("async mkdir", () => Deno.mkdir(`${dir}/out/m`));
await attempt("async remove", () => Deno.remove(`${dir}/out/m`));
await attempt("async missing", () => Deno.readFile(`${dir}/missing`));
await attempt("async temp dir", () => Deno.makeTempDir({ dir: `${dir}/out` }).then((made) => made.startsWith(dir)));
await attempt("http URL", () => Deno.readFileSync(new URL("http://example.com/x")));
await attempt("chdir", () => (Deno.chdir(dir), Deno.cwd()));
await attempt("chdir missing", () => Deno.chdir(`${dir}/missing`));
await attempt("relative read", () => Deno.readTextFileSync("a.txt"));

await attempt("query read after", () => query({ name: "read" }));
await attempt("query write after", () => query({ name: "write" }));
await attempt("query write elsewhere", () => query({ name: "write", path: "/elsewhere" }));
