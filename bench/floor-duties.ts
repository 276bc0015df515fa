// The pairs' floor with the engine's duties: what an engine with its state in typed arrays and
// its money exact in doubles (the redesign bench/report/engine-path.md plans) would cost, with
// everything the engine must give back and keep, on the mixed flow. Beyond the floor
// (engine-floor.ts) it builds every result as the engine does (opened, status with its fills,
// canceled, refusals, archived), keeps each order's fills and cancel for queries, tracks what
// changed and closes a batch every 100 commands with the engine's change rows (bigint values,
// converted from the doubles), keeps each account's resting orders in order, moves each book's
// sequence number, lets go of closed orders beyond the history cache (queries and cancels of
// them come back archived), and looks accounts and symbols up by name.
// `test/unit/engine-floor.test.ts` holds it to the engine: result for result, row for row,
// level for level.
//
// Left out: what the flow never asks for (order types beyond the plain limit order, amends,
// fees, market data events, restore) and reclaiming an evicted order's slots (its columns
// are sized for the flow; a real one would reuse pages). Shares and prices must be safe
// integers at 10^-8 and cash and positions stay within the pairs' exact range; a value
// beyond them throws here, where the engine would take a slower exact path.

import type {
  AccountRow,
  CancelRow,
  ChangeSet,
  ExecutionRow,
  OrderRow,
  PositionRow,
  SymbolRow,
} from '../src/engine/changes.js';
import type {
  CancelRecord,
  Echo,
  Fill,
  OrderStatus,
  Request,
  Result,
} from '../src/engine/commands.js';
import { exchangeError } from '../src/engine/errors.js';
import { notOpenError } from '../src/engine/archive.js';
import * as pair from '../src/decimal/exact-pair.js';
import { CANCEL, ORDER, flatten, type FlatFlow, type FlowMoney } from './floor-flow.js';
import { IdQueues, queuesOf } from '../src/engine/columns/id-queues.js';
import { Side } from '../src/engine/columns/price-side.js';

/** Shares and prices at 10^-8 as safe integers. */
const SAFE_UNITS: FlowMoney<number> = {
  units: (value) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new RangeError(`${value} is past 2^53 units`);
    return n;
  },
  array: (length) => new Float64Array(length),
};

const NO_FILLS: readonly Fill[] = Object.freeze([]);

/** The flow decoded for the duties' floor, with what the setup grants each symbol. */
export interface DutiesFlow {
  readonly flat: FlatFlow<number>;
  /** Shares ever granted in each symbol (10^-8), by symbol index. */
  readonly granted: bigint[];
  /**
   * Each command's account, and each order's symbol, as the request names them: the floor
   * looks them up by name as the engine does, rather than use the flat flow's indexes.
   */
  readonly accountName: readonly string[];
  readonly symbolName: readonly (string | undefined)[];
}

export function dutiesFlow(setup: Request, requests: readonly Request[]): DutiesFlow {
  const flat = flatten(setup, requests, SAFE_UNITS);
  const granted = flat.symbolNames.map(() => 0n);
  const grants = new Set<string>();
  for (const child of setup.children) {
    if (child.kind !== 'grant') continue;
    const s = flat.symbolNames.indexOf(child.sym);
    if (s === -1) throw new Error(`the setup grants ${child.sym}, which it does not make`);
    granted[s]! += child.shares;
    grants.add(`${child.id} ${child.sym}`);
  }
  // A position is made here for every account and symbol, where the engine makes one on a
  // grant or a first purchase: the same only when the setup grants every symbol to everyone.
  for (const id of flat.accountIds) {
    for (const sym of flat.symbolNames) {
      if (!grants.has(`${id} ${sym}`)) throw new Error(`the setup grants ${id} no ${sym}`);
    }
  }
  const accountName: string[] = [];
  const symbolName: (string | undefined)[] = [];
  for (const request of requests) {
    if (request.kind !== 'transactions') throw new Error('the flow has transactions only');
    const child = request.children[0]!;
    accountName.push(request.account);
    symbolName.push(child.kind === 'order' ? child.sym : undefined);
  }
  return { flat, granted, accountName, symbolName };
}

/** A FIFO list of ids in an Int32Array, with a mark per id so each is listed once. */
class IdList {
  readonly ids: Int32Array;
  private readonly marked: Uint8Array;
  length = 0;

  constructor(capacity: number) {
    this.ids = new Int32Array(capacity);
    this.marked = new Uint8Array(capacity);
  }

  mark(id: number): void {
    if (this.marked[id] === 1) return;
    this.marked[id] = 1;
    this.ids[this.length++] = id;
  }

  clear(): void {
    for (let i = 0; i < this.length; i++) this.marked[this.ids[i]!] = 0;
    this.length = 0;
  }
}

export class DutiesFloor {
  private readonly flow: FlatFlow<number>;
  private readonly accountName: readonly string[];
  private readonly symbolName: readonly (string | undefined)[];
  private readonly accountIndex: Map<string, number>;
  private readonly symbolIndex: Map<string, number>;
  private readonly symbols: number;
  // Accounts: cash as exact pairs (10^-16), each account's resting orders as a list.
  private readonly cashHi: Float64Array;
  private readonly cashLo: Float64Array;
  private readonly deposited: bigint;
  /** Each account's resting orders, oldest first. */
  private readonly accountOrders: IdQueues;
  // Positions (account × symbols + symbol): shares as exact pairs (10^-8).
  private readonly sharesHi: Float64Array;
  private readonly sharesLo: Float64Array;
  // Books: sequence numbers and sides.
  private readonly seq: Float64Array;
  private readonly granted: bigint[];
  private readonly sides: Side[] = [];
  // Orders by id from 1: shares and prices as safe integers at 10^-8.
  private readonly shares: Float64Array;
  private readonly open: Float64Array;
  private readonly limit: Float64Array;
  private readonly time: Float64Array;
  private readonly priority: Float64Array;
  private readonly owner: Int32Array;
  private readonly sym: Int32Array;
  private readonly buy: Uint8Array;
  private readonly level: Int32Array;
  private readonly stored: Uint8Array;
  private readonly evicted: Uint8Array;
  private readonly canceled: Uint8Array;
  private readonly canceledShares: Float64Array;
  private readonly canceledTime: Float64Array;
  private readonly firstFill: Int32Array;
  private readonly lastFill: Int32Array;
  // Price levels from a pool, keyed by price (a safe integer, so its own key).
  private readonly levelPrice: Float64Array;
  private readonly levelOpen: Float64Array;
  /** Each level's orders in time priority. */
  private readonly queues: IdQueues;
  private readonly freeLevels: number[] = [];
  private levelsUsed = 0;
  // Executions, in order: each both orders' fill, and a row of its batch.
  private readonly execShares: Float64Array;
  private readonly execPrice: Float64Array;
  private readonly execTime: Float64Array;
  private readonly execBuy: Int32Array;
  private readonly execSell: Int32Array;
  private readonly nextOfBuy: Int32Array;
  private readonly nextOfSell: Int32Array;
  private executionCount = 0;
  private batchExecutions = 0;
  // Closed orders in closing order, with their batch, for eviction.
  private readonly closedIds: Int32Array;
  private readonly closedBatch: Int32Array;
  private closedHead = 0;
  private closedTail = 0;
  // What changed in the batch being built.
  private readonly dirtyAccounts: IdList;
  private readonly dirtyPositions: IdList;
  private readonly dirtyBooks: IdList;
  private readonly dirtyOrders: IdList;
  private cancels: CancelRow[] = [];
  private nextId = 1;
  private nextPriority = 1;
  private batch = 1;

  constructor({ flat, granted, accountName, symbolName }: DutiesFlow) {
    this.flow = flat;
    this.accountName = accountName;
    this.symbolName = symbolName;
    this.accountIndex = new Map(flat.accountIds.map((id, a) => [id, a]));
    this.symbolIndex = new Map(flat.symbolNames.map((sym, s) => [sym, s]));
    this.symbols = flat.symbols;
    const accounts = flat.accounts;
    this.deposited = flat.funds.cash;
    this.cashHi = new Float64Array(accounts).fill(pair.fromBigInt(flat.funds.cash));
    this.cashLo = new Float64Array(accounts).fill(pair.low());
    this.sharesHi = new Float64Array(accounts * flat.symbols).fill(
      pair.fromBigInt(flat.funds.shares),
    );
    this.sharesLo = new Float64Array(accounts * flat.symbols).fill(pair.low());
    this.seq = new Float64Array(flat.symbols);
    this.granted = granted;
    const n = flat.orders + 1;
    this.shares = new Float64Array(n);
    this.open = new Float64Array(n);
    this.limit = new Float64Array(n);
    this.time = new Float64Array(n);
    this.priority = new Float64Array(n);
    this.owner = new Int32Array(n);
    this.sym = new Int32Array(n);
    this.buy = new Uint8Array(n);
    this.level = new Int32Array(n).fill(-1);
    this.accountOrders = queuesOf(accounts, n);
    this.stored = new Uint8Array(n);
    this.evicted = new Uint8Array(n);
    this.canceled = new Uint8Array(n);
    this.canceledShares = new Float64Array(n);
    this.canceledTime = new Float64Array(n);
    this.firstFill = new Int32Array(n).fill(-1);
    this.lastFill = new Int32Array(n).fill(-1);
    this.levelPrice = new Float64Array(n);
    this.levelOpen = new Float64Array(n);
    this.queues = queuesOf(n, n);
    // Each execution leaves one of its two orders with nothing open, so there are at most as
    // many executions as orders.
    this.execShares = new Float64Array(n);
    this.execPrice = new Float64Array(n);
    this.execTime = new Float64Array(n);
    this.execBuy = new Int32Array(n);
    this.execSell = new Int32Array(n);
    this.nextOfBuy = new Int32Array(n).fill(-1);
    this.nextOfSell = new Int32Array(n).fill(-1);
    this.closedIds = new Int32Array(n);
    this.closedBatch = new Int32Array(n);
    this.dirtyAccounts = new IdList(accounts);
    this.dirtyPositions = new IdList(accounts * flat.symbols);
    this.dirtyBooks = new IdList(flat.symbols);
    this.dirtyOrders = new IdList(n);
    const heapSlots = new Int32Array(n);
    for (let s = 0; s < flat.symbols; s++) {
      this.sides.push(
        new Side(true, { price: this.levelPrice, heapSlot: heapSlots }),
        new Side(false, { price: this.levelPrice, heapSlot: heapSlots }),
      );
    }
  }

  get currentBatch(): number {
    return this.batch;
  }

  get executions(): number {
    return this.executionCount;
  }

  /** Command `i` of the flow at time `now`: its results, as `Exchange.apply` gives them. */
  apply(i: number, now: number): Result[] {
    const kind = this.flow.kind[i]!;
    const echo = this.flow.echo[i]!;
    const name = this.accountName[i]!;
    const account = this.accountIndex.get(name);
    if (account === undefined) {
      return [{ kind: 'error', echo, error: exchangeError('ACCOUNT_NOT_FOUND', `id="${name}"`) }];
    }
    if (kind === ORDER) return [this.place(i, account, now)];
    const id = this.flow.orderId[i]!;
    return [kind === CANCEL ? this.cancel(account, id, echo, now) : this.query(id, echo)];
  }

  private place(i: number, account: number, now: number): Result {
    const flow = this.flow;
    const name = this.symbolName[i]!;
    const sym = this.symbolIndex.get(name);
    if (sym === undefined) {
      return {
        kind: 'error',
        echo: flow.echo[i]!,
        error: exchangeError('SYMBOL_NOT_FOUND', `sym="${name}"`),
      };
    }
    const isBuy = flow.buy[i] === 1;
    const shares = flow.shares[i]!;
    const limit = flow.limit[i]!;
    if (isBuy) {
      const costHi = pair.twoProduct(shares, limit);
      const costLo = pair.low();
      if (pair.less(this.cashHi[account]!, this.cashLo[account]!, costHi, costLo)) {
        return { kind: 'error', echo: flow.echo[i]!, error: exchangeError('INSUFFICIENT_FUNDS') };
      }
      this.moveCash(account, -costHi, -costLo);
    } else {
      const position = account * this.symbols + sym;
      if (pair.less(this.sharesHi[position]!, this.sharesLo[position]!, shares, 0)) {
        return { kind: 'error', echo: flow.echo[i]!, error: exchangeError('INSUFFICIENT_SHARES') };
      }
      this.moveShares(position, -shares);
    }
    const id = this.nextId++;
    this.shares[id] = shares;
    this.open[id] = shares;
    this.limit[id] = limit;
    this.time[id] = now;
    this.owner[id] = account;
    this.sym[id] = sym;
    this.buy[id] = isBuy ? 1 : 0;
    this.dirtyOrders.mark(id);
    this.match(id, sym, isBuy, limit, now);
    if (this.open[id]! > 0) {
      this.priority[id] = this.nextPriority++;
      this.rest(id);
      this.advance(sym);
    } else this.close(id);
    return { kind: 'opened', echo: flow.echo[i]!, orderId: id };
  }

  private match(id: number, sym: number, isBuy: boolean, limit: number, now: number): void {
    const opposite = this.sides[2 * sym + (isBuy ? 1 : 0)]!;
    while (this.open[id]! > 0 && opposite.heap.length > 0) {
      const best = opposite.heap[0]!;
      const price = this.levelPrice[best]!;
      if (isBuy ? limit < price : price < limit) return;
      let resting = this.queues.head[best]!;
      while (resting !== 0 && this.open[id]! > 0) {
        const next = this.queues.next[resting]!;
        const fill = Math.min(this.open[id]!, this.open[resting]!);
        this.execute(sym, id, resting, isBuy, fill, price, now);
        this.levelOpen[best] = this.levelOpen[best]! - fill;
        if (this.open[resting] === 0) {
          this.unlink(resting);
          this.close(resting);
        }
        resting = next;
      }
    }
  }

  private execute(
    sym: number,
    incoming: number,
    resting: number,
    incomingBuys: boolean,
    shares: number,
    price: number,
    now: number,
  ): void {
    const buy = incomingBuys ? incoming : resting;
    const sell = incomingBuys ? resting : incoming;
    this.open[buy] = this.open[buy]! - shares;
    this.open[sell] = this.open[sell]! - shares;
    const e = this.executionCount++;
    this.execShares[e] = shares;
    this.execPrice[e] = price;
    this.execTime[e] = now;
    this.execBuy[e] = buy;
    this.execSell[e] = sell;
    this.addFill(buy, e, true);
    this.addFill(sell, e, false);
    const buyer = this.owner[buy]!;
    this.moveShares(buyer * this.symbols + sym, shares);
    // The buyer reserved shares × its limit; it pays shares × price.
    const buyLimit = this.limit[buy]!;
    if (buyLimit !== price) {
      this.moveCash(buyer, pair.twoProduct(shares, buyLimit - price), pair.low());
    }
    this.moveCash(this.owner[sell]!, pair.twoProduct(shares, price), pair.low());
    this.dirtyOrders.mark(resting);
    this.advance(sym);
  }

  /** Appends execution `e` to the fills of order `id`, on the side the order is. */
  private addFill(id: number, e: number, isBuy: boolean): void {
    const last = this.lastFill[id]!;
    if (last === -1) this.firstFill[id] = e;
    else if (isBuy) this.nextOfBuy[last] = e;
    else this.nextOfSell[last] = e;
    this.lastFill[id] = e;
  }

  private moveCash(account: number, hi: number, lo: number): void {
    this.cashHi[account] = pair.add(this.cashHi[account]!, this.cashLo[account]!, hi, lo);
    this.cashLo[account] = pair.low();
    if (!(Math.abs(this.cashHi[account]!) < pair.LIMIT)) throw new RangeError('past pairs');
    this.dirtyAccounts.mark(account);
  }

  private moveShares(position: number, n: number): void {
    this.sharesHi[position] = pair.add(this.sharesHi[position]!, this.sharesLo[position]!, n, 0);
    this.sharesLo[position] = pair.low();
    if (!(Math.abs(this.sharesHi[position]!) < pair.LIMIT)) throw new RangeError('past pairs');
    this.dirtyPositions.mark(position);
  }

  /** A change of the book: its sequence moves on. */
  private advance(sym: number): void {
    this.seq[sym] = this.seq[sym]! + 1;
    this.dirtyBooks.mark(sym);
  }

  private rest(id: number): void {
    const sym = this.sym[id]!;
    const side = this.sides[2 * sym + (this.buy[id] === 1 ? 0 : 1)]!;
    const price = this.limit[id]!;
    let level = side.byPrice.get(price);
    if (level === undefined) {
      level = this.freeLevels.pop() ?? this.levelsUsed++;
      this.levelPrice[level] = price;
      this.levelOpen[level] = 0;
      side.add(level);
    }
    this.queues.append(level, id);
    this.levelOpen[level] = this.levelOpen[level]! + this.open[id]!;
    if (!(this.levelOpen[level]! <= Number.MAX_SAFE_INTEGER)) throw new RangeError('level size');
    this.level[id] = level;
    this.accountOrders.append(this.owner[id]!, id);
  }

  private unlink(id: number): void {
    const level = this.level[id]!;
    this.levelOpen[level] = this.levelOpen[level]! - this.open[id]!;
    this.queues.remove(level, id);
    this.level[id] = -1;
    this.accountOrders.remove(this.owner[id]!, id);
    if (this.queues.head[level] === 0) {
      const side = this.sides[2 * this.sym[id]! + (this.buy[id] === 1 ? 0 : 1)]!;
      side.remove(level);
      this.freeLevels.push(level);
    }
  }

  private close(id: number): void {
    this.closedIds[this.closedTail] = id;
    this.closedBatch[this.closedTail++] = this.batch;
  }

  /** Whether an order was given this id (held now, or let go since it closed). */
  private issued(id: number): boolean {
    return id > 0 && id < this.nextId;
  }

  /** Whether the order with this id is held: issued, and not let go since it closed. */
  private held(id: number): boolean {
    return this.issued(id) && this.evicted[id] === 0;
  }

  private query(id: number, echo: Echo): Result {
    if (!this.held(id)) {
      return this.issued(id)
        ? { kind: 'archived', op: 'query', orderId: id, account: '', echo }
        : { kind: 'error', echo, error: exchangeError('ORDER_NOT_FOUND') };
    }
    return { kind: 'status', echo, status: this.status(id) };
  }

  private cancel(account: number, id: number, echo: Echo, now: number): Result {
    if (!this.held(id)) {
      const accountId = this.flow.accountIds[account]!;
      return this.issued(id)
        ? { kind: 'archived', op: 'cancel', orderId: id, account: accountId, echo }
        : { kind: 'error', echo, error: exchangeError('ORDER_NOT_FOUND') };
    }
    if (this.owner[id] !== account) {
      return { kind: 'error', echo, error: exchangeError('NOT_ORDER_OWNER') };
    }
    const shares = this.open[id]!;
    if (shares === 0) return { kind: 'error', echo, error: notOpenError(this.canceled[id] === 1) };
    const sym = this.sym[id]!;
    this.unlink(id);
    this.advance(sym);
    if (this.buy[id] === 1) {
      this.moveCash(account, pair.twoProduct(shares, this.limit[id]!), pair.low());
    } else this.moveShares(account * this.symbols + sym, shares);
    this.open[id] = 0;
    this.canceled[id] = 1;
    this.canceledShares[id] = shares;
    this.canceledTime[id] = now;
    this.dirtyOrders.mark(id);
    this.cancels.push({ orderId: id, shares: BigInt(shares), time: now });
    this.close(id);
    return { kind: 'canceled', echo, status: this.status(id) };
  }

  private status(id: number): OrderStatus {
    let fills = NO_FILLS;
    let e = this.firstFill[id]!;
    if (e !== -1) {
      const nextFill = this.buy[id] === 1 ? this.nextOfBuy : this.nextOfSell;
      const list: Fill[] = [];
      while (e !== -1) {
        list.push({
          shares: BigInt(this.execShares[e]!),
          price: BigInt(this.execPrice[e]!),
          time: this.execTime[e]!,
        });
        e = nextFill[e]!;
      }
      fills = list;
    }
    const canceled: CancelRecord | null =
      this.canceled[id] === 1
        ? { shares: BigInt(this.canceledShares[id]!), time: this.canceledTime[id]! }
        : null;
    return { open: BigInt(this.open[id]!), canceled, fills };
  }

  /** Closes the current batch: everything changed since the last call, as the engine's rows. */
  takeChanges(): ChangeSet {
    this.batch++;
    const flow = this.flow;
    const accounts = this.dirtyAccounts;
    const accountRows = new Array<AccountRow>(accounts.length);
    for (let i = 0; i < accounts.length; i++) {
      const a = accounts.ids[i]!;
      accountRows[i] = {
        id: flow.accountIds[a]!,
        cash: pair.toBigInt(this.cashHi[a]!, this.cashLo[a]!),
        deposited: this.deposited,
      };
    }
    accounts.clear();
    const books = this.dirtyBooks;
    const symbolRows = new Array<SymbolRow>(books.length);
    for (let i = 0; i < books.length; i++) {
      const s = books.ids[i]!;
      symbolRows[i] = { sym: flow.symbolNames[s]!, granted: this.granted[s]!, seq: this.seq[s]! };
    }
    books.clear();
    const positions = this.dirtyPositions;
    const positionRows = new Array<PositionRow>(positions.length);
    for (let i = 0; i < positions.length; i++) {
      const p = positions.ids[i]!;
      positionRows[i] = {
        account: flow.accountIds[Math.floor(p / this.symbols)]!,
        sym: flow.symbolNames[p % this.symbols]!,
        shares: pair.toBigInt(this.sharesHi[p]!, this.sharesLo[p]!),
      };
    }
    positions.clear();
    const executions = new Array<ExecutionRow>(this.executionCount - this.batchExecutions);
    for (let e = this.batchExecutions; e < this.executionCount; e++) {
      const buy = this.execBuy[e]!;
      executions[e - this.batchExecutions] = {
        sym: flow.symbolNames[this.sym[buy]!]!,
        buyOrderId: buy,
        sellOrderId: this.execSell[e]!,
        shares: BigInt(this.execShares[e]!),
        price: BigInt(this.execPrice[e]!),
        time: this.execTime[e]!,
        buyFee: null,
        sellFee: null,
      };
    }
    this.batchExecutions = this.executionCount;
    const changes: ChangeSet = {
      accounts: accountRows,
      symbols: symbolRows,
      positions: positionRows,
      newOrders: [],
      orderUpdates: [],
      orderReshapes: [],
      executions,
      cancels: this.cancels,
      amendments: [],
    };
    const orders = this.dirtyOrders;
    for (let i = 0; i < orders.length; i++) {
      const id = orders.ids[i]!;
      if (this.stored[id] === 0) {
        changes.newOrders.push(this.orderRow(id));
        this.stored[id] = 1;
      } else changes.orderUpdates.push({ id, open: BigInt(this.open[id]!) });
    }
    orders.clear();
    this.cancels = [];
    return changes;
  }

  private orderRow(id: number): OrderRow {
    const shares = BigInt(this.shares[id]!);
    const open = this.open[id]!;
    return {
      id,
      account: this.flow.accountIds[this.owner[id]!]!,
      sym: this.flow.symbolNames[this.sym[id]!]!,
      isBuy: this.buy[id] === 1,
      shares,
      limit: BigInt(this.limit[id]!),
      // One bigint for both while the order is whole, as the engine's row holds its one.
      open: open === this.shares[id] ? shares : BigInt(open),
      time: this.time[id]!,
      triggeredAt: null,
      priority: this.priority[id]!,
    };
  }

  /** Lets go of closed orders beyond the newest `keep`, among those closed up to `durableBatch`. */
  evictClosed(durableBatch: number, keep: number): void {
    while (this.closedTail - this.closedHead > keep) {
      if (this.closedBatch[this.closedHead]! > durableBatch) return;
      this.evicted[this.closedIds[this.closedHead++]!] = 1;
    }
  }

  /** A side of a book's levels, best first: each one's price and open shares (10^-8). */
  levels(sym: string, bids: boolean): { price: bigint; open: bigint }[] {
    const side = this.sides[2 * this.symbolIndex.get(sym)! + (bids ? 0 : 1)]!;
    const prices = side.heap.map((level) => this.levelPrice[level]!);
    prices.sort((a, b) => (bids ? b - a : a - b));
    return prices.map((price) => ({
      price: BigInt(price),
      open: BigInt(this.levelOpen[side.byPrice.get(price)!]!),
    }));
  }

  /** An account's resting orders, oldest first, by id. */
  restingOrders(account: string): number[] {
    const ids: number[] = [];
    const queues = this.accountOrders;
    for (let id = queues.head[this.accountIndex.get(account)!]!; id !== 0; id = queues.next[id]!) {
      ids.push(id);
    }
    return ids;
  }

  /** Orders resting in the books. */
  get resting(): number {
    let count = 0;
    for (let id = 1; id < this.nextId; id++) if (this.level[id] !== -1) count++;
    return count;
  }

  /** Every account's cash (10^-16) and every position (10^-8), by index. */
  balances(): { cash: bigint[]; shares: bigint[] } {
    return {
      cash: Array.from(this.cashHi, (hi, a) => pair.toBigInt(hi, this.cashLo[a]!)),
      shares: Array.from(this.sharesHi, (hi, p) => pair.toBigInt(hi, this.sharesLo[p]!)),
    };
  }
}
