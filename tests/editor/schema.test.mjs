// The descriptor schema as an editor uses it: VS Code's own JSON language
// service loads schema/ffic.schema.json through a file's "$schema", flags
// mistakes where they are, and completes types and field names.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { getLanguageService } from "vscode-json-languageservice";
import { TextDocument } from "vscode-languageserver-textdocument";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const schemaPath = join(root, "schema", "ffic.schema.json");
const schemaText = readFileSync(schemaPath, "utf8");
const requested = [];

const service = getLanguageService({
  // As VS Code does, resolve a relative "$schema" against the document.
  workspaceContext: { resolveRelativePath: (path, resource) => new URL(path, resource).href },
  // Editors fetch the schema a "$schema" names; serve only our file.
  schemaRequestService: async (uri) => {
    requested.push(uri);
    if (uri === pathToFileURL(schemaPath).href) return schemaText;
    throw new Error(`unexpected schema request: ${uri}`);
  },
});
service.configure({ validate: true, allowComments: false });

/** A document in the repository root that names the schema, as a user's file would. */
function documentFor(body, name = "symbols.json") {
  const text = `{\n  "$schema": "./schema/ffic.schema.json",\n${body}\n}\n`;
  return TextDocument.create(pathToFileURL(join(root, name)).href, "json", 1, text);
}

async function problems(doc) {
  const json = service.parseJSONDocument(doc);
  return service.doValidation(doc, json, { schemaValidation: "error" });
}

function textAt(doc, range) {
  return doc.getText(range);
}

async function completionsAt(body) {
  const at = body.indexOf("|");
  const doc = documentFor(body.replace("|", ""));
  const offset = doc.getText().indexOf(body.slice(0, at)) + at;
  const json = service.parseJSONDocument(doc);
  const list = await service.doComplete(doc, doc.positionAt(offset), json);
  return list.items.map((item) => item.label);
}

test("valid descriptors and the examples have no problems", async () => {
  const files = [
    ...readdirSync(join(root, "tests/descriptors/valid")).map((f) => join(root, "tests/descriptors/valid", f)),
    // Every example with a descriptor (examples/manual's carry theirs inline).
    ...readdirSync(join(root, "examples"))
      .map((d) => join(root, "examples", d, "symbols.json"))
      .filter((f) => existsSync(f)),
  ].filter((f) => f.endsWith(".json"));
  assert.ok(files.length >= 3);
  for (const file of files) {
    const doc = TextDocument.create(pathToFileURL(file).href, "json", 1, readFileSync(file, "utf8"));
    assert.deepEqual(await problems(doc), [], file);
  }
  assert.ok(requested.length > 0, "the schema was loaded through \"$schema\"");
});

test("an unknown type is flagged on the type itself", async () => {
  const doc = documentFor(`  "add": { "parameters": ["i32", "int32"], "result": "i32" }`);
  const found = await problems(doc);
  assert.equal(found.length, 1, JSON.stringify(found));
  assert.equal(textAt(doc, found[0].range), '"int32"');
});

test("a misspelt field is flagged on its key", async () => {
  const doc = documentFor(`  "sleep": { "parameters": ["u32"], "result": "void", "nonblockng": true }`);
  const found = await problems(doc);
  assert.equal(found.length, 1, JSON.stringify(found));
  assert.equal(textAt(doc, found[0].range), '"nonblockng"');
});

test("function fields are flagged on a static", async () => {
  const doc = documentFor(`  "counter": { "type": "u32", "nonblocking": true }`);
  const found = await problems(doc);
  assert.equal(found.length, 1, JSON.stringify(found));
  assert.equal(textAt(doc, found[0].range), '"nonblocking"');
});

test("empty structs, extra struct keys and missing results are flagged", async () => {
  const doc = documentFor(
    `  "a": { "parameters": [{ "struct": [] }], "result": "void" },\n` +
      `  "b": { "parameters": [{ "struct": ["u8"], "packed": true }], "result": "void" },\n` +
      `  "c": { "parameters": [] }`,
  );
  const texts = (await problems(doc)).map((p) => textAt(doc, p.range));
  assert.ok(texts.includes("[]"), JSON.stringify(texts));
  assert.ok(texts.includes('"packed"'), JSON.stringify(texts));
  assert.ok(texts.includes('"c"'), JSON.stringify(texts));
});

test("type positions complete to every native type", async () => {
  const labels = await completionsAt(`  "f": { "parameters": [|], "result": "void" }`);
  for (const name of ["bool", "i32", "u64", "usize", "f64", "pointer", "buffer", "function"]) {
    assert.ok(labels.some((l) => l.includes(`"${name}"`)), `${name} in ${labels}`);
  }
});

test("a function's fields complete", async () => {
  const labels = await completionsAt(`  "f": { "parameters": [], | }`);
  for (const field of ["result", "nonblocking", "optional", "name", "ffic"]) {
    assert.ok(labels.some((l) => l.includes(field)), `${field} in ${labels}`);
  }
});
