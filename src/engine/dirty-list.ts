import { objectArray } from './object-array.js';

/** Something whose changes since the last batch must be written. */
export interface Trackable {
  dirty: boolean;
}

/**
 * The objects changed in the current batch, each once. A flag on the object and an array
 * beat a Set here: no hashing on the hot path, and no identity hash added to every object.
 * The array is kept from batch to batch, so it does not grow again from empty each time.
 */
export class DirtyList<T extends Trackable> {
  private readonly items: (T | undefined)[] = objectArray();
  private size = 0;

  mark(item: T): void {
    if (item.dirty) return;
    item.dirty = true;
    this.items[this.size++] = item;
  }

  /** The changed objects, in the order first changed; flags cleared, the list empty again. */
  drain(): T[] {
    const items = this.items;
    const n = this.size;
    const drained = items.slice(0, n) as T[];
    this.size = 0;
    for (let i = 0; i < n; i++) {
      drained[i]!.dirty = false;
      // Let go of it: a closed order may be evicted before the next batch refills the slot.
      items[i] = undefined;
    }
    return drained;
  }
}
