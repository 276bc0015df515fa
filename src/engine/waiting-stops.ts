// Stop orders waiting for their trigger, per book: buys by stop price ascending (a trade at or
// above the stop triggers them, so the lowest go first), sells descending, ties by id. Each
// trigger takes a prefix of a list. Stops are few beside resting orders: sorted arrays keep
// this simple, and an empty book pays one length check per trading order. Both engines keep
// them so: the classic engine's items are its orders, the column engine's order slots.

/** What the lists read of a stop: its stop price (units), its id, its side. */
export interface StopKeys<T> {
  stop(stop: T): bigint | number;
  id(stop: T): number;
  isBuy(stop: T): boolean;
}

export class WaitingStops<T> {
  private readonly buys: T[] = [];
  private readonly sells: T[] = [];

  constructor(private readonly keys: StopKeys<T>) {}

  get size(): number {
    return this.buys.length + this.sells.length;
  }

  add(stop: T): void {
    const list = this.keys.isBuy(stop) ? this.buys : this.sells;
    let i = list.length;
    while (i > 0 && this.after(list[i - 1]!, stop)) i--;
    list.splice(i, 0, stop);
  }

  remove(stop: T): void {
    const list = this.keys.isBuy(stop) ? this.buys : this.sells;
    const i = list.indexOf(stop);
    if (i >= 0) list.splice(i, 1);
  }

  /**
   * Takes the stops that trades between `low` and `high` trigger (buys with stop ≤ high,
   * sells with stop ≥ low), in id order.
   */
  takeTriggered(low: bigint | number, high: bigint | number): T[] {
    const { stop, id } = this.keys;
    let buys = 0;
    while (buys < this.buys.length && stop(this.buys[buys]!) <= high) buys++;
    let sells = 0;
    while (sells < this.sells.length && stop(this.sells[sells]!) >= low) sells++;
    if (buys === 0 && sells === 0) return [];
    const triggered = [...this.buys.splice(0, buys), ...this.sells.splice(0, sells)];
    return triggered.sort((a, b) => id(a) - id(b));
  }

  /** Every waiting stop, buys then sells; for views and audits. */
  all(): T[] {
    return [...this.buys, ...this.sells];
  }

  /** Whether `a` sorts after `b` in its list. */
  private after(a: T, b: T): boolean {
    const sa = this.keys.stop(a);
    const sb = this.keys.stop(b);
    if (sa !== sb) return this.keys.isBuy(a) ? sa > sb : sa < sb;
    return this.keys.id(a) > this.keys.id(b);
  }
}
