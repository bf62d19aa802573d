// SQLite in memory: open, create a table, insert rows through a prepared
// statement with bound parameters, query them back. Runs unchanged under
// `ffic run` and stock Deno.
//   ffic run --allow-ffi examples/sqlite/main.js
const sqlite = Deno.dlopen("libsqlite3.so.0", {
  sqlite3_open: { parameters: ["buffer", "buffer"], result: "i32" },
  sqlite3_close: { parameters: ["pointer"], result: "i32" },
  sqlite3_exec: { parameters: ["pointer", "buffer", "pointer", "pointer", "pointer"], result: "i32" },
  sqlite3_prepare_v2: { parameters: ["pointer", "buffer", "i32", "buffer", "pointer"], result: "i32" },
  sqlite3_bind_int64: { parameters: ["pointer", "i32", "i64"], result: "i32" },
  sqlite3_bind_double: { parameters: ["pointer", "i32", "f64"], result: "i32" },
  sqlite3_bind_text: { parameters: ["pointer", "i32", "buffer", "i32", "pointer"], result: "i32" },
  sqlite3_step: { parameters: ["pointer"], result: "i32" },
  sqlite3_reset: { parameters: ["pointer"], result: "i32" },
  sqlite3_finalize: { parameters: ["pointer"], result: "i32" },
  sqlite3_column_int64: { parameters: ["pointer", "i32"], result: "i64" },
  sqlite3_column_double: { parameters: ["pointer", "i32"], result: "f64" },
  sqlite3_column_text: { parameters: ["pointer", "i32"], result: "pointer" },
  sqlite3_errmsg: { parameters: ["pointer"], result: "pointer" },
});
const s = sqlite.symbols;
const SQLITE_OK = 0, SQLITE_ROW = 100, SQLITE_DONE = 101;
// SQLITE_TRANSIENT: SQLite copies the bound text.
const TRANSIENT = Deno.UnsafePointer.create(2n ** 64n - 1n);
const cstr = (text) => new TextEncoder().encode(text + "\0");
const check = (code, what) => {
  if (code !== SQLITE_OK && code !== SQLITE_DONE && code !== SQLITE_ROW) {
    throw new Error(`${what}: ${Deno.UnsafePointerView.getCString(s.sqlite3_errmsg(db))}`);
  }
  return code;
};
/** Reads the pointer an out parameter received. */
const out = (cell) => Deno.UnsafePointer.create(cell[0]);

const dbCell = new BigUint64Array(1);
check(s.sqlite3_open(cstr(":memory:"), dbCell), "open");
const db = out(dbCell);
check(s.sqlite3_exec(db, cstr("CREATE TABLE fruit (id INTEGER PRIMARY KEY, name TEXT, price REAL)"), null, null, null), "create");

const stmtCell = new BigUint64Array(1);
check(s.sqlite3_prepare_v2(db, cstr("INSERT INTO fruit (id, name, price) VALUES (?, ?, ?)"), -1, stmtCell, null), "prepare insert");
const insert = out(stmtCell);
for (const [id, name, price] of [[1, "apple", 0.5], [2, "banana", 0.25], [3, "cherry €", 4.75]]) {
  const bytes = new TextEncoder().encode(name);
  check(s.sqlite3_bind_int64(insert, 1, BigInt(id)), "bind id");
  check(s.sqlite3_bind_text(insert, 2, bytes, bytes.length, TRANSIENT), "bind name");
  check(s.sqlite3_bind_double(insert, 3, price), "bind price");
  check(s.sqlite3_step(insert), "insert");
  check(s.sqlite3_reset(insert), "reset");
}
check(s.sqlite3_finalize(insert), "finalize insert");

check(s.sqlite3_prepare_v2(db, cstr("SELECT id, name, price FROM fruit WHERE price < ? ORDER BY price"), -1, stmtCell, null), "prepare select");
const select = out(stmtCell);
check(s.sqlite3_bind_double(select, 1, 1.0), "bind limit");
const rows = [];
while (check(s.sqlite3_step(select), "step") === SQLITE_ROW) {
  rows.push({
    id: s.sqlite3_column_int64(select, 0),
    name: Deno.UnsafePointerView.getCString(s.sqlite3_column_text(select, 1)),
    price: s.sqlite3_column_double(select, 2),
  });
}
check(s.sqlite3_finalize(select), "finalize select");
console.log("rows", rows);
check(s.sqlite3_close(db), "close");
sqlite.close();
