import { objectArray } from './object-array.js';
import type { Order } from './order.js';

const PAGE_BITS = 10;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;
/** Ids the pages can hold: their arithmetic is on unsigned 32-bit integers. */
const MAX_INDEXED_ID = 0xffff_ffff;

/**
 * Every order by id. Ids are dense (one counter from 1), so arrays indexed by id beat a hash
 * map: no hashing, 8 bytes an entry, and less for the garbage collector. The ids are split
 * into fixed pages: one long array would be copied whole each time it grew, and would keep
 * a slot for every evicted order for the collector to visit; a page goes when its last order
 * is evicted (orders are evicted roughly in id order).
 */
export class OrderIndex {
  private readonly pages: ((Order | undefined)[] | undefined)[] = objectArray();
  /** Orders held in each page. */
  private readonly held: number[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(id: number): Order | undefined {
    // The page arithmetic is on 32 bits: a larger id (valid syntax, never issued) would wrap.
    if (id > MAX_INDEXED_ID) return undefined;
    const page = this.pages[id >>> PAGE_BITS];
    return page === undefined ? undefined : page[id & PAGE_MASK];
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  add(order: Order): void {
    const p = order.id >>> PAGE_BITS;
    // Filling any gap keeps the arrays packed (holes would make them slow dictionaries).
    while (this.pages.length <= p) {
      this.pages.push(undefined);
      this.held.push(0);
    }
    let page = this.pages[p];
    if (page === undefined) {
      page = new Array<Order | undefined>(PAGE_SIZE).fill(undefined);
      this.pages[p] = page;
    }
    const slot = order.id & PAGE_MASK;
    if (page[slot] === undefined) {
      this.count++;
      this.held[p]!++;
    }
    page[slot] = order;
  }

  remove(id: number): void {
    const p = id >>> PAGE_BITS;
    const page = this.pages[p];
    if (page === undefined || page[id & PAGE_MASK] === undefined) return;
    page[id & PAGE_MASK] = undefined;
    this.count--;
    if (--this.held[p]! === 0) this.pages[p] = undefined;
  }

  /** In id order, which is arrival order. */
  *values(): IterableIterator<Order> {
    for (const page of this.pages) {
      if (page === undefined) continue;
      for (const order of page) if (order !== undefined) yield order;
    }
  }
}
