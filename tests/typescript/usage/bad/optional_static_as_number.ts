// expect TS2322: an optional static may be null
import { open } from "./ffic_test.js";
const lib = open("libffic_test.so");
const n: number = lib.symbols.absent_static;
void n;
