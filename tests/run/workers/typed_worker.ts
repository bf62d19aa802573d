// A TypeScript worker importing a TypeScript module (main.js, mode "typescript").
import { Square } from "../ts/shapes.ts";
interface Request { n: number }
self.onmessage = (e: MessageEvent<Request>) => postMessage(new Square(e.data.n).area());
