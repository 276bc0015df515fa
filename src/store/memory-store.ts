// A store that keeps committed state in process memory: for tests and benchmarks. It keeps
// rows exactly as a durable store would, so a new engine can be restored from it. Rows are
// kept as committed (their amounts as Units) and made bigints when read back.

import type { ArchivedOrder } from '../engine/archive.js';
import type {
  AccountRow,
  AmendmentRow,
  CancelRow,
  ChangeSet,
  ExecutionRow,
  OrderRow,
  PositionRow,
  Snapshot,
  SymbolRow,
} from '../engine/changes.js';
import {
  bigAccountRow,
  bigAmendmentRow,
  bigCancelRow,
  bigExecutionRow,
  bigOrderRow,
  bigPositionRow,
  bigSymbolRow,
} from '../engine/big-rows.js';
import type { Units } from '../engine/changes.js';
import { archivedOrder } from './rows.js';
import type { Store } from './store.js';

/**
 * An order as first committed, with the fields later batches change held beside it (an update
 * then sets a field instead of copying the row, whose shape varies with its terms), and its
 * history: what a query of it once evicted from the engine answers.
 */
interface KeptOrder {
  readonly row: OrderRow;
  open: Units;
  limit: Units;
  triggeredAt: number | null;
  priority: number;
  fills: ExecutionRow[] | null;
  cancel: CancelRow | undefined;
  amendments: AmendmentRow[] | null;
}

function currentRow(kept: KeptOrder): OrderRow {
  const { row, open, limit, triggeredAt, priority } = kept;
  return { ...row, open, limit, triggeredAt, priority };
}

/**
 * It keeps every order and execution for as long as it lives, so under load it holds millions,
 * and commits run on the engine's thread: orders sit in an array by id (ids are dense, from 1)
 * with their history on them, positions in a map per account. Maps keyed by order id, and by
 * account and symbol joined in a new string for every row, made this commit the busiest
 * function of the engine's thread under a framed load (README, Benchmarks).
 */
export class MemoryStore implements Store {
  readonly description = 'memory';
  private readonly accounts = new Map<string, AccountRow>();
  private readonly symbols = new Map<string, SymbolRow>();
  private readonly positions = new Map<string, Map<string, PositionRow>>();
  private readonly orders: (KeptOrder | undefined)[] = [];
  private readonly executions: ExecutionRow[] = [];
  private readonly cancels: CancelRow[] = [];
  private readonly amendments: AmendmentRow[] = [];
  /** Batches committed so far. */
  commits = 0;

  async load(): Promise<Snapshot> {
    const orders: OrderRow<bigint>[] = [];
    for (const kept of this.orders) {
      if (kept !== undefined) orders.push(bigOrderRow(currentRow(kept)));
    }
    const positions: PositionRow<bigint>[] = [];
    for (const held of this.positions.values()) {
      for (const p of held.values()) positions.push(bigPositionRow(p));
    }
    return {
      accounts: [...this.accounts.values()].map(bigAccountRow),
      symbols: [...this.symbols.values()].map(bigSymbolRow),
      positions,
      orders,
      executions: this.executions.map(bigExecutionRow),
      cancels: this.cancels.map(bigCancelRow),
      amendments: this.amendments.map(bigAmendmentRow),
    };
  }

  async commit(changes: ChangeSet): Promise<void> {
    for (const a of changes.accounts) this.accounts.set(a.id, a);
    for (const s of changes.symbols) this.symbols.set(s.sym, s);
    for (const p of changes.positions) {
      const held = this.positions.get(p.account);
      if (held === undefined) this.positions.set(p.account, new Map([[p.sym, p]]));
      else held.set(p.sym, p);
    }
    for (const o of changes.newOrders) {
      const { open, limit, triggeredAt, priority } = o;
      this.orders[o.id] = {
        row: o,
        open,
        limit,
        triggeredAt,
        priority,
        fills: null,
        cancel: undefined,
        amendments: null,
      };
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
      addFill(this.kept(e.buyOrderId), e);
      addFill(this.kept(e.sellOrderId), e);
    }
    for (const c of changes.cancels) {
      this.cancels.push(c);
      this.kept(c.orderId).cancel = c;
    }
    for (const a of changes.amendments) {
      this.amendments.push(a);
      const kept = this.kept(a.orderId);
      if (kept.amendments === null) kept.amendments = [a];
      else kept.amendments.push(a);
    }
    this.commits++;
  }

  private kept(id: number): KeptOrder {
    const kept = this.orders[id];
    if (kept === undefined) throw new Error(`change to unknown order ${id}`);
    return kept;
  }

  async loadOrder(id: number): Promise<ArchivedOrder | null> {
    const kept = this.orders[id];
    if (kept === undefined) return null;
    const cancel = kept.cancel === undefined ? undefined : bigCancelRow(kept.cancel);
    const amendments = (kept.amendments ?? []).map(bigAmendmentRow);
    const fills = (kept.fills ?? []).map(bigExecutionRow);
    return archivedOrder(bigOrderRow(currentRow(kept)), fills, cancel, amendments);
  }

  async recentExecutions(limit: number): Promise<ExecutionRow<bigint>[]> {
    return this.executions.slice(-limit).map(bigExecutionRow);
  }

  async close(): Promise<void> {}
}

function addFill(kept: KeptOrder, e: ExecutionRow): void {
  if (kept.fills === null) kept.fills = [e];
  else kept.fills.push(e);
}
