// Exact fixed-point decimals on bigint. A value is an integer count of 10^-scale units;
// the scale is fixed per quantity kind, so arithmetic never rounds:
//   shares × price (8 + 8 digits) = cash (16 digits), exactly.

/** Fractional digits of share counts. */
export const SHARE_SCALE = 8;
/** Fractional digits of limit and execution prices. */
export const PRICE_SCALE = 8;
/** Fractional digits of cash: the product of a share count and a price. */
export const CASH_SCALE = SHARE_SCALE + PRICE_SCALE;
/** Digits before the point accepted in a request; larger numbers are rejected, never wrapped. */
export const MAX_INTEGER_DIGITS = 15;

const POW10: bigint[] = [];
for (let i = 0, p = 1n; i <= 40; i++, p *= 10n) POW10.push(p);

export function pow10(n: number): bigint {
  const p = POW10[n];
  if (p === undefined) throw new RangeError(`10^${n} out of table`);
  return p;
}

export type ParseFailure = 'not-a-number' | 'too-many-decimals' | 'too-large';
/**
 * A parse's value in units, and the same as a double (`units`) when it is a safe integer,
 * NaN otherwise: the column engine computes in doubles, and converting a bigint costs it more
 * than the parse made the double for.
 */
export type ParseResult =
  { ok: true; value: bigint; units: number } | { ok: false; why: ParseFailure };

/** A count of units as a double when it is a safe integer, else NaN. */
export function safeUnits(value: bigint): number {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : NaN;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** 10^n as a double, exact for the n a safe-integer parse needs. */
const POW10_NUMBER: number[] = [];
for (let i = 0, p = 1; i <= 15; i++, p *= 10) POW10_NUMBER.push(p);

/**
 * At most this many digits, the integer part's and the scale's together: the units are then
 * below 10^15 < 2^53, summed exactly in a double and made a bigint once.
 */
const SAFE_DIGITS = 15;

/**
 * Parses plain decimal text ("125", "-0.5", "+3.", ".25") into units of 10^-scale.
 * Exponents, hex, "Infinity" and "NaN" are not numbers here. Surrounding ASCII
 * whitespace is tolerated because XML attribute values often carry it.
 */
export function parseDecimal(
  text: string,
  scale: number,
  maxIntegerDigits = MAX_INTEGER_DIGITS,
): ParseResult {
  // Every order carries two or three numbers, nearly all short and plain: scanned by hand,
  // without the pattern, the trims and the bigint parse of a string, they cost a fraction.
  // Whatever the scan does not take whole (space, an error, many digits) goes the long way.
  const units = parseSafeDecimal(text, scale, maxIntegerDigits);
  if (units === null) return parseDecimalText(text, scale, maxIntegerDigits);
  return { ok: true, value: BigInt(units), units };
}

/**
 * `[+-]digits[.digits]` whose units at the scale are a safe integer: those units, else null
 * (the text may still be a number, or be refused, by `parseDecimalText`).
 */
function parseSafeDecimal(text: string, scale: number, maxIntegerDigits: number): number | null {
  const end = text.length;
  let at = 0;
  let c = text.charCodeAt(0);
  const negative = c === 45; /* '-' */
  if (negative || c === 43 /* '+' */) at = 1;
  const intStart = at;
  while (at < end && (c = text.charCodeAt(at)) >= 48 && c <= 57) at++;
  const intEnd = at;
  let fracEnd = at;
  if (at < end && text.charCodeAt(at) === 46 /* '.' */) {
    at++;
    while (at < end && (c = text.charCodeAt(at)) >= 48 && c <= 57) at++;
    fracEnd = at;
  }
  if (at !== end) return null;
  const fracStart = intEnd + 1;
  if (intEnd === intStart && fracEnd <= fracStart) return null;
  let intFirst = intStart;
  while (intFirst < intEnd && text.charCodeAt(intFirst) === 48) intFirst++;
  let fracLast = fracEnd;
  while (fracLast > fracStart && text.charCodeAt(fracLast - 1) === 48) fracLast--;
  const fracDigits = fracLast > fracStart ? fracLast - fracStart : 0;
  const intDigits = intEnd - intFirst;
  if (fracDigits > scale || intDigits > maxIntegerDigits || intDigits + scale > SAFE_DIGITS) {
    return null;
  }
  let units = 0;
  for (let i = intFirst; i < intEnd; i++) units = units * 10 + (text.charCodeAt(i) - 48);
  for (let i = fracStart; i < fracLast; i++) units = units * 10 + (text.charCodeAt(i) - 48);
  units *= POW10_NUMBER[scale - fracDigits]!;
  // 0 - 0 is +0: a "-0" has the same units as "0".
  return negative ? 0 - units : units;
}

/** The general parse: any text, by pattern, with its failure's reason. */
export function parseDecimalText(
  text: string,
  scale: number,
  maxIntegerDigits = MAX_INTEGER_DIGITS,
): ParseResult {
  const m = DECIMAL.exec(trimAsciiSpace(text));
  if (m === null) return { ok: false, why: 'not-a-number' };
  const sign = m[1];
  const intPart = m[2] ?? '';
  let frac = m[3] ?? '';
  if (intPart === '' && frac === '') return { ok: false, why: 'not-a-number' };
  frac = frac.replace(/0+$/, '');
  if (frac.length > scale) return { ok: false, why: 'too-many-decimals' };
  const intDigits = intPart.replace(/^0+/, '');
  if (intDigits.length > maxIntegerDigits) return { ok: false, why: 'too-large' };
  const magnitude = BigInt((intDigits || '0') + frac.padEnd(scale, '0'));
  const value = sign === '-' ? -magnitude : magnitude;
  return { ok: true, value, units: safeUnits(value) };
}

/** Trims only ASCII white space (XML's own), not the wider Unicode set String.trim knows. */
export function trimAsciiSpace(text: string): string {
  return text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}

/** Plain notation, no exponent, no trailing zeros: 12500000000n at scale 8 → "125". */
export function formatDecimal(value: bigint, scale: number): string {
  const negative = value < 0n;
  return formatDigits(negative, (negative ? -value : value).toString(), scale);
}

/** The same for a safe integer count of units in a double, without making a bigint. */
export function formatSafeDecimal(value: number, scale: number): string {
  const negative = value < 0;
  // A safe integer's String() is its plain digits (exponents start at 10^21).
  return formatDigits(negative, String(negative ? -value : value), scale);
}

/** `digits` (the units' magnitude) at `scale`, with the sign. */
function formatDigits(negative: boolean, digits: string, scale: number): string {
  if (scale === 0) return negative ? '-' + digits : digits;
  const padded = digits.length > scale ? digits : digits.padStart(scale + 1, '0');
  const intPart = padded.slice(0, padded.length - scale);
  let frac = padded.slice(padded.length - scale);
  let end = frac.length;
  while (end > 0 && frac.charCodeAt(end - 1) === 48 /* '0' */) end--;
  frac = frac.slice(0, end);
  const text = frac.length > 0 ? `${intPart}.${frac}` : intPart;
  return negative ? '-' + text : text;
}

/** Changes the scale of a value; throws if that would lose digits (never rounds). */
export function rescale(value: bigint, from: number, to: number): bigint {
  if (to >= from) return value * pow10(to - from);
  const divisor = pow10(from - to);
  if (value % divisor !== 0n) throw new RangeError('rescale would round');
  return value / divisor;
}

export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
