// expect TS2540: a fixed array field is a view, not assignable
import { structs } from "./constructs.js";
new structs.weighted().tag = new Int8Array(3);
