/** Something whose changes since the last batch must be written. */
export interface Trackable {
  dirty: boolean;
}

/**
 * The objects changed in the current batch, each once. A flag on the object and an array
 * beat a Set here: no hashing on the hot path, and no identity hash added to every object.
 */
export class DirtyList<T extends Trackable> {
  private items: T[] = [];

  mark(item: T): void {
    if (item.dirty) return;
    item.dirty = true;
    this.items.push(item);
  }

  /** The changed objects, flags cleared; the list starts empty again. */
  drain(): T[] {
    const items = this.items;
    this.items = [];
    for (const item of items) item.dirty = false;
    return items;
  }
}
