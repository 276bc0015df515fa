// A book of the column engine as the views read it (BookRead): each level's open shares and
// orders are gathered when asked, and only for the levels asked for, so a view of the top of
// a deep book costs those levels, not the book.

import type { BookRead, LevelRead, RestingRead, SideRead } from '../exchange-view.js';
import type { ColumnState } from './column-state.js';

export class ColumnBook implements BookRead {
  readonly sym: string;
  readonly seq: number;
  readonly granted: bigint;
  readonly bids: SideRead;
  readonly asks: SideRead;

  constructor(state: ColumnState, s: number) {
    this.sym = state.symbolNames[s]!;
    this.seq = state.seq[s]!;
    this.granted = state.granted[s]!;
    this.bids = new ColumnSide(state, 2 * s);
    this.asks = new ColumnSide(state, 2 * s + 1);
  }
}

class ColumnSide implements SideRead {
  constructor(
    private readonly state: ColumnState,
    private readonly side: number,
  ) {}

  get levelCount(): number {
    return this.state.sides[this.side]!.heap.length;
  }

  get orderCount(): number {
    return this.state.sideOrders[this.side]!;
  }

  best(): LevelRead | undefined {
    const heap = this.state.sides[this.side]!.heap;
    return heap.length === 0 ? undefined : this.level(heap[0]!);
  }

  topLevels(n: number): LevelRead[] {
    return this.state.sides[this.side]!.bestFirst()
      .slice(0, Math.max(n, 0))
      .map((level) => this.level(level));
  }

  levels(): LevelRead[] {
    return this.state.sides[this.side]!.bestFirst().map((level) => this.level(level));
  }

  /** A level with its orders in time priority, their shares summed. */
  private level(level: number): LevelRead {
    const s = this.state;
    let head: RestingRead | null = null;
    let tail: { id: number; open: bigint; next: RestingRead | null } | null = null;
    let openShares = 0n;
    let count = 0;
    for (let slot = s.queues.head[level]!; slot !== 0; slot = s.queues.next[slot]!) {
      const open = BigInt(s.open[slot]!);
      const order = { id: s.orderId[slot]!, open, next: null };
      if (tail === null) head = order;
      else tail.next = order;
      tail = order;
      openShares += open;
      count++;
    }
    return { price: BigInt(s.pool.price[level]!), openShares, count, head };
  }
}
