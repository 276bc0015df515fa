// The column engine's state: accounts, positions, books, orders, price levels and executions
// as columns of typed arrays indexed by slot, no object per order, fill or link. Shares and
// prices are safe integers of 10^-8 units in doubles; cash (10^-16) and positions (10^-8) are
// exact pairs of doubles (decimal/exact-pair.ts). What falls outside those ranges never
// enters: `ColumnExchange.accepts` sends it to the classic engine (adaptive-exchange.ts).
//
// Slots count from 1 (0 is "none" in the link columns). An order's slot is freed when the
// order is let go (evicted); an execution's when both its orders are.

import { Side, type LevelPool } from './price-side.js';
import { IdQueues } from './id-queues.js';
import { SlotIndex } from './slot-index.js';
import { capacityFor, grownBytes, grownFloats, grownInts } from './growable.js';
import { MarkList } from './mark-list.js';
import type { AmendmentRow, CancelRow } from '../changes.js';
import type { ColumnEventLog } from './column-events.js';
import type { OrderTerms } from '../order.js';
import { columnTerms, isStop } from './order-terms.js';
import { waitingSlots, type StopRecord } from './column-stops.js';
import type { WaitingStops } from '../waiting-stops.js';

/** Bits of an order's `flags`. */
export const STORED = 1;
export const RESHAPED = 2;

/** An amend of an order: its open shares and limit after it, in units. */
export interface AmendRecord {
  readonly open: number;
  readonly limit: number;
  readonly time: number;
  readonly serial: number;
}

export class ColumnState {
  // Accounts by number, from 0.
  readonly accountIndex = new Map<string, number>();
  readonly accountIds: string[] = [];
  readonly deposited: bigint[] = [];
  cashHi = new Float64Array(16);
  cashLo = new Float64Array(16);
  /** Each account's positions: symbol number → position number. */
  readonly positionsOf: Map<number, number>[] = [];
  /** Each account's resting orders, oldest first (lists by account, links by order slot). */
  readonly accountOrders = new IdQueues();
  /** Cash ever deposited, all accounts: no account's cash can pass it (cash is conserved). */
  totalDeposited = 0n;

  // Positions by number, from 0.
  sharesHi = new Float64Array(16);
  sharesLo = new Float64Array(16);
  positionAccount = new Int32Array(16);
  positionSym = new Int32Array(16);
  positionCount = 0;

  // Symbols by number, from 0: two sides each (bids at 2s, asks at 2s + 1).
  readonly symbolIndex = new Map<string, number>();
  readonly symbolNames: string[] = [];
  /** Shares ever granted: no position in the symbol can pass it (shares are conserved). */
  readonly granted: bigint[] = [];
  readonly seq: number[] = [];
  readonly sides: Side[] = [];
  /** Orders resting on each side, as the sides are numbered. */
  readonly sideOrders: number[] = [];
  /** Each book's stop orders waiting for their trigger (column-stops.ts), and all of them. */
  readonly waiting: WaitingStops<number>[] = [];
  stopsWaiting = 0;

  // Orders by slot.
  readonly slots = new SlotIndex();
  readonly freeSlots: number[] = [];
  slotsUsed = 1;
  orderId = new Float64Array(16);
  shares = new Float64Array(16);
  open = new Float64Array(16);
  limit = new Float64Array(16);
  time = new Float64Array(16);
  priority = new Float64Array(16);
  owner = new Int32Array(16);
  sym = new Int32Array(16);
  /** Its price level while it rests, else -1. */
  level = new Int32Array(16);
  buy = new Uint8Array(16);
  /** Its terms as a code (order-terms.ts): 0 for a plain limit order. */
  kind = new Uint8Array(16);
  /**
   * STORED: the store has its row (later changes are updates); RESHAPED: an amend changed
   * it in the batch being built (its change is a reshape).
   */
  flags = new Uint8Array(16);
  canceled = new Uint8Array(16);
  canceledShares = new Float64Array(16);
  canceledTime = new Float64Array(16);
  /** A stop order's stop price (its other stop facts are in `stopsOf`). */
  stopPrice = new Float64Array(16);
  /** First and last of its executions (execution slots), -1 for none. */
  firstFill = new Int32Array(16);
  lastFill = new Int32Array(16);

  // Price levels by number, from a pool; each a queue of order slots.
  readonly pool: LevelPool = { price: new Float64Array(16), heapSlot: new Int32Array(16) };
  readonly queues = new IdQueues();
  readonly freeLevels: number[] = [];
  levelsUsed = 0;

  // Executions by slot: both orders' fill, and a row of its batch.
  execShares = new Float64Array(16);
  execPrice = new Float64Array(16);
  execTime = new Float64Array(16);
  execBuy = new Float64Array(16);
  execSell = new Float64Array(16);
  execSym = new Int32Array(16);
  /** The execution's place among all executions: the order they happened in. */
  execSerial = new Float64Array(16);
  /** The next execution of its buy order and of its sell order, -1 for none. */
  nextOfBuy = new Int32Array(16);
  nextOfSell = new Int32Array(16);
  /** Its orders still held (2 or fewer): the slot is free at 0. */
  execHolders = new Uint8Array(16);
  readonly freeExecs: number[] = [];
  execsUsed = 0;
  executionSerial = 0;
  /** The executions of the batch being built, in order. */
  batchExecs: number[] = [];

  /** Stop orders' terms and trigger times, by slot (column-stops.ts); `stopPrice` is a column. */
  readonly stopsOf = new Map<number, StopRecord>();

  // Amends, few beside orders: each amended order's, oldest first, by slot; `serial` orders
  // them all, as they happened.
  readonly amendmentsOf = new Map<number, AmendRecord[]>();
  amendmentSerial = 0;

  // Closed orders in closing order with their batch, for eviction (a FIFO from closedHead).
  closedSlots: number[] = [];
  closedBatch: number[] = [];
  closedHead = 0;

  // What changed in the batch being built.
  readonly dirtyAccounts = new MarkList();
  readonly dirtyPositions = new MarkList();
  readonly dirtyBooks = new MarkList();
  readonly dirtyOrders = new MarkList();
  cancels: CancelRow[] = [];
  amendmentRows: AmendmentRow[] = [];
  /** Market-data events, kept from the first book-feed subscriber on. */
  eventLog: ColumnEventLog | null = null;

  nextId = 1;
  nextPriority = 1;
  batch = 1;

  addAccount(id: string, cashHi: number, cashLo: number, deposited: bigint): number {
    const a = this.accountIds.length;
    this.accountIndex.set(id, a);
    this.accountIds.push(id);
    this.deposited.push(deposited);
    this.positionsOf.push(new Map());
    if (a >= this.cashHi.length) {
      const n = capacityFor(a, this.cashHi.length);
      this.cashHi = grownFloats(this.cashHi, n);
      this.cashLo = grownFloats(this.cashLo, n);
    }
    this.cashHi[a] = cashHi;
    this.cashLo[a] = cashLo;
    this.accountOrders.ensureList(a);
    this.totalDeposited += deposited;
    return a;
  }

  addSymbol(sym: string, granted: bigint, seq: number): number {
    const s = this.symbolNames.length;
    this.symbolIndex.set(sym, s);
    this.symbolNames.push(sym);
    this.granted.push(granted);
    this.seq.push(seq);
    this.sides.push(new Side(true, this.pool), new Side(false, this.pool));
    this.sideOrders.push(0, 0);
    this.waiting.push(waitingSlots(this));
    return s;
  }

  /** The account's position in the symbol, made with no shares if it has none. */
  position(account: number, sym: number): number {
    const positions = this.positionsOf[account]!;
    const found = positions.get(sym);
    if (found !== undefined) return found;
    const p = this.positionCount++;
    if (p >= this.sharesHi.length) this.growPositions(p);
    this.sharesHi[p] = 0;
    this.sharesLo[p] = 0;
    this.positionAccount[p] = account;
    this.positionSym[p] = sym;
    positions.set(sym, p);
    return p;
  }

  // Growth out of line, as in takeSlot: the hot functions that take a slot stay small enough
  // for V8 to inline them (its budget is counted in bytecode, the cold code's too).
  private growPositions(p: number): void {
    const n = capacityFor(p, this.sharesHi.length);
    this.sharesHi = grownFloats(this.sharesHi, n);
    this.sharesLo = grownFloats(this.sharesLo, n);
    this.positionAccount = grownInts(this.positionAccount, n);
    this.positionSym = grownInts(this.positionSym, n);
  }

  /** A slot for a new order, its columns reset. */
  takeSlot(id: number): number {
    const slot = this.freeSlots.pop() ?? this.slotsUsed++;
    if (slot >= this.orderId.length) this.growOrders(slot);
    this.orderId[slot] = id;
    this.priority[slot] = 0;
    this.level[slot] = -1;
    this.flags[slot] = 0;
    this.canceled[slot] = 0;
    this.firstFill[slot] = -1;
    this.lastFill[slot] = -1;
    this.slots.set(id, slot);
    return slot;
  }

  private growOrders(slot: number): void {
    const n = capacityFor(slot, this.orderId.length);
    this.orderId = grownFloats(this.orderId, n);
    this.shares = grownFloats(this.shares, n);
    this.open = grownFloats(this.open, n);
    this.limit = grownFloats(this.limit, n);
    this.time = grownFloats(this.time, n);
    this.priority = grownFloats(this.priority, n);
    this.owner = grownInts(this.owner, n);
    this.sym = grownInts(this.sym, n);
    this.level = grownInts(this.level, n, -1);
    this.buy = grownBytes(this.buy, n);
    this.kind = grownBytes(this.kind, n);
    this.flags = grownBytes(this.flags, n);
    this.canceled = grownBytes(this.canceled, n);
    this.canceledShares = grownFloats(this.canceledShares, n);
    this.canceledTime = grownFloats(this.canceledTime, n);
    this.stopPrice = grownFloats(this.stopPrice, n);
    this.firstFill = grownInts(this.firstFill, n, -1);
    this.lastFill = grownInts(this.lastFill, n, -1);
    this.accountOrders.ensureSlot(slot);
    this.queues.ensureSlot(slot);
  }

  /** A level for a new price, from the pool. */
  takeLevel(price: number): number {
    const level = this.freeLevels.pop() ?? this.levelsUsed++;
    if (level >= this.pool.price.length) {
      const n = capacityFor(level, this.pool.price.length);
      this.pool.price = grownFloats(this.pool.price, n);
      this.pool.heapSlot = grownInts(this.pool.heapSlot, n);
    }
    this.queues.ensureList(level);
    this.pool.price[level] = price;
    return level;
  }

  /** A slot for a new execution. */
  takeExec(): number {
    const e = this.freeExecs.pop() ?? this.execsUsed++;
    if (e >= this.execShares.length) this.growExecs(e);
    this.nextOfBuy[e] = -1;
    this.nextOfSell[e] = -1;
    this.execHolders[e] = 2;
    this.execSerial[e] = this.executionSerial++;
    return e;
  }

  private growExecs(e: number): void {
    const n = capacityFor(e, this.execShares.length);
    this.execShares = grownFloats(this.execShares, n);
    this.execPrice = grownFloats(this.execPrice, n);
    this.execTime = grownFloats(this.execTime, n);
    this.execBuy = grownFloats(this.execBuy, n);
    this.execSell = grownFloats(this.execSell, n);
    this.execSym = grownInts(this.execSym, n);
    this.execSerial = grownFloats(this.execSerial, n);
    this.nextOfBuy = grownInts(this.nextOfBuy, n);
    this.nextOfSell = grownInts(this.nextOfSell, n);
    this.execHolders = grownBytes(this.execHolders, n);
  }

  /** Order `slot`'s terms, as the classic engine's (LIMIT_GTC for a plain limit order). */
  terms(slot: number): OrderTerms {
    const kind = this.kind[slot]!;
    return isStop(kind) ? this.stopsOf.get(slot)!.terms : columnTerms(kind);
  }

  // Waiting stops join and leave their book's list only through these, which keep the count.
  /** Stop order `slot` waits in its book's list. */
  addWaiting(slot: number): void {
    this.waiting[this.sym[slot]!]!.add(slot);
    this.stopsWaiting++;
  }

  /** Stop order `slot` no longer waits (canceled). */
  removeWaiting(slot: number): void {
    this.waiting[this.sym[slot]!]!.remove(slot);
    this.stopsWaiting--;
  }

  /** The waiting stops of book `sym` that trades from `low` to `high` trigger, in id order. */
  takeTriggered(sym: number, low: number, high: number): number[] {
    const triggered = this.waiting[sym]!.takeTriggered(low, high);
    this.stopsWaiting -= triggered.length;
    return triggered;
  }

  /** Whether order `slot` is a stop order waiting for its trigger (open, outside the book). */
  isWaiting(slot: number): boolean {
    return (
      isStop(this.kind[slot]!) &&
      this.stopsOf.get(slot)!.triggeredAt === null &&
      this.open[slot]! > 0
    );
  }

  /** When stop order `slot` was triggered; null while it waits, and for other orders. */
  triggeredAt(slot: number): number | null {
    return isStop(this.kind[slot]!) ? this.stopsOf.get(slot)!.triggeredAt : null;
  }

  /** Records an amend of order `slot`, and its row for the batch being built. */
  addAmendment(slot: number, open: number, limit: number, time: number): void {
    const record = { open, limit, time, serial: this.amendmentSerial++ };
    let list = this.amendmentsOf.get(slot);
    if (list === undefined) this.amendmentsOf.set(slot, (list = []));
    list.push(record);
    this.amendmentRows.push({ orderId: this.orderId[slot]!, open, limit, time });
  }

  /** The slot of the order with this id while it is held, else 0. */
  slotOf(id: number): number {
    return this.slots.get(id);
  }

  /** Lets go of an order: its slot, and each execution no held order shares any more. */
  release(slot: number): void {
    const isBuy = this.buy[slot] === 1;
    const next = isBuy ? this.nextOfBuy : this.nextOfSell;
    for (let e = this.firstFill[slot]!; e !== -1;) {
      const after = next[e]!;
      if (--this.execHolders[e]! === 0) this.freeExecs.push(e);
      e = after;
    }
    this.slots.delete(this.orderId[slot]!);
    if (this.amendmentsOf.size > 0) this.amendmentsOf.delete(slot);
    if (this.stopsOf.size > 0) this.stopsOf.delete(slot);
    this.freeSlots.push(slot);
  }
}
