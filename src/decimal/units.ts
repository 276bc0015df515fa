// An exact count of 10^-scale units as the engine hands it out in change rows: a bigint, a
// safe integer in a double, or an exact pair of doubles (exact-pair.ts) as [hi, lo]. The
// column engine keeps its amounts in doubles; making a bigint of each value it hands out was
// a good part of its work, so its rows carry the doubles, and whoever needs the decimal (a
// store's thread, a view) makes it there.

import { toBigInt } from './exact-pair.js';
import { formatDecimal, formatSafeDecimal } from './fixed.js';

export type Units = Count | readonly [hi: number, lo: number];

/** A count of units as a bigint or a safe integer in a double: how results carry shares and prices. */
export type Count = bigint | number;

/** An exact pair as Units: a plain double when it is a safe integer (most positions). */
export function pairUnits(hi: number, lo: number): Units {
  return lo === 0 && Number.isSafeInteger(hi) ? hi : [hi, lo];
}

/** The count as a bigint. */
export function toBigUnits(v: Units): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  return toBigInt(v[0], v[1]);
}

/** Plain decimal text of the count at `scale`, as formatDecimal writes it. */
export function formatUnits(v: Units, scale: number): string {
  return typeof v === 'number' ? formatSafeDecimal(v, scale) : formatDecimal(toBigUnits(v), scale);
}
