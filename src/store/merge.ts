// Several batches' changes as one: what a store writes when batches queued up while it was
// busy. Rows keyed by identity keep their last value (an order first seen as new and then
// updated is inserted with its final open shares); executions and cancels keep their order.

import type { AccountRow, ChangeSet, OrderRow, PositionRow, SymbolRow } from '../engine/changes.js';

export function mergeChangeSets(batches: readonly ChangeSet[]): ChangeSet {
  if (batches.length === 1) return batches[0]!;
  const accounts = new Map<string, AccountRow>();
  const symbols = new Map<string, SymbolRow>();
  const positions = new Map<string, PositionRow>();
  const newOrders = new Map<number, OrderRow>();
  const updates = new Map<number, bigint>();
  const merged: ChangeSet = {
    accounts: [],
    symbols: [],
    positions: [],
    newOrders: [],
    orderUpdates: [],
    executions: [],
    cancels: [],
  };
  for (const b of batches) {
    for (const a of b.accounts) accounts.set(a.id, a);
    for (const s of b.symbols) symbols.set(s.sym, s);
    for (const p of b.positions) positions.set(`${p.account}\u0000${p.sym}`, p);
    for (const o of b.newOrders) newOrders.set(o.id, o);
    for (const u of b.orderUpdates) {
      const fresh = newOrders.get(u.id);
      if (fresh !== undefined) newOrders.set(u.id, { ...fresh, open: u.open });
      else updates.set(u.id, u.open);
    }
    for (const e of b.executions) merged.executions.push(e);
    for (const c of b.cancels) merged.cancels.push(c);
  }
  merged.accounts.push(...accounts.values());
  merged.symbols.push(...symbols.values());
  merged.positions.push(...positions.values());
  merged.newOrders.push(...newOrders.values());
  for (const [id, open] of updates) merged.orderUpdates.push({ id, open });
  return merged;
}
