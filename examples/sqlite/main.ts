// SQLite in memory through its own header: `ffic import` made symbols.json
// of the system's sqlite3.h (the functions named below, every SQLITE_*
// constant), and `ffic compile` makes the typed module this runs through.
// Open, create a table, insert rows through a prepared statement with
// bound parameters, query them back. Runs unchanged under `ffic run` and
// stock Deno:
//   ffic import /usr/include/sqlite3.h --library libsqlite3.so.0 \
//     --function 'sqlite3_(open|close|exec|errmsg|prepare_v2|bind_(int64|double|text)|step|reset|finalize|column_(int64|double|text))' \
//     -o examples/sqlite/symbols.json
//   ffic compile examples/sqlite/symbols.json
//   ffic run --allow-ffi examples/sqlite/main.ts
import { constants as SQL, open } from "./sqlite.js";

const sqlite = open();
const s = sqlite.symbols;
// SQLITE_TRANSIENT, a cast the import cannot evaluate: SQLite copies the
// bound text.
const TRANSIENT = Deno.UnsafePointer.create(2n ** 64n - 1n);
let db: Deno.PointerValue = null;
const check = (code: number, what: string): number => {
  if (code !== SQL.SQLITE_OK && code !== SQL.SQLITE_DONE && code !== SQL.SQLITE_ROW) {
    // `const char *` results arrive as strings.
    throw new Error(`${what}: ${s.sqlite3_errmsg(db)}`);
  }
  return code;
};
// Out parameters (sqlite3 **, sqlite3_stmt **) land in one u64 cell.
const cell = new BigUint64Array(1);
const into = Deno.UnsafePointer.of(cell);
const received = () => Deno.UnsafePointer.create(cell[0]);

// `const char *` parameters take JS strings.
check(s.sqlite3_open(":memory:", into), "open");
db = received();
check(s.sqlite3_exec(db, "CREATE TABLE fruit (id INTEGER PRIMARY KEY, name TEXT, price REAL)", null, null, null), "create");

check(s.sqlite3_prepare_v2(db, "INSERT INTO fruit (id, name, price) VALUES (?, ?, ?)", -1, into, null), "prepare insert");
const insert = received();
const fruit: [number, string, number][] = [[1, "apple", 0.5], [2, "banana", 0.25], [3, "cherry €", 4.75]];
for (const [id, name, price] of fruit) {
  check(s.sqlite3_bind_int64(insert, 1, BigInt(id)), "bind id");
  check(s.sqlite3_bind_text(insert, 2, name, -1, TRANSIENT), "bind name");
  check(s.sqlite3_bind_double(insert, 3, price), "bind price");
  check(s.sqlite3_step(insert), "insert");
  check(s.sqlite3_reset(insert), "reset");
}
check(s.sqlite3_finalize(insert), "finalize insert");

check(s.sqlite3_prepare_v2(db, "SELECT id, name, price FROM fruit WHERE price < ? ORDER BY price", -1, into, null), "prepare select");
const select = received();
check(s.sqlite3_bind_double(select, 1, 1.0), "bind limit");
const rows = [];
while (check(s.sqlite3_step(select), "step") === SQL.SQLITE_ROW) {
  // column_text gives `const unsigned char *`: a pointer, read as a C string.
  const name = s.sqlite3_column_text(select, 1);
  rows.push({
    id: s.sqlite3_column_int64(select, 0),
    name: name && Deno.UnsafePointerView.getCString(name),
    price: s.sqlite3_column_double(select, 2),
  });
}
check(s.sqlite3_finalize(select), "finalize select");
console.log("rows", rows);
// An error comes back as SQLite words it.
try {
  check(s.sqlite3_exec(db, "SELECT x FROM nowhere", null, null, null), "bad query");
} catch (e) {
  console.log((e as Error).message);
}
console.log("close", s.sqlite3_close(db) === SQL.SQLITE_OK, SQL.SQLITE_VERSION_NUMBER > 3000000);
sqlite.close();
