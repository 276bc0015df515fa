// The "swap" scenario: the scalability test of the server this project replaces, kept so
// that figures compare. Sessions are pairs of new users, run concurrently:
//   odd user:  balance 10000, TELSA 0 and X 100 shares; sells X 100 @ 100, buys TELSA 50 @ 100
//              twice, queries its first buy, cancels its X sell;
//   even user: balance 0, TELSA 100 shares; sells TELSA 100 @ 100.
// Every pair brings as many TELSA to sell as it bids for, all at 100, so once all sessions are
// done every TELSA buy must be fully executed at 100: `verify` queries each one.

import { openedId, type Send, type Workload } from './workload.js';

const EXECUTED = /<executed shares="([^"]+)" price="([^"]+)"/g;

export interface SwapOptions {
  /** First account id; each pair takes two consecutive ids. */
  readonly firstAccount: number;
  /** Pairs to run at most (the run may stop earlier on time or request count). */
  readonly pairs?: number;
}

export class SwapWorkload implements Workload {
  private nextAccount: number;
  private pairsLeft: number;
  /** TELSA buy orders placed, with their accounts: each must end fully executed at 100. */
  readonly telsaBuys: { readonly account: string; readonly id: number }[] = [];
  private readonly problems: string[] = [];

  constructor(options: SwapOptions) {
    this.nextAccount = options.firstAccount;
    this.pairsLeft = options.pairs ?? Infinity;
  }

  setup(): string[] {
    return [];
  }

  nextSession(): ((send: Send) => Promise<void>) | null {
    if (this.pairsLeft <= 0) return null;
    this.pairsLeft--;
    const buyer = String(this.nextAccount++);
    const seller = String(this.nextAccount++);
    return async (send) => {
      await Promise.all([this.buyerSession(send, buyer), this.sellerSession(send, seller)]);
    };
  }

  private async buyerSession(send: Send, id: string): Promise<void> {
    await send(
      `<create><account id="${id}" balance="10000"/>` +
        `<symbol sym="TELSA"><account id="${id}">0</account></symbol>` +
        `<symbol sym="X"><account id="${id}">100</account></symbol></create>`,
      false,
    );
    const order = (sym: string, amount: number): string =>
      `<transactions id="${id}"><order sym="${sym}" amount="${amount}" limit="100"/></transactions>`;
    const sellX = openedId(await send(order('X', -100), true));
    const buys: number[] = [];
    for (let i = 0; i < 2; i++) {
      const buy = openedId(await send(order('TELSA', 50), true));
      if (buy === null) this.problems.push(`account ${id}: a TELSA buy was not opened`);
      else buys.push(buy);
    }
    for (const buy of buys) this.telsaBuys.push({ account: id, id: buy });
    if (buys[0] !== undefined)
      await send(`<transactions id="${id}"><query id="${buys[0]}"/></transactions>`, false);
    if (sellX !== null)
      await send(`<transactions id="${id}"><cancel id="${sellX}"/></transactions>`, false);
  }

  private async sellerSession(send: Send, id: string): Promise<void> {
    await send(
      `<create><account id="${id}" balance="0"/>` +
        `<symbol sym="TELSA"><account id="${id}">100</account></symbol></create>`,
      false,
    );
    const reply = await send(
      `<transactions id="${id}"><order sym="TELSA" amount="-100" limit="100"/></transactions>`,
      true,
    );
    if (openedId(reply) === null)
      this.problems.push(`account ${id}: the TELSA sell was not opened`);
  }

  /** Every TELSA buy: no open part, and 50 shares executed, all at 100. */
  async verify(send: Send): Promise<string[]> {
    const problems = [...this.problems];
    for (const { account, id } of this.telsaBuys) {
      const reply = await send(
        `<transactions id="${account}"><query id="${id}"/></transactions>`,
        false,
      );
      let shares = 0;
      for (const [, executed, price] of reply.matchAll(EXECUTED)) {
        if (Number(price) !== 100) problems.push(`order ${id}: executed at ${price}, not 100`);
        shares += Number(executed);
      }
      if (reply.includes('<open ')) problems.push(`order ${id}: still open after all sells`);
      if (shares !== 50) problems.push(`order ${id}: ${shares} shares executed, not 50`);
    }
    return problems;
  }
}
