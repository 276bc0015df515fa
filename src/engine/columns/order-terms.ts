// What an order of the column engine is beyond a plain limit order: its time in force, and
// whether it is a market order, as small codes in two columns; and those codes as the classic
// engine's terms, for the order's rows and views. The column engine runs without fees, so no
// terms carry any.

import type { PlaceOrder, TimeInForce } from '../commands.js';
import { LIMIT_GTC, type OrderTerms } from '../order.js';

/** Time-in-force codes. */
export const GTC = 0;
export const IOC = 1;
export const FOK = 2;

const TIME_IN_FORCE: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK'];

export function tifCode(tif: TimeInForce): number {
  return TIME_IN_FORCE.indexOf(tif);
}

/** The terms of every pair of codes, by market (0 or 1) and time in force, one object each. */
const TERMS: readonly (readonly OrderTerms[])[] = [0, 1].map((market) =>
  TIME_IN_FORCE.map((tif) =>
    market === 0 && tif === 'GTC'
      ? LIMIT_GTC
      : Object.freeze({ ...LIMIT_GTC, type: market === 1 ? 'market' : 'limit', tif }),
  ),
);

export function columnTerms(market: number, tif: number): OrderTerms {
  return TERMS[market]![tif]!;
}

/**
 * Whether the column engine places this order: a limit order of any time in force, or a
 * market order, without a stop or self-trade prevention, its amounts safe integers (the
 * parser gives NaN for units past 2^53, and no limit units for a market order).
 */
export function columnsPlace(cmd: PlaceOrder): boolean {
  if (cmd.stop !== null || cmd.stp !== null || !Number.isSafeInteger(cmd.amountUnits)) return false;
  return cmd.type === 'market' || Number.isSafeInteger(cmd.limitUnits);
}
