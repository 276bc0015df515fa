import type { Order } from './order.js';

/**
 * Every order by id. Ids are dense (one counter from 1), so a plain array indexed by id
 * beats a hash map: no hashing, 8 bytes an entry, and less for the garbage collector.
 */
export class OrderIndex {
  private readonly byId: (Order | undefined)[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(id: number): Order | undefined {
    return this.byId[id];
  }

  has(id: number): boolean {
    return this.byId[id] !== undefined;
  }

  add(order: Order): void {
    // Filling any gap keeps the array packed (holes would make it a slow dictionary).
    while (this.byId.length < order.id) this.byId.push(undefined);
    if (this.byId[order.id] === undefined) this.count++;
    this.byId[order.id] = order;
  }

  remove(id: number): void {
    if (this.byId[id] === undefined) return;
    this.byId[id] = undefined;
    this.count--;
  }

  /** In id order, which is arrival order. */
  *values(): IterableIterator<Order> {
    for (const order of this.byId) if (order !== undefined) yield order;
  }
}
