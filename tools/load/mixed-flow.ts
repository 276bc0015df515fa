// The "mixed" flow used by benchmarks and load: accounts with plenty of cash and shares,
// then 55% orders (about half of them crossing the spread), 25% queries, 20% cancels.

import { Random } from './random.js';
import { openedId, type Workload } from './workload.js';

export interface MixedFlowOptions {
  readonly accounts: number;
  readonly symbols: number;
  readonly seed?: number;
  /** First account id, so several generators can use disjoint accounts. */
  readonly firstAccount?: number;
}

export type FlowStep =
  | {
      readonly kind: 'order';
      readonly account: string;
      readonly sym: string;
      readonly amount: number;
      readonly limit: number;
    }
  | { readonly kind: 'query'; readonly account: string; readonly id: number }
  | { readonly kind: 'cancel'; readonly account: string; readonly id: number };

const MID = 100;

export class MixedFlow {
  private readonly random: Random;
  readonly accountIds: string[];
  readonly symbols: string[];
  /** Ids of orders this flow saw opened, per account, for queries and cancels. */
  private readonly ownOrders = new Map<string, number[]>();
  private readonly allOrders: number[] = [];

  constructor(readonly options: MixedFlowOptions) {
    this.random = new Random(options.seed ?? 1);
    const first = options.firstAccount ?? 1;
    this.accountIds = Array.from({ length: options.accounts }, (_, i) => String(first + i));
    this.symbols = Array.from({ length: options.symbols }, (_, i) => `SYM${i}`);
  }

  /** The create request that funds every account of this flow. */
  setupXml(): string {
    let xml = '<create>';
    for (const id of this.accountIds) xml += `<account id="${id}" balance="1000000000000"/>`;
    for (const sym of this.symbols) {
      xml += `<symbol sym="${sym}">`;
      for (const id of this.accountIds) xml += `<account id="${id}">1000000000</account>`;
      xml += '</symbol>';
    }
    return xml + '</create>';
  }

  next(): FlowStep {
    const r = this.random;
    const account = this.accountIds[r.int(this.accountIds.length)]!;
    const roll = r.next();
    if (roll < 0.25 && this.allOrders.length > 0) {
      return { kind: 'query', account, id: this.allOrders[r.int(this.allOrders.length)]! };
    }
    const own = this.ownOrders.get(account);
    if (roll < 0.45 && own !== undefined && own.length > 0) {
      // Cancel one of the account's newer orders: those are the likeliest to be still open.
      const index = Math.max(0, own.length - 1 - r.int(8));
      const id = own[index]!;
      own.splice(index, 1);
      return { kind: 'cancel', account, id };
    }
    const isBuy = r.next() < 0.5;
    // Half of the orders cross the mid price, half rest away from it.
    const crossing = r.next() < 0.5;
    const offset = 1 + r.int(10);
    const limit = isBuy
      ? crossing
        ? MID + offset
        : MID - offset
      : crossing
        ? MID - offset
        : MID + offset;
    const amount = (1 + r.int(100)) * (isBuy ? 1 : -1);
    return {
      kind: 'order',
      account,
      sym: this.symbols[r.int(this.symbols.length)]!,
      amount,
      limit,
    };
  }

  /** Tells the flow an order was opened, so later steps can query and cancel it. */
  opened(account: string, id: number): void {
    const own = this.ownOrders.get(account);
    if (own === undefined) this.ownOrders.set(account, [id]);
    else {
      own.push(id);
      if (own.length > 64) own.shift();
    }
    this.allOrders.push(id);
    if (this.allOrders.length > 4096) this.allOrders.splice(0, 2048);
  }

  static xml(step: FlowStep): string {
    switch (step.kind) {
      case 'order':
        return `<transactions id="${step.account}"><order sym="${step.sym}" amount="${step.amount}" limit="${step.limit}"/></transactions>`;
      case 'query':
        return `<transactions id="${step.account}"><query id="${step.id}"/></transactions>`;
      case 'cancel':
        return `<transactions id="${step.account}"><cancel id="${step.id}"/></transactions>`;
    }
  }
}

/** The mixed flow as a load workload: each session is one request. */
export function mixedWorkload(flow: MixedFlow, options: { ordersOnly?: boolean } = {}): Workload {
  return {
    setup: () => [flow.setupXml()],
    nextSession: () => {
      let step = flow.next();
      while (options.ordersOnly === true && step.kind !== 'order') step = flow.next();
      return async (send) => {
        const reply = await send(MixedFlow.xml(step), step.kind === 'order');
        const id = step.kind === 'order' ? openedId(reply) : null;
        if (id !== null) flow.opened(step.account, id);
      };
    },
  };
}
