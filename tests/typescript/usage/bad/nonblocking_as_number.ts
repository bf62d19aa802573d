// expect TS2322: a nonblocking result is a Promise
import { open } from "./ffic_test.js";
const lib = open("libffic_test.so");
const n: number = lib.symbols.add_i32_async(1, 2);
void n;
