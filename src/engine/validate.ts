// Turns request text (from XML today, JSON later) into typed commands. Every front end
// goes through here, so the rules and the error wording are the same everywhere.

import {
  CASH_SCALE,
  PRICE_SCALE,
  SHARE_SCALE,
  parseDecimal,
  rescale,
  trimAsciiSpace,
  type ParseFailure,
} from '../decimal/fixed.js';
import type {
  AmendOrder,
  CreateAccount,
  Echo,
  Grant,
  InvalidChild,
  OrderType,
  PlaceOrder,
  SelfTradePrevention,
  TimeInForce,
} from './commands.js';
import { exchangeError, type ErrorCode } from './errors.js';

const ACCOUNT_ID = /^[0-9]+$/;
const SYMBOL = /^[A-Za-z0-9]+$/;
const ORDER_ID = /^[0-9]+$/;

export function isAccountId(text: string): boolean {
  return ACCOUNT_ID.test(text);
}

export function isSymbol(text: string): boolean {
  return SYMBOL.test(text);
}

function invalid(echo: Echo, code: ErrorCode, detail?: string): InvalidChild {
  return { kind: 'invalid', echo, error: exchangeError(code, detail) };
}

const PARSE_FAILURE_CODES: Record<ParseFailure, ErrorCode> = {
  'not-a-number': 'INVALID_NUMBER',
  'too-many-decimals': 'TOO_MANY_DECIMALS',
  'too-large': 'NUMBER_TOO_LARGE',
};

type NumberResult = { ok: true; value: bigint; units: number } | { ok: false; child: InvalidChild };

function parseNumber(echo: Echo, name: string, text: string, scale: number): NumberResult {
  const parsed = parseDecimal(text, scale);
  if (parsed.ok) return parsed;
  const code = PARSE_FAILURE_CODES[parsed.why];
  const limit = parsed.why === 'too-many-decimals' ? ` (at most ${scale} are supported)` : '';
  return { ok: false, child: invalid(echo, code, `${name}="${text}"${limit}`) };
}

function missing(echo: Echo, attributes: Record<string, string | undefined>): InvalidChild {
  const absent = Object.keys(attributes).filter((name) => attributes[name] === undefined);
  return invalid(echo, 'MISSING_ATTRIBUTE', absent.join(', '));
}

export function validateCreateAccount(
  id: string | undefined,
  balance: string | undefined,
): CreateAccount | InvalidChild {
  const echo: Echo = id === undefined ? [] : [['id', id]];
  if (id === undefined || balance === undefined) {
    return missing(echo, { id, balance });
  }
  if (!isAccountId(id)) return invalid(echo, 'INVALID_ACCOUNT_ID', `id="${id}"`);
  // Balances are accepted with as many fractional digits as prices (cents and below).
  const parsed = parseNumber(echo, 'balance', balance, PRICE_SCALE);
  if (!parsed.ok) return parsed.child;
  if (parsed.value < 0n) return invalid(echo, 'NEGATIVE_BALANCE', `balance="${balance}"`);
  return { kind: 'account', id, balance: rescale(parsed.value, PRICE_SCALE, CASH_SCALE) };
}

export function validateGrant(
  sym: string,
  id: string | undefined,
  shares: string,
): Grant | InvalidChild {
  const echo: Echo = [
    ['sym', sym],
    ['id', id ?? ''],
  ];
  if (id === undefined) return missing(echo, { id });
  if (!isAccountId(id)) return invalid(echo, 'INVALID_ACCOUNT_ID', `id="${id}"`);
  const parsed = parseNumber(echo, 'shares', shares, SHARE_SCALE);
  if (!parsed.ok) return parsed.child;
  if (parsed.value < 0n) return invalid(echo, 'NEGATIVE_SHARES', `"${shares.trim()}"`);
  return { kind: 'grant', sym, id, shares: parsed.value };
}

/** The extension attributes of an order, as sent (absent: undefined). */
export interface OrderExtras {
  readonly type?: string | undefined;
  readonly stop?: string | undefined;
  readonly tif?: string | undefined;
  readonly stp?: string | undefined;
}

const ORDER_TYPES: readonly OrderType[] = ['limit', 'market'];
const TIME_IN_FORCE: readonly TimeInForce[] = ['GTC', 'IOC', 'FOK'];
const SELF_TRADE_PREVENTION: readonly SelfTradePrevention[] = [
  'cancel-resting',
  'cancel-incoming',
  'cancel-both',
];

function oneOf<T extends string>(values: readonly T[], text: string): T | undefined {
  return (values as readonly string[]).includes(text) ? (text as T) : undefined;
}

export function validateOrder(
  sym: string | undefined,
  amount: string | undefined,
  limit: string | undefined,
  extras: OrderExtras = {},
): PlaceOrder | InvalidChild {
  const echo: [string, string][] = [];
  if (sym !== undefined) echo.push(['sym', sym]);
  if (amount !== undefined) echo.push(['amount', amount]);
  if (limit !== undefined) echo.push(['limit', limit]);
  // Only attributes sent are echoed, so a plain order's reply is the base protocol's.
  const { type: typeText, stop: stopText, tif: tifText, stp: stpText } = extras;
  if (typeText !== undefined) echo.push(['type', typeText]);
  if (stopText !== undefined) echo.push(['stop', stopText]);
  if (tifText !== undefined) echo.push(['tif', tifText]);
  if (stpText !== undefined) echo.push(['stp', stpText]);

  const type = typeText === undefined ? 'limit' : oneOf(ORDER_TYPES, typeText);
  if (sym === undefined || amount === undefined) {
    return missing(echo, type === 'market' ? { sym, amount } : { sym, amount, limit });
  }
  if (type === undefined) return invalid(echo, 'INVALID_ORDER_TYPE', `type="${typeText}"`);
  const market = type === 'market';
  if (limit === undefined && !market) return missing(echo, { limit });
  if (!isSymbol(sym)) return invalid(echo, 'INVALID_SYMBOL', `sym="${sym}"`);
  const tif = tifText === undefined ? (market ? 'IOC' : 'GTC') : oneOf(TIME_IN_FORCE, tifText);
  if (tif === undefined) return invalid(echo, 'INVALID_TIF', `tif="${tifText}"`);
  const stp = stpText === undefined ? null : oneOf(SELF_TRADE_PREVENTION, stpText);
  if (stp === undefined) return invalid(echo, 'INVALID_STP', `stp="${stpText}"`);
  if (market && limit !== undefined) return invalid(echo, 'MARKET_WITH_LIMIT');
  if (market && tif !== 'IOC') {
    return invalid(echo, 'UNSUPPORTED_COMBINATION', `type="market" with tif="${tif}"`);
  }
  if (market && stopText !== undefined) {
    return invalid(echo, 'UNSUPPORTED_COMBINATION', 'type="market" with stop');
  }

  const parsedAmount = parseNumber(echo, 'amount', amount, SHARE_SCALE);
  if (!parsedAmount.ok) return parsedAmount.child;
  if (parsedAmount.value === 0n) return invalid(echo, 'ZERO_AMOUNT');
  let limitValue: bigint | null = null;
  let limitUnits = NaN;
  if (limit !== undefined) {
    const parsedLimit = parseNumber(echo, 'limit', limit, PRICE_SCALE);
    if (!parsedLimit.ok) return parsedLimit.child;
    if (parsedLimit.value <= 0n) return invalid(echo, 'NON_POSITIVE_LIMIT', `limit="${limit}"`);
    limitValue = parsedLimit.value;
    limitUnits = parsedLimit.units;
  }
  let stop: bigint | null = null;
  if (stopText !== undefined) {
    const parsedStop = parseNumber(echo, 'stop', stopText, PRICE_SCALE);
    if (!parsedStop.ok) return parsedStop.child;
    if (parsedStop.value <= 0n) return invalid(echo, 'NON_POSITIVE_STOP', `stop="${stopText}"`);
    stop = parsedStop.value;
  }
  return {
    kind: 'order',
    sym,
    amount: parsedAmount.value,
    limit: limitValue,
    amountUnits: parsedAmount.units,
    limitUnits,
    type,
    tif,
    stop,
    stp,
    echo,
  };
}

export function validateAmend(
  id: string | undefined,
  amount: string | undefined,
  limit: string | undefined,
): AmendOrder | InvalidChild {
  const ref = validateOrderRef('amend', id);
  if (ref.kind !== 'amend') return ref;
  const echo = ref.echo;
  if (amount === undefined && limit === undefined) {
    return invalid(echo, 'MISSING_ATTRIBUTE', 'amount or limit');
  }
  let amountValue: bigint | null = null;
  if (amount !== undefined) {
    const parsed = parseNumber(echo, 'amount', amount, SHARE_SCALE);
    if (!parsed.ok) return parsed.child;
    if (parsed.value <= 0n) return invalid(echo, 'NON_POSITIVE_AMEND', `amount="${amount}"`);
    amountValue = parsed.value;
  }
  let limitValue: bigint | null = null;
  if (limit !== undefined) {
    const parsed = parseNumber(echo, 'limit', limit, PRICE_SCALE);
    if (!parsed.ok) return parsed.child;
    if (parsed.value <= 0n) return invalid(echo, 'NON_POSITIVE_LIMIT', `limit="${limit}"`);
    limitValue = parsed.value;
  }
  return { kind: 'amend', orderId: ref.orderId, amount: amountValue, limit: limitValue, echo };
}

export function validateOrderRef<K extends 'query' | 'cancel' | 'amend'>(
  kind: K,
  id: string | undefined,
): { readonly kind: K; readonly orderId: number; readonly echo: Echo } | InvalidChild {
  const echo: Echo = id === undefined ? [] : [['id', id]];
  if (id === undefined) return missing(echo, { id });
  const trimmed = trimAsciiSpace(id);
  if (!ORDER_ID.test(trimmed)) return invalid(echo, 'INVALID_ORDER_ID', `id="${id}"`);
  const orderId = Number(trimmed);
  // Ids above 2^53 were never issued; they are unknown, not malformed.
  if (!Number.isSafeInteger(orderId) || orderId < 1) {
    return invalid(echo, 'ORDER_NOT_FOUND', `id="${id}"`);
  }
  return { kind, orderId, echo };
}
