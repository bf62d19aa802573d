// expect TS2322: a constant has its own literal type
import { constants } from "./constructs.js";
const red: 1 = constants.RED;
