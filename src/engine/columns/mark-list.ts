// The numbers (accounts, positions, books, order slots) changed in the batch being built,
// each once, in the order first changed: a mark per number and a list, both typed arrays.

import { capacityFor, grownBytes, grownInts } from './growable.js';

export class MarkList {
  items = new Int32Array(16);
  private marked = new Uint8Array(16);
  length = 0;

  mark(n: number): void {
    if (n >= this.marked.length || this.length === this.items.length) this.grow(n);
    if (this.marked[n] === 1) return;
    this.marked[n] = 1;
    this.items[this.length++] = n;
  }

  // Out of line: `mark` stays small enough for V8 to inline it at every call.
  private grow(n: number): void {
    if (n >= this.marked.length)
      this.marked = grownBytes(this.marked, capacityFor(n, this.marked.length));
    if (this.length === this.items.length) this.items = grownInts(this.items, this.length * 2);
  }

  clear(): void {
    for (let i = 0; i < this.length; i++) this.marked[this.items[i]!] = 0;
    this.length = 0;
  }
}
