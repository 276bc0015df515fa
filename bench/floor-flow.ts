// The mixed flow as the floors read it (bench/engine-floor.ts, bench/floor-duties.ts): its
// commands as flat arrays, decoded once before timing.

import type { Echo, Request } from '../src/engine/commands.js';

/** How a floor holds shares and prices: what flattening the flow needs of its money. */
export interface FlowMoney<T> {
  /** Shares or a price given at 10^-8 units. */
  units(value: bigint): T;
  array(length: number): { [i: number]: T };
}

/** Kinds of command in a flat flow. */
export const ORDER = 0;
export const QUERY = 1;
export const CANCEL = 2;

/** What the flow's setup gives every account: cash at 10^-16, shares of each symbol at 10^-8. */
export interface Funds {
  readonly cash: bigint;
  readonly shares: bigint;
}

/** The funds the setup request gives (every account the same). */
export function fundsOf(setup: Request): Funds {
  let cash: bigint | undefined;
  let shares: bigint | undefined;
  for (const child of setup.children) {
    if (child.kind === 'account') cash ??= child.balance;
    if (child.kind === 'grant') shares ??= child.shares;
  }
  if (cash === undefined || shares === undefined) throw new Error('the setup funds nothing');
  return { cash, shares };
}

/** The flow as flat arrays: what the floor reads per command. */
export interface FlatFlow<T> {
  readonly count: number;
  readonly kind: Uint8Array;
  readonly account: Int32Array;
  readonly sym: Int32Array;
  /** Orders: shares (positive), whether a buy and the limit; queries and cancels: the id. */
  readonly shares: { [i: number]: T };
  readonly buy: Uint8Array;
  readonly limit: { [i: number]: T };
  /** The limit as a double, to key price levels by. */
  readonly limitKey: Float64Array;
  readonly orderId: Int32Array;
  /** What each command's result echoes (the request's child's echo). */
  readonly echo: readonly Echo[];
  readonly accounts: number;
  readonly symbols: number;
  readonly orders: number;
  readonly funds: Funds;
  /** Account ids and symbols by index. */
  readonly accountIds: string[];
  readonly symbolNames: string[];
}

export function flatten<T>(
  setup: Request,
  requests: readonly Request[],
  money: FlowMoney<T>,
): FlatFlow<T> {
  const count = requests.length;
  const flow = {
    count,
    kind: new Uint8Array(count),
    account: new Int32Array(count),
    sym: new Int32Array(count),
    shares: money.array(count),
    buy: new Uint8Array(count),
    limit: money.array(count),
    limitKey: new Float64Array(count),
    orderId: new Int32Array(count),
    echo: new Array<Echo>(count),
  };
  const accounts = new Map<string, number>();
  const symbols = new Map<string, number>();
  const index = (map: Map<string, number>, key: string): number => {
    let i = map.get(key);
    if (i === undefined) map.set(key, (i = map.size));
    return i;
  };
  // Every account and symbol the setup makes, whether or not the flow names it.
  for (const child of setup.children) {
    if (child.kind === 'account') index(accounts, child.id);
    if (child.kind === 'symbol') index(symbols, child.sym);
  }
  let orders = 0;
  for (let i = 0; i < count; i++) {
    const request = requests[i]!;
    if (request.kind !== 'transactions') throw new Error('the flow has transactions only');
    const child = request.children[0]!;
    flow.account[i] = index(accounts, request.account);
    if (child.kind !== 'invalid') flow.echo[i] = child.echo;
    if (child.kind === 'order') {
      flow.kind[i] = ORDER;
      flow.sym[i] = index(symbols, child.sym);
      flow.buy[i] = child.amount > 0n ? 1 : 0;
      flow.shares[i] = money.units(child.amount > 0n ? child.amount : -child.amount);
      flow.limit[i] = money.units(child.limit!);
      flow.limitKey[i] = Number(child.limit!);
      orders++;
    } else if (child.kind === 'query' || child.kind === 'cancel') {
      flow.kind[i] = child.kind === 'query' ? QUERY : CANCEL;
      flow.orderId[i] = child.orderId;
    } else throw new Error(`unexpected ${child.kind}`);
  }
  return {
    ...flow,
    accounts: accounts.size,
    symbols: symbols.size,
    orders,
    funds: fundsOf(setup),
    accountIds: [...accounts.keys()],
    symbolNames: [...symbols.keys()],
  };
}
