// expect TS2322: a u64 result is a bigint
import { open } from "./ffic_test.js";
const lib = open("libffic_test.so");
const n: number = lib.symbols.id_u64(1n);
void n;
