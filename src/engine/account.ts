import type { Order } from './order.js';

export class Position {
  dirty = false;

  constructor(
    readonly account: Account,
    readonly sym: string,
    /** Shares at SHARE_SCALE held now (shares reserved by open sells are not included). */
    public shares: bigint,
  ) {}
}

export class Account {
  dirty = false;
  readonly positions = new Map<string, Position>();
  /** Resting orders of this account, oldest first, as an intrusive list (O(1) in and out). */
  private openHead: Order | null = null;
  private openTail: Order | null = null;

  constructor(
    readonly id: string,
    /** Cash at CASH_SCALE available now (cash reserved by open buys is not included). */
    public cash: bigint,
    /** Cash ever paid in at creation: what cash + reserved cash must always add up to. */
    readonly deposited: bigint = cash,
  ) {}

  /** Called when one of its orders rests in a book. */
  addResting(order: Order): void {
    order.accountPrev = this.openTail;
    order.accountNext = null;
    if (this.openTail === null) this.openHead = order;
    else this.openTail.accountNext = order;
    this.openTail = order;
  }

  /** Called when one of its orders leaves its book (filled or canceled). */
  removeResting(order: Order): void {
    if (order.accountPrev === null) this.openHead = order.accountNext;
    else order.accountPrev.accountNext = order.accountNext;
    if (order.accountNext === null) this.openTail = order.accountPrev;
    else order.accountNext.accountPrev = order.accountPrev;
    order.accountPrev = order.accountNext = null;
  }

  /** Its resting orders in the order they rested; for views, not the hot path. */
  *restingOrders(): Generator<Order> {
    for (let order = this.openHead; order !== null; order = order.accountNext) yield order;
  }
}
