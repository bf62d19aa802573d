// expect TS2345: a buffer takes a BufferSource or null
import { open } from "./ffic_test.js";
const lib = open("libffic_test.so");
lib.symbols.buf_sum("abc", 3n);
