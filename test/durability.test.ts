// kill -9 while clients stream requests on both listeners: every acknowledged result survives
// the restart, the invariants hold, and ids are never reused (CRASH_CYCLES kills per store,
// default 20). And SIGTERM under load: what was read is answered, nothing is lost, exit 0.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { childPids } from '../bench/pinning.js';
import { classicRequest } from '../src/client/classic-client.js';
import { FramedClient } from '../src/client/framed-client.js';
import { auditExchange } from '../src/engine/audit.js';
import { Exchange } from '../src/engine/exchange.js';
import { readSnapshot } from '../src/cli/inspect.js';
import { parseDecimal, PRICE_SCALE, SHARE_SCALE } from '../src/decimal/fixed.js';
import { openStore } from '../src/store/open-store.js';
import { pgBaseUrl, PG_SKIP_REASON } from './support/postgres.js';
import { freshPostgresUrl } from './support/databases.js';
import { startChildServer, type ChildServer } from './support/child-server.js';
import { tempDir } from './support/server.js';

const CYCLES = Number(process.env.CRASH_CYCLES ?? 20);
const ACCOUNTS = 8;

interface Acked {
  opened: Map<number, { account: string; amount: string; limit: string }>;
  canceled: Set<number>;
  /** performance.now() of the latest reply that acknowledged something. */
  lastAckAt: number;
}

function random(n: number): number {
  return Math.floor(Math.random() * n);
}

function randomRequest(acked: Acked, mine: Map<string, number[]>): string {
  const account = String(1 + random(ACCOUNTS));
  const roll = Math.random();
  const own = mine.get(account) ?? [];
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

/** Notes what a reply acknowledged. */
function record(xml: string, reply: string, acked: Acked, mine: Map<string, number[]>): void {
  const account = /transactions id="(\d+)"/.exec(xml)![1]!;
  for (const m of reply.matchAll(
    /<opened sym="S" amount="([^"]+)" limit="([^"]+)" id="(\d+)"\/>/g,
  )) {
    const id = Number(m[3]);
    acked.opened.set(id, { account, amount: m[1]!, limit: m[2]! });
    mine.set(account, [...(mine.get(account) ?? []), id]);
  }
  for (const m of reply.matchAll(/<canceled id="(\d+)">/g)) acked.canceled.add(Number(m[1]));
  if (/<opened|<canceled/.test(reply)) acked.lastAckAt = performance.now();
}

/** Streams pipelined requests until the connection dies, recording every acknowledgement. */
async function stream(port: number, acked: Acked, mine: Map<string, number[]>): Promise<void> {
  const client = await FramedClient.connect(port);
  const inFlight = new Set<Promise<void>>();
  try {
    for (;;) {
      const xml = randomRequest(acked, mine);
      const p = client.request(xml).then((reply) => record(xml, reply, acked, mine));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p)).catch(() => {});
      if (inFlight.size >= 32) await Promise.race(inFlight);
    }
  } catch {
    // The server was killed: requests in flight may or may not have happened.
  }
}

/** The same with a connection per request on the classic listener, 8 at a time. */
async function streamClassic(
  port: number,
  acked: Acked,
  mine: Map<string, number[]>,
): Promise<void> {
  const one = async (): Promise<void> => {
    for (;;) {
      const xml = randomRequest(acked, mine);
      const reply = await classicRequest(port, xml, { timeoutMs: 5000 });
      // The server was killed: the connection closed without a reply.
      if (reply === '') return;
      record(xml, reply, acked, mine);
    }
  };
  await Promise.all(Array.from({ length: 8 }, () => one().catch(() => {})));
}

const dir = tempDir();
after(() => dir.remove());

interface Setup {
  name: string;
  skip: string | false;
  spec: () => Promise<string>;
  cycles: number;
  /** Gateway processes in front of the engine (0: one process); every process is killed. */
  workers: number;
}

const SETUPS: Setup[] = [
  {
    name: 'SQLite',
    skip: false,
    spec: async () => `sqlite:${join(dir.path, 'exchange.db')}`,
    cycles: CYCLES,
    workers: 0,
  },
  {
    name: 'PostgreSQL',
    skip: pgBaseUrl() === null ? PG_SKIP_REASON : false,
    spec: freshPostgresUrl,
    cycles: CYCLES,
    workers: 0,
  },
  // The engine and its gateway killed together: fewer cycles, each restart starts two processes.
  {
    name: 'SQLite, serve --workers 1',
    skip: false,
    spec: async () => `sqlite:${join(dir.path, 'exchange-workers.db')}`,
    cycles: Math.max(1, Math.ceil(CYCLES / 4)),
    workers: 1,
  },
];

/** SIGKILL to the server and every process it started, at the same instant. */
function killEveryProcess(server: ChildServer): void {
  for (const pid of childPids(server.process.pid!)) process.kill(pid, 'SIGKILL');
  server.process.kill('SIGKILL');
}

for (const kind of SETUPS) {
  const CYCLES = kind.cycles;
  const start = (db: string): Promise<ChildServer> =>
    kind.workers === 0
      ? startChildServer(['--db', db])
      : startChildServer(['--db', db, '--workers', String(kind.workers)], {
          ready: (line) => line.workers === kind.workers,
        });
  test(
    `kill -9 under load loses no acknowledged result (${CYCLES} cycles, ${kind.name})`,
    { timeout: 30_000 + CYCLES * 10_000, skip: kind.skip },
    async (t) => {
      const db = await kind.spec();
      const acked: Acked = { opened: new Map(), canceled: new Set(), lastAckAt: 0 };
      const mine = new Map<string, number[]>();
      let server: ChildServer = await start(db);
      let create = '<create>';
      for (let a = 1; a <= ACCOUNTS; a++) create += `<account id="${a}" balance="1000000"/>`;
      create += '<symbol sym="S">';
      for (let a = 1; a <= ACCOUNTS; a++) create += `<account id="${a}">100000</account>`;
      create += '</symbol></create>';
      assert.match(await classicRequest(server.port, create), /<created sym="S" id="8"\/>/);

      for (let cycle = 0; cycle < CYCLES; cycle++) {
        const streams = [
          ...[1, 2, 3].map(() => stream(server.framedPort, acked, mine)),
          streamClassic(server.port, acked, mine),
        ];
        await new Promise((r) => setTimeout(r, 300 + random(500)));
        killEveryProcess(server);
        assert.equal(await server.exited, 'SIGKILL');
        await Promise.all(streams);

        // What a restarting server would load must balance...
        const store = openStore(db);
        const live = Exchange.restore(await store.load());
        await store.close();
        assert.deepEqual(auditExchange(live).problems, []);
        // ...and the disk must hold everything that was acknowledged.
        const restored = Exchange.restore((await readSnapshot(db)).snapshot);
        assert.deepEqual(auditExchange(restored).problems, []);
        assert.equal(live.peekNextOrderId, restored.peekNextOrderId);
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

        server = await start(db);
        // Ids continue after everything ever acknowledged.
        const reply = await classicRequest(
          server.port,
          '<transactions id="1"><order sym="S" amount="1" limit="1"/></transactions>',
        );
        const id = Number(/id="(\d+)"\/>/.exec(reply)?.[1]);
        assert.ok(id > Math.max(0, ...acked.opened.keys()), `id ${id} reused`);
        acked.opened.set(id, { account: '1', amount: '1', limit: '1' });
        mine.set('1', [...(mine.get('1') ?? []), id]);
      }
      assert.ok(acked.opened.size > 50, `only ${acked.opened.size} orders were acknowledged`);
      t.diagnostic(
        `${acked.opened.size} orders and ${acked.canceled.size} cancels acknowledged across ${CYCLES} kills`,
      );
      server.process.kill('SIGTERM');
      assert.equal(await server.exited, 0);
    },
  );
}

test(
  'SIGTERM under load: requests read are answered, nothing is lost, exit 0',
  { timeout: 60_000 },
  async (t) => {
    const db = `sqlite:${join(dir.path, 'graceful.db')}`;
    const acked: Acked = { opened: new Map(), canceled: new Set(), lastAckAt: 0 };
    const mine = new Map<string, number[]>();
    const server = await startChildServer(['--db', db]);
    let create = '<create>';
    for (let a = 1; a <= ACCOUNTS; a++) create += `<account id="${a}" balance="1000000"/>`;
    create += '<symbol sym="S">';
    for (let a = 1; a <= ACCOUNTS; a++) create += `<account id="${a}">100000</account>`;
    create += '</symbol></create>';
    await classicRequest(server.port, create);
    const streams = [
      ...[1, 2, 3].map(() => stream(server.framedPort, acked, mine)),
      streamClassic(server.port, acked, mine),
    ];
    await new Promise((r) => setTimeout(r, 500));
    const signaled = performance.now();
    server.process.kill('SIGTERM');
    assert.equal(await server.exited, 0);
    await Promise.all(streams);
    // Requests already read when the signal came were answered, not cut off.
    assert.ok(acked.lastAckAt > signaled, 'no request was answered after the signal');
    const restored = Exchange.restore((await readSnapshot(db)).snapshot);
    assert.deepEqual(auditExchange(restored).problems, []);
    for (const id of acked.opened.keys()) assert.ok(restored.orders.has(id), `order ${id} lost`);
    for (const id of acked.canceled)
      assert.ok(restored.orders.get(id)?.canceled, `cancel of ${id} lost`);
    t.diagnostic(
      `${acked.opened.size} orders acknowledged, the last ${(acked.lastAckAt - signaled).toFixed(1)} ms after SIGTERM`,
    );
  },
);
