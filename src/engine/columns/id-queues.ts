// Doubly linked lists of slots held in typed arrays: a price level's queue, an account's
// resting orders. No object per order or per link. Slots count from 1, so 0 is "none". One
// instance holds many lists (one per level or per account) over shared link arrays, a slot
// being in at most one of its lists at a time.

import { capacityFor, grownInts } from './growable.js';

export class IdQueues {
  /** First and last slot of each list, by list number. */
  head = new Int32Array(16);
  tail = new Int32Array(16);
  /** Each slot's neighbours in its list, by slot. */
  prev = new Int32Array(16);
  next = new Int32Array(16);

  /** Makes room for list number `list`. */
  ensureList(list: number): void {
    if (list < this.head.length) return;
    const n = capacityFor(list, this.head.length);
    this.head = grownInts(this.head, n);
    this.tail = grownInts(this.tail, n);
  }

  /** Makes room for slot `slot`. */
  ensureSlot(slot: number): void {
    if (slot < this.prev.length) return;
    const n = capacityFor(slot, this.prev.length);
    this.prev = grownInts(this.prev, n);
    this.next = grownInts(this.next, n);
  }

  /** Puts `slot` at the back of `list`. */
  append(list: number, slot: number): void {
    const tail = this.tail[list]!;
    this.prev[slot] = tail;
    this.next[slot] = 0;
    if (tail === 0) this.head[list] = slot;
    else this.next[tail] = slot;
    this.tail[list] = slot;
  }

  /** Takes `slot` out of `list`, wherever it is. */
  remove(list: number, slot: number): void {
    const prev = this.prev[slot]!;
    const next = this.next[slot]!;
    if (prev === 0) this.head[list] = next;
    else this.next[prev] = next;
    if (next === 0) this.tail[list] = prev;
    else this.prev[next] = prev;
  }
}

/** Queues with room for `lists` lists and slots below `slots`, made at once. */
export function queuesOf(lists: number, slots: number): IdQueues {
  const queues = new IdQueues();
  queues.ensureList(lists);
  queues.ensureSlot(slots);
  return queues;
}
