// The exchange state machine: accounts, positions, symbols, books and order ids. It does no
// I/O and reads no clock: `apply(request, now)` is a pure step on this state, so the same
// requests with the same times always give the same results and the same changes.

import { minBig } from '../decimal/fixed.js';
import { Account, Position } from './account.js';
import type {
  CancelOrder,
  CreateChild,
  PlaceOrder,
  QueryOrder,
  Request,
  Result,
  TransactionChild,
} from './commands.js';
import type { ChangeSet, ExecutionRow, CancelRow, Snapshot } from './changes.js';
import { exchangeError, type ErrorCode } from './errors.js';
import type { ExchangeView } from './exchange-view.js';
import { Order } from './order.js';
import { OrderBook } from './order-book.js';
import { OrderIndex } from './order-index.js';
import { DirtyList } from './dirty-list.js';
import { ClosedOrders } from './closed-orders.js';
import { notOpenError } from './archive.js';
import { referenceCheck } from './snapshot-references.js';

export class Exchange implements ExchangeView {
  readonly accounts = new Map<string, Account>();
  readonly books = new Map<string, OrderBook>();
  readonly orders = new OrderIndex();
  private nextOrderId = 1;

  // Changes since the last takeChanges(), tracked as the objects that moved; their values
  // are copied out when the batch closes.
  private readonly dirtyAccounts = new DirtyList<Account>();
  private readonly dirtyPositions = new DirtyList<Position>();
  private readonly dirtyOrders = new DirtyList<Order>();
  private readonly dirtyBooks = new DirtyList<OrderBook>();
  private executions: ExecutionRow[] = [];
  private cancels: CancelRow[] = [];
  /** Number of the batch being built; takeChanges() closes it. */
  private batch = 1;
  /** Closed orders (fully executed or canceled) in closing order, for eviction. */
  private readonly closed = new ClosedOrders();

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
    const results: Result[] = [];
    for (const child of request.children) {
      if (child.kind === 'invalid')
        results.push({ kind: 'error', echo: child.echo, error: child.error });
      else if (account === undefined) {
        results.push({
          kind: 'error',
          echo: child.echo,
          error: exchangeError('ACCOUNT_NOT_FOUND', `id="${request.account}"`),
        });
      } else results.push(this.transact(account, child, now));
    }
    return results;
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
        const position = this.position(account, child.sym);
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
    }
  }

  private place(account: Account, cmd: PlaceOrder, now: number): Result {
    const book = this.books.get(cmd.sym);
    if (book === undefined) return this.refuse(cmd, 'SYMBOL_NOT_FOUND', `sym="${cmd.sym}"`);
    const isBuy = cmd.amount > 0n;
    const shares = isBuy ? cmd.amount : -cmd.amount;
    if (isBuy) {
      const cost = shares * cmd.limit;
      if (account.cash < cost) return this.refuse(cmd, 'INSUFFICIENT_FUNDS');
      account.cash -= cost;
      this.dirtyAccounts.mark(account);
    } else {
      const position = account.positions.get(cmd.sym);
      if (position === undefined || position.shares < shares) {
        return this.refuse(cmd, 'INSUFFICIENT_SHARES');
      }
      position.shares -= shares;
      this.dirtyPositions.mark(position);
    }
    const order = new Order(this.nextOrderId++, account, cmd.sym, isBuy, shares, cmd.limit, now);
    this.orders.add(order);
    this.dirtyOrders.mark(order);
    this.match(book, order, now);
    if (order.open > 0n) book.rest(order);
    else this.closed.push(order, this.batch);
    return { kind: 'opened', echo: cmd.echo, orderId: order.id };
  }

  private refuse(cmd: PlaceOrder, code: ErrorCode, detail?: string): Result {
    return { kind: 'error', echo: cmd.echo, error: exchangeError(code, detail) };
  }

  /** Fills `incoming` against the best opposite levels while prices cross. */
  private match(book: OrderBook, incoming: Order, now: number): void {
    const side = book.opposite(incoming);
    while (incoming.open > 0n) {
      const level = side.best();
      if (level === undefined || !OrderBook.crosses(incoming, level.price)) return;
      let resting = level.head;
      while (resting !== null && incoming.open > 0n) {
        const next = resting.next;
        const shares = minBig(incoming.open, resting.open);
        this.execute(incoming, resting, shares, level.price, now);
        level.openShares -= shares;
        if (resting.open === 0n) {
          side.remove(resting);
          this.closed.push(resting, this.batch);
        }
        resting = next;
      }
    }
  }

  /** One execution at the resting order's price, both sides settled in this one step. */
  private execute(
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
    // One object is both orders' fill and the execution row the store writes.
    const execution: ExecutionRow = {
      sym: buy.sym,
      buyOrderId: buy.id,
      sellOrderId: sell.id,
      shares,
      price,
      time: now,
    };
    buy.addFill(execution);
    sell.addFill(execution);

    const buyer = buy.account;
    const position = this.position(buyer, buy.sym);
    position.shares += shares;
    this.dirtyPositions.mark(position);
    // The buyer reserved shares × its limit; it pays shares × price.
    if (buy.limit !== price) {
      buyer.cash += shares * (buy.limit - price);
      this.dirtyAccounts.mark(buyer);
    }
    sell.account.cash += shares * price;
    this.dirtyAccounts.mark(sell.account);

    this.dirtyOrders.mark(resting);
    this.executions.push(execution);
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
    const order = this.orders.get(cmd.orderId);
    if (order === undefined && this.isArchived(cmd.orderId)) {
      return {
        kind: 'archived',
        op: 'cancel',
        orderId: cmd.orderId,
        account: account.id,
        echo: cmd.echo,
      };
    }
    if (order === undefined)
      return { kind: 'error', echo: cmd.echo, error: exchangeError('ORDER_NOT_FOUND') };
    if (order.account !== account) {
      return { kind: 'error', echo: cmd.echo, error: exchangeError('NOT_ORDER_OWNER') };
    }
    if (order.open === 0n) {
      return { kind: 'error', echo: cmd.echo, error: notOpenError(order.canceled !== null) };
    }
    const book = this.books.get(order.sym)!;
    book.remove(order);
    const shares = order.open;
    if (order.isBuy) {
      account.cash += shares * order.limit;
      this.dirtyAccounts.mark(account);
    } else {
      const position = this.position(account, order.sym);
      position.shares += shares;
      this.dirtyPositions.mark(position);
    }
    order.open = 0n;
    order.canceled = { shares, time: now };
    this.closed.push(order, this.batch);
    this.dirtyOrders.mark(order);
    this.cancels.push({ orderId: order.id, shares, time: now });
    return { kind: 'canceled', echo: cmd.echo, status: order.status() };
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

  private position(account: Account, sym: string): Position {
    let position = account.positions.get(sym);
    if (position === undefined) {
      position = new Position(account, sym, 0n);
      account.positions.set(sym, position);
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
    const changes: ChangeSet = {
      accounts: this.dirtyAccounts.drain().map((a) => ({
        id: a.id,
        cash: a.cash,
        deposited: a.deposited,
      })),
      symbols: this.dirtyBooks.drain().map((b) => ({ sym: b.sym, granted: b.granted })),
      positions: this.dirtyPositions.drain().map((p) => ({
        account: p.account.id,
        sym: p.sym,
        shares: p.shares,
      })),
      newOrders: [],
      orderUpdates: [],
      executions: this.executions,
      cancels: this.cancels,
    };
    for (const o of this.dirtyOrders.drain()) {
      if (o.stored) changes.orderUpdates.push({ id: o.id, open: o.open });
      else {
        changes.newOrders.push({
          id: o.id,
          account: o.account.id,
          sym: o.sym,
          isBuy: o.isBuy,
          shares: o.shares,
          limit: o.limit,
          open: o.open,
          time: o.time,
        });
        o.stored = true;
      }
    }
    this.executions = [];
    this.cancels = [];
    return changes;
  }

  /** Rebuilds the state from a store snapshot; resting orders regain their time priority. */
  static restore(snapshot: Snapshot): Exchange {
    // One pass over the orders, which may be a stream: each is checked as it is built, and
    // the whole state is refused, never half-loaded, if any reference dangles.
    const check = referenceCheck(snapshot);
    const exchange = new Exchange();
    for (const row of snapshot.symbols)
      exchange.books.set(row.sym, new OrderBook(row.sym, row.granted));
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
    for (const row of snapshot.orders) {
      check.order(row);
      const account = exchange.accounts.get(row.account);
      if (account === undefined || !exchange.books.has(row.sym)) {
        unbuilt.add(row.id);
        continue;
      }
      const order = new Order(row.id, account, row.sym, row.isBuy, row.shares, row.limit, row.time);
      order.open = row.open;
      order.stored = true;
      byId.add(order);
      exchange.nextOrderId = Math.max(exchange.nextOrderId, order.id + 1);
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
    exchange.nextOrderId = Math.max(exchange.nextOrderId, snapshot.nextOrderId ?? 1);
    for (const order of byId.values()) if (order.open === 0n) exchange.closed.push(order, 0);
    // Snapshot orders come in id order, which is arrival order: appending keeps priority.
    for (const order of byId.values()) {
      if (order.open > 0n) exchange.books.get(order.sym)!.rest(order);
    }
    exchange.takeChanges();
    return exchange;
  }
}
