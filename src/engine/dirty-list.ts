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

  /** How many objects changed: `at(0)` to `at(length - 1)` until `clear()`. */
  get length(): number {
    return this.size;
  }

  /** The `i`th object changed, in the order first changed. */
  at(i: number): T {
    return this.items[i]!;
  }

  /**
   * Empties the list and clears the flags. Read with `at` before, rather than copied out: a
   * batch's rows are built from the objects directly, and the copy was one more array a batch.
   */
  clear(): void {
    const items = this.items;
    for (let i = 0; i < this.size; i++) {
      items[i]!.dirty = false;
      // Let go of it: a closed order may be evicted before the next batch refills the slot.
      items[i] = undefined;
    }
    this.size = 0;
  }
}
