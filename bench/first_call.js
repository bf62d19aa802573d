// Time to the first FFI call: the SQLite example's descriptor opened and
// one call made, then the process ends. scripts/bench-first-call times the
// whole process under `ffic run` and stock Deno. The descriptor is opened
// as plain Deno symbols: without ffic's "$ffic" section and "ffic" fields.
import descriptor from "../examples/sqlite/symbols.json" with { type: "json" };
const { $ffic: _, ...symbols } = descriptor;
for (const definition of Object.values(symbols)) delete definition.ffic;
const sqlite = Deno.dlopen("libsqlite3.so.0", symbols);
const db = new BigUint64Array(1);
const name = new TextEncoder().encode(":memory:\0");
if (sqlite.symbols.sqlite3_open(name, Deno.UnsafePointer.of(db)) !== 0) throw new Error("open");
Deno.exit(0);
