// The gateway ↔ engine link's encoding: typed requests and results as positional JSON arrays,
// scaled integers (bigint) as decimal strings. Positional arrays of strings and numbers are
// what V8's native JSON is quickest at, with no per-field names on the wire. What the
// extensions add (order terms, fees, stops, amends) trails the base fields and is left off
// when absent, so a plain limit order and its replies cost no more than before.

import type {
  Amendment,
  CreateChild,
  Echo,
  Fill,
  OrderStatus,
  OrderType,
  Request,
  Result,
  SelfTradePrevention,
  TimeInForce,
  TransactionChild,
} from '../engine/commands.js';
import type { ErrorCode, ExchangeError } from '../engine/errors.js';
import { isPlainLimit } from '../engine/order.js';
import {
  FAILURE_MESSAGES,
  failureCode,
  failureFromCode,
  type FailureCode,
} from '../errors/failures.js';

type Wire = string | number | null | Wire[];

const flatEcho = (echo: Echo): string[] => echo.flatMap(([k, v]) => [k, v]);

function unflatEcho(flat: Wire): Echo {
  const pairs: [string, string][] = [];
  const a = flat as string[];
  for (let i = 0; i + 1 < a.length; i += 2) pairs.push([a[i]!, a[i + 1]!]);
  return pairs;
}

const big = (v: bigint | null | undefined): string | null =>
  v === null || v === undefined ? null : v.toString();
const unbig = (w: Wire | undefined): bigint | null =>
  w === null || w === undefined ? null : BigInt(w as string);

/** A count of units sent as decimal text, as a double when it is a safe integer, else NaN. */
const safeUnitsOf = (w: Wire | undefined): number => {
  const n = w === null || w === undefined ? NaN : Number(w as string);
  return Number.isSafeInteger(n) ? n : NaN;
};

const error = (code: Wire, message: Wire): ExchangeError => ({
  code: code as ErrorCode,
  message: message as string,
});

function encodeCreateChild(c: CreateChild): Wire {
  switch (c.kind) {
    case 'account':
      return ['a', c.id, c.balance.toString()];
    case 'symbol':
      return ['s', c.sym];
    case 'grant':
      return ['g', c.sym, c.id, c.shares.toString()];
    case 'invalid':
      return ['i', flatEcho(c.echo), c.error.code, c.error.message];
  }
}

function encodeTransactionChild(c: TransactionChild): Wire {
  switch (c.kind) {
    case 'order': {
      const base: Wire[] = ['o', c.sym, c.amount.toString(), big(c.limit), flatEcho(c.echo)];
      if (isPlainLimit(c)) return base;
      base.push(c.type, c.tif, big(c.stop), c.stp);
      return base;
    }
    case 'amend':
      return ['m', c.orderId, big(c.amount), big(c.limit), flatEcho(c.echo)];
    case 'query':
      return ['q', c.orderId, flatEcho(c.echo)];
    case 'cancel':
      return ['x', c.orderId, flatEcho(c.echo)];
    case 'invalid':
      return ['i', flatEcho(c.echo), c.error.code, c.error.message];
  }
}

export function encodeRequest(r: Request): Wire {
  return r.kind === 'create'
    ? ['c', r.children.map(encodeCreateChild)]
    : ['t', r.account, r.children.map(encodeTransactionChild)];
}

function decodeCreateChild(w: Wire[]): CreateChild {
  switch (w[0]) {
    case 'a':
      return { kind: 'account', id: w[1] as string, balance: BigInt(w[2] as string) };
    case 's':
      return { kind: 'symbol', sym: w[1] as string };
    case 'g':
      return {
        kind: 'grant',
        sym: w[1] as string,
        id: w[2] as string,
        shares: BigInt(w[3] as string),
      };
    default:
      return { kind: 'invalid', echo: unflatEcho(w[1]!), error: error(w[2]!, w[3]!) };
  }
}

function decodeTransactionChild(w: Wire[]): TransactionChild {
  switch (w[0]) {
    case 'o': {
      const plain = w.length <= 5;
      return {
        kind: 'order',
        sym: w[1] as string,
        amount: BigInt(w[2] as string),
        limit: unbig(w[3]),
        amountUnits: safeUnitsOf(w[2]),
        limitUnits: safeUnitsOf(w[3]),
        type: plain ? 'limit' : (w[5] as OrderType),
        tif: plain ? 'GTC' : (w[6] as TimeInForce),
        stop: plain ? null : unbig(w[7]),
        stp: plain ? null : (w[8] as SelfTradePrevention | null),
        echo: unflatEcho(w[4]!),
      };
    }
    case 'm':
      return {
        kind: 'amend',
        orderId: w[1] as number,
        amount: unbig(w[2]),
        limit: unbig(w[3]),
        echo: unflatEcho(w[4]!),
      };
    case 'q':
      return { kind: 'query', orderId: w[1] as number, echo: unflatEcho(w[2]!) };
    case 'x':
      return { kind: 'cancel', orderId: w[1] as number, echo: unflatEcho(w[2]!) };
    default:
      return { kind: 'invalid', echo: unflatEcho(w[1]!), error: error(w[2]!, w[3]!) };
  }
}

export function decodeRequest(w: Wire): Request {
  const a = w as Wire[];
  if (a[0] === 'c') return { kind: 'create', children: (a[1] as Wire[][]).map(decodeCreateChild) };
  return {
    kind: 'transactions',
    account: a[1] as string,
    children: (a[2] as Wire[][]).map(decodeTransactionChild),
  };
}

/**
 * [open, canceled, fills as flat (shares, price, time) triples], then, only when the status
 * has any of them: [fees per fill (null where none), stop, amendments as flat triples].
 */
function encodeStatus(s: OrderStatus): Wire {
  const fills: Wire[] = [];
  let anyFee = false;
  for (const f of s.fills) {
    fills.push(f.shares.toString(), f.price.toString(), f.time);
    if (f.fee !== undefined) anyFee = true;
  }
  const canceled = s.canceled === null ? null : [s.canceled.shares.toString(), s.canceled.time];
  const wire: Wire[] = [s.open.toString(), canceled, fills];
  if (anyFee || s.stop !== undefined || s.amendments !== undefined) {
    const amendments =
      s.amendments === undefined
        ? null
        : s.amendments.flatMap((a): Wire[] => [a.open.toString(), a.limit.toString(), a.time]);
    wire.push(anyFee ? s.fills.map((f) => big(f.fee)) : null, big(s.stop), amendments);
  }
  return wire;
}

function decodeStatus(w: Wire): OrderStatus {
  const [open, canceled, fills, fees, stop, amendments] = w as [
    string,
    [string, number] | null,
    Wire[],
    (string | null)[] | null | undefined,
    string | null | undefined,
    Wire[] | null | undefined,
  ];
  const decodedFills: Fill[] = [];
  for (let i = 0; i + 2 < fills.length; i += 3) {
    const fill = {
      shares: BigInt(fills[i] as string),
      price: BigInt(fills[i + 1] as string),
      time: fills[i + 2] as number,
    };
    const fee = fees?.[i / 3];
    decodedFills.push(fee === null || fee === undefined ? fill : { ...fill, fee: BigInt(fee) });
  }
  const status: { -readonly [K in keyof OrderStatus]: OrderStatus[K] } = {
    open: BigInt(open),
    canceled: canceled === null ? null : { shares: BigInt(canceled[0]), time: canceled[1] },
    fills: decodedFills,
  };
  if (stop !== null && stop !== undefined) status.stop = BigInt(stop);
  if (amendments !== null && amendments !== undefined) {
    const decoded: Amendment[] = [];
    for (let i = 0; i + 2 < amendments.length; i += 3) {
      decoded.push({
        open: BigInt(amendments[i] as string),
        limit: BigInt(amendments[i + 1] as string),
        time: amendments[i + 2] as number,
      });
    }
    status.amendments = decoded;
  }
  return status;
}

export function encodeResult(r: Result): Wire {
  switch (r.kind) {
    case 'created':
      return ['c', r.id];
    case 'granted':
      return ['g', r.sym, r.id];
    case 'opened':
      return ['o', flatEcho(r.echo), r.orderId];
    case 'status':
      return ['s', flatEcho(r.echo), encodeStatus(r.status)];
    case 'canceled':
      return ['x', flatEcho(r.echo), encodeStatus(r.status)];
    case 'amended':
      return ['m', flatEcho(r.echo), r.open.toString(), r.limit.toString()];
    case 'error':
      return ['e', flatEcho(r.echo), r.error.code, r.error.message];
    case 'archived':
      // The sequencer answers these from the store before results leave the engine, so none
      // is sent today; carried whole so the codec is total over Result.
      return ['z', r.op, r.orderId, r.account, flatEcho(r.echo)];
  }
}

export function decodeResult(w: Wire): Result {
  const a = w as Wire[];
  switch (a[0]) {
    case 'c':
      return { kind: 'created', id: a[1] as string };
    case 'g':
      return { kind: 'granted', sym: a[1] as string, id: a[2] as string };
    case 'o':
      return { kind: 'opened', echo: unflatEcho(a[1]!), orderId: a[2] as number };
    case 's':
      return { kind: 'status', echo: unflatEcho(a[1]!), status: decodeStatus(a[2]!) };
    case 'x':
      return { kind: 'canceled', echo: unflatEcho(a[1]!), status: decodeStatus(a[2]!) };
    case 'm':
      return {
        kind: 'amended',
        echo: unflatEcho(a[1]!),
        open: BigInt(a[2] as string),
        limit: BigInt(a[3] as string),
      };
    case 'z':
      return {
        kind: 'archived',
        op: a[1] as 'query' | 'cancel' | 'amend',
        orderId: a[2] as number,
        account: a[3] as string,
        echo: unflatEcho(a[4]!),
      };
    default:
      return { kind: 'error', echo: unflatEcho(a[1]!), error: error(a[2]!, a[3]!) };
  }
}

export type { Wire };

// The link's table of failures: a request refused without results is answered with the
// failure's code as its payload, and rebuilt as the same class at the gateway, whose own
// listeners then map it as they would in the engine's process. Others go as INTERNAL.
const LINK_FAILURES: ReadonlySet<FailureCode> = new Set([
  'STORE_UNAVAILABLE',
  'OVERLOADED',
  'OUTCOME_UNKNOWN',
]);

/** The payload for a submit's rejection; `undefined` for one not in the table. */
export function linkFailureCode(error: unknown): FailureCode | undefined {
  const code = failureCode(error);
  return code !== undefined && LINK_FAILURES.has(code) ? code : undefined;
}

export function linkFailure(payload: string): Error {
  return failureFromCode(
    payload,
    LINK_FAILURES.has(payload as FailureCode)
      ? `${FAILURE_MESSAGES[payload as FailureCode]} (reported by the engine)`
      : `engine: ${payload}`,
  );
}
