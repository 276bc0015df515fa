// Exact integers held as the unevaluated sum of two doubles, hi + lo, with hi the double
// nearest the integer and lo what is left (an integer too, at most half a unit in hi's last
// place). Cash at 10^-16 passes 2^53 with one ordinary execution; a pair holds it exactly to
// LIMIT (about 10^31) with no allocation, where a bigint is a heap object per value. Built on
// the error-free transformations: TwoSum (Knuth) and TwoProduct (Dekker, Veltkamp's split).
// The column engine (engine/columns/) keeps its cash and positions this way, as do the
// engine's floors in bench/; a property test holds it to bigint.
//
// A function returns the pair's high part and leaves its low part for `low()` (read it before
// the next call): two results without an object for them. The low part is kept in a typed
// array, not a module variable: a variable holds a double beyond the small integers as a heap
// number, a new one at every write (and a write barrier to store it), and cash's low parts
// are mostly beyond them.

/** Magnitudes below this add and compare exactly: lo stays within 2^51, so lo + lo is exact. */
export const LIMIT = 2 ** 103;

const lowPart = new Float64Array(1);

/** The low part of the last pair returned. */
export function low(): number {
  return lowPart[0]!;
}

/** Veltkamp's constant for splitting a double into two 26-bit halves: 2^27 + 1. */
const SPLIT = 134_217_729;

/** a + b exactly, as (returned) + low. */
export function twoSum(a: number, b: number): number {
  const s = a + b;
  const bb = s - a;
  lowPart[0] = a - (s - bb) + (b - bb);
  return s;
}

/** a × b exactly, as (returned) + low; a and b integers below 2^53 in magnitude. */
export function twoProduct(a: number, b: number): number {
  const p = a * b;
  let t = SPLIT * a;
  const aHi = t - (t - a);
  const aLo = a - aHi;
  t = SPLIT * b;
  const bHi = t - (t - b);
  const bLo = b - bHi;
  lowPart[0] = aHi * bHi - p + aHi * bLo + aLo * bHi + aLo * bLo;
  return p;
}

/** (xHi + xLo) + (yHi + yLo) as a pair, both of them and the sum below LIMIT. */
export function add(xHi: number, xLo: number, yHi: number, yLo: number): number {
  const s = twoSum(xHi, yHi);
  // |low| ≤ 2^51 and |xLo + yLo| ≤ 2^52: this sum of integers is exact.
  return twoSum(s, lowPart[0]! + (xLo + yLo));
}

/** Whether x < y, both pairs as this module makes them (hi the nearest double, so unique). */
export function less(xHi: number, xLo: number, yHi: number, yLo: number): boolean {
  return xHi < yHi || (xHi === yHi && xLo < yLo);
}

/**
 * ⌊(hi + lo) / d⌋ for a pair from 0 to LIMIT and an integer d from 1 to below 2^53, when the
 * quotient is below 2^53: the quotient of doubles, off by a unit or two at most, is set right
 * by the exact remainder.
 */
export function floorDiv(hi: number, lo: number, d: number): number {
  let q = Math.floor(hi / d);
  for (;;) {
    const productHi = twoProduct(q, d);
    const rHi = add(hi, lo, -productHi, -lowPart[0]!);
    const rLo = lowPart[0]!;
    if (rHi < 0 || (rHi === 0 && rLo < 0)) q--;
    else if (less(rHi, rLo, d, 0)) return q;
    else q++;
  }
}

/** The pair of an integer below LIMIT. */
export function fromBigInt(value: bigint): number {
  const hi = Number(value);
  lowPart[0] = Number(value - BigInt(hi));
  return hi;
}

export function toBigInt(hi: number, lo: number): bigint {
  // Each bigint made is an allocation: a pair within 2^53 has no low part.
  return lo === 0 ? BigInt(hi) : BigInt(hi) + BigInt(lo);
}
