// expect TS2554: nop takes none
import { open } from "./ffic_test.js";
const lib = open("libffic_test.so");
lib.symbols.nop(1);
