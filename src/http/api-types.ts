// The JSON API's shapes, shared by the server and the dashboard. Money, prices and shares are
// strings in plain decimal notation ("12.5", "-100", "0"): exact, never binary floats.
// Times are seconds since the epoch, as in the XML protocol.

/** Every error reply: HTTP status plus a stable code and a message. */
export interface ApiError {
  readonly error: { readonly code: string; readonly message: string };
}

export interface PriceLevelView {
  readonly price: string;
  /** Open shares resting at this price. */
  readonly shares: string;
  /** Resting orders at this price. */
  readonly orders: number;
}

/** GET /api/symbols/:sym/book?depth=N (default 20, at most 1000); also a WebSocket message. */
export interface BookView {
  readonly symbol: string;
  /** Best (highest) first. */
  readonly bids: readonly PriceLevelView[];
  /** Best (lowest) first. */
  readonly asks: readonly PriceLevelView[];
  /** Price levels on each side in all (the lists above stop at `depth`). */
  readonly bidLevels: number;
  readonly askLevels: number;
}

export interface TradeView {
  readonly symbol: string;
  readonly price: string;
  readonly shares: string;
  readonly time: number;
  readonly buyOrderId: number;
  readonly sellOrderId: number;
}

/** GET /api/symbols/:sym/trades?limit=N (default 50, at most 1000): newest first. */
export interface TradesView {
  readonly symbol: string;
  readonly trades: readonly TradeView[];
}

export interface SymbolSummary {
  readonly symbol: string;
  readonly bestBid: string | null;
  readonly bestAsk: string | null;
  readonly lastPrice: string | null;
  readonly openOrders: number;
  /** Shares ever granted in this symbol. */
  readonly granted: string;
}

/** GET /api/symbols */
export interface SymbolsView {
  readonly symbols: readonly SymbolSummary[];
}

export interface FillView {
  readonly shares: string;
  readonly price: string;
  readonly time: number;
}

/** GET /api/orders/:id; also the reply to POST and DELETE. */
export interface OrderView {
  readonly id: number;
  readonly account: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  /** Original size, positive for both sides. */
  readonly shares: string;
  readonly limit: string;
  /** Shares still open (resting in the book). */
  readonly open: string;
  /** open: some shares rest in the book; executed: all filled; canceled: the rest canceled. */
  readonly status: 'open' | 'executed' | 'canceled';
  readonly time: number;
  readonly fills: readonly FillView[];
  readonly canceled: { readonly shares: string; readonly time: number } | null;
}

export interface PositionView {
  readonly symbol: string;
  /** Shares held and free to sell. */
  readonly shares: string;
  /** Shares set aside by open sell orders. */
  readonly reservedShares: string;
}

/** GET /api/accounts/:id */
export interface AccountView {
  readonly id: string;
  /** Cash free to spend. */
  readonly balance: string;
  /** Cash set aside by open buy orders (open shares × limit). */
  readonly reservedCash: string;
  readonly positions: readonly PositionView[];
  /** Open orders, oldest first. */
  readonly openOrders: readonly OrderView[];
}

/** POST /api/accounts/:id/orders: amount is signed, as in the XML protocol (negative sells). */
export interface PlaceOrderBody {
  readonly symbol: string;
  readonly amount: string;
  readonly limit: string;
}

export interface LatencyView {
  /** Milliseconds, estimated from histogram buckets. */
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/** GET /api/stats; also the WebSocket `stats` message, once a second. */
export interface StatsView {
  /** Seconds since the epoch when this sample was taken. */
  readonly time: number;
  readonly uptimeSeconds: number;
  readonly requests: {
    /** XML requests (on every listener and gateway) and JSON API requests answered since start. */
    readonly total: number;
    /** Over the last sampling interval (about one second). */
    readonly perSecond: number;
  };
  /** XML request latency, whole request read to reply encoded, over the last interval. */
  readonly latencyMs: LatencyView;
  readonly batches: {
    readonly total: number;
    readonly perSecond: number;
    /** Mean requests per batch over the last interval. */
    readonly meanSize: number | null;
    readonly largest: number;
  };
  /** Store commit latency over the last interval. */
  readonly commitMs: LatencyView;
  /** Client connections open on the XML listeners (all gateways). */
  readonly connections: { readonly open: number };
  readonly openOrders: number;
  readonly accounts: number;
  readonly symbols: number;
  /** Gateway processes whose figures are included (0: the engine's process serves clients). */
  readonly gateways: number;
}

/** What a WebSocket client sends. */
export type ClientMessage =
  | { readonly op: 'subscribe' | 'unsubscribe'; readonly symbol: string }
  | { readonly op: 'subscribe' | 'unsubscribe'; readonly channel: 'stats' };

/**
 * What the server sends on /ws. A `book` message replaces the whole visible book (depth 50);
 * it is sent on subscribe and then at most every 250 ms while the book changes. `trades`
 * carries the trades since the last one, newest first (at most 50; `dropped` counts any
 * left out when a client falls behind). A slow client gets fewer, newer messages, never a
 * queue.
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
  | { readonly type: 'subscribed'; readonly symbol?: string; readonly channel?: 'stats' }
  | { readonly type: 'error'; readonly code: string; readonly message: string };
