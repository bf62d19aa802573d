// FinalizationRegistry callbacks run (V8 posts them as platform tasks,
// which the event loop must run). Run with --v8-flags=--expose-gc.
let called = 0;
const registry = new FinalizationRegistry(() => called++);
for (let i = 0; i < 100; i++) registry.register({ i }, i);
const turn = () => new Promise((resolve) => setTimeout(resolve, 20));
for (let round = 0; round < 3 && called === 0; round++) {
  gc();
  await turn();
}
console.log("finalization callbacks ran:", called > 0);
