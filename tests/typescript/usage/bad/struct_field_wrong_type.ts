// expect TS2322: a struct field takes its own type
import { structs } from "./constructs.js";
new structs.point().x = "1";
