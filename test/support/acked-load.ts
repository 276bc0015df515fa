// Load that remembers what it was told: random orders, cancels and queries from a few
// accounts on one symbol, streamed over the framed and classic listeners, with every
// acknowledged order and cancel recorded, so that after a crash or a failover the store can
// be checked to hold every one of them, unchanged, with no id given twice.

import assert from 'node:assert/strict';
import { classicRequest } from '../../tools/client/classic-client.js';
import { FramedClient } from '../../tools/client/framed-client.js';
import { readSnapshot } from '../../src/app/inspect.js';
import { parseDecimal, PRICE_SCALE, SHARE_SCALE } from '../../src/decimal/fixed.js';
import { auditExchange } from '../../src/engine/audit.js';
import { Exchange } from '../../src/engine/exchange.js';

export const ACCOUNTS = 8;

export interface Acked {
  opened: Map<number, { account: string; amount: string; limit: string }>;
  canceled: Set<number>;
  /** Ids acknowledged twice, for different orders: must stay empty. */
  reused: number[];
  /** performance.now() of the latest reply that acknowledged something. */
  lastAckAt: number;
  /** Each account's acknowledged orders, to cancel. */
  mine: Map<string, number[]>;
}

export const newAcked = (): Acked => ({
  opened: new Map(),
  canceled: new Set(),
  reused: [],
  lastAckAt: 0,
  mine: new Map(),
});

/** Every account funded and holding shares of S. */
export function createAccountsRequest(): string {
  let create = '<create>';
  for (let a = 1; a <= ACCOUNTS; a++) create += `<account id="${a}" balance="1000000"/>`;
  create += '<symbol sym="S">';
  for (let a = 1; a <= ACCOUNTS; a++) create += `<account id="${a}">100000</account>`;
  return `${create}</symbol></create>`;
}

const random = (n: number): number => Math.floor(Math.random() * n);

export function randomRequest(acked: Acked): string {
  const account = String(1 + random(ACCOUNTS));
  const roll = Math.random();
  const own = acked.mine.get(account) ?? [];
  if (roll < 0.15 && own.length > 0) {
    return `<transactions id="${account}"><cancel id="${own[random(own.length)]}"/></transactions>`;
  }
  if (roll < 0.25 && acked.opened.size > 0) {
    return `<transactions id="${account}"><query id="${1 + random(acked.opened.size)}"/></transactions>`;
  }
  const amount = (1 + random(50)) * (Math.random() < 0.5 ? 1 : -1);
  const limit = (95 + random(11) + random(100) / 100).toFixed(2);
  return `<transactions id="${account}"><order sym="S" amount="${amount}" limit="${limit}"/></transactions>`;
}

/** Notes what a reply acknowledged; true when it acknowledged anything. */
export function record(xml: string, reply: string, acked: Acked): boolean {
  const account = /transactions id="(\d+)"/.exec(xml)![1]!;
  for (const m of reply.matchAll(
    /<opened sym="S" amount="([^"]+)" limit="([^"]+)" id="(\d+)"\/>/g,
  )) {
    const id = Number(m[3]);
    if (acked.opened.has(id)) acked.reused.push(id);
    acked.opened.set(id, { account, amount: m[1]!, limit: m[2]! });
    acked.mine.set(account, [...(acked.mine.get(account) ?? []), id]);
  }
  for (const m of reply.matchAll(/<canceled id="(\d+)">/g)) acked.canceled.add(Number(m[1]));
  const any = /<opened|<canceled/.test(reply);
  if (any) acked.lastAckAt = performance.now();
  return any;
}

/** Set `done` to end a stream after the requests it has in flight. */
export interface StopSignal {
  done: boolean;
}

const running: StopSignal = { done: false };

/**
 * Streams pipelined requests until the connection dies (or `stop`), recording every
 * acknowledgement.
 */
export async function streamFramed(
  port: number,
  acked: Acked,
  stop: StopSignal = running,
): Promise<void> {
  const client = await FramedClient.connect(port);
  const inFlight = new Set<Promise<void>>();
  try {
    while (!stop.done) {
      const xml = randomRequest(acked);
      const p = client.request(xml).then((reply) => void record(xml, reply, acked));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p)).catch(() => {});
      if (inFlight.size >= 32) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    client.close();
  } catch {
    // The connection was closed: requests in flight may or may not have happened.
  }
}

/** The same with a connection per request on the classic listener, 8 at a time. */
export async function streamClassic(
  port: number,
  acked: Acked,
  stop: StopSignal = running,
): Promise<void> {
  const one = async (): Promise<void> => {
    while (!stop.done) {
      const xml = randomRequest(acked);
      const reply = await classicRequest(port, xml, { timeoutMs: 5000 });
      // The connection closed without a reply: the server is gone.
      if (reply === '') return;
      // Refused as not executed (no engine leads yet): asking again at once only spins.
      if (!record(xml, reply, acked) && /unavailable/.test(reply)) {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, () => one().catch(() => {})));
}

/**
 * Load on both listeners until `stop` is set: framed connections closed under it (by a
 * failover: outcome unknown) are opened again, and classic requests refused while nothing
 * serves are tried again.
 */
export function loadUntilStopped(
  server: { port: number; framedPort: number },
  acked: Acked,
  stop: StopSignal,
  framedConnections = 2,
): Promise<unknown> {
  const again = async (run: () => Promise<void>): Promise<void> => {
    while (!stop.done) {
      await run().catch(() => {});
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return Promise.all([
    ...Array.from({ length: framedConnections }, () =>
      again(() => streamFramed(server.framedPort, acked, stop)),
    ),
    again(() => streamClassic(server.port, acked, stop)),
  ]);
}

/**
 * The store (as `exchange inspect` reads it) balances and holds every acknowledged order
 * with its account, amount and limit, and every acknowledged cancel; no id was given twice.
 */
export async function assertStoreHoldsAcked(db: string, acked: Acked): Promise<Exchange> {
  assert.deepEqual(acked.reused, [], 'an order id was acknowledged twice');
  const restored = Exchange.restore((await readSnapshot(db)).snapshot);
  assert.deepEqual(auditExchange(restored).problems, []);
  for (const [id, order] of acked.opened) {
    const found = restored.orders.get(id);
    assert.ok(found, `acknowledged order ${id} is lost`);
    const amount = parseDecimal(order.amount, SHARE_SCALE);
    const limit = parseDecimal(order.limit, PRICE_SCALE);
    assert.ok(amount.ok && limit.ok);
    assert.equal(found.account.id, order.account);
    assert.equal(found.isBuy ? found.shares : -found.shares, amount.value);
    assert.equal(found.limit, limit.value);
  }
  for (const id of acked.canceled)
    assert.ok(restored.orders.get(id)?.canceled, `acknowledged cancel of ${id} is lost`);
  return restored;
}
