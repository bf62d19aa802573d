// Time to the first FFI call: the SQLite example's descriptor opened and
// one call made, then the process ends. scripts/bench-first-call times the
// whole process under `ffic run` and stock Deno.
import descriptor from "../examples/sqlite/symbols.json" with { type: "json" };
const { $schema: _, ...symbols } = descriptor;
const sqlite = Deno.dlopen("libsqlite3.so.0", symbols);
const db = new BigUint64Array(1);
if (sqlite.symbols.sqlite3_open(new TextEncoder().encode(":memory:\0"), db) !== 0) throw new Error("open");
Deno.exit(0);
