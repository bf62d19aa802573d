// The named constants of a descriptor `ffic import` made: literal types,
// a bigint where a number would lose digits.
import { constants } from "./constructs.js";

export function use(): string {
  const green: 0 = constants.GREEN;
  const negative: -42 = constants.NEGATIVE;
  const all: bigint = constants.ALL_BITS;
  const name: "constructs" = constants.NAME_TEXT;
  return `${green} ${negative} ${all} ${name} ${constants.HALF}`;
}
