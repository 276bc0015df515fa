// One side of an order book: price levels in a map (find a level by price in O(1)) and an
// indexed binary heap (best level in O(1), insert and remove in O(log levels)). Each level
// is a FIFO of resting orders as an intrusive doubly linked list, so an order leaves its
// level in O(1) on cancel or fill.

import type { Order } from './order.js';

export class PriceLevel {
  head: Order | null = null;
  tail: Order | null = null;
  /** Number of resting orders at this price. */
  count = 0;
  /** Sum of open shares resting at this price. */
  openShares = 0n;
  heapIndex = -1;

  constructor(readonly price: bigint) {}

  append(order: Order): void {
    order.level = this;
    order.prev = this.tail;
    order.next = null;
    if (this.tail === null) this.head = order;
    else this.tail.next = order;
    this.tail = order;
    this.count++;
    this.openShares += order.open;
  }

  unlink(order: Order): void {
    if (order.prev === null) this.head = order.next;
    else order.prev.next = order.next;
    if (order.next === null) this.tail = order.prev;
    else order.next.prev = order.prev;
    order.prev = order.next = null;
    order.level = null;
    this.count--;
  }
}

export class PriceLevels {
  private readonly byPrice = new Map<bigint, PriceLevel>();
  private readonly heap: PriceLevel[] = [];
  /** Resting orders on this side. */
  orderCount = 0;

  /** @param descending true for bids (best = highest), false for asks (best = lowest). */
  constructor(private readonly descending: boolean) {}

  get levelCount(): number {
    return this.heap.length;
  }

  best(): PriceLevel | undefined {
    return this.heap[0];
  }

  /** Appends an order at the back of the queue at its limit price. */
  add(order: Order): void {
    let level = this.byPrice.get(order.limit);
    if (level === undefined) {
      level = new PriceLevel(order.limit);
      this.byPrice.set(order.limit, level);
      level.heapIndex = this.heap.length;
      this.heap.push(level);
      this.siftUp(level.heapIndex);
    }
    level.append(order);
    order.account.addResting(order);
    this.orderCount++;
  }

  /** Takes an order out of its level; the level goes when it empties. */
  remove(order: Order): void {
    const level = order.level;
    if (level === null) return;
    level.openShares -= order.open;
    level.unlink(order);
    order.account.removeResting(order);
    this.orderCount--;
    if (level.count === 0) this.removeLevel(level);
  }

  /** Levels from best to worst; for snapshots and tests, not the hot path. */
  levels(): PriceLevel[] {
    const sorted = [...this.heap];
    sorted.sort((a, b) => (this.before(a, b) ? -1 : this.before(b, a) ? 1 : 0));
    return sorted;
  }

  /**
   * The best `n` levels, best first, without sorting the whole side: a walk down the heap
   * that keeps the frontier of candidate children in a small heap of its own, O(n log n).
   */
  topLevels(n: number): PriceLevel[] {
    const top: PriceLevel[] = [];
    if (n <= 0) return top;
    for (const level of this.bestFirst()) {
      top.push(level);
      if (top.length === n) break;
    }
    return top;
  }

  /** Levels best first, lazily: walking k levels costs O(k log k), not a sort of all. */
  *bestFirst(): Generator<PriceLevel> {
    const heap = this.heap;
    if (heap.length === 0) return;
    const frontier: number[] = [0];
    const better = (i: number, j: number): boolean => this.before(heap[i]!, heap[j]!);
    while (frontier.length > 0) {
      const index = popBest(frontier, better);
      yield heap[index]!;
      for (const child of [2 * index + 1, 2 * index + 2]) {
        if (child < heap.length) pushCandidate(frontier, child, better);
      }
    }
  }

  private removeLevel(level: PriceLevel): void {
    this.byPrice.delete(level.price);
    const index = level.heapIndex;
    const last = this.heap.pop()!;
    level.heapIndex = -1;
    if (last === level) return;
    this.heap[index] = last;
    last.heapIndex = index;
    this.siftUp(index);
    this.siftDown(last.heapIndex);
  }

  private before(a: PriceLevel, b: PriceLevel): boolean {
    return this.descending ? a.price > b.price : a.price < b.price;
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    const item = heap[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (!this.before(item, parent)) break;
      heap[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    heap[index] = item;
    item.heapIndex = index;
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    const length = heap.length;
    const item = heap[index]!;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && this.before(heap[right]!, heap[left]!)) child = right;
      const childLevel = heap[child]!;
      if (!this.before(childLevel, item)) break;
      heap[index] = childLevel;
      childLevel.heapIndex = index;
      index = child;
    }
    heap[index] = item;
    item.heapIndex = index;
  }
}

/** Heap of heap indices ordered by `better`: push one candidate. */
function pushCandidate(h: number[], item: number, better: (i: number, j: number) => boolean): void {
  let i = h.length;
  h.push(item);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!better(h[i]!, h[parent]!)) break;
    [h[i], h[parent]] = [h[parent]!, h[i]!];
    i = parent;
  }
}

/** Heap of heap indices ordered by `better`: take the best candidate. */
function popBest(h: number[], better: (i: number, j: number) => boolean): number {
  const best = h[0]!;
  const last = h.pop()!;
  if (h.length === 0) return best;
  h[0] = last;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    const right = left + 1;
    let pick = i;
    if (left < h.length && better(h[left]!, h[pick]!)) pick = left;
    if (right < h.length && better(h[right]!, h[pick]!)) pick = right;
    if (pick === i) return best;
    [h[i], h[pick]] = [h[pick]!, h[i]!];
    i = pick;
  }
}
