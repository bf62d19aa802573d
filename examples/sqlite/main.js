// SQLite in memory: open, create a table, insert rows through a prepared
// statement with bound parameters, query them back. Runs unchanged under
// `ffic run` and stock Deno.
//   ffic run --allow-ffi examples/sqlite/main.js
// The symbols are ffic's descriptor for this library (`ffic compile` turns
// it into an artifact); Deno.dlopen takes it as is, once its "$schema" key
// is dropped.
import descriptor from "./symbols.json" with { type: "json" };
const { $schema: _, ...symbols } = descriptor;
const sqlite = Deno.dlopen("libsqlite3.so.0", symbols);
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
