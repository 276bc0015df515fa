// A store that keeps committed state in process memory: for tests and benchmarks. It keeps
// rows exactly as a durable store would, so a new engine can be restored from it.

import type { ArchivedOrder } from '../engine/archive.js';
import type {
  AccountRow,
  AmendmentRow,
  CancelRow,
  ChangeSet,
  ExecutionRow,
  OrderRow,
  Snapshot,
  SymbolRow,
} from '../engine/changes.js';
import { archivedOrder } from './rows.js';
import type { Store } from './store.js';

export class MemoryStore implements Store {
  readonly description = 'memory';
  private readonly accounts = new Map<string, AccountRow>();
  private readonly symbols = new Map<string, SymbolRow>();
  private readonly positions = new Map<string, { account: string; sym: string; shares: bigint }>();
  private readonly orders = new Map<number, OrderRow>();
  private readonly executions: ExecutionRow[] = [];
  private readonly cancels: CancelRow[] = [];
  private readonly fillsByOrder = new Map<number, ExecutionRow[]>();
  private readonly cancelByOrder = new Map<number, CancelRow>();
  private readonly amendments: AmendmentRow[] = [];
  private readonly amendmentsByOrder = new Map<number, AmendmentRow[]>();
  /** Batches committed so far. */
  commits = 0;

  async load(): Promise<Snapshot> {
    return {
      accounts: [...this.accounts.values()],
      symbols: [...this.symbols.values()],
      positions: [...this.positions.values()],
      orders: [...this.orders.values()].sort((a, b) => a.id - b.id),
      executions: [...this.executions],
      cancels: [...this.cancels],
      amendments: [...this.amendments],
    };
  }

  async commit(changes: ChangeSet): Promise<void> {
    for (const a of changes.accounts) this.accounts.set(a.id, a);
    for (const s of changes.symbols) this.symbols.set(s.sym, s);
    for (const p of changes.positions) this.positions.set(`${p.account}\u0000${p.sym}`, p);
    for (const o of changes.newOrders) this.orders.set(o.id, o);
    for (const u of changes.orderUpdates) {
      const order = this.orders.get(u.id);
      if (order === undefined) throw new Error(`update of unknown order ${u.id}`);
      this.orders.set(u.id, { ...order, open: u.open });
    }
    for (const r of changes.orderReshapes) {
      const order = this.orders.get(r.id);
      if (order === undefined) throw new Error(`reshape of unknown order ${r.id}`);
      const { open, limit, triggeredAt, priority } = r;
      this.orders.set(r.id, { ...order, open, limit, triggeredAt, priority });
    }
    for (const e of changes.executions) {
      this.executions.push(e);
      for (const id of [e.buyOrderId, e.sellOrderId]) {
        const fills = this.fillsByOrder.get(id);
        if (fills === undefined) this.fillsByOrder.set(id, [e]);
        else fills.push(e);
      }
    }
    for (const c of changes.cancels) {
      this.cancels.push(c);
      this.cancelByOrder.set(c.orderId, c);
    }
    for (const a of changes.amendments) {
      this.amendments.push(a);
      const list = this.amendmentsByOrder.get(a.orderId);
      if (list === undefined) this.amendmentsByOrder.set(a.orderId, [a]);
      else list.push(a);
    }
    this.commits++;
  }

  async loadOrder(id: number): Promise<ArchivedOrder | null> {
    const order = this.orders.get(id);
    if (order === undefined) return null;
    return archivedOrder(
      order,
      this.fillsByOrder.get(id) ?? [],
      this.cancelByOrder.get(id),
      this.amendmentsByOrder.get(id) ?? [],
    );
  }

  async recentExecutions(limit: number): Promise<ExecutionRow[]> {
    return this.executions.slice(-limit);
  }

  async close(): Promise<void> {}
}
