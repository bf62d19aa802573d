// What a worker costs, the same script under `ffic run` and stock Deno:
// Deno.args = [library, sequential, concurrent]. Prints one JSON line:
// ms per worker started, answering one message (after a dlopen and a call
// of the test library) and terminated, one at a time; and the MB of
// resident memory each of `concurrent` live workers adds.
const [lib, sequential, concurrent] = [Deno.args[0], Number(Deno.args[1]), Number(Deno.args[2])];
const url = new URL("../tests/run/workers/many_worker.js", import.meta.url);

function start(i) {
  const worker = new Worker(url, { type: "module" });
  const answered = new Promise((resolve) => {
    worker.onmessage = (e) => resolve(e.data);
  });
  worker.postMessage([lib, i]);
  return { worker, answered };
}

// Warm up the code paths once.
{
  const { worker, answered } = start(0);
  await answered;
  worker.terminate();
}
let t = performance.now();
for (let i = 0; i < sequential; i++) {
  const { worker, answered } = start(i);
  if ((await answered) !== i + 1) throw new Error("wrong answer");
  worker.terminate();
}
const msPerWorker = (performance.now() - t) / sequential;

await new Promise((resolve) => setTimeout(resolve, 100));
const before = Deno.memoryUsage().rss;
const live = Array.from({ length: concurrent }, (_, i) => start(i));
await Promise.all(live.map((w) => w.answered));
const mbPerLiveWorker = (Deno.memoryUsage().rss - before) / concurrent / 1e6;
for (const { worker } of live) worker.terminate();
console.log(JSON.stringify({ msPerWorker, mbPerLiveWorker }));
