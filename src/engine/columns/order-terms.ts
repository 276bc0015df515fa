// What an order of the column engine is beyond a plain limit order: whether it is a market
// order, its time in force, its self-trade prevention and whether it is a stop order, as one
// code in one byte column (one write an order: each column an order touches is a cache line);
// and each code as the classic engine's terms, for the order's rows and views (a stop order's
// own, with its stop price: column-stops.ts). The column engine runs without fees, so no terms
// carry any. Code 0 is a plain limit order.

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

/**
 * An order's code: bit 0 market, bit 1 a stop order, bits 2-3 time in force, bits 4-5
 * self-trade prevention. (The matching path reads these with one shift or mask each: a wider
 * `stpOf` cost 3% more instructions a command, by what V8 then inlined.)
 */
const code = (market: number, tif: number, stp: number): number => market | (tif << 2) | (stp << 4);
export const STOP = 2;
export const isMarket = (kind: number): boolean => (kind & 1) === 1;
export const tifOf = (kind: number): number => (kind >> 2) & 3;
export const stpOf = (kind: number): number => kind >> 4;
export const isStop = (kind: number): boolean => (kind & STOP) !== 0;

// Comparisons, not a search: this runs for every order placed. A stop order's bit is set when
// it waits (ColumnExchange.wait), off this path.
export function kindOf(cmd: PlaceOrder): number {
  const tif = cmd.tif === 'GTC' ? GTC : cmd.tif === 'IOC' ? IOC : FOK;
  const stp = cmd.stp;
  const stpCode =
    stp === null
      ? NO_STP
      : stp === 'cancel-resting'
        ? CANCEL_RESTING
        : stp === 'cancel-incoming'
          ? CANCEL_INCOMING
          : CANCEL_BOTH;
  return code(cmd.type === 'market' ? 1 : 0, tif, stpCode);
}

/** The code of a stored order's terms. */
export function kindOfTerms(terms: {
  type: string;
  tif: TimeInForce;
  stp: SelfTradePrevention | null;
  stop: bigint | null;
}): number {
  const kind = code(
    terms.type === 'market' ? 1 : 0,
    TIME_IN_FORCE.indexOf(terms.tif),
    STP.indexOf(terms.stp),
  );
  return terms.stop === null ? kind : kind | STOP;
}

/** The terms of every code, one object each. */
const TERMS: OrderTerms[] = [];
for (let market = 0; market < 2; market++) {
  for (let tif = 0; tif < TIME_IN_FORCE.length; tif++) {
    for (let stp = 0; stp < STP.length; stp++) {
      TERMS[code(market, tif, stp)] =
        code(market, tif, stp) === 0
          ? LIMIT_GTC
          : Object.freeze({
              ...LIMIT_GTC,
              type: market === 1 ? 'market' : 'limit',
              tif: TIME_IN_FORCE[tif]!,
              stp: STP[stp]!,
            });
    }
  }
}

/** The terms of a code without a stop (a stop order's own terms are kept with its stop). */
export function columnTerms(kind: number): OrderTerms {
  return TERMS[kind]!;
}

/** A stop order's terms: its code's, with its stop price. */
export function stopTerms(kind: number, stop: bigint): OrderTerms {
  return Object.freeze({ ...TERMS[kind & ~STOP]!, stop });
}

/** Shares, prices and stop prices are safe integers of 10^-8 units. */
export const MAX_UNITS = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Whether the column engine places this order: a limit order of any time in force, with a
 * stop or not, or a market order (immediate-or-cancel, as the protocol has it: the columns
 * match a market order against every level, and count a fill-or-kill's only by limit), its
 * amounts safe integers (the parser gives NaN for units past 2^53, and no limit units for a
 * market order).
 */
export function columnsPlace(cmd: PlaceOrder): boolean {
  if (!Number.isSafeInteger(cmd.amountUnits)) return false;
  if (cmd.type === 'market') return cmd.tif === 'IOC' && cmd.stop === null;
  return Number.isSafeInteger(cmd.limitUnits) && (cmd.stop === null || cmd.stop <= MAX_UNITS);
}
