// Plain JS importing TypeScript.
import { Square } from "./shapes.ts";
export const viaJs = () => new Square(2).area();
