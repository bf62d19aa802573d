// expect TS2349: a static is a value, not a function
import { open } from "./ffic_test.js";
const lib = open("libffic_test.so");
lib.symbols.static_i32();
