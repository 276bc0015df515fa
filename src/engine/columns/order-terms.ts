// What an order of the column engine is beyond a plain limit order: whether it is a market
// order, its time in force and its self-trade prevention, as small codes in three columns;
// and those codes as the classic engine's terms, for the order's rows and views. The column
// engine runs without fees, so no terms carry any.

import type { PlaceOrder, SelfTradePrevention, TimeInForce } from '../commands.js';
import { LIMIT_GTC, type OrderTerms } from '../order.js';

/** Time-in-force codes. */
export const GTC = 0;
export const IOC = 1;
export const FOK = 2;
const TIME_IN_FORCE: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK'];

/** Self-trade prevention codes: 0 for none. */
export const NO_STP = 0;
export const CANCEL_RESTING = 1;
export const CANCEL_INCOMING = 2;
export const CANCEL_BOTH = 3;
const STP: readonly (SelfTradePrevention | null)[] = [
  null,
  'cancel-resting',
  'cancel-incoming',
  'cancel-both',
];

// Comparisons, not a search: these run for every order placed.
export function tifCode(tif: TimeInForce): number {
  return tif === 'GTC' ? GTC : tif === 'IOC' ? IOC : FOK;
}

export function stpCode(stp: SelfTradePrevention | null): number {
  if (stp === null) return NO_STP;
  return stp === 'cancel-resting'
    ? CANCEL_RESTING
    : stp === 'cancel-incoming'
      ? CANCEL_INCOMING
      : CANCEL_BOTH;
}

/** The terms of every combination of codes, one object each (index: `termsIndex`). */
const TERMS: readonly OrderTerms[] = [0, 1].flatMap((market) =>
  TIME_IN_FORCE.flatMap((tif) =>
    STP.map((stp) =>
      market === 0 && tif === 'GTC' && stp === null
        ? LIMIT_GTC
        : Object.freeze({ ...LIMIT_GTC, type: market === 1 ? 'market' : 'limit', tif, stp }),
    ),
  ),
);

const termsIndex = (market: number, tif: number, stp: number): number =>
  (market * TIME_IN_FORCE.length + tif) * STP.length + stp;

export function columnTerms(market: number, tif: number, stp: number): OrderTerms {
  return TERMS[termsIndex(market, tif, stp)]!;
}

/**
 * Whether the column engine places this order: a limit order of any time in force, or a
 * market order, without a stop, its amounts safe integers (the parser gives NaN for units
 * past 2^53, and no limit units for a market order).
 */
export function columnsPlace(cmd: PlaceOrder): boolean {
  if (cmd.stop !== null || !Number.isSafeInteger(cmd.amountUnits)) return false;
  return cmd.type === 'market' || Number.isSafeInteger(cmd.limitUnits);
}
