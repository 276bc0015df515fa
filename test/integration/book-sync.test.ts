// The sequenced market data end to end: replicas follow a symbol's `l3` and `l2` WebSocket
// channels from REST snapshots while mixed orders (limit, IOC, FOK, market, stop-limit,
// self-trade prevention, amends, cancels) arrive over the XML protocol from several
// connections at once, then hold exactly the engine's book: first on the column engine, then
// on the classic engine after a value past the columns' range handed the state over.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { classicRequest } from '../../tools/client/classic-client.js';
import type { LevelBookView, OrderBookView } from '../../src/http/api-types.js';
import { BookReplica } from '../support/book-replica.js';
import { startTestServer } from '../support/server.js';

const SYM = 'SPY';
const ACCOUNTS = ['1', '2', '3', '4', '5', '6'];
const ROUNDS = 120;
const CONNECTIONS = 4;

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;
let base: string;
const replicas: BookReplica[] = [];

before(async () => {
  server = await startTestServer({ http: { host: '127.0.0.1', port: 0 } });
  base = `http://127.0.0.1:${server.httpPort}`;
  const accounts = ACCOUNTS.map((id) => `<account id="${id}" balance="100000000"/>`).join('');
  const grants = ACCOUNTS.map((id) => `<account id="${id}">1000000</account>`).join('');
  await classicRequest(
    server.port,
    `<create>${accounts}<symbol sym="${SYM}">${grants}</symbol></create>`,
  );
});

after(async () => {
  for (const replica of replicas) replica.close();
  await server?.stop();
});

/** A deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One request's children: every kind of order the book sees, and changes to earlier ones. */
function transaction(next: () => number, own: number[]): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const size = () => String(1 + Math.floor(next() * 40));
  const price = () => String(95 + Math.floor(next() * 11)) + pick(['', '', '.5', '.25']);
  const signed = () => (next() < 0.5 ? '' : '-') + size();
  const children: string[] = [];
  const count = 1 + Math.floor(next() * 3);
  for (let i = 0; i < count; i++) {
    const roll = next();
    const known = own.length > 0 ? pick(own) : 1;
    if (roll < 0.45) children.push(`<order sym="${SYM}" amount="${signed()}" limit="${price()}"/>`);
    else if (roll < 0.52)
      children.push(`<order sym="${SYM}" amount="${signed()}" limit="${price()}" tif="IOC"/>`);
    else if (roll < 0.57)
      children.push(`<order sym="${SYM}" amount="${signed()}" limit="${price()}" tif="FOK"/>`);
    else if (roll < 0.62) children.push(`<order sym="${SYM}" amount="${signed()}" type="market"/>`);
    else if (roll < 0.68) {
      const buy = next() < 0.5;
      const stop = buy ? 100 + Math.floor(next() * 4) : 97 + Math.floor(next() * 4);
      const amount = (buy ? '' : '-') + size();
      children.push(`<order sym="${SYM}" amount="${amount}" limit="${price()}" stop="${stop}"/>`);
    } else if (roll < 0.72) {
      const stp = pick(['cancel-resting', 'cancel-incoming', 'cancel-both']);
      children.push(`<order sym="${SYM}" amount="${signed()}" limit="${price()}" stp="${stp}"/>`);
    } else if (roll < 0.8)
      children.push(`<amend id="${known}" amount="${1 + Math.floor(next() * 5)}"/>`);
    else if (roll < 0.87) children.push(`<amend id="${known}" limit="${price()}"/>`);
    else children.push(`<cancel id="${known}"/>`);
  }
  return children.join('');
}

async function runLoad(seed: number, rounds: number): Promise<void> {
  const next = random(seed);
  const own = new Map<string, number[]>(ACCOUNTS.map((id) => [id, []]));
  for (let round = 0; round < rounds; round++) {
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        const account = ACCOUNTS[Math.floor(next() * ACCOUNTS.length)]!;
        const ids = own.get(account)!;
        const xml = `<transactions id="${account}">${transaction(next, ids)}</transactions>`;
        const reply = await classicRequest(server.port, xml);
        assert.doesNotMatch(reply, /Internal|<error>/, reply);
        for (const [, id] of reply.matchAll(/<opened [^>]*id="(\d+)"/g)) ids.push(Number(id));
      }),
    );
  }
}

async function get<T>(path: string): Promise<T> {
  const response = await fetch(base + path);
  assert.equal(response.status, 200, path);
  return (await response.json()) as T;
}

/** Until the replica has applied everything the engine's book shows (or the time is up). */
async function caughtUp(replica: BookReplica, seq: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (replica.orders.seq !== seq || replica.levels.seq !== seq) {
    if (replica.error !== null) throw replica.error;
    if (Date.now() > deadline) {
      throw new Error(
        `replica at l3 ${replica.orders.seq}, l2 ${replica.levels.seq}; engine ${seq}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Two replicas follow the book, one from the start and one joining mid-load, while `rounds`
 * rounds of load run; then both hold the engine's book. The first one's events by type.
 */
async function replicasHoldTheBook(seed: number, rounds: number): Promise<Map<string, number>> {
  const early = new BookReplica(base, SYM);
  replicas.push(early);
  await early.start();
  const from = (await get<OrderBookView>(`/api/symbols/${SYM}/book?level=3`)).seq;

  await runLoad(seed, rounds / 2);
  // One joins while the book is busy: its snapshot and the stream must meet without a hole.
  const late = new BookReplica(base, SYM);
  replicas.push(late);
  await Promise.all([late.start(), runLoad(seed + 1, rounds / 2)]);
  await server.sequencer.idle();

  const l3 = await get<OrderBookView>(`/api/symbols/${SYM}/book?level=3`);
  const l2 = await get<LevelBookView>(`/api/symbols/${SYM}/book?depth=1000`);
  assert.equal(l2.seq, l3.seq, 'both levels read at the same batch boundary');
  assert.ok(l3.seq > from + rounds, `the load moved the book (seq ${from} to ${l3.seq})`);
  assert.ok(l3.bids.length + l3.asks.length > 0, 'orders rest at the end');
  for (const replica of [early, late]) {
    await caughtUp(replica, l3.seq);
    assert.equal(replica.error, null);
    assert.deepEqual(replica.orders.view(SYM), l3);
    assert.deepEqual(replica.levels.view(), { bids: l2.bids, asks: l2.asks });
    assert.equal(replica.gaps, 0, 'no gap on a client that keeps up');
    assert.equal(replica.resets, 0);
  }
  return early.orders.applied;
}

test('on the column engine, replicas that follow l3 and l2 from snapshots hold the engine’s book', async () => {
  const applied = await replicasHoldTheBook(1, ROUNDS);
  assert.equal(server.engine.engineKind, 'columns', 'subscribers and stops keep the columns');
  const seen = [...applied.keys()].sort();
  assert.deepEqual(seen, ['amended', 'canceled', 'matched', 'opened', 'triggered'], 'every event');
  // Amends both ways: in place (smaller) and requeued (new limit).
  assert.ok((applied.get('amended') ?? 0) > 1);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.match(metrics, /^exchange_engine_columns 1$/m);
});

test('after a hand-over to the classic engine, replicas hold the engine’s book', async () => {
  // 100,000,000 shares are past the columns' 2^53 units: refused, and handed over.
  const past = `<transactions id="1"><order sym="${SYM}" amount="100000000" limit="1"/></transactions>`;
  assert.match(await classicRequest(server.port, past), /<error/);
  assert.equal(server.engine.engineKind, 'classic');
  const applied = await replicasHoldTheBook(3, ROUNDS);
  assert.ok((applied.get('triggered') ?? 0) > 0, 'stops triggered');
  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.match(metrics, /^exchange_engine_columns 0$/m);
});

test('the level-3 book lists every resting order of the engine in priority order', async () => {
  const l3 = await get<OrderBookView>(`/api/symbols/${SYM}/book?level=3`);
  const book = server.engine.book(SYM)!;
  const ids = (levels: typeof book.bids) =>
    levels.levels().flatMap((level) => {
      const out: number[] = [];
      for (let o = level.head; o !== null; o = o.next) out.push(o.id);
      return out;
    });
  assert.deepEqual(
    l3.bids.map((o) => o.id),
    ids(book.bids),
  );
  assert.deepEqual(
    l3.asks.map((o) => o.id),
    ids(book.asks),
  );
  assert.equal(l3.seq, book.seq);
  const bad = await fetch(`${base}/api/symbols/${SYM}/book?level=4`);
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'INVALID_QUERY');
});
