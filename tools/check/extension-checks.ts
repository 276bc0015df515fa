// The checks of the optional extensions (docs/extensions.md): time in force, market and
// stop-limit orders, self-trade prevention, amend, and, against a server started with fees,
// maker and taker fees. No other server of the public protocol has them, so they run only
// when asked for (`--extensions`, `--fees`). Replies are compared exactly (see matchReply):
// the extensions are this project's contract, down to the order of the echoed attributes.

import { freshAccount, market, spec, type Check } from './checks.js';
import { CheckSkipped, expect, type CheckContext } from './context.js';
import {
  affordable,
  CASH_SCALE,
  feeOn,
  fromScaled,
  SHARE_SCALE,
  toScaled,
  valueOf,
  type FeeSchedule,
} from './money.js';

/** Places an order that must open, its attributes echoed as sent; returns its id. */
async function place(ctx: CheckContext, account: string, attributes: string): Promise<string> {
  const [id] = await ctx.expectReply(
    'the order is opened, echoing its attributes',
    account,
    `<order ${attributes}/>`,
    `<opened ${attributes} id="{ID}"/>`,
  );
  return id!;
}

/** Fails unless a query of `id` is answered with exactly these status children. */
async function status(
  ctx: CheckContext,
  what: string,
  account: string,
  id: string,
  children: string,
): Promise<void> {
  await ctx.expectReply(
    what,
    account,
    `<query id="${id}"/>`,
    `<status id="${id}">${children}</status>`,
  );
}

/** Fresh accounts with these balances, and grants of a fresh symbol. */
async function accounts(
  ctx: CheckContext,
  tag: string,
  balances: readonly string[],
  /** Shares of the symbol per account; '0' grants none. */
  shares: readonly string[],
): Promise<{ sym: string; ids: string[] }> {
  const sym = ctx.symbol(tag);
  const ids = balances.map(() => freshAccount(ctx));
  await ctx.create(
    ids.map((id, i) => [id, balances[i]!] as [string, string]),
    ids.flatMap((id, i) =>
      (shares[i] ?? '0') === '0' ? [] : [[sym, id, shares[i]!] as [string, string, string]],
    ),
  );
  return { sym, ids };
}

const shares = (s: bigint): string => fromScaled(s, SHARE_SCALE);
const cash = (c: bigint): string => fromScaled(c, CASH_SCALE);

export const EXTENSION_CHECKS: readonly Check[] = [
  spec('tif IOC: executes what crosses, cancels the rest at once and refunds it', async (ctx) => {
    const { sym, buyer, seller } = await market(ctx, 'XI', '100', '10');
    await ctx.order(seller, sym, '-4', '10');
    const id = await place(ctx, buyer, `sym="${sym}" amount="10" limit="10" tif="IOC"`);
    await status(
      ctx,
      'the IOC order',
      buyer,
      id,
      '<canceled shares="6" time="{T}"/><executed shares="4" price="10" time="{T}"/>',
    );
    await ctx.expectCash('the buyer (100 less 4 × 10)', buyer, '60');
    // It never rested: a later sell at its limit stays open.
    const later = await ctx.order(seller, sym, '-1', '10');
    await status(ctx, 'a later sell at the IOC limit', seller, later, '<open shares="1"/>');
  }),

  spec(
    'tif FOK: cancels whole and executes nothing unless the book fills it all at once',
    async (ctx) => {
      const { sym, buyer, seller } = await market(ctx, 'XF', '100', '10');
      const at10 = await ctx.order(seller, sym, '-2', '10');
      const at11 = await ctx.order(seller, sym, '-2', '11');
      for (const [amount, limit] of [
        ['5', '11'],
        ['4', '10'],
      ] as const) {
        const id = await place(
          ctx,
          buyer,
          `sym="${sym}" amount="${amount}" limit="${limit}" tif="FOK"`,
        );
        await status(
          ctx,
          `a FOK buy of ${amount} at ${limit} (4 shares on the book, 2 of them at 10)`,
          buyer,
          id,
          `<canceled shares="${amount}" time="{T}"/>`,
        );
      }
      await status(ctx, 'the sell at 10, untouched', seller, at10, '<open shares="2"/>');
      await ctx.expectCash('the buyer, refunded in full', buyer, '100');
      const id = await place(ctx, buyer, `sym="${sym}" amount="4" limit="11" tif="FOK"`);
      await status(
        ctx,
        'a FOK buy of 4 at 11',
        buyer,
        id,
        '<executed shares="2" price="10" time="{T}"/><executed shares="2" price="11" time="{T}"/>',
      );
      await status(
        ctx,
        'the sell at 11',
        seller,
        at11,
        '<executed shares="2" price="11" time="{T}"/>',
      );
      await ctx.expectCash('the buyer (100 less 42)', buyer, '58');
    },
  ),

  spec(
    'market buy: executes at the resting prices, best first, and stops where the cash runs out (fractional shares)',
    async (ctx) => {
      const { sym, buyer, seller } = await market(ctx, 'XM', '10', '100');
      await ctx.order(seller, sym, '-2', '1');
      const at3 = await ctx.order(seller, sym, '-10', '3');
      const id = await place(ctx, buyer, `sym="${sym}" amount="10" type="market"`);
      // 2 × 1 leaves 8, which buys 8 / 3 = 2.66666666 shares at 3 (to 8 digits).
      await status(
        ctx,
        'the market buy',
        buyer,
        id,
        '<canceled shares="5.33333334" time="{T}"/><executed shares="2" price="1" time="{T}"/>' +
          '<executed shares="2.66666666" price="3" time="{T}"/>',
      );
      await status(
        ctx,
        'the sell at 3',
        seller,
        at3,
        '<open shares="7.33333334"/><executed shares="2.66666666" price="3" time="{T}"/>',
      );
      await ctx.expectCash('the buyer (10 less 2 less 7.99999998)', buyer, '0.00000002');
    },
  ),

  spec(
    'market: with a limit, with a tif other than IOC or a stop, a sell without the shares, a buy without cash: errors',
    async (ctx) => {
      const { sym, buyer, seller } = await market(ctx, 'XE', '0', '10');
      await ctx.order(seller, sym, '-1', '5');
      await ctx.expectReply(
        'each order is refused, echoing its attributes',
        buyer,
        `<order sym="${sym}" amount="1" limit="5" type="market"/>` +
          `<order sym="${sym}" amount="1" type="market" tif="FOK"/>` +
          `<order sym="${sym}" amount="1" type="market" stop="4"/>` +
          `<order sym="${sym}" amount="-1" type="market"/>` +
          `<order sym="${sym}" amount="1" type="market"/>`,
        `<error sym="${sym}" amount="1" limit="5" type="market">A market order takes no limit</error>` +
          `<error sym="${sym}" amount="1" type="market" tif="FOK">These order attributes cannot be combined</error>` +
          `<error sym="${sym}" amount="1" type="market" stop="4">These order attributes cannot be combined</error>` +
          `<error sym="${sym}" amount="-1" type="market">Insufficient shares</error>` +
          `<error sym="${sym}" amount="1" type="market">Insufficient funds</error>`,
      );
    },
  ),

  spec('orders: a bad type, tif, stp or stop is an error echoing the attributes', async (ctx) => {
    const { sym, buyer } = await market(ctx, 'XV');
    const order = (extra: string): string => `sym="${sym}" amount="1" limit="5" ${extra}`;
    await ctx.expectReply(
      'each order is refused',
      buyer,
      [
        'type="Market"',
        'tif="ioc"',
        'tif=" GTC"',
        'stp="none"',
        'stop="0"',
        'stop="-1"',
        'stop="x"',
      ]
        .map((extra) => `<order ${order(extra)}/>`)
        .join(''),
      `<error ${order('type="Market"')}>Order type must be limit or market</error>` +
        `<error ${order('tif="ioc"')}>Time in force must be GTC, IOC or FOK</error>` +
        `<error ${order('tif=" GTC"')}>Time in force must be GTC, IOC or FOK</error>` +
        `<error ${order('stp="none"')}>Self-trade prevention must be cancel-resting, cancel-incoming or cancel-both</error>` +
        `<error ${order('stop="0"')}>Stop price must be positive</error>` +
        `<error ${order('stop="-1"')}>Stop price must be positive</error>` +
        `<error ${order('stop="x"')}>Not a plain decimal number</error>`,
    );
  }),

  spec(
    'orders: <opened> echoes sym, amount, limit, type, stop, tif, stp as sent, in that order',
    async (ctx) => {
      const { sym, buyer } = await market(ctx, 'XO');
      await ctx.expectReply(
        'the order is opened with its attributes reordered, values as sent',
        buyer,
        `<order stp="cancel-both" tif="GTC" stop="+11.0" type="limit" limit="12.50" amount="+1" sym="${sym}"/>`,
        `<opened sym="${sym}" amount="+1" limit="12.50" type="limit" stop="+11.0" tif="GTC" stp="cancel-both" id="{ID}"/>`,
      );
    },
  ),

  spec(
    'stop-limit: waits outside the book with its reservation taken; a query shows <open shares stop/>',
    async (ctx) => {
      const { sym, buyer, seller } = await market(ctx, 'XS', '60', '10');
      const sell = await ctx.order(seller, sym, '-5', '10');
      const stop = await place(ctx, buyer, `sym="${sym}" amount="5" limit="12" stop="11"`);
      await status(ctx, 'the waiting stop', buyer, stop, '<open shares="5" stop="11"/>');
      await status(ctx, 'the sell it would cross', seller, sell, '<open shares="5"/>');
      await ctx.expectCash('the buyer (60 less 5 × 12)', buyer, '0');
    },
  ),

  spec(
    'stop-limit: only a later trade at or through the stop triggers it; it then matches as a limit order',
    async (ctx) => {
      const { sym, buyer, seller } = await market(ctx, 'XT', '1000', '100');
      const other = freshAccount(ctx);
      await ctx.create([[other, '1000']]);
      await ctx.order(seller, sym, '-2', '11');
      await ctx.order(other, sym, '1', '11');
      // A trade at 11 came before it: a buy stop at 11 still waits.
      const buyStop = await place(ctx, buyer, `sym="${sym}" amount="5" limit="12" stop="11"`);
      const sell = await ctx.order(seller, sym, '-5', '12');
      await status(
        ctx,
        'the buy stop, before any later trade',
        buyer,
        buyStop,
        '<open shares="5" stop="11"/>',
      );
      await ctx.order(other, sym, '1', '11');
      await status(
        ctx,
        'the buy stop, after a trade at 11',
        buyer,
        buyStop,
        '<executed shares="5" price="12" time="{T}"/>',
      );
      await status(
        ctx,
        'the sell at 12',
        seller,
        sell,
        '<executed shares="5" price="12" time="{T}"/>',
      );

      // A sell stop triggers on a trade at or below its stop.
      const sellStop = await place(ctx, seller, `sym="${sym}" amount="-2" limit="8" stop="9"`);
      const bid = await ctx.order(buyer, sym, '2', '8');
      await ctx.order(buyer, sym, '1', '9');
      await status(
        ctx,
        'the sell stop, before a trade at 9',
        seller,
        sellStop,
        '<open shares="2" stop="9"/>',
      );
      await ctx.order(seller, sym, '-1', '9');
      await status(
        ctx,
        'the sell stop, after a trade at 9',
        seller,
        sellStop,
        '<executed shares="2" price="8" time="{T}"/>',
      );
      await status(ctx, 'the bid at 8', buyer, bid, '<executed shares="2" price="8" time="{T}"/>');
    },
  ),

  spec(
    'stop-limit: stops triggered together enter by id; stops their trades trigger queue behind them',
    async (ctx) => {
      const { sym, buyer, seller } = await market(ctx, 'XQ', '1000', '100');
      const other = freshAccount(ctx);
      await ctx.create([[other, '1000']]);
      await ctx.order(seller, sym, '-1', '15');
      await ctx.order(seller, sym, '-1', '16');
      await ctx.order(seller, sym, '-1', '10');
      // The oldest stop, but only the first triggered order's trade at 15 triggers it.
      const late = await place(ctx, buyer, `sym="${sym}" amount="1" limit="20" stop="15"`);
      const first = await place(ctx, buyer, `sym="${sym}" amount="1" limit="20" stop="10"`);
      const second = await place(ctx, buyer, `sym="${sym}" amount="1" limit="20" stop="10"`);
      await ctx.order(other, sym, '1', '10');
      await status(
        ctx,
        'the first stop triggered at 10',
        buyer,
        first,
        '<executed shares="1" price="15" time="{T}"/>',
      );
      await status(
        ctx,
        'the second stop triggered at 10',
        buyer,
        second,
        '<executed shares="1" price="16" time="{T}"/>',
      );
      await status(
        ctx,
        'the stop triggered at 15, queued behind them',
        buyer,
        late,
        '<open shares="1"/>',
      );
    },
  ),

  spec('stop-limit: a cancel of a waiting stop cancels it whole and refunds it', async (ctx) => {
    const { sym, buyer, seller } = await market(ctx, 'XC', '60', '10');
    const buy = await place(ctx, buyer, `sym="${sym}" amount="5" limit="12" stop="11"`);
    await ctx.expectReply(
      'the cancel of the buy stop',
      buyer,
      `<cancel id="${buy}"/>`,
      `<canceled id="${buy}"><canceled shares="5" time="{T}"/></canceled>`,
    );
    await ctx.expectCash('the buyer', buyer, '60');
    const sell = await place(ctx, seller, `sym="${sym}" amount="-10" limit="5" stop="4"`);
    await ctx.cancel(seller, sell);
    // The shares are back: all 10 can be sold again.
    await ctx.order(seller, sym, '-10', '1000');
    await status(ctx, 'the canceled sell stop', seller, sell, '<canceled shares="10" time="{T}"/>');
  }),

  spec(
    'stp cancel-resting: the own resting order is canceled and refunded, matching goes on',
    async (ctx) => {
      const {
        sym,
        ids: [self, other],
      } = await accounts(ctx, 'XR', ['100', '0'], ['10', '10']);
      const own = await ctx.order(self!, sym, '-3', '10');
      const theirs = await ctx.order(other!, sym, '-3', '10');
      const buy = await place(
        ctx,
        self!,
        `sym="${sym}" amount="3" limit="10" stp="cancel-resting"`,
      );
      await status(ctx, 'the own resting sell', self!, own, '<canceled shares="3" time="{T}"/>');
      await status(ctx, 'the buy', self!, buy, '<executed shares="3" price="10" time="{T}"/>');
      await status(
        ctx,
        "the other account's sell",
        other!,
        theirs,
        '<executed shares="3" price="10" time="{T}"/>',
      );
      // 10 granted, 3 returned by the cancel, 3 bought: 13 to sell.
      await ctx.order(self!, sym, '-13', '1000');
      await ctx.orderRefused(self!, sym, '-0.00000001', '1000');
    },
  ),

  spec(
    'stp cancel-incoming and cancel-both: the incoming rest is canceled; the own resting order stays, or goes too',
    async (ctx) => {
      for (const mode of ['cancel-incoming', 'cancel-both'] as const) {
        const {
          sym,
          ids: [self, other],
        } = await accounts(ctx, mode === 'cancel-both' ? 'XB' : 'XN', ['100', '0'], ['10', '10']);
        await ctx.order(other!, sym, '-2', '9');
        const own = await ctx.order(self!, sym, '-3', '10');
        const buy = await place(ctx, self!, `sym="${sym}" amount="5" limit="10" stp="${mode}"`);
        await status(
          ctx,
          `the ${mode} buy`,
          self!,
          buy,
          '<canceled shares="3" time="{T}"/><executed shares="2" price="9" time="{T}"/>',
        );
        await status(
          ctx,
          `the own resting sell under ${mode}`,
          self!,
          own,
          mode === 'cancel-both' ? '<canceled shares="3" time="{T}"/>' : '<open shares="3"/>',
        );
        await ctx.expectCash(`the account under ${mode} (100 less 2 × 9)`, self!, '82');
      }
    },
  ),

  spec('stp with FOK: own resting orders do not count toward the fill', async (ctx) => {
    const {
      sym,
      ids: [self, other],
    } = await accounts(ctx, 'XK', ['100', '0'], ['10', '10']);
    const own = await ctx.order(self!, sym, '-3', '10');
    await ctx.order(other!, sym, '-2', '10');
    const buy = await place(
      ctx,
      self!,
      `sym="${sym}" amount="5" limit="10" tif="FOK" stp="cancel-resting"`,
    );
    await status(
      ctx,
      'the FOK buy (2 shares of others on the book)',
      self!,
      buy,
      '<canceled shares="5" time="{T}"/>',
    );
    await status(ctx, 'the own resting sell', self!, own, '<open shares="3"/>');
    await ctx.expectCash('the account', self!, '100');
  }),

  spec(
    'amend: a smaller amount keeps time priority and returns the freed shares; <amended> and the query show it',
    async (ctx) => {
      const {
        sym,
        ids: [a, b, buyer],
      } = await accounts(ctx, 'XA', ['0', '0', '1000'], ['10', '10']);
      const first = await ctx.order(a!, sym, '-10', '10');
      const second = await ctx.order(b!, sym, '-10', '10');
      // The same limit, written differently, is no new limit.
      await ctx.expectReply(
        'the amend',
        a!,
        `<amend id="${first}" amount="4" limit="10.0"/>`,
        `<amended id="${first}" amount="4" limit="10"/>`,
      );
      await ctx.order(a!, sym, '-6', '1000');
      await ctx.order(buyer!, sym, '5', '10');
      await status(
        ctx,
        'the amended sell',
        a!,
        first,
        '<executed shares="4" price="10" time="{T}"/><amended amount="4" limit="10" time="{T}"/>',
      );
      await status(
        ctx,
        'the sell behind it',
        b!,
        second,
        '<open shares="9"/><executed shares="1" price="10" time="{T}"/>',
      );
    },
  ),

  spec(
    'amend: a new limit loses time priority and may execute at once; the reservation follows it',
    async (ctx) => {
      const {
        sym,
        ids: [b1, b2, seller],
      } = await accounts(ctx, 'XL', ['50', '100', '0'], ['0', '0', '100']);
      const first = await ctx.order(b1!, sym, '5', '9');
      const second = await ctx.order(b2!, sym, '5', '9');
      await ctx.order(seller!, sym, '-3', '10');
      await ctx.expectReply(
        'an amend up to 10 executes 3 at once',
        b1!,
        `<amend id="${first}" limit="10"/>`,
        `<amended id="${first}" amount="2" limit="10"/>`,
      );
      await ctx.expectCash('the first buyer (50 less 3 × 10 less 2 × 10 reserved)', b1!, '0');
      await ctx.expectReply(
        'an amend back to 9',
        b1!,
        `<amend id="${first}" limit="9"/>`,
        `<amended id="${first}" amount="2" limit="9"/>`,
      );
      await ctx.expectReply(
        'an amend to 11 needs 4 more than the 2 there',
        b1!,
        `<amend id="${first}" limit="11"/>`,
        `<error id="${first}">Insufficient funds</error>`,
      );
      await ctx.order(seller!, sym, '-5', '9');
      await status(
        ctx,
        'the buy that arrived second but kept its place at 9',
        b2!,
        second,
        '<executed shares="5" price="9" time="{T}"/>',
      );
      await status(
        ctx,
        'the amended buy, now last at 9',
        b1!,
        first,
        '<open shares="2"/><executed shares="3" price="10" time="{T}"/>' +
          '<amended amount="5" limit="10" time="{T}"/><amended amount="2" limit="9" time="{T}"/>',
      );
    },
  ),

  spec(
    "amend: up, not positive, nothing given, another account's, a closed order, a waiting stop: errors",
    async (ctx) => {
      const { sym, buyer, seller } = await market(ctx, 'XX', '1000', '10');
      const open = await ctx.order(seller, sym, '-5', '10');
      const closed = await ctx.order(seller, sym, '-1', '9');
      await ctx.order(buyer, sym, '1', '9');
      const stop = await place(ctx, seller, `sym="${sym}" amount="-1" limit="5" stop="4"`);
      await ctx.expectReply(
        'each amend is refused, echoing its id',
        seller,
        `<amend id="${open}" amount="6"/><amend id="${open}" amount="0"/>` +
          `<amend id="${open}" amount="-1"/><amend id="${open}" limit="0"/><amend id="${open}"/>` +
          `<amend id="${closed}" amount="1"/><amend id="${stop}" amount="1"/>` +
          `<amend id="999999999999" amount="1"/>`,
        `<error id="${open}">An amend may only reduce the open amount</error>` +
          `<error id="${open}">Amend amount must be a positive share count</error>` +
          `<error id="${open}">Amend amount must be a positive share count</error>` +
          `<error id="${open}">Limit price must be positive</error>` +
          `<error id="${open}">Missing attribute</error>` +
          `<error id="${closed}">Order has no open shares to amend</error>` +
          `<error id="${stop}">A stop order cannot be amended before it triggers</error>` +
          `<error id="999999999999">Order does not exist</error>`,
      );
      await ctx.expectReply(
        "an amend of another account's order is refused",
        buyer,
        `<amend id="${open}" amount="1"/>`,
        `<error id="${open}">Order belongs to another account</error>`,
      );
      await status(ctx, 'the order, unchanged', seller, open, '<open shares="5"/>');
    },
  ),
];

/** The schedule the fee checks were told of; they run only with one. */
function schedule(ctx: CheckContext): FeeSchedule {
  if (ctx.fees === null) throw new Error('the fee checks need the fee schedule (--fees)');
  return ctx.fees;
}

export const FEE_CHECKS: readonly Check[] = [
  // First: the fee account must not exist before it (no fee credited yet) for its cash to be known.
  spec('fees: the fee account is credited every fee, so cash is conserved', async (ctx) => {
    const fees = schedule(ctx);
    const xml = `<create><account id="${fees.account}" balance="0"/></create>`;
    const reply = await ctx.send(xml);
    if (reply.children[0]?.name !== 'created') {
      throw new CheckSkipped(
        `the fee account ${fees.account} already exists, so its cash is unknown: give --fees an account that does not exist yet`,
      );
    }
    const { sym, buyer, seller } = await market(ctx, 'FA', '2000', '100');
    await ctx.order(seller, sym, '-10', '100');
    await ctx.order(buyer, sym, '10', '100');
    const value = valueOf(toScaled('10', 8), toScaled('100', 8));
    await ctx.expectCash(
      'the fee account, after one trade of 1000',
      fees.account,
      cash(feeOn(value, fees.maker) + feeOn(value, fees.taker)),
    );
  }),

  spec(
    'fees: a buy reserves amount × limit plus the taker fee; a cancel refunds all of it',
    async (ctx) => {
      const fees = schedule(ctx);
      const value = valueOf(toScaled('10', 8), toScaled('100', 8));
      const needed = cash(value + feeOn(value, fees.taker));
      const { sym, buyer } = await market(ctx, 'FR', '1000');
      await ctx.expectReply(
        'a buy of 10 at 100 with 1000 cash is refused: the taker fee does not fit',
        buyer,
        `<order sym="${sym}" amount="10" limit="100"/>`,
        `<error sym="${sym}" amount="10" limit="100">Insufficient funds</error>`,
      );
      const rich = freshAccount(ctx);
      await ctx.create([[rich, needed]]);
      const id = await ctx.order(rich, sym, '10', '100');
      await ctx.expectCash(`an account with ${needed} after that buy`, rich, '0');
      await ctx.cancel(rich, id);
      await ctx.expectCash('the account after the cancel', rich, needed);
    },
  ),

  spec(
    'fees: each <executed> carries the fee its order paid: maker for the resting order, taker for the incoming',
    async (ctx) => {
      const fees = schedule(ctx);
      const { sym, buyer, seller } = await market(ctx, 'FE', '1000', '100');
      const sell = await ctx.order(seller, sym, '-10', '12.5');
      const buy = await ctx.order(buyer, sym, '10', '13');
      const value = valueOf(toScaled('10', 8), toScaled('12.5', 8));
      const maker = feeOn(value, fees.maker);
      const taker = feeOn(value, fees.taker);
      await status(
        ctx,
        'the resting sell',
        seller,
        sell,
        `<executed shares="10" price="12.5" time="{T}" fee="${cash(maker)}"/>`,
      );
      await status(
        ctx,
        'the incoming buy',
        buyer,
        buy,
        `<executed shares="10" price="12.5" time="{T}" fee="${cash(taker)}"/>`,
      );
      await ctx.expectCash(
        'the buyer (1000 less 125 less the taker fee)',
        buyer,
        cash(toScaled('875', CASH_SCALE) - taker),
      );
      await ctx.expectCash('the seller (125 less the maker fee)', seller, cash(value - maker));
    },
  ),

  spec('fees: a market buy stops where the cash, taker fee included, runs out', async (ctx) => {
    const fees = schedule(ctx);
    const { sym, buyer, seller } = await market(ctx, 'FM', '10', '100');
    await ctx.order(seller, sym, '-100', '3');
    const id = await place(ctx, buyer, `sym="${sym}" amount="100" type="market"`);
    const price = toScaled('3', 8);
    const bought = affordable(toScaled('10', CASH_SCALE), price, fees.taker);
    const fee = feeOn(valueOf(bought, price), fees.taker);
    await status(
      ctx,
      'the market buy',
      buyer,
      id,
      `<canceled shares="${shares(toScaled('100', 8) - bought)}" time="{T}"/>` +
        `<executed shares="${shares(bought)}" price="3" time="{T}" fee="${cash(fee)}"/>`,
    );
    expect(bought > 0n, 'the check itself: 10 buys some shares at 3');
    await ctx.expectCash(
      'the buyer',
      buyer,
      cash(toScaled('10', CASH_SCALE) - valueOf(bought, price) - fee),
    );
  }),
];
