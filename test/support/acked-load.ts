// Load that remembers what it was told: random orders (limit orders, and now and then the
// extensions: stop-limit orders that wait, IOC and market orders, amends), cancels and
// queries from a few accounts on one symbol, streamed over the framed and classic
// listeners, with every acknowledged order, amend and cancel recorded, so that after a crash
// or a failover the store can be checked to hold every one of them, unchanged, with no id
// given twice.

import assert from 'node:assert/strict';
import { classicRequest } from '../../tools/client/classic-client.js';
import { FramedClient } from '../../tools/client/framed-client.js';
import { readSnapshot } from '../../src/app/inspect.js';
import { parseDecimal, PRICE_SCALE, SHARE_SCALE } from '../../src/decimal/fixed.js';
import { auditExchange } from '../../src/engine/audit.js';
import { Exchange } from '../../src/engine/exchange.js';

export const ACCOUNTS = 8;

/**
 * An account the random load never uses, for the single orders a test sends to see the
 * exchange serve: market buys can spend a load account's cash to the last unit.
 */
export const PROBE_ACCOUNT = String(ACCOUNTS + 1);
/** A buy far below the market from the probe account: it rests, and costs 1 of its cash. */
export const PROBE_ORDER = `<transactions id="${PROBE_ACCOUNT}"><order sym="S" amount="1" limit="1"/></transactions>`;

export interface AckedOrder {
  account: string;
  amount: string;
  /** Absent for a market order. */
  limit?: string;
  stop?: string;
}

export interface Acked {
  opened: Map<number, AckedOrder>;
  canceled: Set<number>;
  /** Orders an amend was sent for (acknowledged or not): their limit may have changed. */
  amendSent: Set<number>;
  /** Acknowledged amends: the limit each left the order at. */
  amended: Map<number, string[]>;
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
  amendSent: new Set(),
  amended: new Map(),
  reused: [],
  lastAckAt: 0,
  mine: new Map(),
});

/** Every account funded and holding shares of S. */
export function createAccountsRequest(): string {
  let create = '<create>';
  for (let a = 1; a <= ACCOUNTS; a++) create += `<account id="${a}" balance="1000000"/>`;
  create += `<account id="${PROBE_ACCOUNT}" balance="1000000"/>`;
  create += '<symbol sym="S">';
  for (let a = 1; a <= ACCOUNTS; a++) create += `<account id="${a}">100000</account>`;
  return `${create}</symbol></create>`;
}

const random = (n: number): number => Math.floor(Math.random() * n);

function price(text: string): bigint {
  const parsed = parseDecimal(text, PRICE_SCALE);
  assert.ok(parsed.ok, `price ${text}`);
  return parsed.value;
}

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
  const order = `<order sym="S" amount="${amount}" limit="${limit}"`;
  const tx = (child: string): string => `<transactions id="${account}">${child}</transactions>`;
  if (roll < 0.32 && own.length > 0) {
    // An amend: a smaller amount (keeps priority) or a new limit (goes to the back).
    const id = own[random(own.length)]!;
    acked.amendSent.add(id);
    return Math.random() < 0.5
      ? tx(`<amend id="${id}" amount="${1 + random(5)}"/>`)
      : tx(`<amend id="${id}" limit="${limit}"/>`);
  }
  // Stops around the traded prices, so that some trigger and some wait through a crash.
  if (roll < 0.4) {
    const stop = (amount > 0 ? 100 + random(6) : 95 + random(6)).toFixed(2);
    return tx(`${order} stop="${stop}"/>`);
  }
  if (roll < 0.44) return tx(`${order} tif="IOC"/>`);
  if (roll < 0.46) return tx(`<order sym="S" amount="${amount}" type="market"/>`);
  return tx(`${order}/>`);
}

const attribute = (element: string, name: string): string | undefined =>
  new RegExp(` ${name}="([^"]*)"`).exec(element)?.[1];

/** Notes what a reply acknowledged; true when it acknowledged anything. */
export function record(xml: string, reply: string, acked: Acked): boolean {
  const account = /transactions id="(\d+)"/.exec(xml)![1]!;
  for (const [element] of reply.matchAll(/<opened [^>]*\/>/g)) {
    const id = Number(attribute(element, 'id'));
    if (acked.opened.has(id)) acked.reused.push(id);
    const order: AckedOrder = { account, amount: attribute(element, 'amount')! };
    const limit = attribute(element, 'limit');
    const stop = attribute(element, 'stop');
    if (limit !== undefined) order.limit = limit;
    if (stop !== undefined) order.stop = stop;
    acked.opened.set(id, order);
    acked.mine.set(account, [...(acked.mine.get(account) ?? []), id]);
  }
  for (const m of reply.matchAll(/<canceled id="(\d+)">/g)) acked.canceled.add(Number(m[1]));
  for (const [element] of reply.matchAll(/<amended id="[^>]*\/>/g)) {
    const id = Number(attribute(element, 'id'));
    acked.amended.set(id, [...(acked.amended.get(id) ?? []), attribute(element, 'limit')!]);
  }
  const any = /<opened|<canceled id|<amended id/.test(reply);
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
    assert.ok(amount.ok);
    assert.equal(found.account.id, order.account);
    assert.equal(found.isBuy ? found.shares : -found.shares, amount.value);
    // A market order keeps no limit; an amended one may have another.
    const limit = order.limit === undefined ? 0n : price(order.limit);
    if (!acked.amendSent.has(id)) assert.equal(found.limit, limit, `limit of order ${id}`);
    assert.equal(found.terms.type, order.limit === undefined ? 'market' : 'limit');
    const stop = order.stop === undefined ? null : price(order.stop);
    assert.equal(found.terms.stop, stop, `stop of order ${id}`);
  }
  for (const id of acked.canceled)
    assert.ok(restored.orders.get(id)?.canceled, `acknowledged cancel of ${id} is lost`);
  for (const [id, limits] of acked.amended) {
    const recorded = (restored.orders.get(id)?.amendments ?? []).map((a) => a.limit);
    // An amend that changed nothing is answered but not recorded: it left the limit the
    // order had, its first or one an earlier amend recorded.
    const original = acked.opened.get(id)?.limit;
    if (original !== undefined) recorded.push(price(original));
    for (const limit of limits) {
      assert.ok(recorded.includes(price(limit)), `acknowledged amend of ${id} is lost`);
    }
  }
  return restored;
}
