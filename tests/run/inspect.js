// Deno.inspect: a value as console.log shows it (strings quoted, nesting to
// four levels, collections with their sizes).
console.log(Deno.inspect("a"), Deno.inspect(1), Deno.inspect([1, "b", { c: 2n }]), Deno.inspect({ a: { b: { c: { d: { e: 1 } } } } }), Deno.inspect(null), Deno.inspect(undefined), Deno.inspect(new Map([[1, 2]])));
console.log(Deno.inspect(Symbol("s")), Deno.inspect(() => 1), Deno.inspect(new Uint8Array(3)));
