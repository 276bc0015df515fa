// Every reference a stored state makes must name a row that exists: the stores declare these
// references but do not enforce them on the journal tables (see the PostgreSQL migrations),
// so restoring and `exchange inspect` check them here, once, for every store. The orders may
// be a one-pass stream (a restart reads them through a cursor), so they are checked one by
// one as the caller reads them, and the journal after, against the orders it kept.

import type { OrderRow, Snapshot } from './changes.js';

export interface ReferenceCheck {
  readonly problems: string[];
  /** Checks one order row; the caller keeps the orders it has seen. */
  order(o: OrderRow): void;
  /** Checks executions, cancels and amendments, once every order was seen. */
  journal(hasOrder: (id: number) => boolean): void;
}

/** A check of `snapshot`'s references; positions are checked at once. */
export function referenceCheck(snapshot: Snapshot): ReferenceCheck {
  const problems: string[] = [];
  const accounts = new Set(snapshot.accounts.map((a) => a.id));
  const symbols = new Set(snapshot.symbols.map((s) => s.sym));
  const need = (ok: boolean, what: () => string): void => {
    if (!ok) problems.push(what());
  };
  for (const p of snapshot.positions) {
    need(accounts.has(p.account), () => `position ${p.sym} names unknown account ${p.account}`);
    need(
      symbols.has(p.sym),
      () => `position of account ${p.account} names unknown symbol ${p.sym}`,
    );
  }
  return {
    problems,
    order(o) {
      need(accounts.has(o.account), () => `order ${o.id} names unknown account ${o.account}`);
      need(symbols.has(o.sym), () => `order ${o.id} names unknown symbol ${o.sym}`);
    },
    journal(hasOrder) {
      // A live snapshot holds open orders only: an execution's other side may be a closed
      // order left in the store, which any id below the counter is.
      const live = snapshot.scope === 'live';
      const next = snapshot.nextOrderId ?? 1;
      const known = (id: number): boolean => hasOrder(id) || (live && id > 0 && id < next);
      for (const e of snapshot.executions) {
        const what = `execution of ${e.buyOrderId}/${e.sellOrderId}`;
        need(known(e.buyOrderId), () => `${what} names unknown buy order ${e.buyOrderId}`);
        need(known(e.sellOrderId), () => `${what} names unknown sell order ${e.sellOrderId}`);
        need(symbols.has(e.sym), () => `${what} names unknown symbol ${e.sym}`);
      }
      for (const c of snapshot.cancels) {
        need(known(c.orderId), () => `cancel names unknown order ${c.orderId}`);
      }
      // A live snapshot loads only the amends of the orders it loads: none may be missing.
      for (const a of snapshot.amendments) {
        need(hasOrder(a.orderId), () => `amendment names unknown order ${a.orderId}`);
      }
    },
  };
}

/** One line per dangling reference; empty when all resolve. Reads the orders once. */
export function danglingReferences(snapshot: Snapshot): string[] {
  const check = referenceCheck(snapshot);
  const orders = new Set<number>();
  for (const o of snapshot.orders) {
    orders.add(o.id);
    check.order(o);
  }
  check.journal((id) => orders.has(id));
  return check.problems;
}
