// Order-level (L3) and level (L2) market data, per symbol and durable batch
// (docs/extensions.md, "Market data with sequence numbers"). The batch's events are grouped
// by watched symbol and handed to the sink once per symbol, whatever the number of
// subscribers; with nobody watching a batch costs one size check.

import type { BookEvent } from '../engine/book-events.js';
import type { DurableBatch } from '../engine/batch-observer.js';
import type { ExchangeView } from '../engine/exchange-view.js';
import { LevelShadow, type LevelChanges } from './level-shadow.js';

export type BookChannel = 'l2' | 'l3';

export interface LevelUpdate extends LevelChanges {
  /** The seq before the batch's first event for the symbol. */
  readonly prevSeq: number;
  /** The batch's last event for the symbol. */
  readonly seq: number;
  readonly time: number;
}

/** Where the feed's messages go (the WebSocket hub). Called between batches; must not throw. */
export interface BookFeedSink {
  /** The symbol's events of one durable batch, in order. */
  events(sym: string, events: readonly BookEvent[]): void;
  levels(sym: string, update: LevelUpdate): void;
  /**
   * The level copy of the symbol had to be made again (numbers skipped, or the engine rebuilt
   * from the store): level subscribers cannot trust what they hold, even where no gap shows.
   */
  reset(sym: string, channel: BookChannel): void;
}

interface Watch {
  l2: number;
  l3: number;
  /** While l2 > 0: the book as the published events left it. */
  shadow: LevelShadow | null;
}

export class BookFeed {
  private readonly watched = new Map<string, Watch>();
  sink: BookFeedSink | null = null;

  /** Whether anybody watches the symbol on the channel. */
  watching(sym: string, channel: BookChannel): boolean {
    const watch = this.watched.get(sym);
    return watch !== undefined && watch[channel] > 0;
  }

  /**
   * One more subscriber. Called between batches (inside a sequencer read), so the level copy
   * made for the first l2 subscriber is at a batch boundary; events it already holds are
   * skipped when their batch becomes durable.
   */
  watch(sym: string, channel: BookChannel, engine: ExchangeView): void {
    let watch = this.watched.get(sym);
    if (watch === undefined) {
      watch = { l2: 0, l3: 0, shadow: null };
      this.watched.set(sym, watch);
    }
    watch[channel]++;
    engine.recordBookEvents();
    if (channel === 'l2' && watch.shadow === null) watch.shadow = copyOf(engine, sym);
  }

  unwatch(sym: string, channel: BookChannel): void {
    const watch = this.watched.get(sym);
    if (watch === undefined || watch[channel] === 0) return;
    watch[channel]--;
    if (watch.l2 === 0) watch.shadow = null;
    if (watch.l2 === 0 && watch.l3 === 0) this.watched.delete(sym);
  }

  batchDurable({ events, engine }: Pick<DurableBatch, 'events' | 'engine'>): void {
    if (this.watched.size === 0 || events.length === 0) return;
    const bySymbol = new Map<string, BookEvent[]>();
    for (const event of events) {
      if (!this.watched.has(event.sym)) continue;
      const list = bySymbol.get(event.sym);
      if (list === undefined) bySymbol.set(event.sym, [event]);
      else list.push(event);
    }
    for (const [sym, list] of bySymbol) {
      const watch = this.watched.get(sym)!;
      if (watch.l3 > 0) this.sink?.events(sym, list);
      if (watch.l2 > 0) this.levels(sym, watch, list, engine);
    }
  }

  /**
   * The engine was rebuilt from the store: every subscriber starts over from a snapshot (a
   * batch whose commit outcome was lost may be in the store or not).
   */
  restart(): void {
    for (const [sym, watch] of this.watched) {
      // Copied again from the rebuilt engine at its next batch.
      watch.shadow = null;
      if (watch.l2 > 0) this.sink?.reset(sym, 'l2');
      if (watch.l3 > 0) this.sink?.reset(sym, 'l3');
    }
  }

  private levels(sym: string, watch: Watch, events: BookEvent[], engine: ExchangeView): void {
    const shadow = watch.shadow;
    if (shadow === null || shadow.engine !== engine) {
      // Between batches here too, so the engine's book is at a batch boundary. A null copy
      // was dropped by restart(), which told the subscribers already.
      watch.shadow = copyOf(engine, sym);
      if (shadow !== null) this.sink?.reset(sym, 'l2');
      return;
    }
    const last = events[events.length - 1]!;
    // Already in the copy: it was made after this batch was applied.
    if (last.seq <= shadow.seq) return;
    const prevSeq = shadow.seq;
    for (const event of events) {
      if (event.seq <= prevSeq) continue;
      if (!shadow.apply(event)) {
        watch.shadow = copyOf(engine, sym);
        this.sink?.reset(sym, 'l2');
        return;
      }
    }
    this.sink?.levels(sym, {
      prevSeq,
      seq: shadow.seq,
      time: last.time,
      ...shadow.takeChanges(),
    });
  }
}

function copyOf(engine: ExchangeView, sym: string): LevelShadow {
  const book = engine.book(sym);
  return book === undefined ? LevelShadow.empty(engine) : LevelShadow.of(engine, book);
}
