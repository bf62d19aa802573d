// expect TS2554: add_i32 takes two arguments
import { open } from "./ffic_test.js";
const lib = open("libffic_test.so");
lib.symbols.add_i32(1);
