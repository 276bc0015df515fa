// A batch's changes as columns: what the column engine hands out. Its numbers, amounts among
// them, are in one Float64Array, its names in one array of strings, so closing a batch makes
// a handful of arrays where rows made an object per changed account, position, order and
// execution, most of what the engine allocated a command. A store's thread receives the
// columns' arrays as they are: a structured clone copies the typed array's bytes, where rows
// had to be packed into arrays of values first. Whoever reads the change set as rows on the
// engine's thread (the trade tape, the memory store) gets them made on first read, each table
// once.
// bench/report/engine-path.md has the measurements.

import { pairUnits, type Units } from '../decimal/units.js';
import {
  rowWithTerms,
  type AccountRow,
  type AmendmentRow,
  type CancelRow,
  type ChangeSet,
  type ExecutionRow,
  type OrderOpenUpdate,
  type OrderReshape,
  type OrderRow,
  type PositionRow,
  type SymbolRow,
} from './changes.js';
import type { OrderTerms } from './order.js';

// Numbers per row in `values`, by table.
/** Cash as an exact pair: high, low. */
export const ACCOUNT_VALUES = 2;
/** Shares as an exact pair: high, low. */
export const POSITION_VALUES = 2;
/** id, buy (1) or sell (0), shares, limit, open, time, triggered at (NaN: null), priority. */
export const ORDER_VALUES = 8;
/** id, open. */
export const UPDATE_VALUES = 2;
/** buy order id, sell order id, shares, price, time. */
export const EXECUTION_VALUES = 5;

// Names per row in `names`: an account's id; a position's account and symbol, and an order's;
// an execution's symbol.
const POSITION_NAMES = 2;
const ORDER_NAMES = 2;

/** A batch's changes as columns; a store's codec sends its arrays to another thread as they are. */
export interface ChangeColumns {
  readonly accountCount: number;
  readonly positionCount: number;
  readonly orderCount: number;
  readonly updateCount: number;
  readonly executionCount: number;
  /** The tables' numbers: accounts, positions, orders, updates, executions, in that order. */
  readonly values: Float64Array;
  /** The tables' names, in the same order. */
  readonly names: readonly string[];
  /** Per account, the balance it was created with. */
  readonly deposited: readonly bigint[];
  /** Per new order, its terms; null for a plain limit order. */
  readonly terms: readonly (OrderTerms | null)[];
  /** The tables with few rows a batch, as rows. */
  readonly symbols: SymbolRow[];
  readonly orderReshapes: OrderReshape[];
  readonly cancels: CancelRow[];
  readonly amendments: AmendmentRow[];
}

/** Where each table starts, in `values` and in `names`. */
export interface ColumnOffsets {
  readonly positionValues: number;
  readonly orderValues: number;
  readonly updateValues: number;
  readonly executionValues: number;
  readonly valueCount: number;
  readonly positionNames: number;
  readonly orderNames: number;
  readonly executionNames: number;
  readonly nameCount: number;
}

export function columnOffsets(
  accounts: number,
  positions: number,
  orders: number,
  updates: number,
  executions: number,
): ColumnOffsets {
  const positionValues = accounts * ACCOUNT_VALUES;
  const orderValues = positionValues + positions * POSITION_VALUES;
  const updateValues = orderValues + orders * ORDER_VALUES;
  const executionValues = updateValues + updates * UPDATE_VALUES;
  const positionNames = accounts;
  const orderNames = positionNames + positions * POSITION_NAMES;
  const executionNames = orderNames + orders * ORDER_NAMES;
  return {
    positionValues,
    orderValues,
    updateValues,
    executionValues,
    valueCount: executionValues + executions * EXECUTION_VALUES,
    positionNames,
    orderNames,
    executionNames,
    nameCount: executionNames + executions,
  };
}

/**
 * A change set over columns: its rows are made when a table is first read. On a store's
 * thread the codec rebuilds the columns from their arrays and reads them through this class.
 */
export class ColumnarChangeSet implements ChangeSet {
  private accountRows: AccountRow[] | null = null;
  private positionRows: PositionRow[] | null = null;
  private orderRows: OrderRow[] | null = null;
  private updateRows: OrderOpenUpdate[] | null = null;
  private executionRows: ExecutionRow[] | null = null;

  /** `offsets`: the columns' own, where their builder has them already. */
  constructor(
    readonly columns: ChangeColumns,
    private readonly offsets: ColumnOffsets = columnOffsets(
      columns.accountCount,
      columns.positionCount,
      columns.orderCount,
      columns.updateCount,
      columns.executionCount,
    ),
  ) {}

  /** Whether the batch changed nothing, read without making rows. */
  get isEmpty(): boolean {
    const c = this.columns;
    return (
      this.offsets.valueCount === 0 &&
      c.symbols.length === 0 &&
      c.orderReshapes.length === 0 &&
      c.cancels.length === 0 &&
      c.amendments.length === 0
    );
  }

  get accounts(): AccountRow[] {
    if (this.accountRows !== null) return this.accountRows;
    const rows = new Array<AccountRow>(this.columns.accountCount);
    for (let i = 0; i < rows.length; i++) rows[i] = new AccountFromColumns(this.columns, i);
    return (this.accountRows = rows);
  }

  get positions(): PositionRow[] {
    if (this.positionRows !== null) return this.positionRows;
    const rows = new Array<PositionRow>(this.columns.positionCount);
    for (let i = 0; i < rows.length; i++) {
      rows[i] = new PositionFromColumns(this.columns, this.offsets, i);
    }
    return (this.positionRows = rows);
  }

  get newOrders(): OrderRow[] {
    if (this.orderRows !== null) return this.orderRows;
    const rows = new Array<OrderRow>(this.columns.orderCount);
    for (let i = 0; i < rows.length; i++) {
      const row = new OrderFromColumns(this.columns, this.offsets, i);
      const terms = this.columns.terms[i]!;
      rows[i] = terms === null ? row : rowWithTerms(row, terms);
    }
    return (this.orderRows = rows);
  }

  get orderUpdates(): OrderOpenUpdate[] {
    if (this.updateRows !== null) return this.updateRows;
    const rows = new Array<OrderOpenUpdate>(this.columns.updateCount);
    const v = this.columns.values;
    for (let i = 0, at = this.offsets.updateValues; i < rows.length; i++, at += UPDATE_VALUES) {
      rows[i] = new UpdateFromColumns(v[at]!, v[at + 1]!);
    }
    return (this.updateRows = rows);
  }

  get executions(): ExecutionRow[] {
    if (this.executionRows !== null) return this.executionRows;
    const rows = new Array<ExecutionRow>(this.columns.executionCount);
    for (let i = 0; i < rows.length; i++) {
      rows[i] = new ExecutionFromColumns(this.columns, this.offsets, i);
    }
    return (this.executionRows = rows);
  }

  get symbols(): SymbolRow[] {
    return this.columns.symbols;
  }

  get orderReshapes(): OrderReshape[] {
    return this.columns.orderReshapes;
  }

  get cancels(): CancelRow[] {
    return this.columns.cancels;
  }

  get amendments(): AmendmentRow[] {
    return this.columns.amendments;
  }
}

// Rows made by constructors, not literals, for the reason column-rows.ts gives.

class AccountFromColumns implements AccountRow {
  declare readonly id: string;
  declare readonly cash: Units;
  declare readonly deposited: bigint;

  constructor(c: ChangeColumns, i: number) {
    const at = i * ACCOUNT_VALUES;
    this.id = c.names[i]!;
    this.cash = pairUnits(c.values[at]!, c.values[at + 1]!);
    this.deposited = c.deposited[i]!;
  }
}

class PositionFromColumns implements PositionRow {
  declare readonly account: string;
  declare readonly sym: string;
  declare readonly shares: Units;

  constructor(c: ChangeColumns, o: ColumnOffsets, i: number) {
    const at = o.positionValues + i * POSITION_VALUES;
    const name = o.positionNames + i * POSITION_NAMES;
    this.account = c.names[name]!;
    this.sym = c.names[name + 1]!;
    this.shares = pairUnits(c.values[at]!, c.values[at + 1]!);
  }
}

class OrderFromColumns implements OrderRow {
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

  constructor(c: ChangeColumns, o: ColumnOffsets, i: number) {
    const v = c.values;
    const at = o.orderValues + i * ORDER_VALUES;
    const name = o.orderNames + i * ORDER_NAMES;
    this.id = v[at]!;
    this.account = c.names[name]!;
    this.sym = c.names[name + 1]!;
    this.isBuy = v[at + 1] === 1;
    this.shares = v[at + 2]!;
    this.limit = v[at + 3]!;
    this.open = v[at + 4]!;
    this.time = v[at + 5]!;
    const triggeredAt = v[at + 6]!;
    this.triggeredAt = Number.isNaN(triggeredAt) ? null : triggeredAt;
    this.priority = v[at + 7]!;
  }
}

class UpdateFromColumns implements OrderOpenUpdate {
  constructor(
    readonly id: number,
    readonly open: number,
  ) {}
}

class ExecutionFromColumns implements ExecutionRow {
  declare readonly sym: string;
  declare readonly buyOrderId: number;
  declare readonly sellOrderId: number;
  declare readonly shares: number;
  declare readonly price: number;
  declare readonly time: number;
  declare readonly buyFee: null;
  declare readonly sellFee: null;

  constructor(c: ChangeColumns, o: ColumnOffsets, i: number) {
    const v = c.values;
    const at = o.executionValues + i * EXECUTION_VALUES;
    this.sym = c.names[o.executionNames + i]!;
    this.buyOrderId = v[at]!;
    this.sellOrderId = v[at + 1]!;
    this.shares = v[at + 2]!;
    this.price = v[at + 3]!;
    this.time = v[at + 4]!;
    this.buyFee = null;
    this.sellFee = null;
  }
}
