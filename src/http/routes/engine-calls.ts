// Reads and writes the routes share, each through the sequencer: reads between batches and
// answered once durable, writes as one-element requests on the XML protocol's path.

import type { Request, Result, TransactionChild } from '../../engine/commands.js';
import type { ExchangeView } from '../../engine/exchange-view.js';
import { validateOrderRef } from '../../engine/validate.js';
import type { ApiContext } from '../api-route.js';
import type { OrderView } from '../api-types.js';
import { HttpError } from '../http-errors.js';
import { archivedOrderView, orderView } from '../views.js';

export function requireBook(engine: ExchangeView, sym: string) {
  const book = engine.book(sym);
  if (book === undefined) throw HttpError.code('SYMBOL_NOT_FOUND', `sym="${sym}"`);
  return book;
}

/** The schema checked the digits; the engine's rule adds that ids past 2^53 are unknown. */
export function orderId(text: string): number {
  const ref = validateOrderRef('query', text);
  if (ref.kind === 'invalid') throw HttpError.of(ref.error);
  return ref.orderId;
}

/** The order as it stands once durable, from memory or (evicted when closed) from the store. */
export async function findOrder(ctx: ApiContext, id: number): Promise<OrderView> {
  const found = await ctx.sequencer.read((engine) => {
    const order = engine.order(id);
    if (order !== undefined) return orderView(order);
    return id < engine.peekNextOrderId ? 'archived' : 'unknown';
  });
  if (found === 'unknown') throw HttpError.code('ORDER_NOT_FOUND');
  if (found !== 'archived') return found;
  const archived = await ctx.store.loadOrder(id);
  if (archived === null) throw HttpError.code('ORDER_NOT_FOUND');
  return archivedOrderView(id, archived);
}

/** The one result of a one-element request: its refusal becomes the HTTP error. */
export async function submitOne(ctx: ApiContext, request: Request): Promise<Result> {
  const [result] = await ctx.submit(request);
  if (result === undefined) throw new Error('the engine gave no result');
  if (result.kind === 'error') throw HttpError.of(result.error);
  return result;
}

/**
 * Applies `child` (a cancel or an amend of order `id`) as the order's own account and returns
 * the order after it: the operator acts on the owner's behalf, and the engine checks what it
 * checks for XML.
 */
export async function actAsOwner(
  ctx: ApiContext,
  id: number,
  child: TransactionChild,
): Promise<OrderView> {
  const owner = (await findOrder(ctx, id)).account;
  await submitOne(ctx, { kind: 'transactions', account: owner, children: [child] });
  return findOrder(ctx, id);
}
