import type { CancelRecord, Fill, OrderStatus } from './commands.js';
import type { Account } from './account.js';
import type { PriceLevel } from './price-levels.js';

const NO_FILLS: readonly Fill[] = Object.freeze([]);

export class Order {
  /** Shares (SHARE_SCALE) not yet executed or canceled. */
  open: bigint;
  /** Executions, oldest first; none is the shared empty list (most orders never fill). */
  fills: readonly Fill[] = NO_FILLS;
  canceled: CancelRecord | null = null;
  /** Intrusive FIFO links inside its price level while resting. */
  prev: Order | null = null;
  next: Order | null = null;
  level: PriceLevel | null = null;
  /** Intrusive links in its account's list of resting orders. */
  accountPrev: Order | null = null;
  accountNext: Order | null = null;
  /** Whether the store already has this order's row (so later changes are updates). */
  stored = false;
  dirty = false;

  constructor(
    readonly id: number,
    readonly account: Account,
    readonly sym: string,
    readonly isBuy: boolean,
    /** Original size in shares, positive for both sides. */
    readonly shares: bigint,
    readonly limit: bigint,
    /** Seconds since the epoch at which it was accepted. */
    readonly time: number,
  ) {
    this.open = shares;
  }

  addFill(fill: Fill): void {
    if (this.fills === NO_FILLS) this.fills = [fill];
    else (this.fills as Fill[]).push(fill);
  }

  status(): OrderStatus {
    // Fills are shared with execution rows; a status reports just the fill's own facts.
    const fills =
      this.fills.length === 0
        ? NO_FILLS
        : this.fills.map(({ shares, price, time }) => ({ shares, price, time }));
    return { open: this.open, canceled: this.canceled, fills };
  }
}
