import { objectArray } from './object-array.js';
import type { Order } from './order.js';

/** Closed orders in the order they closed, with the batch each closed in: a FIFO queue. */
export class ClosedOrders {
  private orders: Order[] = objectArray();
  private batches: number[] = [];
  private head = 0;

  get length(): number {
    return this.orders.length - this.head;
  }

  push(order: Order, batch: number): void {
    this.orders.push(order);
    this.batches.push(batch);
  }

  /** The oldest, if it closed in a batch up to `batch`. */
  peekOldest(batch: number): Order | undefined {
    if (this.head >= this.orders.length || this.batches[this.head]! > batch) return undefined;
    return this.orders[this.head];
  }

  dropOldest(): void {
    this.orders[this.head] = undefined as unknown as Order;
    this.head++;
    // Compact now and then so the arrays do not grow forever.
    if (this.head > 4096 && this.head * 2 > this.orders.length) {
      this.orders = this.orders.slice(this.head);
      this.batches = this.batches.slice(this.head);
      this.head = 0;
    }
  }
}
