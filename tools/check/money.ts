// Exact decimal arithmetic for the checks that predict cash, shares and fees. The kit may not
// use the server's own decimal code (it judges that code), so it keeps its own: numbers as
// bigints at a fixed scale, the scales the protocol documents (8 digits for shares, prices
// and fee rates, 16 for cash).

export const SHARE_SCALE = 8;
export const CASH_SCALE = 16;

/** `text` (a plain decimal with at most `scale` fractional digits) as a bigint at `scale`. */
export function toScaled(text: string, scale: number): bigint {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (m === null || (m[2] === '' && (m[3] ?? '') === '') || (m[3] ?? '').length > scale) {
    throw new Error(`not a decimal with at most ${scale} fractional digits: ${text}`);
  }
  const magnitude = BigInt(`${m[2] || '0'}${(m[3] ?? '').padEnd(scale, '0')}`);
  return m[1] === '-' ? -magnitude : magnitude;
}

/** A bigint at `scale` in the server's notation: plain, no trailing zeros, no point if whole. */
export function fromScaled(value: bigint, scale: number): string {
  const sign = value < 0n ? '-' : '';
  const digits = (value < 0n ? -value : value).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${sign}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}

const RATE_ONE = 10n ** 8n;

/** The server's fee schedule, as `serve --maker-fee M --taker-fee T --fee-account ID` set it. */
export interface FeeSchedule {
  /** Rates at 8 fractional digits. */
  readonly maker: bigint;
  readonly taker: bigint;
  readonly account: string;
}

/** `MAKER,TAKER,ACCOUNT`, e.g. `0.001,0.002,1000`. */
export function parseFeeSchedule(text: string): FeeSchedule {
  const parts = text.split(',');
  if (parts.length !== 3 || !/^\d+$/.test(parts[2]!)) {
    throw new Error(`expected MAKER,TAKER,ACCOUNT (e.g. 0.001,0.002,1000), got "${text}"`);
  }
  const rate = (t: string): bigint => {
    const r = toScaled(t, 8);
    if (r < 0n || r >= RATE_ONE) throw new Error(`a fee rate is at least 0 and below 1: ${t}`);
    return r;
  };
  const schedule = { maker: rate(parts[0]!), taker: rate(parts[1]!), account: parts[2]! };
  if (schedule.taker === 0n) throw new Error('with fees off, leave --fees out');
  return schedule;
}

/** The fee on a traded value (CASH_SCALE) at a rate, rounded down to the cash scale. */
export const feeOn = (value: bigint, rate: bigint): bigint => (value * rate) / RATE_ONE;

/** The traded value (CASH_SCALE) of shares and a price (both at 8 digits). */
export const valueOf = (shares: bigint, price: bigint): bigint => shares * price;

/** What a buy holds back (CASH_SCALE): its value plus the taker fee on it. */
export const reservation = (shares: bigint, limit: bigint, taker: bigint): bigint =>
  valueOf(shares, limit) + feeOn(valueOf(shares, limit), taker);

/** The most shares (SHARE_SCALE) whose reservation at `price` fits in `cash` (CASH_SCALE). */
export function affordable(cash: bigint, price: bigint, taker: bigint): bigint {
  if (cash <= 0n) return 0n;
  let shares = (cash * RATE_ONE) / (price * (RATE_ONE + taker));
  // The fee is rounded down, so a unit or two more may still fit; none fewer can be needed.
  while (reservation(shares + 1n, price, taker) <= cash) shares++;
  while (shares > 0n && reservation(shares, price, taker) > cash) shares--;
  return shares;
}
