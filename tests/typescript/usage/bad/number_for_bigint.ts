// expect TS2345: u64 takes a bigint, as in Deno
import { open } from "./ffic_test.js";
const lib = open("libffic_test.so");
lib.symbols.add_u64(1, 2n);
