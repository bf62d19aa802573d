// A rejection handled within the same turn is not an error.
const p = Promise.reject(new Error("handled"));
p.catch((e) => console.log("caught", e.message));
await null;
console.log("done");
