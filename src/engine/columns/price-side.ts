// One side of one book: its price levels by price, and the best of them on top of a binary
// heap. Levels are numbers from a pool (`LevelPool`); each knows its place in its heap, so a
// level leaves in O(log levels) without a search.

/** Each level's price and its index in its side's heap, by level; the arrays may be replaced. */
export interface LevelPool {
  price: Float64Array;
  heapSlot: Int32Array;
}

export class Side {
  readonly byPrice = new Map<number, number>();
  readonly heap: number[] = [];

  constructor(
    readonly bids: boolean,
    private readonly pool: LevelPool,
  ) {}

  private better(a: number, b: number): boolean {
    const price = this.pool.price;
    return this.bids ? price[a]! > price[b]! : price[a]! < price[b]!;
  }

  /** A new level, its price already set. */
  add(level: number): void {
    this.byPrice.set(this.pool.price[level]!, level);
    this.heap.push(level);
    this.siftUp(this.heap.length - 1, level);
  }

  remove(level: number): void {
    this.byPrice.delete(this.pool.price[level]!);
    const heap = this.heap;
    const at = this.pool.heapSlot[level]!;
    const last = heap.pop()!;
    if (at === heap.length) return;
    this.siftDown(this.siftUp(at, last), last);
  }

  /**
   * The levels an order at `limit` from the other side crosses (asks at or below a buy's
   * limit, bids at or above a sell's), in no order: a walk of the heap that leaves out each
   * subtree whose top does not cross, as nothing under it is better. It costs the levels it
   * finds, not the book.
   */
  crossing(limit: number): number[] {
    const price = this.pool.price;
    const heap = this.heap;
    const found: number[] = [];
    const stack = heap.length > 0 ? [0] : [];
    while (stack.length > 0) {
      const i = stack.pop()!;
      const level = heap[i]!;
      if (this.bids ? price[level]! < limit : price[level]! > limit) continue;
      found.push(level);
      const left = 2 * i + 1;
      if (left < heap.length) stack.push(left);
      if (left + 1 < heap.length) stack.push(left + 1);
    }
    return found;
  }

  /** The levels best first (a sorted copy; for views, not the hot path). */
  bestFirst(): number[] {
    const price = this.pool.price;
    return [...this.heap].sort((a, b) =>
      this.bids ? price[b]! - price[a]! : price[a]! - price[b]!,
    );
  }

  /** Moves `level` up from index `i` to where it belongs; its index there. */
  private siftUp(i: number, level: number): number {
    const heap = this.heap;
    const slot = this.pool.heapSlot;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = heap[parent]!;
      if (!this.better(level, above)) break;
      heap[i] = above;
      slot[above] = i;
      i = parent;
    }
    heap[i] = level;
    slot[level] = i;
    return i;
  }

  /** Moves `level` down from index `i` to where it belongs. */
  private siftDown(i: number, level: number): void {
    const heap = this.heap;
    const slot = this.pool.heapSlot;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      let child = left;
      if (left + 1 < heap.length && this.better(heap[left + 1]!, heap[left]!)) child = left + 1;
      const below = heap[child]!;
      if (!this.better(below, level)) break;
      heap[i] = below;
      slot[below] = i;
      i = child;
    }
    heap[i] = level;
    slot[level] = i;
  }
}
