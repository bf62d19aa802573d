// expect TS2322: a struct result is a Uint8Array
import { open } from "./ffic_test.js";
const lib = open("libffic_test.so");
const n: number = lib.symbols.make_pt(1, 2);
void n;
