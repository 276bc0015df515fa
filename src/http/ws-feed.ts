// The WebSocket feed at /ws. Clients subscribe to symbols (book and trades) and to stats.
// The feed ticks every 250 ms: each changed book is viewed once and sent to its watchers,
// with the trades since the last tick. A client whose socket is backed up is skipped (its
// book is sent again, newest, once it drains; its skipped trades are counted as dropped), so
// a slow browser costs the engine nothing more than a fast one.
//
// The sequenced book channels (l2, l3) are not coalesced: each durable batch's part for a
// symbol goes out as one message, serialized once for all its subscribers. Skipping would
// leave a silent hole in a replica, so a client too far behind misses messages and is told
// with a `reset` once it drains, to resynchronise from a snapshot: its queue never grows
// past one batch beyond the slow-client limit.

import type { WebSocket } from 'ws';
import { isSymbol } from '../engine/validate.js';
import type { MarketFeed } from '../market/market-feed.js';
import type { BookFeedSink, LevelUpdate } from '../market/book-feed.js';
import type { BookEvent } from '../engine/book-events.js';
import type { StatsSampler } from '../metrics/stats-sampler.js';
import type { Sequencer } from '../sequencer/sequencer.js';
import type { BookChannel, BookView, ServerMessage, StatsView, TradeView } from './api-types.js';
import { HttpError } from './http-errors.js';
import { bookEventView, bookView, levelChangeView, tradeView } from './views.js';
import type { ExecutionRow } from '../engine/changes.js';

/**
 * How often changed books and new trades go out. At 100 ms a dashboard in headless Chromium
 * cost a quarter of a core on the benchmark machine, rendering; at 250 ms, with a smaller
 * ladder and tape, an eighth (bench/dashboard-cost.ts). Four updates a second still read as
 * live.
 */
export const FEED_TICK_MS = 250;
export const FEED_BOOK_DEPTH = 50;
/** Trades a new subscription gets at once, from the tape. */
const FEED_FIRST_TRADES = 50;
/** Bytes queued on a socket beyond which it is skipped until it drains. */
export const SLOW_CLIENT_BYTES = 512 * 1024;
/** Bytes queued on a socket beyond which its client is disconnected. */
export const MAX_QUEUED_BYTES = 4 * 1024 * 1024;
export const MAX_FEED_CLIENTS = 1_000;
const MAX_SUBSCRIPTIONS = 100;

interface Client {
  readonly symbols: Set<string>;
  stats: boolean;
  /** Books it missed while slow: sent at the next tick it can take. */
  readonly owedBooks: Set<string>;
  /** Trades it missed while slow, per symbol: reported with the next trades it gets. */
  readonly dropped: Map<string, number>;
  /** Per new subscription, the newest trade its first message carried. */
  readonly sentUpTo: Map<string, ExecutionRow>;
  /** Symbols whose first book and trades are not sent yet: ticks leave them alone. */
  readonly subscribing: Set<string>;
  /** Symbols it follows on each book channel. */
  readonly books: Record<BookChannel, Set<string>>;
  /** Book channel subscriptions (`l2:SPY`) that missed a message: owed a `reset`. */
  readonly gapped: Set<string>;
  alive: boolean;
}

const BOOK_CHANNELS: readonly BookChannel[] = ['l2', 'l3'];
const isBookChannel = (c: unknown): c is BookChannel => c === 'l2' || c === 'l3';
const gapKey = (channel: BookChannel, sym: string): string => `${channel}:${sym}`;

export class WebSocketFeed implements BookFeedSink {
  private readonly clients = new Map<WebSocket, Client>();
  /** Per book channel and symbol, who follows it: a batch's message goes straight to them. */
  private readonly bookSubscribers: Record<BookChannel, Map<string, Set<WebSocket>>> = {
    l2: new Map(),
    l3: new Map(),
  };
  private readonly tick: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly onStats = (stats: StatsView): void => this.sendStats(stats);

  constructor(
    private readonly sequencer: Sequencer,
    private readonly feed: MarketFeed,
    private readonly sampler: StatsSampler,
  ) {
    this.tick = setInterval(() => void this.publish(), FEED_TICK_MS);
    this.tick.unref();
    // A client that vanished without a close is found by its missing pong.
    this.heartbeat = setInterval(() => this.ping(), 30_000);
    this.heartbeat.unref();
    sampler.listeners.add(this.onStats);
    feed.books.sink = this;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  get full(): boolean {
    return this.clients.size >= MAX_FEED_CLIENTS;
  }

  close(): void {
    clearInterval(this.tick);
    clearInterval(this.heartbeat);
    this.sampler.listeners.delete(this.onStats);
    if (this.feed.books.sink === this) this.feed.books.sink = null;
    for (const ws of this.clients.keys()) ws.close(1001, 'server stopping');
  }

  /** A connection upgraded at /ws. */
  accept(ws: WebSocket): void {
    const client: Client = {
      symbols: new Set(),
      stats: false,
      owedBooks: new Set(),
      dropped: new Map(),
      sentUpTo: new Map(),
      subscribing: new Set(),
      books: { l2: new Set(), l3: new Set() },
      gapped: new Set(),
      alive: true,
    };
    this.clients.set(ws, client);
    ws.on('pong', () => (client.alive = true));
    ws.on('message', (data, isBinary) => {
      if (isBinary)
        return this.send(ws, error(HttpError.code('INVALID_MESSAGE', 'send JSON text messages')));
      // A client that asks without reading the answers is cut off (see send).
      this.handle(ws, client, data.toString()).catch(() => ws.terminate());
    });
    ws.on('close', () => {
      this.clients.delete(ws);
      for (const sym of client.symbols) this.unwatch(sym);
      for (const channel of BOOK_CHANNELS) {
        for (const sym of [...client.books[channel]]) this.leaveBook(ws, client, channel, sym);
      }
    });
    ws.on('error', () => ws.terminate());
  }

  private async handle(ws: WebSocket, client: Client, text: string): Promise<void> {
    let message: { op?: unknown; symbol?: unknown; channel?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return this.send(ws, error(HttpError.code('INVALID_MESSAGE', 'not JSON')));
    }
    const { op, symbol, channel } = message ?? {};
    if (op !== 'subscribe' && op !== 'unsubscribe') {
      return this.send(
        ws,
        error(HttpError.code('INVALID_MESSAGE', 'op must be "subscribe" or "unsubscribe"')),
      );
    }
    if (channel === 'stats') {
      client.stats = op === 'subscribe';
      if (!client.stats) return;
      this.send(ws, { type: 'subscribed', channel: 'stats' });
      return this.send(ws, { type: 'stats', ...(await this.sampler.latest()) });
    }
    if (typeof symbol !== 'string' || !isSymbol(symbol)) {
      return this.send(
        ws,
        error(
          HttpError.code(
            'INVALID_MESSAGE',
            'give "symbol" (letters and digits) or "channel": "stats"',
          ),
        ),
      );
    }
    if (channel !== undefined) {
      if (!isBookChannel(channel)) {
        return this.send(
          ws,
          error(
            HttpError.code(
              'INVALID_MESSAGE',
              'with a "symbol", "channel" must be "l2" or "l3" (or absent: book and trades)',
            ),
          ),
        );
      }
      if (op === 'unsubscribe') return this.leaveBook(ws, client, channel, symbol);
      return this.joinBook(ws, client, channel, symbol);
    }
    if (op === 'unsubscribe') {
      if (client.symbols.delete(symbol)) this.unwatch(symbol);
      return;
    }
    if (client.symbols.has(symbol)) return;
    if (subscriptions(client) >= MAX_SUBSCRIPTIONS) {
      return this.send(
        ws,
        error(HttpError.code('TOO_MANY_SUBSCRIPTIONS', `at most ${MAX_SUBSCRIPTIONS}`)),
      );
    }
    // Watched before the first view is read: no change after it can go unnoticed. Ticks
    // skip it until the first messages are out, then owe it the newest book.
    client.symbols.add(symbol);
    client.subscribing.add(symbol);
    this.feed.watched.add(symbol);
    let view: BookView | null | 'unavailable';
    try {
      view = await this.sequencer.read((engine) => {
        const book = engine.book(symbol);
        return book === undefined ? null : bookView(book, FEED_BOOK_DEPTH);
      });
    } catch {
      view = 'unavailable';
    }
    client.subscribing.delete(symbol);
    if (view === null || view === 'unavailable') {
      client.symbols.delete(symbol);
      this.unwatch(symbol);
      return this.send(
        ws,
        error(
          view === null
            ? HttpError.code('SYMBOL_NOT_FOUND', `sym="${symbol}"`)
            : HttpError.code('STORE_UNAVAILABLE'),
        ),
      );
    }
    this.send(ws, { type: 'subscribed', symbol });
    this.send(ws, { type: 'book', ...view });
    const recent = this.feed.tape.recent(symbol, FEED_FIRST_TRADES);
    // The next tick's trades may include some of these: that client is sent only newer ones.
    if (recent[0] !== undefined) client.sentUpTo.set(symbol, recent[0]);
    this.send(ws, { type: 'trades', symbol, trades: recent.map(tradeView), dropped: 0 });
    client.owedBooks.add(symbol);
  }

  /**
   * Joined inside a sequencer read, between batches: every batch that becomes durable from
   * then on reaches the client, so a snapshot it fetches after `subscribed` leaves no hole.
   * Messages may come before `subscribed` (of batches applied before the read); a client
   * keeps what arrives from its subscribe on.
   */
  private async joinBook(
    ws: WebSocket,
    client: Client,
    channel: BookChannel,
    symbol: string,
  ): Promise<void> {
    if (client.books[channel].has(symbol)) return;
    if (subscriptions(client) >= MAX_SUBSCRIPTIONS) {
      return this.send(
        ws,
        error(HttpError.code('TOO_MANY_SUBSCRIPTIONS', `at most ${MAX_SUBSCRIPTIONS}`)),
      );
    }
    let found: boolean | 'unavailable';
    try {
      found = await this.sequencer.read((engine) => {
        if (engine.book(symbol) === undefined) return false;
        // The socket may have closed while an earlier message of it waited.
        if (!this.clients.has(ws) || client.books[channel].has(symbol)) return true;
        client.books[channel].add(symbol);
        let subscribers = this.bookSubscribers[channel].get(symbol);
        if (subscribers === undefined) {
          subscribers = new Set();
          this.bookSubscribers[channel].set(symbol, subscribers);
        }
        subscribers.add(ws);
        this.feed.books.watch(symbol, channel, engine);
        return true;
      });
    } catch {
      found = 'unavailable';
    }
    if (found === true) return this.send(ws, { type: 'subscribed', symbol, channel });
    this.leaveBook(ws, client, channel, symbol);
    this.send(
      ws,
      error(
        found === false
          ? HttpError.code('SYMBOL_NOT_FOUND', `sym="${symbol}"`)
          : HttpError.code('STORE_UNAVAILABLE'),
      ),
    );
  }

  private leaveBook(ws: WebSocket, client: Client, channel: BookChannel, symbol: string): void {
    if (!client.books[channel].delete(symbol)) return;
    client.gapped.delete(gapKey(channel, symbol));
    const subscribers = this.bookSubscribers[channel].get(symbol);
    subscribers?.delete(ws);
    if (subscribers?.size === 0) this.bookSubscribers[channel].delete(symbol);
    this.feed.books.unwatch(symbol, channel);
  }

  /** BookFeedSink: one symbol's events of a durable batch. */
  events(sym: string, events: readonly BookEvent[]): void {
    const subscribers = this.bookSubscribers.l3.get(sym);
    if (subscribers === undefined || events.length === 0) return;
    const text = JSON.stringify({
      type: 'l3',
      symbol: sym,
      prevSeq: events[0]!.seq - 1,
      seq: events[events.length - 1]!.seq,
      events: events.map(bookEventView),
    } satisfies ServerMessage);
    this.deliver(subscribers, 'l3', sym, text);
  }

  /** BookFeedSink: the levels one durable batch changed in a symbol. */
  levels(sym: string, update: LevelUpdate): void {
    const subscribers = this.bookSubscribers.l2.get(sym);
    if (subscribers === undefined) return;
    const text = JSON.stringify({
      type: 'l2',
      symbol: sym,
      prevSeq: update.prevSeq,
      seq: update.seq,
      time: update.time,
      bids: update.bids.map(levelChangeView),
      asks: update.asks.map(levelChangeView),
    } satisfies ServerMessage);
    this.deliver(subscribers, 'l2', sym, text);
  }

  /** BookFeedSink: every subscriber of the symbol on the channel must start over. */
  reset(sym: string, channel: BookChannel): void {
    const key = gapKey(channel, sym);
    for (const ws of this.bookSubscribers[channel].get(sym) ?? []) {
      const client = this.clients.get(ws);
      if (client === undefined) continue;
      client.gapped.add(key);
      this.sendResets(ws, client);
    }
  }

  private deliver(subscribers: Set<WebSocket>, channel: BookChannel, sym: string, text: string) {
    for (const ws of subscribers) {
      if (ws.readyState !== ws.OPEN) continue;
      const client = this.clients.get(ws);
      if (client === undefined) continue;
      if (ws.bufferedAmount > SLOW_CLIENT_BYTES) {
        client.gapped.add(gapKey(channel, sym));
        continue;
      }
      if (client.gapped.size > 0) this.sendResets(ws, client);
      ws.send(text);
    }
  }

  /** The resets a client is owed, once it has drained below the slow-client limit. */
  private sendResets(ws: WebSocket, client: Client): void {
    if (ws.readyState !== ws.OPEN || ws.bufferedAmount > SLOW_CLIENT_BYTES) return;
    for (const key of client.gapped) {
      const [channel, symbol] = key.split(':') as [BookChannel, string];
      ws.send(JSON.stringify({ type: 'reset', symbol, channel } satisfies ServerMessage));
    }
    client.gapped.clear();
  }

  private unwatch(sym: string): void {
    for (const client of this.clients.values()) if (client.symbols.has(sym)) return;
    this.feed.watched.delete(sym);
  }

  private async publish(): Promise<void> {
    // A gapped client whose symbols went quiet still learns of its gap once it drains.
    for (const [ws, client] of this.clients) {
      if (client.gapped.size > 0) this.sendResets(ws, client);
    }
    if (this.feed.watched.size === 0) return;
    const changed = this.feed.takeChanged();
    const trades = this.feed.takeTrades();
    const wanted = new Set(changed);
    for (const client of this.clients.values()) for (const sym of client.owedBooks) wanted.add(sym);
    if (wanted.size === 0 && trades.size === 0) return;
    let books: Map<string, string>;
    try {
      books = await this.sequencer.read((engine) => {
        const views = new Map<string, string>();
        for (const sym of wanted) {
          const book = engine.book(sym);
          if (book !== undefined) {
            views.set(sym, JSON.stringify({ type: 'book', ...bookView(book, FEED_BOOK_DEPTH) }));
          }
        }
        return views;
      });
    } catch {
      return; // the store is down: nothing new is durable to show
    }
    // Each symbol's trades are viewed once; the message is shared by every client that has
    // dropped nothing (the usual case).
    const tradeViews = new Map<string, TradeView[]>();
    const sharedTrades = new Map<string, string>();
    for (const [sym, recent] of trades) {
      const views = recent.trades.map(tradeView).reverse();
      tradeViews.set(sym, views);
      if (recent.dropped === 0) {
        sharedTrades.set(
          sym,
          JSON.stringify({ type: 'trades', symbol: sym, trades: views, dropped: 0 }),
        );
      }
    }
    for (const [ws, client] of this.clients) {
      const slow = ws.bufferedAmount > SLOW_CLIENT_BYTES;
      for (const sym of client.symbols) {
        if (client.subscribing.has(sym)) continue;
        const book = books.get(sym);
        if (book !== undefined && (changed.has(sym) || client.owedBooks.has(sym))) {
          if (slow) client.owedBooks.add(sym);
          else {
            client.owedBooks.delete(sym);
            if (ws.readyState === ws.OPEN) ws.send(book);
          }
        }
        let recent = trades.get(sym);
        if (recent === undefined) continue;
        const upTo = client.sentUpTo.get(sym);
        if (upTo !== undefined) {
          client.sentUpTo.delete(sym);
          const seen = recent.trades.indexOf(upTo);
          if (seen >= 0) recent = { trades: recent.trades.slice(seen + 1), dropped: 0 };
          if (recent.trades.length === 0) continue;
        }
        const dropped = (client.dropped.get(sym) ?? 0) + recent.dropped;
        if (slow) {
          client.dropped.set(sym, dropped + recent.trades.length);
          continue;
        }
        client.dropped.delete(sym);
        const shared = dropped === 0 && upTo === undefined ? sharedTrades.get(sym) : undefined;
        if (shared !== undefined) {
          if (ws.readyState === ws.OPEN) ws.send(shared);
        } else {
          const views =
            upTo === undefined ? tradeViews.get(sym)! : recent.trades.map(tradeView).reverse();
          this.send(ws, { type: 'trades', symbol: sym, trades: views, dropped });
        }
      }
    }
  }

  private sendStats(stats: StatsView): void {
    let message: string | null = null;
    for (const [ws, client] of this.clients) {
      if (!client.stats || ws.readyState !== ws.OPEN || ws.bufferedAmount > SLOW_CLIENT_BYTES)
        continue;
      message ??= JSON.stringify({ type: 'stats', ...stats });
      ws.send(message);
    }
  }

  /**
   * Answers to a client's own messages. Those the feed may skip; these it may not, so a
   * client that keeps asking without reading is disconnected instead of queued for.
   */
  private send(ws: WebSocket, message: ServerMessage): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_QUEUED_BYTES) {
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(message));
  }

  private ping(): void {
    for (const [ws, client] of this.clients) {
      if (!client.alive) {
        ws.terminate();
        continue;
      }
      client.alive = false;
      ws.ping();
    }
  }
}

function subscriptions(client: Client): number {
  return client.symbols.size + client.books.l2.size + client.books.l3.size;
}

function error({ code, message }: HttpError): ServerMessage {
  return { type: 'error', code, message };
}
