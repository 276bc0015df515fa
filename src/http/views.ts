// Engine state as the JSON API shows it: numbers become exact decimal strings. Pure reads of
// the engine's objects, called between batches (see Sequencer.read).

import { CASH_SCALE, PRICE_SCALE, SHARE_SCALE, formatDecimal } from '../decimal/fixed.js';
import { formatUnits, type Count } from '../decimal/units.js';
import type { Account } from '../engine/account.js';
import type { ArchivedOrder } from '../engine/archive.js';
import type { ExecutionRow } from '../engine/changes.js';
import { buyReservation } from '../engine/fees.js';
import type { OrderStatus } from '../engine/commands.js';
import type { BookRead, ExchangeView, LevelRead } from '../engine/exchange-view.js';
import type { Order, OrderTerms } from '../engine/order.js';
import type { TradeTape } from '../market/trade-tape.js';
import type { BookEvent } from '../engine/book-events.js';
import type { LevelTotal } from '../market/level-shadow.js';
import type {
  AccountView,
  BookEventView,
  BookView,
  LevelBookView,
  LevelChangeView,
  OrderBookView,
  RestingOrderView,
  OrderView,
  PriceLevelView,
  SymbolSummary,
  TradeView,
} from './api-types.js';

export const cash = (v: bigint): string => formatDecimal(v, CASH_SCALE);
// Shares and prices of statuses are bigints or, from the column engine, safe integers.
export const shares = (v: Count): string => formatUnits(v, SHARE_SCALE);
export const price = (v: Count): string => formatUnits(v, PRICE_SCALE);

function levelView(level: LevelRead): PriceLevelView {
  return { price: price(level.price), shares: shares(level.openShares), orders: level.count };
}

export function bookView(book: BookRead, depth: number): BookView {
  return {
    symbol: book.sym,
    bids: book.bids.topLevels(depth).map(levelView),
    asks: book.asks.topLevels(depth).map(levelView),
    bidLevels: book.bids.levelCount,
    askLevels: book.asks.levelCount,
  };
}

export function levelBookView(book: BookRead, depth: number): LevelBookView {
  return { ...bookView(book, depth), seq: book.seq };
}

/** Every resting order, best price first and then by time: the order a replica needs. */
export function orderBookView(book: BookRead): OrderBookView {
  const side = (levels: LevelRead[]): RestingOrderView[] => {
    const orders: RestingOrderView[] = [];
    for (const level of levels) {
      const at = price(level.price);
      for (let order = level.head; order !== null; order = order.next) {
        orders.push({ id: order.id, price: at, shares: shares(order.open) });
      }
    }
    return orders;
  };
  return {
    symbol: book.sym,
    seq: book.seq,
    bids: side(book.bids.levels()),
    asks: side(book.asks.levels()),
  };
}

export function bookEventView(event: BookEvent): BookEventView {
  const { seq, time } = event;
  switch (event.type) {
    case 'opened':
    case 'canceled':
      return {
        type: event.type,
        seq,
        time,
        orderId: event.orderId,
        side: event.side,
        price: price(event.price),
        shares: shares(event.shares),
      };
    case 'matched':
      return {
        type: 'matched',
        seq,
        time,
        restingId: event.restingId,
        incomingId: event.incomingId,
        side: event.side,
        price: price(event.price),
        shares: shares(event.shares),
      };
    case 'amended':
      return {
        type: 'amended',
        seq,
        time,
        orderId: event.orderId,
        side: event.side,
        price: price(event.price),
        shares: shares(event.shares),
        requeued: event.requeued,
      };
    case 'triggered':
      return {
        type: 'triggered',
        seq,
        time,
        orderId: event.orderId,
        side: event.side,
        stop: price(event.stop),
      };
  }
}

export function levelChangeView(level: LevelTotal): LevelChangeView {
  return { price: price(level.price), shares: shares(level.shares), orders: level.orders };
}

export function symbolSummary(book: BookRead, tape: TradeTape): SymbolSummary {
  const bid = book.bids.best();
  const ask = book.asks.best();
  const last = tape.lastPrice(book.sym);
  return {
    symbol: book.sym,
    bestBid: bid === undefined ? null : price(bid.price),
    bestAsk: ask === undefined ? null : price(ask.price),
    lastPrice: last === null ? null : formatUnits(last, PRICE_SCALE),
    openOrders: book.bids.orderCount + book.asks.orderCount,
    granted: shares(book.granted),
  };
}

export function tradeView(e: ExecutionRow): TradeView {
  return {
    symbol: e.sym,
    price: formatUnits(e.price, PRICE_SCALE),
    shares: formatUnits(e.shares, SHARE_SCALE),
    time: e.time,
    buyOrderId: e.buyOrderId,
    sellOrderId: e.sellOrderId,
  };
}

/** What the view shows of an order's terms (not the fee rates it was accepted with). */
type ShownTerms = Pick<OrderTerms, 'type' | 'tif' | 'stop' | 'stp'>;

/** An order's view from its facts, wherever they came from (memory or the store). */
function viewOf(
  id: number,
  account: string,
  o: Pick<ArchivedOrder, 'sym' | 'isBuy' | 'shares' | 'limit' | 'time'>,
  terms: ShownTerms,
  status: OrderStatus,
): OrderView {
  return {
    id,
    account,
    symbol: o.sym,
    side: o.isBuy ? 'buy' : 'sell',
    shares: shares(o.shares),
    type: terms.type,
    limit: terms.type === 'market' ? null : price(o.limit),
    tif: terms.tif,
    // A status names the stop only while it waits; the terms keep it after the trigger.
    stop:
      terms.stop === null ? null : { price: price(terms.stop), waiting: status.stop !== undefined },
    stp: terms.stp,
    open: shares(status.open),
    status: status.open > 0n ? 'open' : status.canceled !== null ? 'canceled' : 'executed',
    time: o.time,
    fills: status.fills.map((f) =>
      f.fee === undefined
        ? { shares: shares(f.shares), price: price(f.price), time: f.time }
        : { shares: shares(f.shares), price: price(f.price), time: f.time, fee: cash(f.fee) },
    ),
    canceled:
      status.canceled === null
        ? null
        : { shares: shares(status.canceled.shares), time: status.canceled.time },
    amendments: (status.amendments ?? []).map((a) => ({
      open: shares(a.open),
      limit: price(a.limit),
      time: a.time,
    })),
  };
}

export function orderView(order: Order): OrderView {
  return viewOf(order.id, order.account.id, order, order.terms, order.status());
}

/** An order the engine no longer holds, as the store answered for it. */
export function archivedOrderView(id: number, order: ArchivedOrder): OrderView {
  // The store keeps the terms in the archived order's own fields.
  return viewOf(id, order.account, order, order, order.status);
}

export function accountView(account: Account): AccountView {
  let reservedCash = 0n;
  const reservedShares = new Map<string, bigint>();
  const openOrders: OrderView[] = [];
  for (const order of account.restingOrders()) {
    // Each buy holds back its open value plus the taker fee at the rate it was accepted with
    // (waiting stops included: they reserve when placed).
    if (order.isBuy) reservedCash += buyReservation(order.open, order.limit, order.terms.taker);
    else reservedShares.set(order.sym, (reservedShares.get(order.sym) ?? 0n) + order.open);
    openOrders.push(orderView(order));
  }
  const symbols = new Set([...account.positions.keys(), ...reservedShares.keys()]);
  return {
    id: account.id,
    balance: cash(account.cash),
    reservedCash: cash(reservedCash),
    positions: [...symbols].sort().map((sym) => ({
      symbol: sym,
      shares: shares(account.positions.get(sym)?.shares ?? 0n),
      reservedShares: shares(reservedShares.get(sym) ?? 0n),
    })),
    openOrders,
  };
}

/** Every symbol, in name order. */
export function symbolsView(engine: ExchangeView, tape: TradeTape): SymbolSummary[] {
  return [...engine.symbolBooks()]
    .map((book) => symbolSummary(book, tape))
    .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}
