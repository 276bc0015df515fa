// The conformance checks of `exchange check`. "spec" checks test what the public protocol
// mandates (a server that fails one is wrong); "decision" checks test this project's
// documented decisions where the public text is silent (docs/protocol.md, README), which
// another server may decide differently: they warn unless --strict.

import { frameRequest } from '../client/classic-client.js';
import {
  expect,
  expectState,
  parseReply,
  sameNumber,
  transactions,
  type CheckContext,
} from './context.js';

export interface Check {
  readonly name: string;
  readonly level: 'spec' | 'decision';
  run(ctx: CheckContext): Promise<void>;
}

export const spec = (name: string, run: Check['run']): Check => ({ name, level: 'spec', run });
export const decision = (name: string, run: Check['run']): Check => ({
  name,
  level: 'decision',
  run,
});

/** An account id no other check of this run uses. */
export const freshAccount = (ctx: CheckContext): string => ctx.account(nextAccount++);

/** A buyer with cash and a seller with shares of a fresh symbol. */
export async function market(
  ctx: CheckContext,
  tag: string,
  cash = '1000000',
  shares = '10000',
): Promise<{ sym: string; buyer: string; seller: string }> {
  const sym = ctx.symbol(tag);
  const buyer = ctx.account(nextAccount++);
  const seller = ctx.account(nextAccount++);
  await ctx.create(
    [
      [buyer, cash],
      [seller, '0'],
    ],
    [[sym, seller, shares]],
  );
  return { sym, buyer, seller };
}
let nextAccount = 1;

export const CHECKS: readonly Check[] = [
  spec(
    'create: accounts and a symbol grant are created, one reply child each, in order',
    async (ctx) => {
      const a = ctx.account(nextAccount++);
      const sym = ctx.symbol('CR');
      const xml = `<create><account id="${a}" balance="1000"/><symbol sym="${sym}"><account id="${a}">100</account></symbol></create>`;
      const reply = await ctx.send(xml);
      const [first, second] = reply.children;
      expect(
        reply.children.length === 2 &&
          first?.name === 'created' &&
          first.attributes.id === a &&
          second?.name === 'created' &&
          second.attributes.sym === sym &&
          second.attributes.id === a,
        `<created id="${a}"/> then <created sym="${sym}" id="${a}"/>`,
        xml,
        reply,
      );
    },
  ),

  spec('create: an existing account and a grant to a missing account are errors', async (ctx) => {
    const a = ctx.account(nextAccount++);
    const missing = ctx.account(nextAccount++);
    const sym = ctx.symbol('CE');
    await ctx.create([[a, '1']]);
    const xml = `<create><account id="${a}" balance="5"/><symbol sym="${sym}"><account id="${missing}">1</account></symbol></create>`;
    const reply = await ctx.send(xml);
    const [dup, grant] = reply.children;
    expect(
      reply.children.length === 2 &&
        dup?.name === 'error' &&
        dup.attributes.id === a &&
        grant?.name === 'error' &&
        grant.attributes.sym === sym &&
        grant.attributes.id === missing,
      `<error id="${a}"> then <error sym="${sym}" id="${missing}">`,
      xml,
      reply,
    );
  }),

  spec(
    'create: children are processed in document order (a grant may use an account made before it)',
    async (ctx) => {
      const a = ctx.account(nextAccount++);
      const sym = ctx.symbol('DO');
      await ctx.create([[a, '0']], [[sym, a, '3']]);
      // The shares are there: a sell of all 3 opens.
      await ctx.order(a, sym, '-3', '1');
    },
  ),

  spec('transactions: an unknown account gets an <error> for every child', async (ctx) => {
    const ghost = ctx.account(nextAccount++);
    const xml = transactions(
      ghost,
      `<order sym="${ctx.symbol('X')}" amount="1" limit="1"/><query id="1"/><cancel id="1"/>`,
    );
    const reply = await ctx.send(xml);
    expect(
      reply.children.length === 3 && reply.children.every((c) => c.name === 'error'),
      'three <error> children',
      xml,
      reply,
    );
  }),

  spec('the worked example of the protocol, order by order', async (ctx) => {
    const { sym, buyer, seller } = await market(ctx, 'WE');
    const ids: string[] = [];
    for (const [account, amount, limit] of [
      [buyer, '300', '125'],
      [seller, '-100', '130'],
      [buyer, '200', '127'],
      [seller, '-500', '128'],
      [seller, '-200', '140'],
      [buyer, '400', '125'],
      [seller, '-400', '124'],
    ] as const) {
      ids.push(await ctx.order(account, sym, amount, limit));
    }
    expectState('order 7', await ctx.query(seller, ids[6]!), null, null, [
      ['200', '127'],
      ['200', '125'],
    ]);
    expectState('order 1', await ctx.query(buyer, ids[0]!), '100', null, [['200', '125']]);
    expectState('order 3', await ctx.query(buyer, ids[2]!), null, null, [['200', '127']]);
    for (const [i, open] of [
      [1, '100'],
      [3, '500'],
      [4, '200'],
      [5, '400'],
    ] as const) {
      expectState(`order ${i + 1}`, await ctx.query(buyer, ids[i]!), open, null, []);
    }
  }),

  spec(
    'price-time priority: equal prices fill in arrival order; a partial fill keeps its place',
    async (ctx) => {
      const { sym, buyer, seller } = await market(ctx, 'PT');
      const second = ctx.account(nextAccount++);
      await ctx.create([[second, '0']], [[sym, second, '100']]);
      const first = await ctx.order(seller, sym, '-10', '50');
      const later = await ctx.order(second, sym, '-10', '50');
      await ctx.order(buyer, sym, '4', '50');
      await ctx.order(buyer, sym, '4', '60');
      expectState('the first seller', await ctx.query(seller, first), '2', null, [
        ['4', '50'],
        ['4', '50'],
      ]);
      expectState('the later seller', await ctx.query(second, later), '10', null, []);
    },
  ),

  spec(
    'a buy reserves amount × limit at once; too little cash is refused and changes nothing',
    async (ctx) => {
      const { sym, buyer } = await market(ctx, 'RS', '1000');
      await ctx.orderRefused(buyer, sym, '11', '100');
      await ctx.order(buyer, sym, '10', '100');
      await ctx.orderRefused(buyer, sym, '1', '0.01');
    },
  ),

  spec('a sell takes the shares at once; no short sale', async (ctx) => {
    const { sym, seller } = await market(ctx, 'SS', '0', '5');
    await ctx.orderRefused(seller, sym, '-6', '1');
    await ctx.order(seller, sym, '-5', '1');
    await ctx.orderRefused(seller, sym, '-1', '1');
  }),

  spec('an execution is at the resting price; the buyer gets the difference back', async (ctx) => {
    const { sym, buyer, seller } = await market(ctx, 'RF', '1000');
    await ctx.order(seller, sym, '-10', '80');
    const id = await ctx.order(buyer, sym, '10', '100');
    expectState('the buy', await ctx.query(buyer, id), null, null, [['10', '80']]);
    // 1000 - 10 × 80 = 200 left: exactly 200 more can be reserved, not a cent over.
    await ctx.orderRefused(buyer, sym, '2', '100.01');
    await ctx.order(buyer, sym, '2', '100');
    await ctx.orderRefused(buyer, sym, '1', '0.01');
  }),

  spec('the seller is paid amount × price', async (ctx) => {
    const { sym, buyer, seller } = await market(ctx, 'SP');
    await ctx.order(seller, sym, '-3', '7');
    await ctx.order(buyer, sym, '3', '9');
    // The seller had no cash: now exactly 21, at the resting price 7.
    const other = ctx.symbol('SQ');
    await ctx.create([], [[other, buyer, '1']]);
    await ctx.orderRefused(seller, other, '1', '21.01');
    await ctx.order(seller, other, '1', '21');
  }),

  spec('cancel: the open part of a buy is refunded, of a sell returned', async (ctx) => {
    const { sym, buyer, seller } = await market(ctx, 'CN', '50', '5');
    const buy = await ctx.order(buyer, sym, '5', '10');
    await ctx.orderRefused(buyer, sym, '1', '1');
    const canceled = await ctx.cancel(buyer, buy);
    expect(
      canceled.canceled !== null && sameNumber(canceled.canceled, '5'),
      'the reply shows 5 shares canceled',
      canceled.request,
      canceled.reply,
    );
    await ctx.order(buyer, sym, '5', '10');
    const sell = await ctx.order(seller, sym, '-5', '1000');
    await ctx.cancel(seller, sell);
    await ctx.order(seller, sym, '-5', '1000');
  }),

  spec(
    'cancel after a partial fill: the fill stays, the rest is canceled and never matches',
    async (ctx) => {
      const { sym, buyer, seller } = await market(ctx, 'CP');
      const sell = await ctx.order(seller, sym, '-10', '20');
      await ctx.order(buyer, sym, '4', '20');
      const state = await ctx.cancel(seller, sell);
      expectState('the canceled sell', state, null, '6', [['4', '20']]);
      expect(state.executed.length === 1, 'one execution');
      const buy = await ctx.order(buyer, sym, '6', '20');
      expectState('a later buy at that price', await ctx.query(buyer, buy), '6', null, []);
    },
  ),

  spec('fractional shares and prices are exact', async (ctx) => {
    const { sym, buyer, seller } = await market(ctx, 'FR', '100', '10.5');
    await ctx.order(seller, sym, '-0.25', '12.5');
    const buy = await ctx.order(buyer, sym, '0.25', '13');
    expectState('the buy', await ctx.query(buyer, buy), null, null, [['0.25', '12.5']]);
    // 100 - 0.25 × 12.5 = 96.875 left.
    await ctx.orderRefused(buyer, sym, '1', '96.876');
    await ctx.order(buyer, sym, '1', '96.875');
  }),

  spec('an order reply echoes sym, amount and limit', async (ctx) => {
    const { sym, buyer } = await market(ctx, 'EC');
    const xml = transactions(buyer, `<order sym="${sym}" amount="2" limit="3"/>`);
    const reply = await ctx.send(xml);
    const opened = reply.children[0];
    expect(
      opened?.name === 'opened' &&
        opened.attributes.sym === sym &&
        sameNumber(opened.attributes.amount, '2') &&
        sameNumber(opened.attributes.limit, '3'),
      'opened echoes sym, amount, limit',
      xml,
      reply,
    );
  }),

  spec('framing: a request split into single bytes is answered', async (ctx) => {
    const a = ctx.account(nextAccount++);
    const bytes = frameRequest(`<create><account id="${a}" balance="1"/></create>`);
    const text = await ctx.fragments(
      [...bytes].map((b) => Buffer.of(b)),
      1,
    );
    const reply = parseReply(text, bytes.toString());
    expect(
      reply.children[0]?.name === 'created',
      'the account is created',
      bytes.toString(),
      reply,
    );
  }),

  spec('framing: a length line ending in \\r\\n is accepted', async (ctx) => {
    const a = ctx.account(nextAccount++);
    const xml = `<create><account id="${a}" balance="1"/></create>`;
    const text = await ctx.raw(`${Buffer.byteLength(xml)}\r\n${xml}`);
    const reply = parseReply(text, xml);
    expect(reply.children[0]?.name === 'created', 'the account is created', xml, reply);
  }),

  decision("a query of another account's order is answered", async (ctx) => {
    const { sym, buyer, seller } = await market(ctx, 'QO');
    const id = await ctx.order(seller, sym, '-1', '5');
    expectState('the order', await ctx.query(buyer, id), '1', null, []);
  }),

  decision("a cancel of another account's order is an error", async (ctx) => {
    const { sym, buyer, seller } = await market(ctx, 'CO');
    const id = await ctx.order(seller, sym, '-1', '5');
    const xml = transactions(buyer, `<cancel id="${id}"/>`);
    const reply = await ctx.send(xml);
    expect(
      reply.children[0]?.name === 'error' && reply.children[0].attributes.id === id,
      `<error id="${id}">`,
      xml,
      reply,
    );
  }),

  decision(
    'a cancel of a fully executed order, and a query of an unknown id, are errors',
    async (ctx) => {
      const { sym, buyer, seller } = await market(ctx, 'CX');
      const sell = await ctx.order(seller, sym, '-1', '5');
      await ctx.order(buyer, sym, '1', '5');
      const xml = transactions(seller, `<cancel id="${sell}"/><query id="999999999999"/>`);
      const reply = await ctx.send(xml);
      expect(
        reply.children.length === 2 && reply.children.every((c) => c.name === 'error'),
        'two <error> children',
        xml,
        reply,
      );
    },
  ),

  decision(
    'amount 0, a limit ≤ 0 and an unknown symbol are errors on that child only',
    async (ctx) => {
      const { sym, buyer } = await market(ctx, 'BA');
      const xml = transactions(
        buyer,
        `<order sym="${sym}" amount="0" limit="1"/><order sym="${sym}" amount="1" limit="0"/>` +
          `<order sym="${ctx.symbol('NOPE')}" amount="1" limit="1"/><order sym="${sym}" amount="1" limit="1"/>`,
      );
      const reply = await ctx.send(xml);
      const names = reply.children.map((c) => c.name).join(',');
      expect(names === 'error,error,error,opened', 'error, error, error, opened', xml, reply);
      expect(
        reply.children[0]!.attributes.sym === sym && reply.children[0]!.attributes.amount === '0',
        'an order <error> echoes sym, amount and limit',
        xml,
        reply,
      );
    },
  ),

  decision('more fractional digits than supported are refused, not rounded', async (ctx) => {
    const { sym, buyer } = await market(ctx, 'FD');
    await ctx.orderRefused(buyer, sym, '1', '1.000000000000000000001');
  }),

  decision('a <transactions> with no children is answered with an empty <results>', async (ctx) => {
    const a = ctx.account(nextAccount++);
    await ctx.create([[a, '1']]);
    const reply = await ctx.send(transactions(a, ''));
    expect(reply.children.length === 0, 'no children', transactions(a, ''), reply);
  }),

  decision(
    'a length line that disagrees with the document is an error naming both lengths',
    async (ctx) => {
      const a = ctx.account(nextAccount++);
      const xml = `<create><account id="${a}" balance="1"/></create>`;
      const request = `${Buffer.byteLength(xml) - 10}\n${xml}`;
      const text = await ctx.raw(request);
      const reply = parseReply(text, request);
      const error = reply.children[0];
      expect(
        error?.name === 'error' &&
          /\d+/.test(error.text) &&
          error.text.includes(String(Buffer.byteLength(xml))),
        'an <error> naming the real length',
        request,
        reply,
      );
    },
  ),

  decision(
    'malformed XML and an unknown root are answered with an <error>, and the server goes on',
    async (ctx) => {
      for (const xml of ['<create><account id="1" balance="1"></create>', '<hello/>']) {
        const text = await ctx.raw(frameRequest(xml));
        const reply = parseReply(text, xml);
        expect(reply.children[0]?.name === 'error', 'an <error>', xml, reply);
      }
      const a = ctx.account(nextAccount++);
      await ctx.create([[a, '1']]);
    },
  ),

  decision('a DOCTYPE (billion laughs) is refused with an <error>', async (ctx) => {
    const xml =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>' +
      '<create><account id="1" balance="&lol2;"/></create>';
    const text = await ctx.raw(frameRequest(xml));
    const reply = parseReply(text, xml);
    expect(reply.children[0]?.name === 'error', 'an <error>', xml, reply);
  }),
];
