// Exact integers in pairs of doubles (src/decimal/exact-pair.ts), held to bigint: every sum,
// product and comparison the same, at the edges of the ranges too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as pair from '../../src/decimal/exact-pair.js';

const LIMIT = BigInt(pair.LIMIT);
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Integers below LIMIT / 2, so that any two add below LIMIT; the edges drawn often. */
const wide = fc.oneof(
  fc.bigInt({ min: -(LIMIT / 2n) + 1n, max: LIMIT / 2n - 1n }),
  fc.bigInt({ min: -SAFE, max: SAFE }),
  fc.constantFrom(0n, 1n, -1n, SAFE, SAFE + 1n, -SAFE - 1n, LIMIT / 2n - 1n, 2n ** 53n - 3n),
);
const safe = fc.oneof(
  fc.bigInt({ min: -SAFE, max: SAFE }),
  fc.bigInt({ min: -1000n, max: 1000n }),
  fc.constantFrom(SAFE, -SAFE, 2n ** 26n + 1n, 2n ** 27n - 1n, 0n),
);

function asPair(value: bigint): [number, number] {
  const hi = pair.fromBigInt(value);
  return [hi, pair.low()];
}

/** The same pair; a zero's sign (0 × -1 is -0) changes no sum or comparison. */
function assertSamePair(actual: [number, number], expected: [number, number]): void {
  assert.ok(
    actual[0] === expected[0] && actual[1] === expected[1],
    `${actual.join(' + ')} is not ${expected.join(' + ')}`,
  );
}

test('a pair holds an integer exactly, with hi the nearest double', () => {
  fc.assert(
    fc.property(wide, (x) => {
      const [hi, lo] = asPair(x);
      assert.equal(pair.toBigInt(hi, lo), x);
      assert.equal(hi, Number(x));
    }),
    { numRuns: 20_000 },
  );
});

test('sums and comparisons are exact, as bigint', () => {
  fc.assert(
    fc.property(wide, wide, (x, y) => {
      const [xh, xl] = asPair(x);
      const [yh, yl] = asPair(y);
      const hi = pair.add(xh, xl, yh, yl);
      const lo = pair.low();
      assert.equal(pair.toBigInt(hi, lo), x + y);
      // The sum is in the same form as a pair made from the integer, so it compares.
      assertSamePair([hi, lo], asPair(x + y));
      assert.equal(pair.less(xh, xl, yh, yl), x < y);
    }),
    { numRuns: 50_000 },
  );
});

test('a pair divided by a safe integer floors exactly, as bigint', () => {
  const divisor = fc.oneof(
    fc.bigInt({ min: 1n, max: SAFE }),
    fc.bigInt({ min: 1n, max: 1000n }),
    fc.constantFrom(1n, 2n, 3n, SAFE, 10n ** 8n),
  );
  const quotient = fc.oneof(
    fc.bigInt({ min: 0n, max: SAFE }),
    fc.bigInt({ min: 0n, max: 1000n }),
    fc.constantFrom(0n, 1n, SAFE - 1n, SAFE),
  );
  // Near a multiple of the divisor (a unit either side), or anywhere between two.
  const offset = fc.oneof(fc.constantFrom(-1n, 0n, 1n), fc.bigInt({ min: 0n, max: SAFE }));
  fc.assert(
    fc.property(divisor, quotient, offset, (d, q, r) => {
      const n = q * d + (r < d ? r : r % d);
      fc.pre(n >= 0n && n < LIMIT && n / d <= SAFE);
      const [hi, lo] = asPair(n);
      assert.equal(pair.floorDiv(hi, lo, Number(d)), Number(n / d));
    }),
    { numRuns: 50_000 },
  );
});

test('products of safe integers are exact pairs', () => {
  fc.assert(
    fc.property(safe, safe, (a, b) => {
      const hi = pair.twoProduct(Number(a), Number(b));
      const lo = pair.low();
      assert.equal(pair.toBigInt(hi, lo), a * b);
      assertSamePair([hi, lo], asPair(a * b));
    }),
    { numRuns: 50_000 },
  );
});

test('long running sums of products stay exact', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(safe, safe, fc.boolean()), { minLength: 50, maxLength: 200 }),
      (steps) => {
        let [hi, lo] = asPair(10n ** 28n);
        let expected = 10n ** 28n;
        for (const [a, b, credit] of steps) {
          let ph = pair.twoProduct(Number(a), Number(b));
          let pl = pair.low();
          if (!credit) [ph, pl] = [-ph, -pl];
          const product = credit ? a * b : -(a * b);
          // Stay below the limit, as an account's cash does.
          if (expected + product >= LIMIT / 2n || expected + product <= -LIMIT / 2n) continue;
          hi = pair.add(hi, lo, ph, pl);
          lo = pair.low();
          expected += product;
          assert.equal(pair.toBigInt(hi, lo), expected);
        }
      },
    ),
    { numRuns: 2_000 },
  );
});
