// The JSON API: each route reads the engine between batches (Sequencer.read) or submits
// through the same sequencer path as an XML request, so both protocols follow the same
// rules, errors and durability: nothing is answered before it is on disk.

import type { Request, Result } from '../engine/commands.js';
import type { ExchangeView } from '../engine/exchange-view.js';
import { isAccountId, validateOrder, validateOrderRef } from '../engine/validate.js';
import type { MarketFeed } from '../market/market-feed.js';
import type { Sequencer } from '../sequencer/sequencer.js';
import type { Store } from '../store/store.js';
import type { OrderView, PlaceOrderBody, StatsView } from './api-types.js';
import { HttpError } from './http-errors.js';
import { openApiDocument } from './openapi.js';
import {
  accountView,
  archivedOrderView,
  bookView,
  orderView,
  symbolsView,
  tradeView,
} from './views.js';

export interface ApiContext {
  readonly sequencer: Sequencer;
  readonly store: Store;
  /** Its tape is replaced when the engine is rebuilt from the store: read it each time. */
  readonly market: MarketFeed;
  /** Applies one request through the engine and resolves once it is durable. */
  readonly submit: (request: Request) => Promise<Result[]>;
  readonly stats: () => Promise<StatsView>;
}

/** What a route handler gets: path parameters, the query string and the parsed body. */
export interface RouteInput {
  readonly params: readonly string[];
  readonly query: URLSearchParams;
  readonly body: unknown;
}

export interface Route {
  /** For metrics: the route, not the path (ids would make unbounded label sets). */
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly pattern: RegExp;
  /** Whether the route needs the bearer token, when the server has one. */
  readonly private: boolean;
  readonly handle: (
    ctx: ApiContext,
    input: RouteInput,
  ) => Promise<{ status: number; body: unknown }>;
}

const ok = (body: unknown, status = 200) => ({ status, body });

function intParam(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const text = query.get(name);
  if (text === null) return fallback;
  const value = Number(text);
  if (!/^[0-9]+$/.test(text) || value < 1 || value > max) {
    throw HttpError.http('INVALID_QUERY', `${name} must be an integer from 1 to ${max}`);
  }
  return value;
}

function requireBook(engine: ExchangeView, sym: string) {
  const book = engine.book(sym);
  if (book === undefined) throw HttpError.engine('SYMBOL_NOT_FOUND', `sym="${sym}"`);
  return book;
}

function orderId(text: string): number {
  const ref = validateOrderRef('query', text);
  if (ref.kind === 'invalid') throw HttpError.of(ref.error);
  return ref.orderId;
}

/** The order as it stands once durable, from memory or (evicted when closed) from the store. */
async function findOrder(ctx: ApiContext, id: number): Promise<OrderView> {
  const found = await ctx.sequencer.read((engine) => {
    const order = engine.order(id);
    if (order !== undefined) return orderView(order);
    return id < engine.peekNextOrderId ? 'archived' : 'unknown';
  });
  if (found === 'unknown') throw HttpError.engine('ORDER_NOT_FOUND');
  if (found !== 'archived') return found;
  const archived = await ctx.store.loadOrder(id);
  if (archived === null) throw HttpError.engine('ORDER_NOT_FOUND');
  return archivedOrderView(id, archived);
}

/** The one result of a one-element request: its refusal becomes the HTTP error. */
async function submitOne(ctx: ApiContext, request: Request): Promise<Result> {
  const [result] = await ctx.submit(request);
  if (result === undefined) throw new Error('the engine gave no result');
  if (result.kind === 'error') throw HttpError.of(result.error);
  return result;
}

function placeOrderBody(body: unknown): PlaceOrderBody {
  const b = body as Partial<Record<keyof PlaceOrderBody, unknown>> | null;
  const fields = ['symbol', 'amount', 'limit'] as const;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) {
    throw HttpError.http('INVALID_JSON', 'expected {"symbol", "amount", "limit"}');
  }
  for (const field of fields) {
    if (b[field] !== undefined && typeof b[field] !== 'string') {
      throw HttpError.http(
        'INVALID_JSON',
        `${field} must be a string (numbers are exact decimal strings, e.g. "12.5")`,
      );
    }
  }
  return b as PlaceOrderBody;
}

export const API_ROUTES: readonly Route[] = [
  {
    name: 'symbols',
    method: 'GET',
    pattern: /^\/api\/symbols$/,
    private: false,
    handle: async (ctx) =>
      ok({ symbols: await ctx.sequencer.read((engine) => symbolsView(engine, ctx.market.tape)) }),
  },
  {
    name: 'book',
    method: 'GET',
    pattern: /^\/api\/symbols\/([^/]+)\/book$/,
    private: false,
    handle: async (ctx, { params: [sym = ''], query }) => {
      const depth = intParam(query, 'depth', 20, 1000);
      return ok(await ctx.sequencer.read((engine) => bookView(requireBook(engine, sym), depth)));
    },
  },
  {
    name: 'trades',
    method: 'GET',
    pattern: /^\/api\/symbols\/([^/]+)\/trades$/,
    private: false,
    handle: async (ctx, { params: [sym = ''], query }) => {
      const limit = intParam(query, 'limit', 50, 1000);
      // The tape holds only durable trades; the read checks the symbol exists.
      await ctx.sequencer.read((engine) => requireBook(engine, sym));
      return ok({ symbol: sym, trades: ctx.market.tape.recent(sym, limit).map(tradeView) });
    },
  },
  {
    name: 'account',
    method: 'GET',
    pattern: /^\/api\/accounts\/([^/]+)$/,
    private: true,
    handle: async (ctx, { params: [id = ''] }) => {
      if (!isAccountId(id)) throw HttpError.engine('INVALID_ACCOUNT_ID', `id="${id}"`);
      const view = await ctx.sequencer.read((engine) => {
        const account = engine.account(id);
        return account === undefined ? null : accountView(account);
      });
      if (view === null) throw HttpError.engine('ACCOUNT_NOT_FOUND', `id="${id}"`);
      return ok(view);
    },
  },
  {
    name: 'place-order',
    method: 'POST',
    pattern: /^\/api\/accounts\/([^/]+)\/orders$/,
    private: true,
    handle: async (ctx, { params: [id = ''], body }) => {
      if (!isAccountId(id)) throw HttpError.engine('INVALID_ACCOUNT_ID', `id="${id}"`);
      const { symbol, amount, limit } = placeOrderBody(body);
      const order = validateOrder(symbol, amount, limit);
      if (order.kind === 'invalid') throw HttpError.of(order.error);
      const result = await submitOne(ctx, { kind: 'transactions', account: id, children: [order] });
      if (result.kind !== 'opened') throw new Error(`unexpected result ${result.kind}`);
      return ok(await findOrder(ctx, result.orderId), 201);
    },
  },
  {
    name: 'order',
    method: 'GET',
    pattern: /^\/api\/orders\/([^/]+)$/,
    private: true,
    handle: async (ctx, { params: [id = ''] }) => ok(await findOrder(ctx, orderId(id))),
  },
  {
    name: 'cancel-order',
    method: 'DELETE',
    pattern: /^\/api\/orders\/([^/]+)$/,
    private: true,
    handle: async (ctx, { params: [text = ''] }) => {
      const id = orderId(text);
      // The operator cancels on the owner's behalf: the engine checks what it checks for XML.
      const owner = (await findOrder(ctx, id)).account;
      await submitOne(ctx, {
        kind: 'transactions',
        account: owner,
        children: [{ kind: 'cancel', orderId: id, echo: [['id', String(id)]] }],
      });
      return ok(await findOrder(ctx, id));
    },
  },
  {
    name: 'stats',
    method: 'GET',
    pattern: /^\/api\/stats$/,
    private: false,
    handle: async (ctx) => ok(await ctx.stats()),
  },
  {
    name: 'openapi',
    method: 'GET',
    pattern: /^\/api\/openapi\.json$/,
    private: false,
    handle: async () => ok(openApiDocument),
  },
];
