// How numbers travel to and from database text columns: plain decimal text at the
// quantity's own scale, read back exactly. Shared by every SQL store.

import type { ArchivedOrder } from '../engine/archive.js';
import {
  CASH_SCALE,
  PRICE_SCALE,
  SHARE_SCALE,
  formatDecimal,
  parseDecimal,
} from '../decimal/fixed.js';

/** Stored totals may outgrow request limits (cash accumulates), so reading allows more. */
const STORED_INTEGER_DIGITS = 60;

function read(text: string, scale: number, column: string): bigint {
  const parsed = parseDecimal(text, scale, STORED_INTEGER_DIGITS);
  if (!parsed.ok) throw new Error(`corrupt ${column} value in the store: ${JSON.stringify(text)}`);
  return parsed.value;
}

export const cashText = (v: bigint): string => formatDecimal(v, CASH_SCALE);
export const sharesText = (v: bigint): string => formatDecimal(v, SHARE_SCALE);
export const priceText = (v: bigint): string => formatDecimal(v, PRICE_SCALE);

export const readCash = (text: string): bigint => read(text, CASH_SCALE, 'cash');
export const readShares = (text: string): bigint => read(text, SHARE_SCALE, 'shares');
export const readPrice = (text: string): bigint => read(text, PRICE_SCALE, 'price');

/** An order's rows as SQL stores return them (numbers as text), as an archived order. */
export interface StoredOrderRows {
  readonly order: { account_id: string; open_shares: string };
  readonly fills: readonly { shares: string; price: string; executed_at: string | number }[];
  readonly cancel: { shares: string; canceled_at: string | number } | undefined;
}

export function archivedOrderFromRows({ order, fills, cancel }: StoredOrderRows): ArchivedOrder {
  return {
    account: order.account_id,
    status: {
      open: readShares(order.open_shares),
      canceled:
        cancel === undefined
          ? null
          : { shares: readShares(cancel.shares), time: Number(cancel.canceled_at) },
      fills: fills.map((f) => ({
        shares: readShares(f.shares),
        price: readPrice(f.price),
        time: Number(f.executed_at),
      })),
    },
  };
}
