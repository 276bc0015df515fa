// The decimal parser's two paths: the hand scan that takes short plain numbers, and the
// pattern that takes everything else. They must agree on every text, to the failure's reason.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDecimal, parseDecimalText } from '../../src/decimal/fixed.js';

/** Texts near the numbers clients send: digits, signs, points, spaces and stray characters. */
const decimalLike = fc
  .array(
    fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...'0123456789') },
      { weight: 2, arbitrary: fc.constantFrom('.', '-', '+', '0') },
      { weight: 1, arbitrary: fc.constantFrom(' ', '\t', '\n', 'e', 'x', '\u0661', ',', '_') },
    ),
    { maxLength: 30 },
  )
  .map((chars) => chars.join(''));

describe('parseDecimal', () => {
  test('reads plain numbers exactly, at the scale', () => {
    const cases: [string, number, bigint][] = [
      ['125', 8, 12_500_000_000n],
      ['-0.5', 8, -50_000_000n],
      ['+3.', 8, 300_000_000n],
      ['.25', 8, 25_000_000n],
      ['-0', 8, 0n],
      ['0.00000001', 8, 1n],
      ['1.100', 2, 110n],
      ['9999999', 8, 999_999_900_000_000n],
      ['99999999', 8, 9_999_999_900_000_000n],
      ['123456789012345', 8, 12_345_678_901_234_500_000_000n],
      [' 7 ', 0, 7n],
    ];
    for (const [text, scale, units] of cases) {
      const safe = Number.isSafeInteger(Number(units)) ? Number(units) : NaN;
      assert.deepEqual(parseDecimal(text, scale), { ok: true, value: units, units: safe }, text);
    }
  });

  test('refuses what is not a plain number, with the reason', () => {
    const cases: [string, string][] = [
      ['', 'not-a-number'],
      ['.', 'not-a-number'],
      ['-', 'not-a-number'],
      ['1e5', 'not-a-number'],
      ['1 000', 'not-a-number'],
      ['0.000000001', 'too-many-decimals'],
      ['1234567890123456', 'too-large'],
    ];
    for (const [text, why] of cases) assert.deepEqual(parseDecimal(text, 8), { ok: false, why });
  });

  test('the hand scan and the pattern agree on any text', () => {
    fc.assert(
      fc.property(decimalLike, fc.integer({ min: 0, max: 16 }), (text, scale) => {
        assert.deepEqual(parseDecimal(text, scale), parseDecimalText(text, scale));
        assert.deepEqual(parseDecimal(text, scale, 3), parseDecimalText(text, scale, 3));
      }),
      { numRuns: 20_000 },
    );
  });
});
