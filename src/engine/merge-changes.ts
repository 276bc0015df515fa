// Several batches' changes as one: what a store writes when batches queued up while it was
// busy. Rows keyed by identity keep their last value (an order first seen as new and then
// updated is inserted with its final open shares); executions, cancels and amendments keep
// their order. Each order ends up in one of newOrders, orderUpdates and orderReshapes: the
// PostgreSQL group commit writes them in one statement, whose parts cannot see each other's
// rows, so an order named twice would be written by whichever part PostgreSQL ran last.

import {
  emptyChangeSet,
  type AccountRow,
  type ChangeSet,
  type OrderReshape,
  type OrderRow,
  type PositionRow,
  type SymbolRow,
} from './changes.js';
import type { Units } from '../decimal/units.js';

export function mergeChangeSets(batches: readonly ChangeSet[]): ChangeSet {
  // The hot path: one batch of plain open-share updates is written as it is.
  if (batches.length === 1 && batches[0]!.orderReshapes.length === 0) return batches[0]!;
  const accounts = new Map<string, AccountRow>();
  const symbols = new Map<string, SymbolRow>();
  const positions = new Map<string, PositionRow>();
  const newOrders = new Map<number, OrderRow>();
  const updates = new Map<number, Units>();
  const reshapes = new Map<number, OrderReshape>();
  const merged = emptyChangeSet();
  for (const b of batches) {
    for (const a of b.accounts) accounts.set(a.id, a);
    for (const s of b.symbols) symbols.set(s.sym, s);
    for (const p of b.positions) positions.set(`${p.account}\u0000${p.sym}`, p);
    for (const o of b.newOrders) newOrders.set(o.id, o);
    for (const u of b.orderUpdates) {
      const fresh = newOrders.get(u.id);
      const reshaped = reshapes.get(u.id);
      if (fresh !== undefined) newOrders.set(u.id, { ...fresh, open: u.open });
      else if (reshaped !== undefined) reshapes.set(u.id, { ...reshaped, open: u.open });
      else updates.set(u.id, u.open);
    }
    // After the batch's updates: a reshape holds every mutable field as the batch left it.
    for (const r of b.orderReshapes) {
      const fresh = newOrders.get(r.id);
      if (fresh !== undefined) {
        newOrders.set(r.id, {
          ...fresh,
          open: r.open,
          limit: r.limit,
          triggeredAt: r.triggeredAt,
          priority: r.priority,
        });
      } else {
        updates.delete(r.id);
        reshapes.set(r.id, r);
      }
    }
    for (const e of b.executions) merged.executions.push(e);
    for (const c of b.cancels) merged.cancels.push(c);
    for (const a of b.amendments) merged.amendments.push(a);
  }
  merged.accounts.push(...accounts.values());
  merged.symbols.push(...symbols.values());
  merged.positions.push(...positions.values());
  merged.newOrders.push(...newOrders.values());
  for (const [id, open] of updates) merged.orderUpdates.push({ id, open });
  merged.orderReshapes.push(...reshapes.values());
  return merged;
}
