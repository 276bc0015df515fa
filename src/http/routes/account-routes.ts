// An account and the orders placed for it: behind the bearer token, when there is one.

import { validateOrder } from '../../engine/validate.js';
import { apiRoute } from '../api-route.js';
import { AccountParams, AccountView, OrderView, PlaceOrderBody } from '../api-types.js';
import { HttpError } from '../http-errors.js';
import { accountView } from '../views.js';
import { findOrder, submitOne } from './engine-calls.js';

export const ACCOUNT_ROUTES = [
  apiRoute({
    name: 'account',
    method: 'GET',
    url: '/api/accounts/:accountId',
    private: true,
    status: 200,
    doc: {
      operationId: 'getAccount',
      tags: ['accounts'],
      summary: 'An account: cash, positions and open orders',
    },
    request: { params: AccountParams },
    reply: AccountView,
    handle: async (ctx, { params: { accountId: id } }) => {
      const view = await ctx.sequencer.read((engine) => {
        const account = engine.account(id);
        return account === undefined ? null : accountView(account);
      });
      if (view === null) throw HttpError.code('ACCOUNT_NOT_FOUND', `id="${id}"`);
      return view;
    },
  }),
  apiRoute({
    name: 'place-order',
    method: 'POST',
    url: '/api/accounts/:accountId/orders',
    private: true,
    status: 201,
    doc: {
      operationId: 'placeOrder',
      tags: ['orders'],
      summary: 'Place an order for the account',
      description:
        'A positive `amount` buys, a negative one sells. A limit order (the default) reserves ' +
        'cash (buy: shares × limit, plus the taker fee when fees are on) or shares (sell) ' +
        'while it is open. `type: "market"` (no `limit`) executes at once at the resting ' +
        "prices and never rests; a market buy stops where the account's cash runs out. " +
        '`tif`, `stop` and `stp` are as in the XML protocol (docs/extensions.md). The reply ' +
        'is the order as it stands once durable: it may already be partly or wholly ' +
        'executed, or (IOC, FOK, market) canceled in part.',
    },
    request: { params: AccountParams, body: PlaceOrderBody },
    reply: OrderView,
    handle: async (ctx, { params: { accountId: id }, body }) => {
      const { symbol, amount, limit, type, tif, stop, stp } = body;
      // The same validator as the XML protocol's: the same rules and error codes.
      const order = validateOrder(symbol, amount, limit, { type, tif, stop, stp });
      if (order.kind === 'invalid') throw HttpError.of(order.error);
      const result = await submitOne(ctx, { kind: 'transactions', account: id, children: [order] });
      if (result.kind !== 'opened') throw new Error(`unexpected result ${result.kind}`);
      return findOrder(ctx, result.orderId);
    },
  }),
];
