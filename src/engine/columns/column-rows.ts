// The column engine's change rows, each made by a constructor rather than an object literal.
// V8 tracks each literal's objects (allocation-site pretenuring): when most of those made
// since the last scavenge are still alive at it, it makes all later ones straight in the old
// generation, for good while the old generation stays mostly alive. One batch of many rows
// does that (a bulk load: 50,000 orders whose rows outlive a scavenge together); every later
// row is then written to fresh old-space pages and freed only by a full collection, where it
// should die young with its batch. Node 20's V8 does not track a constructor's objects so.
// Their fields are declared (`declare`), not defined: an ES2022 class field is first defined
// as undefined on every instance before the constructor sets it, work a literal never did.
// `bench/report/engine-path.md` has the measurements.

import { pairUnits, type Units } from '../../decimal/units.js';
import type {
  AccountRow,
  ExecutionRow,
  OrderReshape,
  OrderRow,
  PositionRow,
  SymbolRow,
} from '../changes.js';
import type { ColumnState } from './column-state.js';

export class ColumnAccountRow implements AccountRow {
  declare readonly id: string;
  declare readonly cash: Units;
  declare readonly deposited: bigint;

  constructor(state: ColumnState, a: number) {
    this.id = state.accountIds[a]!;
    this.cash = pairUnits(state.cashHi[a]!, state.cashLo[a]!);
    this.deposited = state.deposited[a]!;
  }
}

export class ColumnSymbolRow implements SymbolRow {
  declare readonly sym: string;
  declare readonly granted: bigint;
  declare readonly seq: number;

  constructor(state: ColumnState, s: number) {
    this.sym = state.symbolNames[s]!;
    this.granted = state.granted[s]!;
    this.seq = state.seq[s]!;
  }
}

export class ColumnPositionRow implements PositionRow {
  declare readonly account: string;
  declare readonly sym: string;
  declare readonly shares: Units;

  constructor(state: ColumnState, p: number) {
    this.account = state.accountIds[state.positionAccount[p]!]!;
    this.sym = state.symbolNames[state.positionSym[p]!]!;
    this.shares = pairUnits(state.sharesHi[p]!, state.sharesLo[p]!);
  }
}

export class ColumnExecutionRow implements ExecutionRow {
  declare readonly sym: string;
  declare readonly buyOrderId: number;
  declare readonly sellOrderId: number;
  declare readonly shares: number;
  declare readonly price: number;
  declare readonly time: number;
  declare readonly buyFee: null;
  declare readonly sellFee: null;

  constructor(state: ColumnState, e: number) {
    this.sym = state.symbolNames[state.execSym[e]!]!;
    this.buyOrderId = state.execBuy[e]!;
    this.sellOrderId = state.execSell[e]!;
    this.shares = state.execShares[e]!;
    this.price = state.execPrice[e]!;
    this.time = state.execTime[e]!;
    this.buyFee = null;
    this.sellFee = null;
  }
}

/** A plain limit order's row (no terms); other orders' rows add them (`rowWithTerms`). */
export class ColumnOrderRow implements OrderRow {
  declare readonly id: number;
  declare readonly account: string;
  declare readonly sym: string;
  declare readonly isBuy: boolean;
  declare readonly shares: number;
  declare readonly limit: number;
  declare readonly open: number;
  declare readonly time: number;
  declare readonly triggeredAt: number | null;
  declare readonly priority: number;

  constructor(state: ColumnState, slot: number) {
    this.id = state.orderId[slot]!;
    this.account = state.accountIds[state.owner[slot]!]!;
    this.sym = state.symbolNames[state.sym[slot]!]!;
    this.isBuy = state.buy[slot] === 1;
    this.shares = state.shares[slot]!;
    this.limit = state.limit[slot]!;
    this.open = state.open[slot]!;
    this.time = state.time[slot]!;
    this.triggeredAt = state.triggeredAt(slot);
    this.priority = state.priority[slot]!;
  }
}

export class ColumnReshape implements OrderReshape {
  declare readonly id: number;
  declare readonly open: number;
  declare readonly limit: number;
  declare readonly triggeredAt: number | null;
  declare readonly priority: number;

  constructor(state: ColumnState, slot: number) {
    this.id = state.orderId[slot]!;
    this.open = state.open[slot]!;
    this.limit = state.limit[slot]!;
    this.triggeredAt = state.triggeredAt(slot);
    this.priority = state.priority[slot]!;
  }
}
