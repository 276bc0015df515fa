// One order, by id, whichever account holds it: behind the bearer token, when there is one.

import { apiRoute } from '../api-route.js';
import { OrderParams, OrderView } from '../api-types.js';
import { findOrder, orderId, submitOne } from './engine-calls.js';

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
      summary: 'An order with its fills and cancel',
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
      // The operator cancels on the owner's behalf: the engine checks what it checks for XML.
      const owner = (await findOrder(ctx, id)).account;
      await submitOne(ctx, {
        kind: 'transactions',
        account: owner,
        children: [{ kind: 'cancel', orderId: id, echo: [['id', String(id)]] }],
      });
      return findOrder(ctx, id);
    },
  }),
];
