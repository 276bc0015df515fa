import type {
  Amendment,
  CancelRecord,
  Fill,
  OrderStatus,
  OrderType,
  SelfTradePrevention,
  TimeInForce,
} from './commands.js';
import type { Account } from './account.js';
import type { ExecutionRow } from './changes.js';
import type { PriceLevel } from './price-levels.js';

const NO_FILLS: readonly ExecutionRow<bigint>[] = Object.freeze([]);
const NO_STATUS_FILLS: readonly Fill<bigint>[] = Object.freeze([]);

/** An execution as one side's fill: its own facts and the fee that side paid, if any. */
export function fillOf(
  e: Pick<ExecutionRow<bigint>, 'shares' | 'price' | 'time' | 'buyFee' | 'sellFee'>,
  isBuy: boolean,
): Fill<bigint> {
  const fee = isBuy ? e.buyFee : e.sellFee;
  const { shares, price, time } = e;
  return fee === null ? { shares, price, time } : { shares, price, time, fee };
}

/** What an order is beyond the base protocol's limit order; shared by most orders. */
export interface OrderTerms {
  readonly type: OrderType;
  readonly tif: TimeInForce;
  /** Stop price of a stop-limit order (kept after it triggers), else null. */
  readonly stop: bigint | null;
  readonly stp: SelfTradePrevention | null;
  /**
   * Fee rates (FEE_SCALE) in force when the order was accepted: it pays them whatever the
   * schedule is later, and a buy's reservation was made with its taker rate.
   */
  readonly maker: bigint;
  readonly taker: bigint;
}

/** A plain limit order's terms with no fees: the one object every such order shares. */
export const LIMIT_GTC: OrderTerms = Object.freeze({
  type: 'limit',
  tif: 'GTC',
  stop: null,
  stp: null,
  maker: 0n,
  taker: 0n,
});

/** Whether the terms are a plain limit order's (whatever its fee rates). */
export function isPlainLimit(terms: Omit<OrderTerms, 'maker' | 'taker'>): boolean {
  return terms.type === 'limit' && terms.tif === 'GTC' && terms.stop === null && terms.stp === null;
}

export class Order {
  /** Shares (SHARE_SCALE) not yet executed or canceled. */
  open: bigint;
  // Executions, oldest first: most orders fill once or never, so the first is held alone and
  // only a second one makes a list (one object fewer per filled order to collect or promote).
  private firstFill: ExecutionRow<bigint> | null = null;
  private moreFills: ExecutionRow<bigint>[] | null = null;
  canceled: CancelRecord<bigint> | null = null;
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
  /** Changed beyond its open shares since the last batch (amended, triggered). */
  reshaped = false;
  /** A stop order not yet triggered: holds its reservation outside the book. */
  waiting = false;
  triggeredAt: number | null = null;
  /** Place in the queue of its price level (see OrderRow.priority); 0 until it rests. */
  priority = 0;
  amendments: Amendment[] | null = null;

  constructor(
    readonly id: number,
    readonly account: Account,
    readonly sym: string,
    readonly isBuy: boolean,
    /** Original size in shares, positive for both sides. */
    readonly shares: bigint,
    /** Limit price (PRICE_SCALE); an amend may change it. 0 for a market order. */
    public limit: bigint,
    /** Seconds since the epoch at which it was accepted. */
    readonly time: number,
    readonly terms: OrderTerms = LIMIT_GTC,
  ) {
    this.open = shares;
  }

  /** Executions, oldest first; a new list each time (for views, audits and restores). */
  get fills(): readonly ExecutionRow<bigint>[] {
    const first = this.firstFill;
    if (first === null) return NO_FILLS;
    const more = this.moreFills;
    return more === null ? [first] : [first, ...more];
  }

  addFill(fill: ExecutionRow<bigint>): void {
    if (this.firstFill === null) this.firstFill = fill;
    else if (this.moreFills === null) this.moreFills = [fill];
    else this.moreFills.push(fill);
  }

  status(): OrderStatus<bigint> {
    // Fills are shared with execution rows; a status reports just the fill's own facts.
    let fills = NO_STATUS_FILLS;
    const first = this.firstFill;
    if (first !== null) {
      const list = [fillOf(first, this.isBuy)];
      const more = this.moreFills;
      if (more !== null) for (const e of more) list.push(fillOf(e, this.isBuy));
      fills = list;
    }
    type Status = OrderStatus<bigint>;
    const status: { -readonly [K in keyof Status]: Status[K] } = {
      open: this.open,
      canceled: this.canceled,
      fills,
    };
    if (this.waiting && this.terms.stop !== null) status.stop = this.terms.stop;
    if (this.amendments !== null) status.amendments = [...this.amendments];
    return status;
  }
}
