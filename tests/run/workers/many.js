// Starts, uses (a dlopen and a call) and terminates Deno.args[1] workers
// one after another, printing the resident set size after the first fifth
// and at the end (ffic only: the test compares them).
const [lib, count] = [Deno.args[0], Number(Deno.args[1])];
const url = new URL("./many_worker.js", import.meta.url);
let rssAtFifth = 0;
const started = performance.now();
for (let i = 1; i <= count; i++) {
  const worker = new Worker(url, { type: "module" });
  const sum = await new Promise((resolve) => {
    worker.onmessage = (e) => resolve(e.data);
    worker.postMessage([lib, i]);
  });
  worker.terminate();
  if (sum !== i + 1) throw new Error(`worker ${i} answered ${sum}`);
  if (i === count / 5) rssAtFifth = Deno.memoryUsage().rss;
}
const ms = (performance.now() - started) / count;
console.log(JSON.stringify({ rssAtFifth, rssAtEnd: Deno.memoryUsage().rss, msPerWorker: ms }));
