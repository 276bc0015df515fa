// The engine the server runs: the column engine (columns/) while every request is one it
// takes, the classic engine (exchange.ts) from the first one it does not. The column engine
// keeps its state in typed arrays and its money exact in doubles, and runs the base protocol
// (accounts, grants, limit orders, queries, cancels) and the extensions (immediate-or-cancel,
// fill-or-kill, market and stop-limit orders, self-trade prevention, amends, market-data
// events) much faster; the classic engine runs everything (fees and values past the columns'
// ranges too). Both give the same results and the same changes for the same
// requests (test/unit/column-engine.property.test.ts).
//
// The hand-over is one way and exact: the batch being built is closed in the column engine
// and its changes kept, the classic engine is restored from the column engine's snapshot and
// continues the same batch, its closed orders queued for eviction as they closed, and the kept
// changes go out merged with that batch's. A restart starts on the column engine again when
// the stored state fits it.

import type { BookEvent } from './book-events.js';
import type { ChangeSet, Snapshot } from './changes.js';
import type { Request, Result } from './commands.js';
import type { Account } from './account.js';
import { auditExchange, type AuditReport } from './audit.js';
import type { BookRead, EngineKind, ExchangeView } from './exchange-view.js';
import { Exchange, type ExchangeOptions } from './exchange.js';
import { feesOn } from './fees.js';
import { mergeChangeSets } from './merge-changes.js';
import type { Order } from './order.js';
import { ColumnExchange } from './columns/column-exchange.js';
import { restoreColumns } from './columns/column-restore.js';

/** What the sequencer asks of an engine. */
export interface MatchingEngine extends ExchangeView {
  readonly options: ExchangeOptions;
  apply(request: Request, now: number): Result[];
  takeChanges(): ChangeSet;
  takeEvents(): BookEvent[];
  evictClosed(durableBatch: number, keep: number): number;
  readonly currentBatch: number;
  readonly closedInMemory: number;
  readonly recordingBookEvents: boolean;
  /** The invariants checked over the whole state (audit.ts). */
  audit(): AuditReport;
}

export class AdaptiveExchange implements MatchingEngine {
  private columns: ColumnExchange | null;
  private classic: Exchange | null;
  /** The column engine's part of the batch being built, when it handed over mid-batch. */
  private pending: ChangeSet | null = null;
  private pendingEvents: BookEvent[] = [];

  private constructor(
    readonly options: ExchangeOptions,
    engine: ColumnExchange | Exchange,
  ) {
    this.columns = engine instanceof ColumnExchange ? engine : null;
    this.classic = engine instanceof Exchange ? engine : null;
  }

  /** A new, empty exchange. */
  static create(options: ExchangeOptions = {}): AdaptiveExchange {
    if (!columnsServe(options)) return new AdaptiveExchange(options, new Exchange(options));
    return new AdaptiveExchange(options, recording(new ColumnExchange(), options));
  }

  /** The state a store holds, on the column engine when it fits it. */
  static restore(snapshot: Snapshot, options: ExchangeOptions = {}): AdaptiveExchange {
    if (!columnsServe(options))
      return new AdaptiveExchange(options, Exchange.restore(snapshot, options));
    const restored = restoreColumns(snapshot);
    if (restored.engine !== null)
      return new AdaptiveExchange(options, recording(restored.engine, options));
    return new AdaptiveExchange(options, Exchange.restore(restored.snapshot, options));
  }

  get engineKind(): EngineKind {
    return this.running.engineKind;
  }

  apply(request: Request, now: number): Result[] {
    const columns = this.columns;
    if (columns !== null && columns.accepts(request)) return columns.apply(request, now);
    return this.toClassic().apply(request, now);
  }

  /** The classic engine, restored from the column engine's state if it is not running yet. */
  private toClassic(): Exchange {
    if (this.classic !== null) return this.classic;
    const columns = this.columns!;
    const batch = columns.currentBatch;
    this.pending = columns.takeChanges();
    this.pendingEvents = columns.takeEvents();
    const handOver = { batch, closed: columns.closedOrders(), openOrders: columns.openOrders() };
    const options = { ...this.options, bookEvents: columns.recordingBookEvents };
    this.classic = Exchange.restore(columns.snapshot(), options, handOver);
    this.columns = null;
    return this.classic;
  }

  takeChanges(): ChangeSet {
    if (this.columns !== null) return this.columns.takeChanges();
    const changes = this.classic!.takeChanges();
    const pending = this.pending;
    if (pending === null) return changes;
    this.pending = null;
    return mergeChangeSets([pending, changes]);
  }

  /** The column engine's state is audited as the classic engine restored from it. */
  audit(): AuditReport {
    return auditExchange(this.classic ?? Exchange.restore(this.columns!.snapshot()));
  }

  takeEvents(): BookEvent[] {
    if (this.columns !== null) return this.columns.takeEvents();
    const events = this.classic!.takeEvents();
    const pending = this.pendingEvents;
    if (pending.length === 0) return events;
    this.pendingEvents = [];
    return [...pending, ...events];
  }

  recordBookEvents(): void {
    this.running.recordBookEvents();
  }

  get recordingBookEvents(): boolean {
    return this.running.recordingBookEvents;
  }

  evictClosed(durableBatch: number, keep: number): number {
    return this.running.evictClosed(durableBatch, keep);
  }

  private get running(): ColumnExchange | Exchange {
    return this.columns ?? this.classic!;
  }

  get currentBatch(): number {
    return this.running.currentBatch;
  }

  get closedInMemory(): number {
    return this.running.closedInMemory;
  }

  account(id: string): Account | undefined {
    return this.running.account(id);
  }

  book(sym: string): BookRead | undefined {
    return this.running.book(sym);
  }

  order(id: number): Order | undefined {
    return this.running.order(id);
  }

  symbolBooks(): IterableIterator<BookRead> {
    return this.running.symbolBooks();
  }

  get peekNextOrderId(): number {
    return this.running.peekNextOrderId;
  }

  get accountCount(): number {
    return this.running.accountCount;
  }

  get symbolCount(): number {
    return this.running.symbolCount;
  }

  get orderCount(): number {
    return this.running.orderCount;
  }

  get restingOrderCount(): number {
    return this.running.restingOrderCount;
  }
}

/** Whether the column engine can serve an exchange with these options. */
function columnsServe(options: ExchangeOptions): boolean {
  return options.fees === undefined || !feesOn(options.fees);
}

/** The column engine, recording book events from the start if the options say so. */
function recording(engine: ColumnExchange, options: ExchangeOptions): ColumnExchange {
  if (options.bookEvents === true) engine.recordBookEvents();
  return engine;
}
