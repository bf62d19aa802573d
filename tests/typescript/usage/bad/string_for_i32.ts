// expect TS2345: a string where i32 takes a number
import { open } from "./ffic_test.js";
const lib = open("libffic_test.so");
lib.symbols.add_i32("1", 2);
