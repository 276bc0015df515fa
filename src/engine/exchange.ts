// The exchange state machine: accounts, positions, symbols, books and order ids. It does no
// I/O and reads no clock: `apply(request, now)` is a pure step on this state, so the same
// requests with the same times always give the same results and the same changes.

import { SHARE_SCALE, formatDecimal, minBig } from '../decimal/fixed.js';
import { Account, Position } from './account.js';
import type { BookEvent } from './book-events.js';
import type {
  AmendOrder,
  CancelOrder,
  CreateChild,
  PlaceOrder,
  QueryOrder,
  Request,
  Result,
  TransactionChild,
} from './commands.js';
import type {
  AccountRow,
  AmendmentRow,
  CancelRow,
  ChangeSet,
  ExecutionRow,
  PositionRow,
  Snapshot,
  SymbolRow,
} from './changes.js';
import { exchangeError, type ErrorCode } from './errors.js';
import type { EngineKind, ExchangeView } from './exchange-view.js';
import { LIMIT_GTC, Order, isPlainLimit, type OrderTerms } from './order.js';
import {
  NO_FEES,
  affordableShares,
  buyReservation,
  feeOn,
  feesOn,
  type FeeSchedule,
} from './fees.js';
import { OrderBook } from './order-book.js';
import { OrderIndex } from './order-index.js';
import { DirtyList } from './dirty-list.js';
import { ClosedOrders } from './closed-orders.js';
import { notAmendableError, notOpenError } from './archive.js';
import { SharedValues, orderFromRow, orderRow } from './order-rows.js';
import { referenceCheck } from './snapshot-references.js';
import { auditExchange, type AuditReport } from './audit.js';

const formatShares = (v: bigint): string => formatDecimal(v, SHARE_SCALE);

/** What an engine handing its state over passes beside the snapshot (Exchange.restore). */
export interface HandOver {
  /** The batch being built: the restored engine goes on with it. */
  readonly batch: number;
  /** The closed orders held, in the order they closed, each with the batch it closed in. */
  readonly closed: readonly (readonly [id: number, batch: number])[];
  /**
   * Each account's open orders (resting and waiting stops) in the order its list holds them,
   * which a stored state does not keep.
   */
  readonly openOrders: readonly (readonly [account: string, ids: readonly number[]])[];
}

export interface ExchangeOptions {
  /** Maker and taker fees; none by default. */
  readonly fees?: FeeSchedule;
  /** Record book events from the start (see recordBookEvents). */
  readonly bookEvents?: boolean;
}

export class Exchange implements ExchangeView {
  readonly accounts = new Map<string, Account>();
  readonly books = new Map<string, OrderBook>();
  readonly orders = new OrderIndex();
  readonly fees: FeeSchedule;
  /** Whether executions carry fees (then every fill reports one, even of 0). */
  private readonly feesCharged: boolean;
  /** The terms every plain limit order accepted now shares (with the fee rates). */
  private readonly plainTerms: OrderTerms;
  private nextOrderId = 1;
  /** The next place in a price level's queue (OrderRow.priority). */
  private nextPriority = 1;
  // The trades of the order entering the book now: whether any, and their price range.
  private traded = false;
  private tradeLow = 0n;
  private tradeHigh = 0n;

  // Changes since the last takeChanges(), tracked as the objects that moved; their values
  // are copied out when the batch closes.
  private readonly dirtyAccounts = new DirtyList<Account>();
  private readonly dirtyPositions = new DirtyList<Position>();
  private readonly dirtyOrders = new DirtyList<Order>();
  private readonly dirtyBooks = new DirtyList<OrderBook>();
  private executions: ExecutionRow<bigint>[] = [];
  private cancels: CancelRow[] = [];
  private amendmentRows: AmendmentRow[] = [];
  private events: BookEvent[] = [];
  private recording: boolean;
  /** Number of the batch being built; takeChanges() closes it. */
  private batch = 1;
  /** Closed orders (fully executed or canceled) in closing order, for eviction. */
  private readonly closed = new ClosedOrders();

  constructor(readonly options: ExchangeOptions = {}) {
    this.recording = options.bookEvents ?? false;
    this.fees = options.fees ?? NO_FEES;
    this.feesCharged = feesOn(this.fees);
    this.plainTerms = this.feesCharged
      ? Object.freeze({ ...LIMIT_GTC, maker: this.fees.maker, taker: this.fees.taker })
      : LIMIT_GTC;
  }

  // The read API (ExchangeView).
  account(id: string): Account | undefined {
    return this.accounts.get(id);
  }

  book(sym: string): OrderBook | undefined {
    return this.books.get(sym);
  }

  order(id: number): Order | undefined {
    return this.orders.get(id);
  }

  symbolBooks(): IterableIterator<OrderBook> {
    return this.books.values();
  }

  get accountCount(): number {
    return this.accounts.size;
  }

  get symbolCount(): number {
    return this.books.size;
  }

  get orderCount(): number {
    return this.orders.size;
  }

  get restingOrderCount(): number {
    let count = 0;
    for (const book of this.books.values()) count += book.bids.orderCount + book.asks.orderCount;
    return count;
  }

  apply(request: Request, now: number): Result[] {
    if (request.kind === 'create') {
      const results: Result[] = [];
      for (const child of request.children) {
        // A symbol element answers per grant; its own creation has no reply element.
        if (child.kind === 'symbol') this.ensureBook(child.sym);
        else results.push(this.create(child));
      }
      return results;
    }
    const account = this.accounts.get(request.account);
    const children = request.children;
    // Most requests carry one child: a literal of one, where pushing would reserve room for 17.
    if (children.length === 1) return [this.child(request, account, children[0]!, now)];
    const results: Result[] = [];
    for (const child of children) results.push(this.child(request, account, child, now));
    return results;
  }

  private child(
    request: Extract<Request, { kind: 'transactions' }>,
    account: Account | undefined,
    child: TransactionChild,
    now: number,
  ): Result {
    if (child.kind === 'invalid') return { kind: 'error', echo: child.echo, error: child.error };
    if (account === undefined) {
      return {
        kind: 'error',
        echo: child.echo,
        error: exchangeError('ACCOUNT_NOT_FOUND', `id="${request.account}"`),
      };
    }
    return this.transact(account, child, now);
  }

  get engineKind(): EngineKind {
    return 'classic';
  }

  /** The id the next accepted order will get. */
  get peekNextOrderId(): number {
    return this.nextOrderId;
  }

  private create(child: Exclude<CreateChild, { kind: 'symbol' }>): Result {
    switch (child.kind) {
      case 'invalid':
        return { kind: 'error', echo: child.echo, error: child.error };
      case 'account': {
        if (this.accounts.has(child.id)) {
          return {
            kind: 'error',
            echo: [['id', child.id]],
            error: exchangeError('ACCOUNT_EXISTS'),
          };
        }
        const account = new Account(child.id, child.balance);
        this.accounts.set(child.id, account);
        this.dirtyAccounts.mark(account);
        return { kind: 'created', id: child.id };
      }
      case 'grant': {
        const account = this.accounts.get(child.id);
        if (account === undefined) {
          return {
            kind: 'error',
            echo: [
              ['sym', child.sym],
              ['id', child.id],
            ],
            error: exchangeError('ACCOUNT_NOT_FOUND'),
          };
        }
        const book = this.ensureBook(child.sym);
        book.granted += child.shares;
        this.dirtyBooks.mark(book);
        const position = this.position(account, book);
        position.shares += child.shares;
        this.dirtyPositions.mark(position);
        return { kind: 'granted', sym: child.sym, id: child.id };
      }
    }
  }

  private transact(
    account: Account,
    child: Exclude<TransactionChild, { kind: 'invalid' }>,
    now: number,
  ): Result {
    switch (child.kind) {
      case 'order':
        return this.place(account, child, now);
      case 'query':
        return this.query(child);
      case 'cancel':
        return this.cancel(account, child, now);
      case 'amend':
        return this.amend(account, child, now);
    }
  }

  private place(account: Account, cmd: PlaceOrder, now: number): Result {
    const book = this.books.get(cmd.sym);
    if (book === undefined) return this.refuse(cmd, 'SYMBOL_NOT_FOUND', `sym="${cmd.sym}"`);
    const isBuy = cmd.amount > 0n;
    const shares = isBuy ? cmd.amount : -cmd.amount;
    const limit = cmd.limit ?? 0n;
    if (isBuy) {
      // A market buy reserves nothing: it pays each execution as it goes, up to its cash.
      if (cmd.type === 'market') {
        if (account.cash <= 0n) return this.refuse(cmd, 'INSUFFICIENT_FUNDS');
      } else {
        const cost = buyReservation(shares, limit, this.fees.taker);
        if (account.cash < cost) return this.refuse(cmd, 'INSUFFICIENT_FUNDS');
        account.cash -= cost;
        this.dirtyAccounts.mark(account);
      }
    } else {
      const position = account.positions.get(book.sym);
      if (position === undefined || position.shares < shares) {
        return this.refuse(cmd, 'INSUFFICIENT_SHARES');
      }
      position.shares -= shares;
      this.dirtyPositions.mark(position);
    }
    const terms: OrderTerms = isPlainLimit(cmd)
      ? this.plainTerms
      : {
          type: cmd.type,
          tif: cmd.tif,
          stop: cmd.stop,
          stp: cmd.stp,
          maker: this.fees.maker,
          taker: this.fees.taker,
        };
    const order = new Order(this.nextOrderId++, account, cmd.sym, isBuy, shares, limit, now, terms);
    this.orders.add(order);
    this.dirtyOrders.mark(order);
    if (cmd.stop === null) this.enter(book, order, now);
    else {
      order.waiting = true;
      book.stops.add(order);
      account.addResting(order);
    }
    return { kind: 'opened', echo: cmd.echo, orderId: order.id };
  }

  private refuse(cmd: PlaceOrder, code: ErrorCode, detail?: string): Result {
    return { kind: 'error', echo: cmd.echo, error: exchangeError(code, detail) };
  }

  /**
   * An order arrives at the book (new, amended to a new limit): it matches, rests or is
   * canceled by its time in force; then the stops its trades triggered enter in turn.
   */
  private enter(book: OrderBook, order: Order, now: number): void {
    this.traded = false;
    this.submit(book, order, now);
    if (this.traded && book.stops.size > 0) this.triggerStops(book, now);
  }

  private submit(book: OrderBook, order: Order, now: number): void {
    const tif = order.terms.tif;
    // A fill-or-kill that cannot fill in full does not match at all.
    const killed = tif === 'FOK' && !this.canFill(book, order);
    // Self-trade prevention may cancel what is left of the order, wherever it would rest.
    const canceledBySelfTrade = !killed && !this.match(book, order, now);
    if (order.open > 0n) {
      if (!killed && !canceledBySelfTrade && tif === 'GTC' && order.terms.type === 'limit') {
        order.priority = this.nextPriority++;
        book.rest(order);
        this.orderEvent('opened', book, order, order.open, now);
        return;
      }
      this.cancelOpen(book, order, now);
    }
    this.closed.push(order, this.batch);
  }

  /**
   * Stops triggered by the trades of the order that just entered, in id order; each enters
   * in turn, and the stops its own trades trigger queue behind them.
   */
  private triggerStops(book: OrderBook, now: number): void {
    const queue = book.stops.takeTriggered(this.tradeLow, this.tradeHigh);
    for (let i = 0; i < queue.length; i++) {
      const stop = queue[i]!;
      stop.waiting = false;
      stop.triggeredAt = now;
      stop.reshaped = true;
      stop.account.removeResting(stop);
      this.dirtyOrders.mark(stop);
      if (this.recording)
        this.event(book, {
          type: 'triggered',
          sym: book.sym,
          seq: 0,
          time: now,
          orderId: stop.id,
          side: stop.isBuy ? 'buy' : 'sell',
          stop: stop.terms.stop!,
        });
      else this.advance(book);
      this.traded = false;
      this.submit(book, stop, now);
      if (this.traded) queue.push(...book.stops.takeTriggered(this.tradeLow, this.tradeHigh));
    }
  }

  /**
   * Whether a fill-or-kill order would execute in full now: the crossing shares in priority
   * order, counted as matching would take them (its own orders skipped or ending the count,
   * as its self-trade prevention says).
   */
  private canFill(book: OrderBook, order: Order): boolean {
    let needed = order.open;
    const stp = order.terms.stp;
    for (const level of book.opposite(order).bestFirst()) {
      if (!OrderBook.crosses(order, level.price)) return false;
      for (let resting = level.head; resting !== null; resting = resting.next) {
        if (stp !== null && resting.account === order.account) {
          if (stp === 'cancel-resting') continue;
          return false;
        }
        needed -= resting.open;
        if (needed <= 0n) return true;
      }
    }
    return false;
  }

  /**
   * Fills `incoming` against the best opposite levels while prices cross. False when its
   * self-trade prevention canceled what is left of it.
   */
  private match(book: OrderBook, incoming: Order, now: number): boolean {
    const side = book.opposite(incoming);
    const stp = incoming.terms.stp;
    const marketBuy = incoming.isBuy && incoming.terms.type === 'market';
    // A market buy spends at most the cash its account had when it arrived: what its own
    // sales or fees bring in meanwhile does not stretch it into ever smaller fills.
    let budget = marketBuy ? incoming.account.cash : 0n;
    while (incoming.open > 0n) {
      const level = side.best();
      if (level === undefined || !OrderBook.crosses(incoming, level.price)) return true;
      let resting = level.head;
      while (resting !== null && incoming.open > 0n) {
        const next = resting.next;
        if (stp !== null && resting.account === incoming.account) {
          if (stp !== 'cancel-incoming') this.cancelResting(book, resting, now);
          if (stp !== 'cancel-resting') return false;
          resting = next;
          continue;
        }
        let shares = minBig(incoming.open, resting.open);
        let cashRanOut = false;
        if (marketBuy) {
          const rate = this.feesCharged ? incoming.terms.taker : 0n;
          const affordable = affordableShares(budget, level.price, rate);
          if (affordable === 0n) return true;
          if (affordable < shares) {
            shares = affordable;
            cashRanOut = true;
          }
          budget -= buyReservation(shares, level.price, rate);
        }
        this.execute(book, incoming, resting, shares, level.price, now);
        level.openShares -= shares;
        if (resting.open === 0n) {
          side.remove(resting);
          this.closed.push(resting, this.batch);
        }
        // Nothing further is affordable: the cash ran out within this fill.
        if (cashRanOut) return true;
        resting = next;
      }
    }
    return true;
  }

  /** One execution at the resting order's price, both sides settled in this one step. */
  private execute(
    book: OrderBook,
    incoming: Order,
    resting: Order,
    shares: bigint,
    price: bigint,
    now: number,
  ): void {
    const buy = incoming.isBuy ? incoming : resting;
    const sell = incoming.isBuy ? resting : incoming;
    buy.open -= shares;
    sell.open -= shares;
    const value = shares * price;
    let buyFee: bigint | null = null;
    let sellFee: bigint | null = null;
    if (this.feesCharged) {
      // Each side at the rates it was accepted with (an order from before fees pays none).
      const taker = feeOn(value, incoming.terms.taker);
      const maker = feeOn(value, resting.terms.maker);
      buyFee = buy === incoming ? taker : maker;
      sellFee = buy === incoming ? maker : taker;
    }
    // One object is both orders' fill and the execution row the store writes.
    const execution: ExecutionRow<bigint> = {
      sym: buy.sym,
      buyOrderId: buy.id,
      sellOrderId: sell.id,
      shares,
      price,
      time: now,
      buyFee,
      sellFee,
    };
    buy.addFill(execution);
    sell.addFill(execution);

    const buyer = buy.account;
    const position = this.position(buyer, book);
    position.shares += shares;
    this.dirtyPositions.mark(position);
    if (buy.terms.type === 'market') {
      buyer.cash -= value + (buyFee ?? 0n);
      this.dirtyAccounts.mark(buyer);
    } else if (buy.terms.taker === 0n && buyFee === null) {
      // The buyer reserved shares × its limit; it pays shares × price.
      if (buy.limit !== price) {
        buyer.cash += shares * (buy.limit - price);
        this.dirtyAccounts.mark(buyer);
      }
    } else {
      // What the executed shares held back, less what they cost.
      const rate = buy.terms.taker;
      const released =
        buyReservation(buy.open + shares, buy.limit, rate) -
        buyReservation(buy.open, buy.limit, rate);
      buyer.cash += released - value - (buyFee ?? 0n);
      this.dirtyAccounts.mark(buyer);
    }
    sell.account.cash += sellFee === null ? value : value - sellFee;
    this.dirtyAccounts.mark(sell.account);
    if (buyFee !== null) this.creditFee(buyFee + sellFee!);

    this.dirtyOrders.mark(resting);
    this.executions.push(execution);
    if (!this.traded) {
      this.traded = true;
      this.tradeLow = this.tradeHigh = price;
    } else if (price < this.tradeLow) this.tradeLow = price;
    else if (price > this.tradeHigh) this.tradeHigh = price;
    if (this.recording)
      this.event(book, {
        type: 'matched',
        sym: book.sym,
        seq: 0,
        time: now,
        restingId: resting.id,
        incomingId: incoming.id,
        side: resting.isBuy ? 'buy' : 'sell',
        price,
        shares,
      });
    else this.advance(book);
  }

  private creditFee(fee: bigint): void {
    if (fee === 0n) return;
    let account = this.accounts.get(this.fees.account);
    if (account === undefined) {
      account = new Account(this.fees.account, 0n);
      this.accounts.set(account.id, account);
    }
    account.cash += fee;
    this.dirtyAccounts.mark(account);
  }

  /** An order joins (`shares` open) or leaves the book at its limit. */
  private orderEvent(
    type: 'opened' | 'canceled',
    book: OrderBook,
    order: Order,
    shares: bigint,
    now: number,
  ): void {
    if (!this.recording) return this.advance(book);
    this.event(book, {
      type,
      sym: book.sym,
      seq: 0,
      time: now,
      orderId: order.id,
      side: order.isBuy ? 'buy' : 'sell',
      price: order.limit,
      shares,
    });
  }

  /** Gives an event the book's next sequence number and queues it for the batch. */
  private event(book: OrderBook, event: BookEvent): void {
    this.advance(book);
    (event as { seq: number }).seq = book.seq;
    this.events.push(event);
  }

  /** A change of the book: its sequence moves on (and is stored) whether or not recorded. */
  private advance(book: OrderBook): void {
    ++book.seq;
    this.dirtyBooks.mark(book);
  }

  /**
   * From now on, keep each book change as an event for takeEvents(). Off until somebody
   * follows the book feeds (building the events is a good part of the engine's work), and
   * never off again; turned on between batches, so a snapshot taken after it plus the events
   * after the snapshot's sequence number is the whole book.
   */
  recordBookEvents(): void {
    this.recording = true;
  }

  get recordingBookEvents(): boolean {
    return this.recording;
  }

  /** Refunds what an order's open shares hold back and records them canceled. */
  private cancelOpen(book: OrderBook, order: Order, now: number): void {
    const shares = order.open;
    const account = order.account;
    if (order.isBuy) {
      // A market buy holds nothing back.
      if (order.terms.type === 'limit') {
        account.cash += buyReservation(shares, order.limit, order.terms.taker);
        this.dirtyAccounts.mark(account);
      }
    } else {
      const position = this.position(account, book);
      position.shares += shares;
      this.dirtyPositions.mark(position);
    }
    order.open = 0n;
    order.canceled = { shares, time: now };
    this.dirtyOrders.mark(order);
    this.cancels.push({ orderId: order.id, shares, time: now });
  }

  /** Takes a resting order off the book and cancels its open shares. */
  private cancelResting(book: OrderBook, order: Order, now: number): void {
    const shares = order.open;
    book.remove(order);
    this.orderEvent('canceled', book, order, shares, now);
    this.cancelOpen(book, order, now);
    this.closed.push(order, this.batch);
  }

  private query(cmd: QueryOrder): Result {
    const order = this.orders.get(cmd.orderId);
    if (order === undefined && this.isArchived(cmd.orderId)) {
      return { kind: 'archived', op: 'query', orderId: cmd.orderId, account: '', echo: cmd.echo };
    }
    if (order === undefined)
      return { kind: 'error', echo: cmd.echo, error: exchangeError('ORDER_NOT_FOUND') };
    return { kind: 'status', echo: cmd.echo, status: order.status() };
  }

  private cancel(account: Account, cmd: CancelOrder, now: number): Result {
    const order = this.ownOrder(account, cmd);
    if (!(order instanceof Order)) return order;
    if (order.open === 0n) {
      return { kind: 'error', echo: cmd.echo, error: notOpenError(order.canceled !== null) };
    }
    const book = this.books.get(order.sym)!;
    if (order.waiting) {
      book.stops.remove(order);
      order.account.removeResting(order);
      order.waiting = false;
      this.cancelOpen(book, order, now);
      this.closed.push(order, this.batch);
    } else this.cancelResting(book, order, now);
    return { kind: 'canceled', echo: cmd.echo, status: order.status() };
  }

  /** The order a cancel or amend names when it is `account`'s; else the answer to give. */
  private ownOrder(account: Account, cmd: CancelOrder | AmendOrder): Order | Result {
    const order = this.orders.get(cmd.orderId);
    if (order === undefined) {
      if (!this.isArchived(cmd.orderId)) {
        return { kind: 'error', echo: cmd.echo, error: exchangeError('ORDER_NOT_FOUND') };
      }
      const { orderId, echo } = cmd;
      return { kind: 'archived', op: cmd.kind, orderId, account: account.id, echo };
    }
    if (order.account !== account) {
      return { kind: 'error', echo: cmd.echo, error: exchangeError('NOT_ORDER_OWNER') };
    }
    return order;
  }

  private amend(account: Account, cmd: AmendOrder, now: number): Result {
    const refuse = (code: ErrorCode, detail?: string): Result => ({
      kind: 'error',
      echo: cmd.echo,
      error: exchangeError(code, detail),
    });
    const order = this.ownOrder(account, cmd);
    if (!(order instanceof Order)) return order;
    if (order.open === 0n) {
      return { kind: 'error', echo: cmd.echo, error: notAmendableError(order.canceled !== null) };
    }
    if (order.waiting) return refuse('STOP_WAITING');
    const open = cmd.amount ?? order.open;
    const limit = cmd.limit ?? order.limit;
    if (open > order.open) {
      return refuse('AMEND_UP', `${formatShares(open)} > ${formatShares(order.open)} open`);
    }
    if (open === order.open && limit === order.limit) {
      return { kind: 'amended', echo: cmd.echo, open: order.open, limit: order.limit };
    }
    const book = this.books.get(order.sym)!;
    if (order.isBuy) {
      const rate = order.terms.taker;
      const more =
        buyReservation(open, limit, rate) - buyReservation(order.open, order.limit, rate);
      if (more > account.cash) return refuse('INSUFFICIENT_FUNDS');
      account.cash -= more;
      this.dirtyAccounts.mark(account);
    } else {
      const position = this.position(account, book);
      position.shares += order.open - open;
      this.dirtyPositions.mark(position);
    }
    const requeued = limit !== order.limit;
    if (requeued) book.remove(order);
    else order.level!.openShares -= order.open - open;
    order.open = open;
    order.limit = limit;
    order.reshaped = true;
    this.dirtyOrders.mark(order);
    const amendment = { open, limit, time: now };
    (order.amendments ??= []).push(amendment);
    this.amendmentRows.push({ orderId: order.id, ...amendment });
    if (this.recording)
      this.event(book, {
        type: 'amended',
        sym: book.sym,
        seq: 0,
        time: now,
        orderId: order.id,
        side: order.isBuy ? 'buy' : 'sell',
        price: limit,
        shares: open,
        requeued,
      });
    else this.advance(book);
    // A new limit is a new arrival at that price: it may execute at once, as the taker.
    if (requeued) this.enter(book, order, now);
    return { kind: 'amended', echo: cmd.echo, open: order.open, limit: order.limit };
  }

  /** Every id below the counter was issued; one not in memory was evicted, closed, to the store. */
  private isArchived(id: number): boolean {
    return id < this.nextOrderId && !this.orders.has(id);
  }

  /**
   * Forgets closed orders beyond the newest `keep`, among those closed in batches up to
   * `durableBatch` (their final state is in the store, and a closed order never changes
   * again). Queries and cancels of a forgotten order come back as `archived` results, to be
   * answered from the store. Returns how many were forgotten.
   */
  evictClosed(durableBatch: number, keep: number): number {
    let evicted = 0;
    while (this.closed.length > keep) {
      const order = this.closed.peekOldest(durableBatch);
      if (order === undefined) break;
      this.closed.dropOldest();
      this.orders.remove(order.id);
      evicted++;
    }
    return evicted;
  }

  /** Closed orders still held in memory. */
  get closedInMemory(): number {
    return this.closed.length;
  }

  private ensureBook(sym: string): OrderBook {
    let book = this.books.get(sym);
    if (book === undefined) {
      book = new OrderBook(sym);
      this.books.set(sym, book);
      this.dirtyBooks.mark(book);
    }
    return book;
  }

  /** The account's position in the book's symbol, made (with no shares) if it has none. */
  private position(account: Account, book: OrderBook): Position {
    let position = account.positions.get(book.sym);
    if (position === undefined) {
      position = new Position(account, book.sym, 0n);
      account.positions.set(book.sym, position);
    }
    return position;
  }

  /** The number takeChanges() will give the batch being built now. */
  get currentBatch(): number {
    return this.batch;
  }

  /** Closes the current batch: everything changed since the last call, as plain values. */
  takeChanges(): ChangeSet {
    this.batch++;
    // Plain loops over the changed objects: each row is built where the engine knows its type.
    const accounts = this.dirtyAccounts;
    const accountRows = new Array<AccountRow>(accounts.length);
    for (let i = 0; i < accountRows.length; i++) {
      const a = accounts.at(i);
      accountRows[i] = { id: a.id, cash: a.cash, deposited: a.deposited };
    }
    accounts.clear();
    const books = this.dirtyBooks;
    const symbolRows = new Array<SymbolRow>(books.length);
    for (let i = 0; i < symbolRows.length; i++) {
      const b = books.at(i);
      symbolRows[i] = { sym: b.sym, granted: b.granted, seq: b.seq };
    }
    books.clear();
    const positions = this.dirtyPositions;
    const positionRows = new Array<PositionRow>(positions.length);
    for (let i = 0; i < positionRows.length; i++) {
      const p = positions.at(i);
      positionRows[i] = { account: p.account.id, sym: p.sym, shares: p.shares };
    }
    positions.clear();
    const changes: ChangeSet = {
      accounts: accountRows,
      symbols: symbolRows,
      positions: positionRows,
      newOrders: [],
      orderUpdates: [],
      orderReshapes: [],
      executions: this.executions,
      cancels: this.cancels,
      amendments: this.amendmentRows,
    };
    const orders = this.dirtyOrders;
    for (let i = 0; i < orders.length; i++) {
      const o = orders.at(i);
      if (!o.stored) {
        changes.newOrders.push(orderRow(o));
        o.stored = true;
      } else if (o.reshaped) {
        changes.orderReshapes.push({
          id: o.id,
          open: o.open,
          limit: o.limit,
          triggeredAt: o.triggeredAt,
          priority: o.priority,
        });
      } else changes.orderUpdates.push({ id: o.id, open: o.open });
      o.reshaped = false;
    }
    orders.clear();
    this.executions = [];
    this.cancels = [];
    this.amendmentRows = [];
    return changes;
  }

  /** The invariants checked over the whole state (audit.ts). */
  audit(): AuditReport {
    return auditExchange(this);
  }

  /** The market-data events since the last call, in the order they happened. */
  takeEvents(): BookEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }

  /**
   * Rebuilds the state from a store snapshot; resting orders regain their time priority.
   * Closed orders may all be evicted, in id order; each account's open orders are listed
   * waiting stops first (in id order), then resting orders by priority. `handOver`: when taking
   * over from another engine, the batch it was building (this one goes on with it), its closed
   * orders in the order they closed, each with its batch, so that they are evicted as that
   * engine would have, and each account's open orders in that engine's order.
   */
  static restore(snapshot: Snapshot, options: ExchangeOptions = {}, handOver?: HandOver): Exchange {
    // One pass over the orders, which may be a stream: each is checked as it is built, and
    // the whole state is refused, never half-loaded, if any reference dangles.
    const check = referenceCheck(snapshot);
    const exchange = new Exchange(options);
    for (const row of snapshot.symbols)
      exchange.books.set(row.sym, new OrderBook(row.sym, row.granted, row.seq));
    for (const row of snapshot.accounts) {
      exchange.accounts.set(row.id, new Account(row.id, row.cash, row.deposited));
    }
    for (const row of snapshot.positions) {
      const account = exchange.accounts.get(row.account);
      if (account === undefined) continue; // named by the check
      account.positions.set(row.sym, new Position(account, row.sym, row.shares));
    }
    const byId = exchange.orders;
    /** Orders that exist but were not built (their own references dangle). */
    const unbuilt = new Set<number>();
    const shared = new SharedValues();
    for (const row of snapshot.orders) {
      check.order(row);
      const account = exchange.accounts.get(row.account);
      const book = exchange.books.get(row.sym);
      if (account === undefined || book === undefined) {
        unbuilt.add(row.id);
        continue;
      }
      const order = orderFromRow(row, account, exchange.plainTerms, book.sym, shared);
      byId.add(order);
      exchange.nextOrderId = Math.max(exchange.nextOrderId, order.id + 1);
      exchange.nextPriority = Math.max(exchange.nextPriority, order.priority + 1);
    }
    check.journal((id) => byId.has(id) || unbuilt.has(id));
    if (check.problems.length > 0) {
      const dangling = check.problems;
      const more = dangling.length > 5 ? ` and ${dangling.length - 5} more` : '';
      throw new Error(
        `the stored state is inconsistent: ${dangling.slice(0, 5).join('; ')}${more}`,
      );
    }
    for (const e of snapshot.executions) {
      byId.get(e.buyOrderId)?.addFill(e);
      byId.get(e.sellOrderId)?.addFill(e);
    }
    for (const c of snapshot.cancels) {
      const order = byId.get(c.orderId);
      if (order !== undefined) order.canceled = { shares: c.shares, time: c.time };
    }
    for (const a of snapshot.amendments) {
      const order = byId.get(a.orderId);
      if (order !== undefined)
        (order.amendments ??= []).push({ open: a.open, limit: a.limit, time: a.time });
    }
    exchange.nextOrderId = Math.max(exchange.nextOrderId, snapshot.nextOrderId ?? 1);
    exchange.nextPriority = Math.max(exchange.nextPriority, snapshot.nextPriority ?? 1);
    if (handOver === undefined) {
      for (const order of byId.values()) if (order.open === 0n) exchange.closed.push(order, 0);
    } else {
      for (const [id, batch] of handOver.closed) exchange.closed.push(byId.get(id)!, batch);
    }
    // Orders join their levels in queue order; waiting stops wait outside the book.
    const resting: Order[] = [];
    for (const order of byId.values()) {
      if (order.open === 0n) continue;
      if (order.waiting) {
        exchange.books.get(order.sym)!.stops.add(order);
        order.account.addResting(order);
      } else resting.push(order);
    }
    resting.sort((a, b) => a.priority - b.priority);
    for (const order of resting) exchange.books.get(order.sym)!.rest(order);
    for (const [id, orderIds] of handOver?.openOrders ?? []) {
      const account = exchange.accounts.get(id)!;
      for (const orderId of orderIds) {
        const order = byId.get(orderId)!;
        account.removeResting(order);
        account.addResting(order);
      }
    }
    exchange.takeChanges();
    if (handOver !== undefined) exchange.batch = handOver.batch;
    return exchange;
  }
}
