// A SQL function written in JS runs inside sqlite3_step, a fast call that
// returns a value; on one row of 200,000 it changes a field the optimized
// caller had specialized on, which deoptimizes the caller while
// sqlite3_step is still running. Stock Deno aborts here ("Lazy deopt after
// a fast API call with return value is unsupported"); no descriptor
// annotation is needed for ffic to survive it.
const sqlite = Deno.dlopen("libsqlite3.so.0", {
  sqlite3_open: { parameters: ["buffer", "buffer"], result: "i32" },
  sqlite3_close: { parameters: ["pointer"], result: "i32" },
  sqlite3_create_function_v2: {
    parameters: ["pointer", "buffer", "i32", "i32", "pointer", "function", "pointer", "pointer", "pointer"],
    result: "i32",
  },
  sqlite3_prepare_v2: { parameters: ["pointer", "buffer", "i32", "buffer", "pointer"], result: "i32" },
  sqlite3_step: { parameters: ["pointer"], result: "i32" },
  sqlite3_finalize: { parameters: ["pointer"], result: "i32" },
  sqlite3_column_int64: { parameters: ["pointer", "i32"], result: "i64" },
  sqlite3_value_int64: { parameters: ["pointer"], result: "i64" },
  sqlite3_result_int64: { parameters: ["pointer", "i64"], result: "void" },
});
const s = sqlite.symbols;
const SQLITE_OK = 0, SQLITE_ROW = 100, SQLITE_DONE = 101, SQLITE_UTF8 = 1;
const ROWS = 200000;
const cstr = (text) => new TextEncoder().encode(text + "\0");
const check = (code, what) => {
  if (code !== SQLITE_OK) throw new Error(`${what}: ${code}`);
};

const cell = new BigUint64Array(1);
check(s.sqlite3_open(cstr(":memory:"), cell), "open");
const db = Deno.UnsafePointer.create(cell[0]);

// What the caller's loop reads on every row: a small integer until row
// 150,000, when the SQL function makes it a fraction (a new field
// representation, so code specialized on the old one is deoptimized).
const scale = { factor: 1 };
let calls = 0;
const bump = new Deno.UnsafeCallback(
  { parameters: ["pointer", "i32", "pointer"], result: "void" },
  (context, _count, values) => {
    calls++;
    const value = s.sqlite3_value_int64(new Deno.UnsafePointerView(values).getPointer(0));
    if (value === 150000n) scale.factor = 0.5;
    s.sqlite3_result_int64(context, value * 2n);
  },
);
check(
  s.sqlite3_create_function_v2(db, cstr("bump"), 1, SQLITE_UTF8, null, bump.pointer, null, null, null),
  "create function",
);
check(
  s.sqlite3_prepare_v2(
    db,
    cstr(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS}) SELECT bump(i) FROM n`),
    -1,
    cell,
    null,
  ),
  "prepare",
);
const select = Deno.UnsafePointer.create(cell[0]);

// One row per call, so that V8 optimizes this function (with the fast
// call of sqlite3_step in it) long before row 150,000.
const scaled = () => {
  const code = s.sqlite3_step(select);
  return code === SQLITE_ROW ? Number(s.sqlite3_column_int64(select, 0)) * scale.factor : -code;
};
let rows = 0;
let total = 0;
let code;
while ((code = scaled()) >= 0) {
  rows++;
  total += code;
}
code = -code;
console.log("last step", code === SQLITE_DONE ? "done" : code);
console.log("rows", rows, "calls", calls, "total", total);
check(s.sqlite3_finalize(select), "finalize");
check(s.sqlite3_close(db), "close");
bump.close();
sqlite.close();
