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

/**
 * An order as first committed, with the fields later batches change held beside it: an
 * update then sets a field instead of copying the row, whose shape varies with its terms.
 */
interface KeptOrder {
  readonly row: OrderRow;
  open: bigint;
  limit: bigint;
  triggeredAt: number | null;
  priority: number;
}

function currentRow(kept: KeptOrder): OrderRow {
  const { row, open, limit, triggeredAt, priority } = kept;
  return { ...row, open, limit, triggeredAt, priority };
}

export class MemoryStore implements Store {
  readonly description = 'memory';
  private readonly accounts = new Map<string, AccountRow>();
  private readonly symbols = new Map<string, SymbolRow>();
  private readonly positions = new Map<string, { account: string; sym: string; shares: bigint }>();
  private readonly orders = new Map<number, KeptOrder>();
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
      orders: [...this.orders.values()].map(currentRow).sort((a, b) => a.id - b.id),
      executions: [...this.executions],
      cancels: [...this.cancels],
      amendments: [...this.amendments],
    };
  }

  async commit(changes: ChangeSet): Promise<void> {
    for (const a of changes.accounts) this.accounts.set(a.id, a);
    for (const s of changes.symbols) this.symbols.set(s.sym, s);
    for (const p of changes.positions) this.positions.set(`${p.account}\u0000${p.sym}`, p);
    for (const o of changes.newOrders) {
      const { open, limit, triggeredAt, priority } = o;
      this.orders.set(o.id, { row: o, open, limit, triggeredAt, priority });
    }
    for (const u of changes.orderUpdates) this.kept(u.id).open = u.open;
    for (const r of changes.orderReshapes) {
      const kept = this.kept(r.id);
      kept.open = r.open;
      kept.limit = r.limit;
      kept.triggeredAt = r.triggeredAt;
      kept.priority = r.priority;
    }
    for (const e of changes.executions) {
      this.executions.push(e);
      this.addFill(e.buyOrderId, e);
      this.addFill(e.sellOrderId, e);
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

  private addFill(id: number, e: ExecutionRow): void {
    const fills = this.fillsByOrder.get(id);
    if (fills === undefined) this.fillsByOrder.set(id, [e]);
    else fills.push(e);
  }

  private kept(id: number): KeptOrder {
    const kept = this.orders.get(id);
    if (kept === undefined) throw new Error(`change to unknown order ${id}`);
    return kept;
  }

  async loadOrder(id: number): Promise<ArchivedOrder | null> {
    const kept = this.orders.get(id);
    if (kept === undefined) return null;
    return archivedOrder(
      currentRow(kept),
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
