// Stop orders waiting for their trigger, per book: buys by stop price ascending (a trade at or
// above the stop triggers them, so the lowest go first), sells descending, ties by id. Each
// trigger takes a prefix of a list. Stops are few beside resting orders: sorted arrays keep
// this simple, and an empty book pays one length check per trading order.

import type { Order } from './order.js';

export class WaitingStops {
  private readonly buys: Order[] = [];
  private readonly sells: Order[] = [];

  get size(): number {
    return this.buys.length + this.sells.length;
  }

  add(order: Order): void {
    const list = order.isBuy ? this.buys : this.sells;
    let i = list.length;
    while (i > 0 && this.after(list[i - 1]!, order)) i--;
    list.splice(i, 0, order);
  }

  remove(order: Order): void {
    const list = order.isBuy ? this.buys : this.sells;
    const i = list.indexOf(order);
    if (i >= 0) list.splice(i, 1);
  }

  /**
   * Takes the stops that trades between `low` and `high` trigger (buys with stop ≤ high,
   * sells with stop ≥ low), in id order.
   */
  takeTriggered(low: bigint, high: bigint): Order[] {
    let buys = 0;
    while (buys < this.buys.length && this.buys[buys]!.terms.stop! <= high) buys++;
    let sells = 0;
    while (sells < this.sells.length && this.sells[sells]!.terms.stop! >= low) sells++;
    if (buys === 0 && sells === 0) return [];
    const triggered = [...this.buys.splice(0, buys), ...this.sells.splice(0, sells)];
    return triggered.sort((a, b) => a.id - b.id);
  }

  /** Every waiting stop, buys then sells; for views and audits. */
  all(): Order[] {
    return [...this.buys, ...this.sells];
  }

  /** Whether `a` sorts after `b` in its list. */
  private after(a: Order, b: Order): boolean {
    const sa = a.terms.stop!;
    const sb = b.terms.stop!;
    if (sa !== sb) return a.isBuy ? sa > sb : sa < sb;
    return a.id > b.id;
  }
}
