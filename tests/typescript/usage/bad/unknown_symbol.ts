// expect TS2339: no such symbol
import { open } from "./ffic_test.js";
const lib = open("libffic_test.so");
lib.symbols.no_such_symbol();
