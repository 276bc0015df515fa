// A market-data client as a user would write one: it follows a symbol's `l3` and `l2`
// WebSocket channels from REST snapshots, skips what a snapshot already holds, and starts
// over from a new snapshot on any gap or `reset`. Written from the documented contract only
// (docs/extensions.md), with its own book, so comparing it with the engine tests the feed.

import WebSocket from 'ws';
import type {
  BookEventView,
  LevelBookView,
  OrderBookView,
  ServerMessage,
} from '../../src/http/api-types.js';
import { PRICE_SCALE, SHARE_SCALE, formatDecimal, parseDecimal } from '../../src/decimal/fixed.js';

type Side = 'buy' | 'sell';
type L3Message = Extract<ServerMessage, { type: 'l3' }>;
type L2Message = Extract<ServerMessage, { type: 'l2' }>;

function dec(text: string, scale: number): bigint {
  const parsed = parseDecimal(text, scale);
  if (!parsed.ok) throw new Error(`not a decimal: ${text}`);
  return parsed.value;
}

/** Best first: bids high to low, asks low to high. */
function sortedPrices(prices: Iterable<bigint>, side: Side): bigint[] {
  return [...prices].sort((a, b) => (a === b ? 0 : (side === 'buy' ? a > b : a < b) ? -1 : 1));
}

/** The level-3 book: per side and price a FIFO of order id → open shares. */
class OrderReplica {
  seq = -1;
  private readonly sides = { buy: new Map<bigint, Map<number, bigint>>(), sell: new Map() };
  private readonly where = new Map<number, { side: Side; price: bigint }>();

  load(snapshot: OrderBookView): void {
    this.sides.buy.clear();
    this.sides.sell.clear();
    this.where.clear();
    for (const [side, orders] of [
      ['buy', snapshot.bids],
      ['sell', snapshot.asks],
    ] as const) {
      for (const o of orders)
        this.open(o.id, side, dec(o.price, PRICE_SCALE), dec(o.shares, SHARE_SCALE));
    }
    this.seq = snapshot.seq;
  }

  /** Events applied, by type. */
  readonly applied = new Map<BookEventView['type'], number>();

  /** Throws when the event does not fit the book: the replica is wrong, not just behind. */
  apply(event: BookEventView): void {
    this.applied.set(event.type, (this.applied.get(event.type) ?? 0) + 1);
    switch (event.type) {
      case 'opened':
        this.open(
          event.orderId,
          event.side,
          dec(event.price, PRICE_SCALE),
          dec(event.shares, SHARE_SCALE),
        );
        break;
      case 'matched':
        this.take(event.restingId, dec(event.shares, SHARE_SCALE));
        break;
      case 'canceled':
        this.take(event.orderId, this.openOf(event.orderId));
        break;
      case 'amended':
        if (event.requeued) this.take(event.orderId, this.openOf(event.orderId));
        else this.take(event.orderId, this.openOf(event.orderId) - dec(event.shares, SHARE_SCALE));
        break;
      case 'triggered':
        break;
    }
    this.seq = event.seq;
  }

  /** As GET /api/symbols/:sym/book?level=3 shows it. */
  view(symbol: string): OrderBookView {
    const side = (s: Side) =>
      sortedPrices(this.sides[s].keys(), s).flatMap((price) =>
        [...this.sides[s].get(price)!].map(([id, open]) => ({
          id,
          price: formatDecimal(price, PRICE_SCALE),
          shares: formatDecimal(open, SHARE_SCALE),
        })),
      );
    return { symbol, seq: this.seq, bids: side('buy'), asks: side('sell') };
  }

  private open(id: number, side: Side, price: bigint, shares: bigint): void {
    if (this.where.has(id)) throw new Error(`order ${id} opened twice`);
    let level = this.sides[side].get(price);
    if (level === undefined) this.sides[side].set(price, (level = new Map()));
    level.set(id, shares);
    this.where.set(id, { side, price });
  }

  private openOf(id: number): bigint {
    const at = this.where.get(id);
    const open = at && this.sides[at.side].get(at.price)?.get(id);
    if (open === undefined) throw new Error(`order ${id} is not in the book`);
    return open;
  }

  private take(id: number, shares: bigint): void {
    const { side, price } = this.where.get(id) ?? {};
    if (side === undefined || price === undefined)
      throw new Error(`order ${id} is not in the book`);
    const level = this.sides[side].get(price)!;
    const left = level.get(id)! - shares;
    if (left < 0n) throw new Error(`order ${id} would go below zero`);
    if (left > 0n) return void level.set(id, left);
    level.delete(id);
    this.where.delete(id);
    if (level.size === 0) this.sides[side].delete(price);
  }
}

/** The level-2 book: per side and price the totals the feed last gave. */
class LevelReplica {
  seq = -1;
  private readonly sides = {
    buy: new Map<bigint, { shares: string; orders: number }>(),
    sell: new Map<bigint, { shares: string; orders: number }>(),
  };

  load(snapshot: LevelBookView): void {
    if (snapshot.bidLevels > snapshot.bids.length || snapshot.askLevels > snapshot.asks.length) {
      throw new Error('the level snapshot is not the whole book: ask for a larger depth');
    }
    this.sides.buy.clear();
    this.sides.sell.clear();
    this.set('buy', snapshot.bids);
    this.set('sell', snapshot.asks);
    this.seq = snapshot.seq;
  }

  apply(message: L2Message): void {
    this.set('buy', message.bids);
    this.set('sell', message.asks);
    this.seq = message.seq;
  }

  /** The levels as GET /api/symbols/:sym/book shows them, depth unlimited. */
  view(): { bids: unknown[]; asks: unknown[] } {
    const side = (s: Side) =>
      sortedPrices(this.sides[s].keys(), s).map((price) => ({
        price: formatDecimal(price, PRICE_SCALE),
        ...this.sides[s].get(price)!,
      }));
    return { bids: side('buy'), asks: side('sell') };
  }

  private set(
    side: Side,
    levels: readonly { price: string; shares: string; orders: number }[],
  ): void {
    for (const { price, shares, orders } of levels) {
      const key = dec(price, PRICE_SCALE);
      if (orders === 0) this.sides[side].delete(key);
      else this.sides[side].set(key, { shares, orders });
    }
  }
}

type Channel = 'l2' | 'l3';

/** Follows one symbol on both book channels; `gaps` counts the snapshots taken after a hole. */
export class BookReplica {
  readonly orders = new OrderReplica();
  readonly levels = new LevelReplica();
  gaps = 0;
  resets = 0;
  snapshots = 0;
  /** A failure of the replica itself (an event that does not fit): the test fails with it. */
  error: Error | null = null;
  private ws: WebSocket | null = null;
  /** Per channel: messages kept while its snapshot is on the way (null: in step). */
  private pending: Record<Channel, (L3Message | L2Message)[] | null> = { l2: [], l3: [] };
  private subscribed: Record<Channel, () => void> = { l2: () => {}, l3: () => {} };

  constructor(
    private readonly base: string,
    readonly symbol: string,
  ) {}

  async start(): Promise<void> {
    const ws = new WebSocket(this.base.replace('http', 'ws') + '/ws');
    this.ws = ws;
    ws.on('message', (data) => this.onMessage(JSON.parse(data.toString()) as ServerMessage));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    await Promise.all(
      (['l3', 'l2'] as const).map(
        (channel) =>
          new Promise<void>((resolve) => {
            this.subscribed[channel] = resolve;
            ws.send(JSON.stringify({ op: 'subscribe', symbol: this.symbol, channel }));
          }),
      ),
    );
    // Subscribed first: the snapshots then miss nothing the channels will not carry.
    await Promise.all([this.resync('l3'), this.resync('l2')]);
  }

  close(): void {
    this.ws?.terminate();
  }

  private onMessage(message: ServerMessage): void {
    try {
      switch (message.type) {
        case 'subscribed':
          if (message.channel === 'l2' || message.channel === 'l3')
            this.subscribed[message.channel]();
          return;
        case 'reset':
          this.resets++;
          void this.resync(message.channel);
          return;
        case 'l3':
        case 'l2':
          return this.receive(message.type, message);
        case 'error':
          throw new Error(`feed error ${message.code}: ${message.message}`);
      }
    } catch (error) {
      this.error ??= error as Error;
    }
  }

  private receive(channel: Channel, message: L3Message | L2Message): void {
    const pending = this.pending[channel];
    if (pending !== null) return void pending.push(message);
    this.applyMessage(channel, message);
  }

  private applyMessage(channel: Channel, message: L3Message | L2Message): void {
    if (message.type === 'l2') {
      if (message.seq <= this.levels.seq) return;
      if (message.prevSeq !== this.levels.seq) return this.gap('l2');
      return this.levels.apply(message);
    }
    for (const event of message.events) {
      if (event.seq <= this.orders.seq) continue;
      if (event.seq !== this.orders.seq + 1) return this.gap(channel);
      this.orders.apply(event);
    }
  }

  private gap(channel: Channel): void {
    this.gaps++;
    void this.resync(channel);
  }

  /** Keeps what arrives, fetches a snapshot, then applies the kept messages after it. */
  private async resync(channel: Channel): Promise<void> {
    this.pending[channel] ??= [];
    if (this.inFlight[channel]) {
      // The snapshot on its way may have been read before the hole: another one after it.
      this.again[channel] = true;
      return;
    }
    this.inFlight[channel] = true;
    try {
      do {
        this.again[channel] = false;
        this.snapshots++;
        const query = channel === 'l3' ? 'level=3' : 'depth=1000';
        const response = await fetch(`${this.base}/api/symbols/${this.symbol}/book?${query}`);
        if (response.status !== 200) throw new Error(`snapshot: ${response.status}`);
        const snapshot = (await response.json()) as OrderBookView | LevelBookView;
        if (channel === 'l3') this.orders.load(snapshot as OrderBookView);
        else this.levels.load(snapshot as LevelBookView);
      } while (this.again[channel]);
    } catch (error) {
      this.error ??= error as Error;
      return;
    } finally {
      this.inFlight[channel] = false;
    }
    const kept = this.pending[channel]!;
    this.pending[channel] = null;
    try {
      for (const message of kept) {
        // A gap among the kept messages started another snapshot: the rest wait for it.
        const waiting = this.pending[channel] as (L3Message | L2Message)[] | null;
        if (waiting !== null) waiting.push(message);
        else this.applyMessage(channel, message);
      }
    } catch (error) {
      this.error ??= error as Error;
    }
  }

  private readonly inFlight: Record<Channel, boolean> = { l2: false, l3: false };
  private readonly again: Record<Channel, boolean> = { l2: false, l3: false };
}
