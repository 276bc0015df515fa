// Market data from durable batches: every trade goes on the tape, and the symbols whose books
// changed are remembered until the feed's next tick asks. Work per batch is a pass over its
// changes, and only while somebody watches; the feed itself sets the pace, so however fast
// the engine goes, watchers cost one book view per symbol per tick.

import type { ExecutionRow } from '../engine/changes.js';
import type { BatchObserver, DurableBatch } from '../engine/batch-observer.js';
import { BookFeed } from './book-feed.js';
import { TradeTape } from './trade-tape.js';

/** Trades sent per watched symbol and tick; older ones of the tick are counted, not sent. */
export const PENDING_TRADES = 50;

export interface PendingTrades {
  /** Oldest first. */
  readonly trades: ExecutionRow[];
  /** Older trades of the same interval left out. */
  readonly dropped: number;
}

export class MarketFeed implements BatchObserver {
  tape = new TradeTape();
  /** Symbols somebody watches now (the WebSocket hub keeps it). */
  readonly watched = new Set<string>();
  private changed = new Set<string>();
  private pending = new Map<string, ExecutionRow[]>();
  /** The l2 and l3 channels: every batch, not coalesced per tick, so kept apart. */
  readonly books = new BookFeed();

  batchDurable(durable: DurableBatch): void {
    const { changes, engine } = durable;
    this.tape.record(changes.executions);
    this.books.batchDurable(durable);
    if (this.watched.size === 0) return;
    for (const execution of changes.executions) {
      if (!this.watched.has(execution.sym)) continue;
      this.changed.add(execution.sym);
      let pending = this.pending.get(execution.sym);
      if (pending === undefined) {
        pending = [];
        this.pending.set(execution.sym, pending);
      }
      pending.push(execution);
    }
    for (const order of changes.newOrders) {
      if (this.watched.has(order.sym)) this.changed.add(order.sym);
    }
    // A cancel names only its order, still in memory: closed orders leave after this call.
    for (const cancel of changes.cancels) {
      const sym = engine.order(cancel.orderId)?.sym;
      if (sym !== undefined && this.watched.has(sym)) this.changed.add(sym);
    }
  }

  /**
   * After the engine was rebuilt from the store: the tape anew from the store's newest
   * executions, and every watched book marked changed (a batch whose commit outcome was lost
   * may or may not be in it; the rebuilt engine agrees with the store either way).
   */
  restart(executions: readonly ExecutionRow[]): void {
    this.tape = new TradeTape();
    this.tape.record(executions);
    this.pending = new Map();
    for (const sym of this.watched) this.changed.add(sym);
    this.books.restart();
  }

  /** Watched symbols whose books changed since the last call. */
  takeChanged(): Set<string> {
    const changed = this.changed;
    this.changed = new Set();
    return changed;
  }

  /** Trades of watched symbols since the last call, oldest first, with how many were left out. */
  takeTrades(): Map<string, PendingTrades> {
    const taken = new Map<string, PendingTrades>();
    for (const [sym, trades] of this.pending) {
      const dropped = Math.max(0, trades.length - PENDING_TRADES);
      taken.set(sym, { trades: dropped > 0 ? trades.slice(dropped) : trades, dropped });
    }
    this.pending = new Map();
    return taken;
  }
}
