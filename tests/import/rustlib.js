// Calls the Rust library of tests/import/rustlib.rs through the module
// compiled from the descriptor `ffic import` made of cbindgen's header
// (Deno.args[0]): the same output under ffic and stock Deno.
const { open, constants, structs } = await import(Deno.args[0]);
const lib = open().symbols;
const pair = new structs.Pair();
pair.whole = 2;
pair.part = 0.5;
console.log(lib.pair_sum(pair.bytes), lib.scale(10n, 3), lib.text_length("héllo"), lib.text_length(null));
console.log(constants.ANSWER, structs.Pair.size);
