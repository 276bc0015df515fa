// One side of one book of a floor (bench/engine-floor.ts, bench/floor-duties.ts): its price
// levels by key, and the best of them on top of a binary heap. Levels are numbers from the
// floor's pool; each knows its place in its heap, as the engine's levels do, so a level
// leaves in O(log levels) without a search.

export class Side {
  readonly byPrice = new Map<number, number>();
  readonly heap: number[] = [];

  constructor(
    private readonly bids: boolean,
    /** Each level's price key, by level. */
    private readonly key: Float64Array,
    /** Each level's index in its side's heap, by level (shared: a level is on one side). */
    private readonly slot: Int32Array,
  ) {}

  private better(a: number, b: number): boolean {
    return this.bids ? this.key[a]! > this.key[b]! : this.key[a]! < this.key[b]!;
  }

  /** A new level, its key already set. */
  add(level: number): void {
    this.byPrice.set(this.key[level]!, level);
    this.heap.push(level);
    this.siftUp(this.heap.length - 1, level);
  }

  remove(level: number): void {
    this.byPrice.delete(this.key[level]!);
    const heap = this.heap;
    const at = this.slot[level]!;
    const last = heap.pop()!;
    if (at === heap.length) return;
    this.siftDown(this.siftUp(at, last), last);
  }

  /** Moves `level` up from index `i` to where it belongs; its index there. */
  private siftUp(i: number, level: number): number {
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = heap[parent]!;
      if (!this.better(level, above)) break;
      heap[i] = above;
      this.slot[above] = i;
      i = parent;
    }
    heap[i] = level;
    this.slot[level] = i;
    return i;
  }

  /** Moves `level` down from index `i` to where it belongs. */
  private siftDown(i: number, level: number): void {
    const heap = this.heap;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      let child = left;
      if (left + 1 < heap.length && this.better(heap[left + 1]!, heap[left]!)) child = left + 1;
      const below = heap[child]!;
      if (!this.better(below, level)) break;
      heap[i] = below;
      this.slot[below] = i;
      i = child;
    }
    heap[i] = level;
    this.slot[level] = i;
  }
}
