// Deno's file APIs: readFile, readTextFile, writeFile, writeTextFile, stat,
// lstat, remove, mkdir and makeTempDir, each as a Sync function and an
// async one, over the natives in `fs.rs` (which check --allow-read and
// --allow-write). The async forms do their work on the isolate's thread
// and settle after it; ffic has no file I/O pool. Evaluates to a function
// called with (natives, pathFromURL) that gives the `Deno` members.
(function files(natives, pathFromURL) {
  "use strict";

  // Deno's text reading decodes as TextDecoder does, BOM dropped.
  const decode = (bytes) => natives.decodeUtf8(bytes, false, false);

  function writeFileSync(path, data, options = undefined) {
    path = pathFromURL(path);
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(`expected type \`Uint8Array\`, got \`${typeof data}\``);
    }
    natives.writeFile(path, data, Boolean(options?.append), options?.create ?? true, options?.mode ?? 0o666);
  }

  const sync = {
    readFileSync: (path) => natives.readFile(pathFromURL(path)),
    readTextFileSync: (path) => decode(natives.readFile(pathFromURL(path))),
    writeFileSync,
    writeTextFileSync: (path, text, options = undefined) =>
      writeFileSync(path, natives.encodeUtf8(String(text)), options),
    statSync: (path) => natives.stat(pathFromURL(path), false),
    lstatSync: (path) => natives.stat(pathFromURL(path), true),
    removeSync: (path, options = undefined) => natives.remove(pathFromURL(path), Boolean(options?.recursive)),
    mkdirSync: (path, options = undefined) =>
      natives.mkdir(pathFromURL(path), Boolean(options?.recursive), options?.mode ?? 0o777),
    makeTempDirSync: (options = undefined) =>
      natives.makeTempDir(
        options?.dir === undefined ? undefined : pathFromURL(options.dir),
        String(options?.prefix ?? ""),
        String(options?.suffix ?? ""),
      ),
  };
  const members = { ...sync };
  for (const [name, fn] of Object.entries(sync)) {
    const asyncName = name.slice(0, -"Sync".length);
    members[asyncName] = {
      async [asyncName](...args) {
        return fn(...args);
      },
    }[asyncName];
  }
  return members;
});
