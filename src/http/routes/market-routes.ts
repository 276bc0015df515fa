// Market data: open to anyone who reaches the port, token or not.

import { apiRoute } from '../api-route.js';
import {
  BookQuery,
  BookReply,
  SymbolParams,
  SymbolsView,
  TradesQuery,
  TradesView,
} from '../api-types.js';
import { levelBookView, orderBookView, symbolsView, tradeView } from '../views.js';
import { requireBook } from './engine-calls.js';

export const MARKET_ROUTES = [
  apiRoute({
    name: 'symbols',
    method: 'GET',
    url: '/api/symbols',
    private: false,
    status: 200,
    doc: {
      operationId: 'listSymbols',
      tags: ['market'],
      summary: 'All symbols with best bid, best ask and last price',
    },
    request: {},
    reply: SymbolsView,
    handle: async (ctx) => ({
      symbols: await ctx.sequencer.read((engine) => symbolsView(engine, ctx.market.tape)),
    }),
  }),
  apiRoute({
    name: 'book',
    method: 'GET',
    url: '/api/symbols/:symbol/book',
    private: false,
    status: 200,
    doc: {
      operationId: 'getBook',
      tags: ['market'],
      summary: 'The order book of a symbol: by price level, or every resting order',
      description:
        'Read between batches and answered once durable, with the `seq` of the last ' +
        'market-data event it shows: the snapshot to apply the `l2` or `l3` WebSocket ' +
        'channel to (messages with a later `seq`).',
    },
    request: { params: SymbolParams, querystring: BookQuery },
    reply: BookReply,
    handle: async (ctx, { params: { symbol }, query: { depth, level } }) =>
      ctx.sequencer.read((engine) => {
        const book = requireBook(engine, symbol);
        return level === 3 ? orderBookView(book) : levelBookView(book, depth);
      }),
  }),
  apiRoute({
    name: 'trades',
    method: 'GET',
    url: '/api/symbols/:symbol/trades',
    private: false,
    status: 200,
    doc: {
      operationId: 'getTrades',
      tags: ['market'],
      summary: 'Recent trades in a symbol, newest first',
      description:
        'The newest trades, kept in memory (at most 1000 per symbol, refilled from the store at start).',
    },
    request: { params: SymbolParams, querystring: TradesQuery },
    reply: TradesView,
    handle: async (ctx, { params: { symbol }, query: { limit } }) => {
      // The tape holds only durable trades; the read checks the symbol exists.
      await ctx.sequencer.read((engine) => requireBook(engine, symbol));
      return { symbol, trades: ctx.market.tape.recent(symbol, limit).map(tradeView) };
    },
  }),
];
