// expect TS2721: an optional symbol may be null
import { open } from "./ffic_test.js";
const lib = open("libffic_test.so");
lib.symbols.absent(1);
