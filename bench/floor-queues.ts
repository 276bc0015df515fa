// Doubly linked lists of order ids held in typed arrays, as the floors keep a price level's
// queue and an account's resting orders: no object per order or per link. Ids count from 1,
// so 0 is "none". One instance holds many lists (one per level or per account) over shared
// link arrays, an id being in at most one of its lists at a time.

export class IdQueues {
  constructor(
    /** First and last id of each list, by list number. */
    readonly head: Int32Array,
    readonly tail: Int32Array,
    /** Each id's neighbours in its list, by id. */
    readonly prev: Int32Array,
    readonly next: Int32Array,
  ) {}

  /** Puts `id` at the back of `list`. */
  append(list: number, id: number): void {
    const tail = this.tail[list]!;
    this.prev[id] = tail;
    this.next[id] = 0;
    if (tail === 0) this.head[list] = id;
    else this.next[tail] = id;
    this.tail[list] = id;
  }

  /** Takes `id` out of `list`, wherever it is. */
  remove(list: number, id: number): void {
    const prev = this.prev[id]!;
    const next = this.next[id]!;
    if (prev === 0) this.head[list] = next;
    else this.next[prev] = next;
    if (next === 0) this.tail[list] = prev;
    else this.prev[next] = prev;
  }
}
