// Maker and taker fees: fractions of the traded value, paid in cash to a fee account. A fee
// is rounded down to the cash scale, and a buy reserves its cash with the taker fee on top,
// so that however an order's executions split, what it pays never exceeds what it reserved
// (the sum of rounded-down parts is at most the rounded-down whole).

import { pow10 } from '../decimal/fixed.js';

/** Fractional digits of a fee rate. */
export const FEE_SCALE = 8;
const ONE = pow10(FEE_SCALE);

export interface FeeSchedule {
  /** Rate at FEE_SCALE paid by the resting side of an execution. */
  readonly maker: bigint;
  /** Rate at FEE_SCALE paid by the incoming side; at least the maker rate. */
  readonly taker: bigint;
  /** The account fees are credited to (created with no cash if missing). */
  readonly account: string;
}

/** No fees: replies carry no fee attribute. */
export const NO_FEES: FeeSchedule = { maker: 0n, taker: 0n, account: '' };

export function feesOn(fees: FeeSchedule): boolean {
  return fees.taker > 0n || fees.maker > 0n;
}

/** Why a schedule cannot be used, or null when it can. */
export function feeScheduleProblem(fees: FeeSchedule): string | null {
  if (fees.maker < 0n || fees.taker < 0n) return 'fees must not be negative';
  if (fees.maker >= ONE || fees.taker >= ONE) return 'fees must be below 1';
  if (fees.maker > fees.taker) return 'the maker fee must not exceed the taker fee';
  if (feesOn(fees) && !/^[0-9]+$/.test(fees.account)) {
    return 'fees need a fee account (an account id: decimal digits)';
  }
  return null;
}

/** The fee on a traded value (both CASH_SCALE) at `rate`, rounded down. */
export function feeOn(value: bigint, rate: bigint): bigint {
  return rate === 0n ? 0n : (value * rate) / ONE;
}

/** Cash (CASH_SCALE) a buy of `shares` at `limit` holds back: the value and its taker fee. */
export function buyReservation(shares: bigint, limit: bigint, takerRate: bigint): bigint {
  const value = shares * limit;
  // Every bigint sum is a new heap number: none on the common path without fees.
  return takerRate === 0n ? value : value + feeOn(value, takerRate);
}

/**
 * The most shares (SHARE_SCALE) that `cash` buys at `price`, the taker fee included: the
 * largest s with s × price + fee(s × price) ≤ cash.
 */
export function affordableShares(cash: bigint, price: bigint, takerRate: bigint): bigint {
  if (cash <= 0n) return 0n;
  let shares = (cash * ONE) / (price * (ONE + takerRate));
  // The fee is rounded down, so a share unit or two more may still fit.
  while (buyReservation(shares + 1n, price, takerRate) <= cash) shares++;
  return shares;
}
