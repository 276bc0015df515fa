// Order ids to slots. Ids are dense (one counter from 1), so pages of an Int32Array indexed
// by id beat a hash map; a page goes when its last order is let go (orders are let go
// roughly in id order), so the index does not grow with every order ever issued.

const PAGE_BITS = 10;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;
/** Ids the pages can hold: their arithmetic is on unsigned 32-bit integers. */
const MAX_INDEXED_ID = 0xffff_ffff;

export class SlotIndex {
  private readonly pages: (Int32Array | undefined)[] = [];
  /** Ids held in each page. */
  private readonly held: number[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The slot of `id`, 0 when none. */
  get(id: number): number {
    // The page arithmetic is on 32 bits: a larger id (valid syntax, never issued) would wrap.
    if (id > MAX_INDEXED_ID) return 0;
    const page = this.pages[id >>> PAGE_BITS];
    return page === undefined ? 0 : page[id & PAGE_MASK]!;
  }

  set(id: number, slot: number): void {
    const p = id >>> PAGE_BITS;
    while (this.pages.length <= p) {
      this.pages.push(undefined);
      this.held.push(0);
    }
    let page = this.pages[p];
    if (page === undefined) this.pages[p] = page = new Int32Array(PAGE_SIZE);
    if (page[id & PAGE_MASK] === 0) {
      this.count++;
      this.held[p]!++;
    }
    page[id & PAGE_MASK] = slot;
  }

  delete(id: number): void {
    const p = id >>> PAGE_BITS;
    const page = this.pages[p];
    if (page === undefined || page[id & PAGE_MASK] === 0) return;
    page[id & PAGE_MASK] = 0;
    this.count--;
    if (--this.held[p]! === 0) this.pages[p] = undefined;
  }

  /** Every held id's slot, in id order (arrival order). */
  *slotsInIdOrder(): Generator<number> {
    for (const page of this.pages) {
      if (page === undefined) continue;
      for (let i = 0; i < PAGE_SIZE; i++) if (page[i] !== 0) yield page[i]!;
    }
  }
}
