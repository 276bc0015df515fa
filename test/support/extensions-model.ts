// A deliberately naive reference model of the extended exchange, written from
// docs/extensions.md alone (not from the engine's code): plain arrays, linear scans, a sort
// by price then queue stamp to find the next resting order, exact bigint decimals. It takes
// the request text as a client sends it and says what the answer must be.
//
// Readings of the contract where the text leaves a choice (each is a single line below, so a
// different reading is a one-line change):
// - A market buy spends the account's cash as it is at each execution ("stops where the cash
//   runs out"), one resting order at a time: the largest s with s×p + fee(s×p) ≤ cash.
// - A buy's reservation is always reserve(open, limit) = open×limit + fee(open×limit): an
//   execution releases reserve(open) − reserve(open − s) (so cash + reserved = deposited
//   holds exactly, whatever the rounding).
// - An amend's history entry holds the open amount and limit the amend set (before any
//   execution it made at once). An amend to the same amount and limit "changes nothing": it
//   is answered <amended> but not listed in the history (the engine's reading too).
// - A triggered stop, an amended order that lost priority and an incoming order all match
//   with the order's own stp.

import {
  CASH_SCALE,
  PRICE_SCALE,
  SHARE_SCALE,
  parseDecimal,
  pow10,
} from '../../src/decimal/fixed.js';
import type { ErrorCode } from '../../src/engine/errors.js';

export const RATE_SCALE = 8;
const RATE_ONE = pow10(RATE_SCALE);

export interface ModelFees {
  /** Rates at RATE_SCALE; maker ≤ taker. Both 0: fees off. */
  readonly maker: bigint;
  readonly taker: bigint;
  readonly account: string;
}

export type Tif = 'GTC' | 'IOC' | 'FOK';
export type Stp = 'cancel-resting' | 'cancel-incoming' | 'cancel-both';

/** An <order> as sent: every attribute is raw text, absent when undefined. */
export interface RawOrder {
  sym: string;
  amount: string;
  limit?: string | undefined;
  type?: string | undefined;
  tif?: string | undefined;
  stop?: string | undefined;
  stp?: string | undefined;
}

/** An <amend> as sent. */
export interface RawAmend {
  id: string;
  amount?: string | undefined;
  limit?: string | undefined;
}

export interface MFill {
  shares: bigint;
  price: bigint;
  time: number;
  fee?: bigint;
}

export interface MAmendment {
  open: bigint;
  limit: bigint;
  time: number;
}

export interface MOrder {
  id: number;
  account: string;
  sym: string;
  isBuy: boolean;
  size: bigint;
  /** null for a market order. */
  limit: bigint | null;
  market: boolean;
  tif: Tif;
  stop: bigint | null;
  stp: Stp | null;
  open: bigint;
  fills: MFill[];
  canceled: { shares: bigint; time: number } | null;
  amendments: MAmendment[];
  amendedAway: bigint;
  /** A stop not yet triggered. */
  waiting: boolean;
  /** In the book. */
  resting: boolean;
  /** Queue stamp: given each time the order joins the book; lower is earlier. */
  stamp: number;
}

export interface MStatus {
  open: bigint;
  canceled: { shares: bigint; time: number } | null;
  fills: MFill[];
  stop?: bigint;
  amendments?: MAmendment[];
}

/** What the model expects; `codes` lists acceptable error codes (any error when absent). */
export type Expected =
  | { kind: 'created'; id: string }
  | { kind: 'granted'; sym: string; id: string }
  | { kind: 'opened'; echo: [string, string][]; orderId: number }
  | { kind: 'status'; status: MStatus }
  | { kind: 'canceled'; status: MStatus }
  | { kind: 'amended'; open: bigint; limit: bigint }
  | { kind: 'error'; codes?: ErrorCode[] };

export type CreateItem =
  | { t: 'account'; id: string; balance: string }
  | { t: 'symbol'; sym: string; grants: { id: string; shares: string }[] };

export type TxItem =
  | { t: 'order'; order: RawOrder }
  | { t: 'query' | 'cancel'; id: string }
  | { t: 'amend'; amend: RawAmend };

const PARSE_CODES = {
  'not-a-number': 'INVALID_NUMBER',
  'too-many-decimals': 'TOO_MANY_DECIMALS',
  'too-large': 'NUMBER_TOO_LARGE',
} as const;

type Parsed = { ok: true; value: bigint } | { ok: false; code: ErrorCode };

function parse(text: string, scale: number): Parsed {
  const p = parseDecimal(text, scale);
  return p.ok ? { ok: true, value: p.value } : { ok: false, code: PARSE_CODES[p.why] };
}

function orderIdOf(text: string): number | ErrorCode {
  const t = text.trim();
  if (!/^[0-9]+$/.test(t)) return 'INVALID_ORDER_ID';
  const n = Number(t);
  if (!Number.isSafeInteger(n) || n < 1) return 'ORDER_NOT_FOUND';
  return n;
}

const TIFS: readonly string[] = ['GTC', 'IOC', 'FOK'];
const STPS: readonly string[] = ['cancel-resting', 'cancel-incoming', 'cancel-both'];

export class ExtModel {
  cash = new Map<string, bigint>();
  deposited = new Map<string, bigint>();
  /** account → sym → shares held (not reserved). */
  positions = new Map<string, Map<string, bigint>>();
  symbols: string[] = [];
  granted = new Map<string, bigint>();
  orders: MOrder[] = [];
  private stamps = 0;
  /**
   * Called where the engine is known to disagree with the contract (an open TODO): the test
   * may abandon the run there. `what` names the divergence.
   */
  onKnownDivergence: (what: string) => void = () => {};
  /** How often each interesting thing happened: for a coverage report, not for checks. */
  readonly stats = new Map<string, number>();

  private count(what: string): void {
    this.stats.set(what, (this.stats.get(what) ?? 0) + 1);
  }

  constructor(readonly fees: ModelFees) {}

  get feesOn(): boolean {
    return this.fees.taker > 0n || this.fees.maker > 0n;
  }

  get nextId(): number {
    return this.orders.length + 1;
  }

  order(id: number): MOrder | undefined {
    return this.orders.find((o) => o.id === id);
  }

  shares(account: string, sym: string): bigint {
    return this.positions.get(account)?.get(sym) ?? 0n;
  }

  private addShares(account: string, sym: string, n: bigint): void {
    let m = this.positions.get(account);
    if (m === undefined) {
      m = new Map();
      this.positions.set(account, m);
    }
    m.set(sym, (m.get(sym) ?? 0n) + n);
  }

  private addCash(account: string, n: bigint): void {
    this.cash.set(account, (this.cash.get(account) ?? 0n) + n);
  }

  /** Fee on a traded value (CASH_SCALE), rounded down. */
  fee(value: bigint, rate: bigint): bigint {
    return (value * rate) / RATE_ONE;
  }

  /** Cash a buy of `shares` at `limit` holds back, taker fee included. */
  reserve(shares: bigint, limit: bigint): bigint {
    const value = shares * limit;
    return value + this.fee(value, this.fees.taker);
  }

  // -------------------------------------------------------------------------------------

  create(items: CreateItem[]): Expected[] {
    const out: Expected[] = [];
    for (const c of items) {
      if (c.t === 'account') {
        const b = parse(c.balance, PRICE_SCALE);
        if (!/^[0-9]+$/.test(c.id)) out.push({ kind: 'error', codes: ['INVALID_ACCOUNT_ID'] });
        else if (!b.ok) out.push({ kind: 'error', codes: [b.code] });
        else if (b.value < 0n) out.push({ kind: 'error', codes: ['NEGATIVE_BALANCE'] });
        else if (this.cash.has(c.id)) out.push({ kind: 'error', codes: ['ACCOUNT_EXISTS'] });
        else {
          const cash = b.value * pow10(CASH_SCALE - PRICE_SCALE);
          this.cash.set(c.id, cash);
          this.deposited.set(c.id, cash);
          out.push({ kind: 'created', id: c.id });
        }
      } else {
        if (!this.symbols.includes(c.sym)) this.symbols.push(c.sym);
        for (const g of c.grants) {
          const n = parse(g.shares, SHARE_SCALE);
          if (!n.ok) out.push({ kind: 'error', codes: [n.code] });
          else if (n.value < 0n) out.push({ kind: 'error', codes: ['NEGATIVE_SHARES'] });
          else if (!this.cash.has(g.id)) out.push({ kind: 'error', codes: ['ACCOUNT_NOT_FOUND'] });
          else {
            this.addShares(g.id, c.sym, n.value);
            this.granted.set(c.sym, (this.granted.get(c.sym) ?? 0n) + n.value);
            out.push({ kind: 'granted', sym: c.sym, id: g.id });
          }
        }
      }
    }
    return out;
  }

  transactions(account: string, items: TxItem[], now: number): Expected[] {
    return items.map((c) => {
      if (c.t === 'order') return this.place(account, c.order, now);
      if (c.t === 'amend') return this.amend(account, c.amend, now);
      return this.queryOrCancel(account, c.t, c.id, now);
    });
  }

  // -------------------------------------------------------------------------------------
  // Orders.

  private place(account: string, raw: RawOrder, now: number): Expected {
    const problems: ErrorCode[] = [];
    const amount = parse(raw.amount, SHARE_SCALE);
    if (!amount.ok) problems.push(amount.code);
    else if (amount.value === 0n) problems.push('ZERO_AMOUNT');
    if (raw.type !== undefined && raw.type !== 'limit' && raw.type !== 'market') {
      problems.push('INVALID_ORDER_TYPE');
    }
    if (raw.tif !== undefined && !TIFS.includes(raw.tif)) problems.push('INVALID_TIF');
    if (raw.stp !== undefined && !STPS.includes(raw.stp)) problems.push('INVALID_STP');
    let stop: bigint | null = null;
    if (raw.stop !== undefined) {
      const s = parse(raw.stop, PRICE_SCALE);
      if (!s.ok) problems.push(s.code);
      else if (s.value <= 0n) problems.push('NON_POSITIVE_STOP');
      else stop = s.value;
    }
    const market = raw.type === 'market';
    let limit: bigint | null = null;
    if (market) {
      if (raw.limit !== undefined) problems.push('MARKET_WITH_LIMIT');
      if (raw.tif !== undefined && raw.tif !== 'IOC') problems.push('UNSUPPORTED_COMBINATION');
      if (raw.stop !== undefined) problems.push('UNSUPPORTED_COMBINATION');
    } else if (raw.limit === undefined) problems.push('MISSING_ATTRIBUTE');
    else {
      const l = parse(raw.limit, PRICE_SCALE);
      if (!l.ok) problems.push(l.code);
      else if (l.value <= 0n) problems.push('NON_POSITIVE_LIMIT');
      else limit = l.value;
    }
    if (problems.length > 0 || !amount.ok) {
      this.count(`order refused: ${problems.join(',')}`);
      return { kind: 'error', codes: problems };
    }
    if (!this.cash.has(account)) return { kind: 'error', codes: ['ACCOUNT_NOT_FOUND'] };
    if (!this.symbols.includes(raw.sym)) return { kind: 'error', codes: ['SYMBOL_NOT_FOUND'] };

    const isBuy = amount.value > 0n;
    const size = isBuy ? amount.value : -amount.value;
    const cash = this.cash.get(account)!;
    this.count(
      market ? 'market order' : stop !== null ? 'stop order' : `${raw.tif ?? 'GTC'} order`,
    );
    if (isBuy && market) {
      if (cash === 0n) return this.refused('INSUFFICIENT_FUNDS');
    } else if (isBuy) {
      const r = this.reserve(size, limit!);
      if (cash < r) return this.refused('INSUFFICIENT_FUNDS');
      this.addCash(account, -r);
    } else {
      if (this.shares(account, raw.sym) < size) {
        return this.refused('INSUFFICIENT_SHARES');
      }
      this.addShares(account, raw.sym, -size);
    }
    const order: MOrder = {
      id: this.nextId,
      account,
      sym: raw.sym,
      isBuy,
      size,
      limit,
      market,
      tif: (raw.tif ?? (market ? 'IOC' : 'GTC')) as Tif,
      stop,
      stp: (raw.stp ?? null) as Stp | null,
      open: size,
      fills: [],
      canceled: null,
      amendments: [],
      amendedAway: 0n,
      waiting: stop !== null,
      resting: false,
      stamp: 0,
    };
    this.orders.push(order);
    if (!order.waiting) this.enter(order, now);
    const echo: [string, string][] = [];
    for (const name of ['sym', 'amount', 'limit', 'type', 'stop', 'tif', 'stp'] as const) {
      const v = raw[name];
      if (v !== undefined) echo.push([name, v]);
    }
    return { kind: 'opened', echo, orderId: order.id };
  }

  private refused(code: ErrorCode): Expected {
    this.count(`order refused: ${code}`);
    return { kind: 'error', codes: [code] };
  }

  /**
   * An order enters as the incoming side; then every stop its trades trigger, in id order,
   * one at a time, the stops their trades trigger queueing behind.
   */
  private enter(first: MOrder, now: number): void {
    const queue: MOrder[] = [];
    for (let o: MOrder | undefined = first; o !== undefined; o = queue.shift()) {
      const prices = this.matchIncoming(o, now);
      if (prices.length === 0) continue;
      const hi = prices.reduce((a, b) => (a > b ? a : b));
      const lo = prices.reduce((a, b) => (a < b ? a : b));
      const triggered = this.orders
        .filter((s) => s.waiting && s.sym === o.sym && (s.isBuy ? s.stop! <= hi : s.stop! >= lo))
        .sort((a, b) => a.id - b.id);
      for (const s of triggered) s.waiting = false;
      queue.push(...triggered);
      for (let i = 0; i < triggered.length; i++) this.count('stop triggered');
      if (triggered.length > 1) this.count('several stops at once');
      if (o.stop !== null && triggered.length > 0) this.count('stop triggered by a stop');
    }
  }

  /** Resting orders `o` may meet now, best first (price, then queue stamp). */
  private candidates(o: MOrder): MOrder[] {
    return this.orders
      .filter(
        (r) =>
          r.resting &&
          r.sym === o.sym &&
          r.isBuy !== o.isBuy &&
          (o.market || (o.isBuy ? r.limit! <= o.limit! : r.limit! >= o.limit!)),
      )
      .sort((a, b) => {
        if (a.limit !== b.limit) {
          const aBetter = o.isBuy ? a.limit! < b.limit! : a.limit! > b.limit!;
          return aBetter ? -1 : 1;
        }
        return a.stamp - b.stamp;
      });
  }

  /** Matches `o` as the incoming side, then rests or cancels the rest; returns trade prices. */
  private matchIncoming(o: MOrder, now: number): bigint[] {
    const prices: bigint[] = [];
    if (o.tif === 'FOK') {
      let fillable = 0n;
      for (const r of this.candidates(o)) {
        if (r.account === o.account && o.stp !== null) {
          if (o.stp === 'cancel-resting') continue;
          break;
        }
        fillable += r.open;
      }
      this.count(fillable < o.open ? 'FOK killed' : 'FOK filled');
      if (fillable < o.open) {
        this.cancelOrder(o, now);
        return prices;
      }
    }
    // A market buy spends at most the cash it arrived with, and stops at the first fill that
    // cash cuts short.
    let budget = o.market && o.isBuy ? this.cash.get(o.account)! : 0n;
    let capped = false;
    while (o.open > 0n && !capped) {
      const all = this.candidates(o);
      const r = all[0];
      if (r === undefined) break;
      if (r.account === o.account && o.stp !== null) {
        this.count(`stp ${o.stp}`);
        if (o.stp !== 'cancel-incoming') this.cancelOrder(r, now);
        if (o.stp !== 'cancel-resting') this.cancelOrder(o, now);
        continue;
      }
      let n = o.open < r.open ? o.open : r.open;
      if (o.market && o.isBuy) {
        const can = this.affordable(budget, r.limit!);
        if (n === 0n || can === 0n) break;
        capped = can < n;
        if (capped) {
          this.count('market buy capped by cash');
          n = can;
        }
        budget -= this.reserve(n, r.limit!);
      }
      this.execute(o, r, n, r.limit!, now);
      prices.push(r.limit!);
      this.count(o.market ? 'market execution' : 'execution');
      if (r.account === o.account) this.count('self-trade');
    }
    if (o.open > 0n) {
      if (o.tif === 'GTC' && !o.market) {
        o.resting = true;
        o.stamp = ++this.stamps;
      } else this.cancelOrder(o, now);
    }
    return prices;
  }

  /** The largest s with s×p + fee(s×p) ≤ cash, by a plain search. */
  private affordable(cash: bigint, price: bigint): bigint {
    let lo = 0n;
    let hi = cash / price + 1n; // s×p ≤ cash at least
    while (lo < hi) {
      const mid = (lo + hi + 1n) / 2n;
      if (this.reserve(mid, price) <= cash) lo = mid;
      else hi = mid - 1n;
    }
    return lo;
  }

  private execute(incoming: MOrder, resting: MOrder, n: bigint, price: bigint, now: number): void {
    const value = n * price;
    const takerFee = this.fee(value, this.fees.taker);
    const makerFee = this.fee(value, this.fees.maker);
    const buy = incoming.isBuy ? incoming : resting;
    const sell = incoming.isBuy ? resting : incoming;
    const buyFee = buy === incoming ? takerFee : makerFee;
    const sellFee = sell === incoming ? takerFee : makerFee;
    if (buy.market) this.addCash(buy.account, -value - buyFee);
    else {
      const released = this.reserve(buy.open, buy.limit!) - this.reserve(buy.open - n, buy.limit!);
      this.addCash(buy.account, released - value - buyFee);
    }
    this.addShares(buy.account, buy.sym, n);
    this.addCash(sell.account, value - sellFee);
    buy.open -= n;
    sell.open -= n;
    if (this.feesOn) {
      if (!this.cash.has(this.fees.account)) {
        this.count('fee account created');
        this.cash.set(this.fees.account, 0n);
        this.deposited.set(this.fees.account, 0n);
      }
      this.addCash(this.fees.account, takerFee + makerFee);
      buy.fills.push({ shares: n, price, time: now, fee: buyFee });
      sell.fills.push({ shares: n, price, time: now, fee: sellFee });
    } else {
      buy.fills.push({ shares: n, price, time: now });
      sell.fills.push({ shares: n, price, time: now });
    }
    if (resting.open === 0n) resting.resting = false;
  }

  /** Cancels the open part of an order (resting, waiting or incoming) and refunds it. */
  private cancelOrder(o: MOrder, now: number): void {
    const shares = o.open;
    if (o.isBuy) {
      if (!o.market) this.addCash(o.account, this.reserve(shares, o.limit!));
    } else this.addShares(o.account, o.sym, shares);
    o.open = 0n;
    o.canceled = { shares, time: now };
    o.resting = false;
    o.waiting = false;
  }

  // -------------------------------------------------------------------------------------
  // Queries, cancels, amends.

  private queryOrCancel(
    account: string,
    op: 'query' | 'cancel',
    idText: string,
    now: number,
  ): Expected {
    const id = orderIdOf(idText);
    if (typeof id !== 'number') return { kind: 'error', codes: [id] };
    if (!this.cash.has(account)) return { kind: 'error', codes: ['ACCOUNT_NOT_FOUND'] };
    const o = this.order(id);
    if (o === undefined) return { kind: 'error', codes: ['ORDER_NOT_FOUND'] };
    if (op === 'query') return { kind: 'status', status: statusOf(o) };
    const codes: ErrorCode[] = [];
    if (o.account !== account) codes.push('NOT_ORDER_OWNER');
    if (o.open === 0n) codes.push('ORDER_NOT_OPEN');
    if (codes.length > 0) return { kind: 'error', codes };
    this.cancelOrder(o, now);
    return { kind: 'canceled', status: statusOf(o) };
  }

  private amend(account: string, raw: RawAmend, now: number): Expected {
    const problems: ErrorCode[] = [];
    const id = orderIdOf(raw.id);
    if (typeof id !== 'number') problems.push(id);
    let amount: bigint | null = null;
    if (raw.amount !== undefined) {
      const a = parse(raw.amount, SHARE_SCALE);
      if (!a.ok) problems.push(a.code);
      else if (a.value <= 0n) problems.push('NON_POSITIVE_AMEND');
      else amount = a.value;
      // "a positive share count (no sign)": a sign may be refused whatever the number.
      if (/^\s*[+-]/.test(raw.amount)) problems.push('NON_POSITIVE_AMEND', 'INVALID_NUMBER');
    }
    let limit: bigint | null = null;
    if (raw.limit !== undefined) {
      const l = parse(raw.limit, PRICE_SCALE);
      if (!l.ok) problems.push(l.code);
      else if (l.value <= 0n) problems.push('NON_POSITIVE_LIMIT');
      else limit = l.value;
    }
    if (raw.amount === undefined && raw.limit === undefined) problems.push('MISSING_ATTRIBUTE');
    if (problems.length > 0 || typeof id !== 'number') return { kind: 'error', codes: problems };
    if (!this.cash.has(account)) return { kind: 'error', codes: ['ACCOUNT_NOT_FOUND'] };
    const o = this.order(id);
    if (o === undefined) return { kind: 'error', codes: ['ORDER_NOT_FOUND'] };
    const newOpen = amount ?? o.open;
    const codes: ErrorCode[] = [];
    if (o.account !== account) codes.push('NOT_ORDER_OWNER');
    if (o.waiting) codes.push('STOP_WAITING');
    if (o.open === 0n) codes.push('NOTHING_TO_AMEND');
    if (newOpen > o.open) codes.push('AMEND_UP');
    if (codes.length > 0) return { kind: 'error', codes };
    const oldLimit = o.limit!;
    const newLimit = limit ?? oldLimit;
    if (newOpen === o.open && newLimit === oldLimit) {
      return { kind: 'amended', open: o.open, limit: oldLimit };
    }
    if (o.isBuy) {
      const more = this.reserve(newOpen, newLimit) - this.reserve(o.open, oldLimit);
      if (more > this.cash.get(account)!) return { kind: 'error', codes: ['INSUFFICIENT_FUNDS'] };
      this.addCash(account, -more);
    } else this.addShares(account, o.sym, o.open - newOpen);
    o.amendedAway += o.open - newOpen;
    o.open = newOpen;
    o.amendments.push({ open: newOpen, limit: newLimit, time: now });
    this.count(newLimit !== oldLimit ? 'amend requeued' : 'amend kept priority');
    if (newLimit !== oldLimit) {
      o.limit = newLimit;
      o.resting = false;
      this.enter(o, now);
    }
    return { kind: 'amended', open: o.open, limit: o.limit! };
  }

  // -------------------------------------------------------------------------------------
  // Views for comparison.

  /** A side of a book, best level first: price, ids in queue order, open shares. */
  levels(sym: string, isBuy: boolean): { price: bigint; ids: number[]; open: bigint }[] {
    const resting = this.orders
      .filter((o) => o.resting && o.sym === sym && o.isBuy === isBuy)
      .sort((a, b) =>
        a.limit !== b.limit
          ? (isBuy ? a.limit! > b.limit! : a.limit! < b.limit!)
            ? -1
            : 1
          : a.stamp - b.stamp,
      );
    const out: { price: bigint; ids: number[]; open: bigint }[] = [];
    for (const o of resting) {
      const last = out[out.length - 1];
      if (last !== undefined && last.price === o.limit) {
        last.ids.push(o.id);
        last.open += o.open;
      } else out.push({ price: o.limit!, ids: [o.id], open: o.open });
    }
    return out;
  }

  /** The model's own bookkeeping must balance: a check of the model itself. */
  selfCheck(): string | null {
    let cash = 0n;
    for (const [id, c] of this.cash) {
      if (c < 0n) return `model cash of ${id} < 0`;
      cash += c;
    }
    let reserved = 0n;
    const reservedShares = new Map<string, bigint>();
    for (const o of this.orders) {
      const executed = o.fills.reduce((s, f) => s + f.shares, 0n);
      if (o.open + executed + (o.canceled?.shares ?? 0n) + o.amendedAway !== o.size) {
        return `model order ${o.id} size`;
      }
      if (o.open === 0n) continue;
      if (!o.resting && !o.waiting)
        return `model order ${o.id} open but neither resting nor waiting`;
      if (o.isBuy) reserved += this.reserve(o.open, o.limit!);
      else reservedShares.set(o.sym, (reservedShares.get(o.sym) ?? 0n) + o.open);
    }
    let deposited = 0n;
    for (const d of this.deposited.values()) deposited += d;
    if (cash + reserved !== deposited) return 'model cash + reserved != deposited';
    for (const sym of this.symbols) {
      let held = 0n;
      for (const m of this.positions.values()) {
        const n = m.get(sym) ?? 0n;
        if (n < 0n) return `model position in ${sym} < 0`;
        held += n;
      }
      if (held + (reservedShares.get(sym) ?? 0n) !== (this.granted.get(sym) ?? 0n)) {
        return `model ${sym} held + reserved != granted`;
      }
    }
    return null;
  }
}

export function statusOf(o: MOrder): MStatus {
  const status: MStatus = {
    open: o.open,
    canceled: o.canceled === null ? null : { ...o.canceled },
    fills: o.fills.map((f) => ({ ...f })),
  };
  if (o.waiting) status.stop = o.stop!;
  if (o.amendments.length > 0) status.amendments = o.amendments.map((a) => ({ ...a }));
  return status;
}
