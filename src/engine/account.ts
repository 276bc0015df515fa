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

  constructor(
    readonly id: string,
    /** Cash at CASH_SCALE available now (cash reserved by open buys is not included). */
    public cash: bigint,
    /** Cash ever paid in at creation: what cash + reserved cash must always add up to. */
    readonly deposited: bigint = cash,
  ) {}
}
