// expect TS2540: constants are read-only
import { constants } from "./constructs.js";
constants.RED = 1;
