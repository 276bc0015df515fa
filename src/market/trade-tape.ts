// Recent trades per symbol, newest last, as they became durable: what the trades endpoint
// and the feed's tape show. A ring per symbol keeps memory bounded however long it runs.

import type { ExecutionRow, Units } from '../engine/changes.js';

export const TAPE_CAPACITY = 1_000;

class Ring {
  private readonly items: (ExecutionRow | undefined)[];
  private next = 0;
  size = 0;

  constructor(private readonly capacity: number) {
    this.items = new Array<ExecutionRow | undefined>(capacity);
  }

  push(item: ExecutionRow): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  /** The newest `n`, newest first. */
  newest(n: number): ExecutionRow[] {
    const out: ExecutionRow[] = [];
    const count = Math.min(n, this.size);
    for (let i = 1; i <= count; i++) {
      out.push(this.items[(this.next - i + this.capacity) % this.capacity]!);
    }
    return out;
  }
}

export class TradeTape {
  private readonly rings = new Map<string, Ring>();

  constructor(private readonly capacity = TAPE_CAPACITY) {}

  record(executions: readonly ExecutionRow[]): void {
    for (const execution of executions) {
      let ring = this.rings.get(execution.sym);
      if (ring === undefined) {
        ring = new Ring(this.capacity);
        this.rings.set(execution.sym, ring);
      }
      ring.push(execution);
    }
  }

  /** Up to `limit` of the symbol's newest trades, newest first. */
  recent(sym: string, limit: number): ExecutionRow[] {
    return this.rings.get(sym)?.newest(limit) ?? [];
  }

  lastPrice(sym: string): Units | null {
    return this.rings.get(sym)?.newest(1)[0]?.price ?? null;
  }
}
