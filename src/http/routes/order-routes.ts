// One order, by id, whichever account holds it: behind the bearer token, when there is one.

import { validateAmend } from '../../engine/validate.js';
import { apiRoute } from '../api-route.js';
import { AmendOrderBody, OrderParams, OrderView } from '../api-types.js';
import { HttpError } from '../http-errors.js';
import { actAsOwner, findOrder, orderId } from './engine-calls.js';

export const ORDER_ROUTES = [
  apiRoute({
    name: 'order',
    method: 'GET',
    url: '/api/orders/:orderId',
    private: true,
    status: 200,
    doc: {
      operationId: 'getOrder',
      tags: ['orders'],
      summary: 'An order with its fills, cancel and amends',
    },
    request: { params: OrderParams },
    reply: OrderView,
    handle: async (ctx, { params }) => findOrder(ctx, orderId(params.orderId)),
  }),
  apiRoute({
    name: 'cancel-order',
    method: 'DELETE',
    url: '/api/orders/:orderId',
    private: true,
    status: 200,
    doc: {
      operationId: 'cancelOrder',
      tags: ['orders'],
      summary: 'Cancel the open shares of an order',
      description:
        "Cancels as the order's own account and releases its reservation. The reply is " +
        'the order with status `canceled` and the `canceled` record.',
    },
    request: { params: OrderParams },
    reply: OrderView,
    handle: async (ctx, { params }) => {
      const id = orderId(params.orderId);
      return actAsOwner(ctx, id, { kind: 'cancel', orderId: id, echo: [['id', String(id)]] });
    },
  }),
  apiRoute({
    name: 'amend-order',
    method: 'PATCH',
    url: '/api/orders/:orderId',
    private: true,
    status: 200,
    doc: {
      operationId: 'amendOrder',
      tags: ['orders'],
      summary: "Reduce an order's open amount, change its limit, or both",
      description:
        "Amends as the order's own account. A smaller `amount` keeps the order's place in " +
        'the queue; a new `limit` sends it to the back of the new price, where it may execute ' +
        'at once. The cash reservation of a buy follows. A waiting stop order, or one with ' +
        'nothing open, cannot be amended. The reply is the order after the amend.',
    },
    request: { params: OrderParams, body: AmendOrderBody },
    reply: OrderView,
    handle: async (ctx, { params, body: { amount, limit } }) => {
      // Checked before the owner is looked up: a bad body is a 400 whoever owns the order.
      const amend = validateAmend(params.orderId, amount, limit);
      if (amend.kind === 'invalid') throw HttpError.of(amend.error);
      return actAsOwner(ctx, amend.orderId, amend);
    },
  }),
];
