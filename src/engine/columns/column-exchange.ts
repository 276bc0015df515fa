// The column engine: the base protocol's exchange (accounts, grants, limit orders, queries,
// cancels), with the extensions' immediate-or-cancel, fill-or-kill, market and stop-limit
// orders (column-stops.ts), self-trade prevention, amends and market-data events
// (column-events.ts), its state in typed arrays and its money exact in doubles
// (column-state.ts). It gives the classic engine's results, change rows and events, value for
// value; `test/unit/column-engine.property.test.ts` holds it to them. What it does not take
// (fees, values past its ranges) it declines in `accepts`, and the adaptive engine hands the
// state to the classic engine.
// Like the classic engine it does no I/O and reads no clock.

import * as pair from '../../decimal/exact-pair.js';
import type {
  AmendOrder,
  CreateChild,
  Echo,
  PlaceOrder,
  Request,
  Result,
  TransactionChild,
} from '../commands.js';
import { exchangeError, type ErrorCode } from '../errors.js';
import { notAmendableError, notOpenError } from '../archive.js';
import { formatDecimal, SHARE_SCALE } from '../../decimal/fixed.js';
import type { Account } from '../account.js';
import type { ChangeSet, Snapshot } from '../changes.js';
import type { Order } from '../order.js';
import type { BookRead, EngineKind } from '../exchange-view.js';
import type { BookEvent } from '../book-events.js';
import { ColumnState, RESHAPED } from './column-state.js';
import { orderStatus } from './column-status.js';
import { columnSnapshot, takeColumnChanges } from './column-changes.js';
import { ColumnViews } from './column-views.js';
import { ColumnBook } from './column-book.js';
import { ColumnEventLog } from './column-events.js';
import {
  CANCEL_INCOMING,
  CANCEL_RESTING,
  FOK,
  GTC,
  NO_STP,
  columnsPlace,
  isMarket,
  kindOf,
  MAX_UNITS,
  STOP,
  stopTerms,
  stpOf,
  tifOf,
} from './order-terms.js';

const formatShares = (units: bigint): string => formatDecimal(units, SHARE_SCALE);

/** Ids are kept in 32-bit links and pages: past this the classic engine takes over. */
export const MAX_ID = 2 ** 31 - 2;
const PAIR_LIMIT = BigInt(pair.LIMIT);

export class ColumnExchange extends ColumnState {
  /**
   * Whether this engine can apply `request` exactly: the orders `columnsPlace` takes, amends
   * to sizes and limits below 2^53 units, queries, cancels, and creations that keep every
   * account's cash and every position within the exact pairs' range.
   */
  accepts(request: Request): boolean {
    if (request.kind === 'create') return this.acceptsCreate(request.children);
    const children = request.children;
    if (this.nextId + children.length > MAX_ID) return false;
    for (const child of children) {
      if (child.kind === 'order' && !columnsPlace(child)) return false;
      if (child.kind === 'amend' && !columnsAmend(child)) return false;
    }
    return true;
  }

  private acceptsCreate(children: readonly CreateChild[]): boolean {
    let deposits = this.totalDeposited;
    let grants: Map<string, bigint> | null = null;
    for (const child of children) {
      if (child.kind === 'account') {
        deposits += child.balance;
        if (deposits >= PAIR_LIMIT) return false;
      } else if (child.kind === 'grant') {
        grants ??= new Map();
        const s = this.symbolIndex.get(child.sym);
        const before = grants.get(child.sym) ?? (s === undefined ? 0n : this.granted[s]!);
        const after = before + child.shares;
        if (after >= PAIR_LIMIT) return false;
        grants.set(child.sym, after);
      }
    }
    return true;
  }

  apply(request: Request, now: number): Result[] {
    if (request.kind === 'create') {
      const results: Result[] = [];
      for (const child of request.children) {
        if (child.kind === 'symbol') this.ensureBook(child.sym);
        else results.push(this.create(child));
      }
      return results;
    }
    const account = this.accountIndex.get(request.account) ?? -1;
    const children = request.children;
    if (children.length === 1) return [this.child(request.account, account, children[0]!, now)];
    const results: Result[] = [];
    for (const child of children) results.push(this.child(request.account, account, child, now));
    return results;
  }

  private child(name: string, account: number, child: TransactionChild, now: number): Result {
    if (child.kind === 'invalid') return { kind: 'error', echo: child.echo, error: child.error };
    if (account === -1) {
      const error = exchangeError('ACCOUNT_NOT_FOUND', `id="${name}"`);
      return { kind: 'error', echo: child.echo, error };
    }
    switch (child.kind) {
      case 'order':
        return this.place(account, child, now);
      case 'query':
        return this.query(child.orderId, child.echo);
      case 'cancel':
        return this.cancel(account, child.orderId, child.echo, now);
      case 'amend':
        return this.amend(account, child, now);
    }
  }

  private create(child: Exclude<CreateChild, { kind: 'symbol' }>): Result {
    switch (child.kind) {
      case 'invalid':
        return { kind: 'error', echo: child.echo, error: child.error };
      case 'account': {
        if (this.accountIndex.has(child.id)) {
          return {
            kind: 'error',
            echo: [['id', child.id]],
            error: exchangeError('ACCOUNT_EXISTS'),
          };
        }
        const hi = pair.fromBigInt(child.balance);
        const a = this.addAccount(child.id, hi, pair.low(), child.balance);
        this.dirtyAccounts.mark(a);
        return { kind: 'created', id: child.id };
      }
      case 'grant': {
        const account = this.accountIndex.get(child.id);
        if (account === undefined) {
          const echo: Echo = [
            ['sym', child.sym],
            ['id', child.id],
          ];
          return { kind: 'error', echo, error: exchangeError('ACCOUNT_NOT_FOUND') };
        }
        const sym = this.ensureBook(child.sym);
        this.granted[sym]! += child.shares;
        this.dirtyBooks.mark(sym);
        const p = this.position(account, sym);
        const hi = pair.fromBigInt(child.shares);
        this.moveShares(p, hi, pair.low());
        return { kind: 'granted', sym: child.sym, id: child.id };
      }
    }
  }

  private ensureBook(sym: string): number {
    let s = this.symbolIndex.get(sym);
    if (s === undefined) {
      s = this.addSymbol(sym, 0n, 0);
      this.dirtyBooks.mark(s);
    }
    return s;
  }

  private place(account: number, cmd: PlaceOrder, now: number): Result {
    const sym = this.symbolIndex.get(cmd.sym);
    if (sym === undefined) return this.refuse(cmd.echo, 'SYMBOL_NOT_FOUND', `sym="${cmd.sym}"`);
    const amount = cmd.amountUnits;
    const isBuy = amount > 0;
    const shares = isBuy ? amount : -amount;
    const market = cmd.type === 'market';
    // A market order's limit is 0, as the classic engine has it.
    const limit = market ? 0 : cmd.limitUnits;
    if (isBuy && market) {
      // A market buy reserves nothing: it pays each execution as it goes, up to its cash.
      if (!pair.less(0, 0, this.cashHi[account]!, this.cashLo[account]!)) {
        return this.refuse(cmd.echo, 'INSUFFICIENT_FUNDS');
      }
    } else if (isBuy) {
      const costHi = pair.twoProduct(shares, limit);
      const costLo = pair.low();
      if (pair.less(this.cashHi[account]!, this.cashLo[account]!, costHi, costLo)) {
        return this.refuse(cmd.echo, 'INSUFFICIENT_FUNDS');
      }
      this.moveCash(account, -costHi, -costLo);
    } else {
      const p = this.positionsOf[account]!.get(sym);
      if (p === undefined || pair.less(this.sharesHi[p]!, this.sharesLo[p]!, shares, 0)) {
        return this.refuse(cmd.echo, 'INSUFFICIENT_SHARES');
      }
      this.moveShares(p, -shares, 0);
    }
    const id = this.nextId++;
    const slot = this.takeSlot(id);
    this.shares[slot] = shares;
    this.open[slot] = shares;
    this.limit[slot] = limit;
    this.time[slot] = now;
    this.owner[slot] = account;
    this.sym[slot] = sym;
    this.buy[slot] = isBuy ? 1 : 0;
    this.kind[slot] = kindOf(cmd);
    this.dirtyOrders.mark(slot);
    if (cmd.stop !== null) this.wait(slot, cmd.stop);
    // With no stop waiting and no feed followed, nothing else is to be done: the rest is in a
    // method that V8 then never inlines here, where its inlining budget counts bytecode.
    else if (this.stopsWaiting === 0 && this.eventLog === null) this.enter(slot, now);
    else this.enterWatched(slot, now);
    return { kind: 'opened', echo: cmd.echo, orderId: id };
  }

  /**
   * Order `slot` enters (new, or amended to a new limit), noted for the market data; then the
   * stops its trades triggered enter in turn.
   */
  private enterWatched(slot: number, now: number): void {
    this.eventLog?.arriving(slot, now);
    const traded = this.batchExecs.length;
    this.enter(slot, now);
    if (this.batchExecs.length > traded && this.stopsWaiting > 0) {
      this.triggerStops(this.sym[slot]!, traded, now);
    }
  }

  /** Stop order `slot` waits outside the book, among its account's open orders. */
  private wait(slot: number, stop: bigint): void {
    const kind = this.kind[slot]! | STOP;
    this.kind[slot] = kind;
    this.stopPrice[slot] = Number(stop);
    this.stopsOf.set(slot, { terms: stopTerms(kind, stop), triggeredAt: null });
    this.addWaiting(slot);
    this.accountOrders.append(this.owner[slot]!, slot);
  }

  /**
   * Stops of book `sym` triggered by the trades from `batchExecs[traded]` on (of the order
   * that just entered), in id order; each enters in turn, and the stops its own trades trigger
   * queue behind them.
   */
  private triggerStops(sym: number, traded: number, now: number): void {
    const queue = this.triggeredBy(sym, traded);
    for (let i = 0; i < queue.length; i++) {
      const stop = queue[i]!;
      this.stopsOf.get(stop)!.triggeredAt = now;
      this.flags[stop] = this.flags[stop]! | RESHAPED;
      this.accountOrders.remove(this.owner[stop]!, stop);
      this.dirtyOrders.mark(stop);
      this.advance(sym);
      this.eventLog?.triggered(stop, now);
      const before = this.batchExecs.length;
      this.enter(stop, now);
      if (this.batchExecs.length > before) queue.push(...this.triggeredBy(sym, before));
    }
  }

  /** The waiting stops of book `sym` that the executions from `batchExecs[from]` on trigger. */
  private triggeredBy(sym: number, from: number): number[] {
    const execs = this.batchExecs;
    let low = Infinity;
    let high = -Infinity;
    for (let i = from; i < execs.length; i++) {
      const price = this.execPrice[execs[i]!]!;
      if (price < low) low = price;
      if (price > high) high = price;
    }
    return this.takeTriggered(sym, low, high);
  }

  /**
   * Order `slot` arrives at its book (new, amended to a new limit, or a stop triggered): it
   * matches, then rests or is canceled by its time in force. The stops its trades trigger are
   * its caller's to enter (triggerStops).
   */
  private enter(slot: number, now: number): void {
    const sym = this.sym[slot]!;
    const account = this.owner[slot]!;
    const isBuy = this.buy[slot] === 1;
    const kind = this.kind[slot]!;
    const market = isMarket(kind);
    const limit = this.limit[slot]!;
    const tif = tifOf(kind);
    // A fill-or-kill that cannot fill in full does not match at all.
    const killed = tif === FOK && !this.canFill(slot, sym, isBuy, limit, this.open[slot]!);
    // Self-trade prevention may cancel what is left of it, wherever it would rest.
    let selfTraded = false;
    if (!killed) {
      selfTraded = !(isBuy && market
        ? this.matchMarketBuy(slot, account, sym, now)
        : this.match(slot, sym, isBuy, limit, now));
    }
    if (this.open[slot]! > 0) {
      if (!killed && !selfTraded && tif === GTC && !market) {
        this.priority[slot] = this.nextPriority++;
        this.rest(slot);
        this.advance(sym);
        return;
      }
      this.cancelOpen(slot, account, sym, now);
    }
    this.close(slot);
  }

  /**
   * Whether `shares` of order `slot` would execute in full now against the opposite side's
   * orders that cross `limit`, counted as matching would take them: its own orders skipped,
   * or ending the count, as its self-trade prevention says. Which levels cross decides it, not
   * their order, unless an own order ends the count: then they are counted best first. Only
   * the crossing levels are visited: a FOK costs what it could take, not the book.
   */
  private canFill(
    slot: number,
    sym: number,
    isBuy: boolean,
    limit: number,
    shares: number,
  ): boolean {
    const stp = stpOf(this.kind[slot]!);
    const owner = this.owner[slot]!;
    const price = this.pool.price;
    const levels = this.sides[2 * sym + (isBuy ? 1 : 0)]!.crossing(limit);
    if (stp !== NO_STP && stp !== CANCEL_RESTING) {
      levels.sort((a, b) => (isBuy ? price[a]! - price[b]! : price[b]! - price[a]!));
    }
    let needed = shares;
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i]!;
      for (let r = this.queues.head[level]!; r !== 0; r = this.queues.next[r]!) {
        if (stp !== NO_STP && this.owner[r] === owner) {
          if (stp === CANCEL_RESTING) continue;
          return false;
        }
        needed -= this.open[r]!;
        if (needed <= 0) return true;
      }
    }
    return false;
  }

  private refuse(echo: Echo, code: ErrorCode, detail?: string): Result {
    return { kind: 'error', echo, error: exchangeError(code, detail) };
  }

  /**
   * Fills order `slot` against the best opposite levels while prices cross. False when its
   * self-trade prevention canceled what is left of it.
   */
  private match(slot: number, sym: number, isBuy: boolean, limit: number, now: number): boolean {
    const opposite = this.sides[2 * sym + (isBuy ? 1 : 0)]!;
    const heap = opposite.heap;
    const stp = stpOf(this.kind[slot]!);
    while (this.open[slot]! > 0 && heap.length > 0) {
      const best = heap[0]!;
      const price = this.pool.price[best]!;
      if (isBuy ? limit < price : price < limit) return true;
      let resting = this.queues.head[best]!;
      while (resting !== 0 && this.open[slot]! > 0) {
        const next = this.queues.next[resting]!;
        if (stp !== NO_STP && this.owner[resting] === this.owner[slot]) {
          if (this.preventSelfTrade(stp, resting, now)) return false;
          resting = next;
          continue;
        }
        const fill = Math.min(this.open[slot]!, this.open[resting]!);
        this.execute(sym, slot, resting, isBuy, fill, price, now);
        if (this.open[resting] === 0) {
          this.unlink(resting);
          this.close(resting);
        }
        resting = next;
      }
    }
    return true;
  }

  /**
   * An incoming order with self-trade prevention `stp` meets `resting`, its account's own:
   * the resting order is canceled unless only the incoming one is to be. True when the
   * incoming one is canceled (it matches no further).
   */
  private preventSelfTrade(stp: number, resting: number, now: number): boolean {
    if (stp !== CANCEL_INCOMING) this.cancelResting(resting, now);
    return stp !== CANCEL_RESTING;
  }

  /**
   * Fills market buy `slot` against the best asks while its budget lasts: the cash its account
   * had when it arrived (what it earns meanwhile does not stretch it into ever smaller fills).
   * A fill it cannot pay in full takes the shares it can, and ends it. False, as for `match`,
   * when its self-trade prevention canceled what is left of it.
   */
  private matchMarketBuy(slot: number, account: number, sym: number, now: number): boolean {
    const heap = this.sides[2 * sym + 1]!.heap;
    const stp = stpOf(this.kind[slot]!);
    let budgetHi = this.cashHi[account]!;
    let budgetLo = this.cashLo[account]!;
    while (this.open[slot]! > 0 && heap.length > 0) {
      const best = heap[0]!;
      const price = this.pool.price[best]!;
      let resting = this.queues.head[best]!;
      while (resting !== 0 && this.open[slot]! > 0) {
        const next = this.queues.next[resting]!;
        if (stp !== NO_STP && this.owner[resting] === account) {
          if (this.preventSelfTrade(stp, resting, now)) return false;
          resting = next;
          continue;
        }
        let fill = Math.min(this.open[slot]!, this.open[resting]!);
        let costHi = pair.twoProduct(fill, price);
        let costLo = pair.low();
        const short = pair.less(budgetHi, budgetLo, costHi, costLo);
        if (short) {
          fill = pair.floorDiv(budgetHi, budgetLo, price);
          if (fill === 0) return true;
          costHi = pair.twoProduct(fill, price);
          costLo = pair.low();
        }
        budgetHi = pair.add(budgetHi, budgetLo, -costHi, -costLo);
        budgetLo = pair.low();
        this.execute(sym, slot, resting, true, fill, price, now);
        if (this.open[resting] === 0) {
          this.unlink(resting);
          this.close(resting);
        }
        if (short) return true;
        resting = next;
      }
    }
    return true;
  }

  /** One execution at the resting order's price, both sides settled in this one step. */
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
    const e = this.takeExec();
    this.execShares[e] = shares;
    this.execPrice[e] = price;
    this.execTime[e] = now;
    this.execBuy[e] = this.orderId[buy]!;
    this.execSell[e] = this.orderId[sell]!;
    this.execSym[e] = sym;
    this.batchExecs.push(e);
    this.addFill(buy, e, this.nextOfBuy);
    this.addFill(sell, e, this.nextOfSell);
    const buyer = this.owner[buy]!;
    const bought = this.position(buyer, sym);
    this.moveShares(bought, shares, 0);
    // The buyer reserved shares × its limit (a market buy, limit 0, nothing); it pays
    // shares × price.
    const buyLimit = this.limit[buy]!;
    if (buyLimit !== price)
      this.moveCash(buyer, pair.twoProduct(shares, buyLimit - price), pair.low());
    this.moveCash(this.owner[sell]!, pair.twoProduct(shares, price), pair.low());
    this.dirtyOrders.mark(resting);
    this.advance(sym);
  }

  /** Appends execution `e` to the fills of order `slot`, linked through `next` (its side's). */
  addFill(slot: number, e: number, next: Int32Array): void {
    const last = this.lastFill[slot]!;
    if (last === -1) this.firstFill[slot] = e;
    else next[last] = e;
    this.lastFill[slot] = e;
  }

  private moveCash(account: number, hi: number, lo: number): void {
    this.cashHi[account] = pair.add(this.cashHi[account]!, this.cashLo[account]!, hi, lo);
    this.cashLo[account] = pair.low();
    this.dirtyAccounts.mark(account);
  }

  private moveShares(position: number, hi: number, lo: number): void {
    this.sharesHi[position] = pair.add(this.sharesHi[position]!, this.sharesLo[position]!, hi, lo);
    this.sharesLo[position] = pair.low();
    this.dirtyPositions.mark(position);
  }

  /** A change of the book: its sequence moves on. */
  private advance(sym: number): void {
    this.seq[sym]!++;
    this.dirtyBooks.mark(sym);
  }

  /** Order `slot` joins its book at its limit, behind the orders already there. */
  rest(slot: number): void {
    const sym = this.sym[slot]!;
    const sideNumber = 2 * sym + (this.buy[slot] === 1 ? 0 : 1);
    const side = this.sides[sideNumber]!;
    this.sideOrders[sideNumber]!++;
    const price = this.limit[slot]!;
    let level = side.byPrice.get(price);
    if (level === undefined) {
      level = this.takeLevel(price);
      side.add(level);
    }
    this.queues.append(level, slot);
    this.level[slot] = level;
    this.accountOrders.append(this.owner[slot]!, slot);
  }

  private unlink(slot: number): void {
    const level = this.level[slot]!;
    this.queues.remove(level, slot);
    this.level[slot] = -1;
    this.accountOrders.remove(this.owner[slot]!, slot);
    const sideNumber = 2 * this.sym[slot]! + (this.buy[slot] === 1 ? 0 : 1);
    this.sideOrders[sideNumber]!--;
    if (this.queues.head[level] === 0) {
      this.sides[sideNumber]!.remove(level);
      this.freeLevels.push(level);
    }
  }

  private close(slot: number): void {
    this.closedSlots.push(slot);
    this.closedBatch.push(this.batch);
  }

  /**
   * Whether an id not held is one the store answers for: below the counter, as the classic
   * engine has it (an order let go since it closed; the store knows the rest are unknown).
   */
  private issued(id: number): boolean {
    return id < this.nextId;
  }

  private query(id: number, echo: Echo): Result {
    const slot = this.slotOf(id);
    if (slot === 0) {
      return this.issued(id)
        ? { kind: 'archived', op: 'query', orderId: id, account: '', echo }
        : this.refuse(echo, 'ORDER_NOT_FOUND');
    }
    return { kind: 'status', echo, status: orderStatus(this, slot) };
  }

  /** The slot of order `id` if `account` owns it and it is held, else the answer to give. */
  private ownOrder(account: number, op: 'cancel' | 'amend', id: number, echo: Echo) {
    const slot = this.slotOf(id);
    if (slot === 0) {
      const accountId = this.accountIds[account]!;
      return this.issued(id)
        ? ({ kind: 'archived', op, orderId: id, account: accountId, echo } as const)
        : this.refuse(echo, 'ORDER_NOT_FOUND');
    }
    if (this.owner[slot] !== account) return this.refuse(echo, 'NOT_ORDER_OWNER');
    return slot;
  }

  private cancel(account: number, id: number, echo: Echo, now: number): Result {
    const slot = this.ownOrder(account, 'cancel', id, echo);
    if (typeof slot !== 'number') return slot;
    const shares = this.open[slot]!;
    if (shares === 0)
      return { kind: 'error', echo, error: notOpenError(this.canceled[slot] === 1) };
    if (this.isWaiting(slot)) this.cancelWaiting(slot, now);
    else this.cancelResting(slot, now);
    return { kind: 'canceled', echo, status: orderStatus(this, slot) };
  }

  /**
   * A new size (no more than is open) or limit for a resting order, or both. A new limit
   * takes it out of its queue and in again as a new arrival, which may execute at once.
   */
  private amend(account: number, cmd: AmendOrder, now: number): Result {
    const slot = this.ownOrder(account, 'amend', cmd.orderId, cmd.echo);
    if (typeof slot !== 'number') return slot;
    const was = this.open[slot]!;
    if (was === 0) {
      return { kind: 'error', echo: cmd.echo, error: notAmendableError(this.canceled[slot] === 1) };
    }
    if (this.isWaiting(slot)) return this.refuse(cmd.echo, 'STOP_WAITING');
    const wasLimit = this.limit[slot]!;
    const open = cmd.amount === null ? was : Number(cmd.amount);
    const limit = cmd.limit === null ? wasLimit : Number(cmd.limit);
    if (open > was) {
      const detail = `${formatShares(BigInt(open))} > ${formatShares(BigInt(was))} open`;
      return this.refuse(cmd.echo, 'AMEND_UP', detail);
    }
    if (open === was && limit === wasLimit) {
      return { kind: 'amended', echo: cmd.echo, open: BigInt(was), limit: BigInt(wasLimit) };
    }
    const sym = this.sym[slot]!;
    // The events of the order that entered last first: it may be this one, changed below.
    this.eventLog?.settle(false);
    if (this.buy[slot] === 1) {
      // What the account has with the old reservation back must cover the new one.
      const heldHi = pair.twoProduct(was, wasLimit);
      const availableHi = pair.add(
        this.cashHi[account]!,
        this.cashLo[account]!,
        heldHi,
        pair.low(),
      );
      const availableLo = pair.low();
      const costHi = pair.twoProduct(open, limit);
      const costLo = pair.low();
      if (pair.less(availableHi, availableLo, costHi, costLo)) {
        return this.refuse(cmd.echo, 'INSUFFICIENT_FUNDS');
      }
      this.cashHi[account] = pair.add(availableHi, availableLo, -costHi, -costLo);
      this.cashLo[account] = pair.low();
      this.dirtyAccounts.mark(account);
    } else this.moveShares(this.position(account, sym), was - open, 0);
    const requeued = limit !== wasLimit;
    if (requeued) this.unlink(slot);
    this.open[slot] = open;
    this.limit[slot] = limit;
    this.flags[slot] = this.flags[slot]! | RESHAPED;
    this.dirtyOrders.mark(slot);
    this.addAmendment(slot, open, limit, now);
    this.advance(sym);
    this.eventLog?.amended(slot, requeued, now);
    if (requeued) this.enterWatched(slot, now);
    return {
      kind: 'amended',
      echo: cmd.echo,
      open: BigInt(this.open[slot]!),
      limit: BigInt(this.limit[slot]!),
    };
  }

  /** Takes waiting stop order `slot` out of its book's stops and cancels its open shares. */
  private cancelWaiting(slot: number, now: number): void {
    this.removeWaiting(slot);
    this.accountOrders.remove(this.owner[slot]!, slot);
    this.cancelOpen(slot, this.owner[slot]!, this.sym[slot]!, now);
    this.close(slot);
  }

  /** Takes resting order `slot` off its book and cancels its open shares. */
  private cancelResting(slot: number, now: number): void {
    const sym = this.sym[slot]!;
    this.unlink(slot);
    this.advance(sym);
    this.eventLog?.canceled(slot, now);
    this.cancelOpen(slot, this.owner[slot]!, sym, now);
    this.close(slot);
  }

  /**
   * Cancels what is open of order `slot` (off the book): what it holds back goes back, a limit
   * buy's cash (a market buy holds none) or a sell's shares.
   */
  private cancelOpen(slot: number, account: number, sym: number, now: number): void {
    const shares = this.open[slot]!;
    if (this.buy[slot] === 0) this.moveShares(this.position(account, sym), shares, 0);
    else if (!isMarket(this.kind[slot]!)) {
      this.moveCash(account, pair.twoProduct(shares, this.limit[slot]!), pair.low());
    }
    this.open[slot] = 0;
    this.canceled[slot] = 1;
    this.canceledShares[slot] = shares;
    this.canceledTime[slot] = now;
    this.dirtyOrders.mark(slot);
    this.cancels.push({ orderId: this.orderId[slot]!, shares, time: now });
  }

  /**
   * Lets go of closed orders beyond the newest `keep`, among those closed in batches up to
   * `durableBatch` (their final state is in the store). Returns how many.
   */
  evictClosed(durableBatch: number, keep: number): number {
    let evicted = 0;
    while (this.closedSlots.length - this.closedHead > keep) {
      if (this.closedBatch[this.closedHead]! > durableBatch) break;
      this.release(this.closedSlots[this.closedHead++]!);
      evicted++;
    }
    // Compact now and then so the queue does not grow forever.
    if (this.closedHead > 4096 && this.closedHead * 2 > this.closedSlots.length) {
      this.closedSlots = this.closedSlots.slice(this.closedHead);
      this.closedBatch = this.closedBatch.slice(this.closedHead);
      this.closedHead = 0;
    }
    return evicted;
  }

  /**
   * From now on, keep each book change as an event for takeEvents(), as the classic engine
   * does (and never off again); turned on between batches.
   */
  recordBookEvents(): void {
    this.eventLog ??= new ColumnEventLog(this);
  }

  get recordingBookEvents(): boolean {
    return this.eventLog !== null;
  }

  /** The market-data events since the last call, in the order they happened. */
  takeEvents(): BookEvent[] {
    return this.eventLog === null ? [] : this.eventLog.take();
  }

  /** Closes the current batch: everything changed since the last call, as plain values. */
  takeChanges(): ChangeSet {
    this.eventLog?.endBatch();
    return takeColumnChanges(this);
  }

  /** The closed orders held, in the order they closed, each with its batch. */
  closedOrders(): [id: number, batch: number][] {
    const closed: [number, number][] = [];
    for (let i = this.closedHead; i < this.closedSlots.length; i++) {
      closed.push([this.orderId[this.closedSlots[i]!]!, this.closedBatch[i]!]);
    }
    return closed;
  }

  /** Each account's open orders (resting and waiting stops), as its list holds them. */
  openOrders(): [account: string, ids: number[]][] {
    const lists: [string, number[]][] = [];
    const queues = this.accountOrders;
    for (let a = 0; a < this.accountIds.length; a++) {
      const ids: number[] = [];
      for (let slot = queues.head[a]!; slot !== 0; slot = queues.next[slot]!) {
        ids.push(this.orderId[slot]!);
      }
      if (ids.length > 0) lists.push([this.accountIds[a]!, ids]);
    }
    return lists;
  }

  /** The state as a live snapshot, between batches (see columnSnapshot). */
  snapshot(): Snapshot {
    return columnSnapshot(this);
  }

  // The read API (ExchangeView), as copies in the classic engine's objects.
  account(id: string): Account | undefined {
    const a = this.accountIndex.get(id);
    return a === undefined ? undefined : new ColumnViews(this).accountWithOrders(a);
  }

  book(sym: string): BookRead | undefined {
    const s = this.symbolIndex.get(sym);
    return s === undefined ? undefined : new ColumnBook(this, s);
  }

  order(id: number): Order | undefined {
    const slot = this.slotOf(id);
    return slot === 0 ? undefined : new ColumnViews(this).order(slot);
  }

  *symbolBooks(): IterableIterator<BookRead> {
    for (let s = 0; s < this.symbolNames.length; s++) yield new ColumnBook(this, s);
  }

  /** Orders resting in the books. */
  get restingOrderCount(): number {
    let count = 0;
    for (const n of this.sideOrders) count += n;
    return count;
  }

  get closedInMemory(): number {
    return this.closedSlots.length - this.closedHead;
  }

  get currentBatch(): number {
    return this.batch;
  }

  get engineKind(): EngineKind {
    return 'columns';
  }

  get peekNextOrderId(): number {
    return this.nextId;
  }

  get accountCount(): number {
    return this.accountIds.length;
  }

  get symbolCount(): number {
    return this.symbolNames.length;
  }

  get orderCount(): number {
    return this.slots.size;
  }
}

/** Whether the column engine amends to these: sizes and limits as safe integers of units. */
function columnsAmend(cmd: AmendOrder): boolean {
  return (
    (cmd.amount === null || cmd.amount <= MAX_UNITS) &&
    (cmd.limit === null || cmd.limit <= MAX_UNITS)
  );
}
