// The JSON API's shapes as JSON Schema (TypeBox), the one source of the contract: fastify
// validates requests and serializes replies with them, @fastify/swagger publishes them as
// OpenAPI, and their static types are shared with the dashboard (web/src imports types only,
// so its bundle never carries TypeBox).
//
// Money, prices and shares are strings in plain decimal notation ("12.5", "-100", "0"):
// exact, never binary floats. Times are seconds since the epoch, as in the XML protocol.

import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** `T` or null, as `type: [T, "null"]`: what fast-json-stringify serializes fastest. */
function nullable<T extends TSchema & { type: string }>(schema: T) {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });
}

export const Decimal = Type.String({
  pattern: '^-?[0-9]+(\\.[0-9]+)?$',
  description:
    'An exact decimal number as a string in plain notation (no exponent), never a binary float.',
  examples: ['12.5', '-100', '0'],
});

export const Time = Type.Integer({
  description: 'Seconds since the Unix epoch.',
  examples: [1767225600],
});

const SymbolName = Type.String({ examples: ['SPY'] });

export const ApiError = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable, machine-readable code.' }),
      message: Type.String({ description: 'Human-readable text, possibly with a detail.' }),
    }),
  },
  { description: 'Every error reply: the HTTP status plus a stable code and a message.' },
);
export type ApiError = Static<typeof ApiError>;

export const PriceLevelView = Type.Object({
  price: Decimal,
  shares: Type.String({ ...Decimal, description: 'Open shares resting at this price.' }),
  orders: Type.Integer({ minimum: 1, description: 'Resting orders at this price.' }),
});
export type PriceLevelView = Static<typeof PriceLevelView>;

export const BookView = Type.Object(
  {
    symbol: SymbolName,
    bids: Type.Array(PriceLevelView, { description: 'Best (highest) first.' }),
    asks: Type.Array(PriceLevelView, { description: 'Best (lowest) first.' }),
    bidLevels: Type.Integer({
      minimum: 0,
      description: 'Bid price levels in all (the list stops at `depth`).',
    }),
    askLevels: Type.Integer({
      minimum: 0,
      description: 'Ask price levels in all (the list stops at `depth`).',
    }),
  },
  { description: 'The order book of a symbol; also the WebSocket `book` message.' },
);
export type BookView = Static<typeof BookView>;

const Seq = Type.Integer({
  minimum: 0,
  description:
    "The number of the last market-data event the book shows (the symbol's own sequence).",
});

export const LevelBookView = Type.Object(
  { ...BookView.properties, seq: Seq },
  { description: 'The order book of a symbol aggregated by price level (`level=2`).' },
);
export type LevelBookView = Static<typeof LevelBookView>;

export const RestingOrderView = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  price: Decimal,
  shares: Type.String({ ...Decimal, description: 'Open shares.' }),
});
export type RestingOrderView = Static<typeof RestingOrderView>;

export const OrderBookView = Type.Object(
  {
    symbol: SymbolName,
    seq: Seq,
    bids: Type.Array(RestingOrderView, {
      description: 'Every resting buy order: best (highest) price first, then time priority.',
    }),
    asks: Type.Array(RestingOrderView, {
      description: 'Every resting sell order: best (lowest) price first, then time priority.',
    }),
  },
  { description: 'Every resting order of a symbol (`level=3`): the snapshot for the `l3` feed.' },
);
export type OrderBookView = Static<typeof OrderBookView>;

// Level 2 first: an order-level reply lacks its required `bidLevels`, so the serializer's
// check of that branch fails at once instead of walking every order.
export const BookReply = Type.Union([LevelBookView, OrderBookView]);

export const TradeView = Type.Object({
  symbol: SymbolName,
  price: Decimal,
  shares: Decimal,
  time: Time,
  buyOrderId: Type.Integer({ minimum: 1 }),
  sellOrderId: Type.Integer({ minimum: 1 }),
});
export type TradeView = Static<typeof TradeView>;

export const TradesView = Type.Object({
  symbol: SymbolName,
  trades: Type.Array(TradeView, { description: 'Newest first.' }),
});
export type TradesView = Static<typeof TradesView>;

export const SymbolSummary = Type.Object({
  symbol: SymbolName,
  bestBid: nullable({ ...Decimal, description: 'Highest bid; null when there are no bids.' }),
  bestAsk: nullable({ ...Decimal, description: 'Lowest ask; null when there are no asks.' }),
  lastPrice: nullable({
    ...Decimal,
    description: 'Price of the latest trade; null when none is known.',
  }),
  openOrders: Type.Integer({ minimum: 0 }),
  granted: Type.String({ ...Decimal, description: 'Shares ever granted in this symbol.' }),
});
export type SymbolSummary = Static<typeof SymbolSummary>;

export const SymbolsView = Type.Object({ symbols: Type.Array(SymbolSummary) });
export type SymbolsView = Static<typeof SymbolsView>;

export const FillView = Type.Object({ shares: Decimal, price: Decimal, time: Time });
export type FillView = Static<typeof FillView>;

export const OrderView = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    account: Type.String({ examples: ['1001'] }),
    symbol: SymbolName,
    side: Type.Union([Type.Literal('buy'), Type.Literal('sell')]),
    shares: Type.String({ ...Decimal, description: 'Original size, positive for both sides.' }),
    limit: Decimal,
    open: Type.String({ ...Decimal, description: 'Shares still open (resting in the book).' }),
    status: Type.Union([Type.Literal('open'), Type.Literal('executed'), Type.Literal('canceled')], {
      description:
        'open: some shares rest in the book; executed: all filled; canceled: the rest canceled.',
    }),
    time: Time,
    fills: Type.Array(FillView),
    canceled: Type.Union([Type.Object({ shares: Decimal, time: Time }), Type.Null()], {
      description: 'The canceled shares and when; null unless canceled.',
    }),
  },
  { description: 'An order; the reply to GET, POST and DELETE of orders.' },
);
export type OrderView = Static<typeof OrderView>;

export const PositionView = Type.Object({
  symbol: SymbolName,
  shares: Type.String({ ...Decimal, description: 'Shares held and free to sell.' }),
  reservedShares: Type.String({ ...Decimal, description: 'Shares set aside by open sell orders.' }),
});
export type PositionView = Static<typeof PositionView>;

export const AccountView = Type.Object({
  id: Type.String({ examples: ['1001'] }),
  balance: Type.String({ ...Decimal, description: 'Cash free to spend.' }),
  reservedCash: Type.String({
    ...Decimal,
    description: 'Cash set aside by open buy orders (open shares × limit).',
  }),
  positions: Type.Array(PositionView),
  openOrders: Type.Array(OrderView, { description: 'Open orders, oldest first.' }),
});
export type AccountView = Static<typeof AccountView>;

/**
 * The numbers are plain strings here, not `Decimal`: the exchange's own validator checks
 * them, so a malformed one gets its code (INVALID_NUMBER, TOO_MANY_DECIMALS, ...) as over XML.
 */
export const PlaceOrderBody = Type.Object(
  {
    symbol: Type.String({ description: 'One or more ASCII letters or digits.', examples: ['SPY'] }),
    amount: Type.String({
      description:
        'Shares as an exact decimal string: positive buys, negative sells; not zero; at most 8 fractional digits.',
      examples: ['50', '-10'],
    }),
    limit: Type.String({
      description: 'Limit price as an exact decimal string: positive; at most 8 fractional digits.',
      examples: ['99.5'],
    }),
  },
  { description: 'A limit order. The amount is signed, as in the XML protocol.' },
);
export type PlaceOrderBody = Static<typeof PlaceOrderBody>;

const Millis = nullable(Type.Number());
export const LatencyView = Type.Object(
  { p50: Millis, p90: Millis, p99: Millis, max: Millis },
  {
    description: 'Milliseconds, estimated from histogram buckets; null when nothing was measured.',
  },
);
export type LatencyView = Static<typeof LatencyView>;

export const StatsView = Type.Object(
  {
    time: Type.Integer({ description: 'Seconds since the epoch when this sample was taken.' }),
    uptimeSeconds: Type.Number(),
    requests: Type.Object({
      total: Type.Integer({
        description:
          'XML requests (on every listener and gateway) and JSON API requests answered since start.',
      }),
      perSecond: Type.Number({
        description: 'Over the last sampling interval (about one second).',
      }),
    }),
    latencyMs: Type.Object(LatencyView.properties, {
      description:
        'XML request latency, whole request read to reply encoded, over the last interval.',
    }),
    batches: Type.Object({
      total: Type.Integer(),
      perSecond: Type.Number(),
      meanSize: nullable(
        Type.Number({ description: 'Mean requests per batch over the last interval.' }),
      ),
      largest: Type.Integer(),
    }),
    commitMs: Type.Object(LatencyView.properties, {
      description: 'Store commit latency over the last interval.',
    }),
    connections: Type.Object({
      open: Type.Integer({
        description: 'Client connections open on the XML listeners (all gateways).',
      }),
    }),
    openOrders: Type.Integer(),
    accounts: Type.Integer(),
    symbols: Type.Integer(),
    gateways: Type.Integer({
      description:
        "Gateway processes whose figures are included (0: the engine's process serves clients).",
    }),
  },
  { description: 'Server statistics; also the WebSocket `stats` message, once a second.' },
);
export type StatsView = Static<typeof StatsView>;

// Path and query parameters. Each failure has the code today's clients know, given by the
// table in fastify-errors.ts, keyed by these names.

export const SymbolParams = Type.Object({
  symbol: Type.String({
    pattern: '^[A-Za-z0-9]+$',
    description: 'Symbol: one or more ASCII letters or digits.',
    examples: ['SPY'],
  }),
});

export const AccountParams = Type.Object({
  accountId: Type.String({
    pattern: '^[0-9]+$',
    description: 'Account id: one or more decimal digits.',
    examples: ['1001'],
  }),
});

export const OrderParams = Type.Object({
  orderId: Type.String({
    pattern: '^[0-9]+$',
    description: 'Order id: a positive integer.',
    examples: ['42'],
  }),
});

export const BookQuery = Type.Object({
  depth: Type.Integer({
    minimum: 1,
    maximum: 1000,
    default: 20,
    description: 'Price levels to return on each side (level 2 only; level 3 lists every order).',
  }),
  level: Type.Integer({
    minimum: 2,
    maximum: 3,
    default: 2,
    description: '2: price levels with their totals; 3: every resting order, in priority order.',
  }),
});

export const TradesQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50, description: 'Trades to return.' }),
});

// The WebSocket feed's messages. The feed checks what clients send by hand (its error
// messages are part of the protocol), so these are types only.

/** What a WebSocket client sends. */
export type ClientMessage =
  | { readonly op: 'subscribe' | 'unsubscribe'; readonly symbol: string }
  | { readonly op: 'subscribe' | 'unsubscribe'; readonly channel: 'stats' }
  | {
      readonly op: 'subscribe' | 'unsubscribe';
      readonly symbol: string;
      readonly channel: BookChannel;
    };

/** The sequenced book channels (docs/extensions.md, "Market data with sequence numbers"). */
export type BookChannel = 'l2' | 'l3';

interface EventFields {
  readonly seq: number;
  readonly time: number;
}
type WireSide = 'buy' | 'sell';

/** A book event of the `l3` channel; prices and shares as decimal strings. */
export type BookEventView = EventFields &
  (
    | {
        readonly type: 'opened' | 'canceled';
        readonly orderId: number;
        readonly side: WireSide;
        readonly price: string;
        readonly shares: string;
      }
    | {
        readonly type: 'matched';
        readonly restingId: number;
        readonly incomingId: number;
        readonly side: WireSide;
        readonly price: string;
        readonly shares: string;
      }
    | {
        readonly type: 'amended';
        readonly orderId: number;
        readonly side: WireSide;
        readonly price: string;
        readonly shares: string;
        readonly requeued: boolean;
      }
    | {
        readonly type: 'triggered';
        readonly orderId: number;
        readonly side: WireSide;
        readonly stop: string;
      }
  );

/** A level's new totals on the `l2` channel: shares "0" and orders 0 when it is gone. */
export interface LevelChangeView {
  readonly price: string;
  readonly shares: string;
  readonly orders: number;
}

/** One symbol's part of one durable batch on a book channel. */
interface BatchFields {
  readonly symbol: string;
  /** The seq before the batch's first event for the symbol. */
  readonly prevSeq: number;
  /** The batch's last event for the symbol. */
  readonly seq: number;
}

/**
 * What the server sends on /ws. A `book` message replaces the whole visible book (depth 50);
 * it is sent on subscribe and then at most every 250 ms while the book changes. `trades`
 * carries the trades since the last one, newest first (at most 50; `dropped` counts any
 * left out when a client falls behind). A slow client gets fewer, newer messages, never a
 * queue. `l3` and `l2` go out per durable batch, never coalesced: a client that falls behind
 * on them gets `reset` instead of what it missed, and resynchronises from a snapshot.
 */
export type ServerMessage =
  | ({ readonly type: 'book' } & BookView)
  | {
      readonly type: 'trades';
      readonly symbol: string;
      readonly trades: readonly TradeView[];
      readonly dropped: number;
    }
  | ({ readonly type: 'stats' } & StatsView)
  | ({ readonly type: 'l3'; readonly events: readonly BookEventView[] } & BatchFields)
  | ({
      readonly type: 'l2';
      readonly time: number;
      readonly bids: readonly LevelChangeView[];
      readonly asks: readonly LevelChangeView[];
    } & BatchFields)
  | { readonly type: 'reset'; readonly symbol: string; readonly channel: BookChannel }
  | {
      readonly type: 'subscribed';
      readonly symbol?: string;
      readonly channel?: 'stats' | BookChannel;
    }
  | { readonly type: 'error'; readonly code: string; readonly message: string };
