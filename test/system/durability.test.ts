// kill -9 while clients stream requests on both listeners: every acknowledged result survives
// the restart, the invariants hold, and ids are never reused (CRASH_CYCLES kills per store,
// default 20). And SIGTERM under load: what was read is answered, nothing is lost, exit 0.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { childPids } from '../../bench/pinning.js';
import { classicRequest } from '../../tools/client/classic-client.js';
import { auditExchange } from '../../src/engine/audit.js';
import { Exchange } from '../../src/engine/exchange.js';
import { readSnapshot } from '../../src/app/inspect.js';
import { openStore } from '../../src/store/open-store.js';
import {
  assertStoreHoldsAcked,
  type Acked,
  createAccountsRequest,
  newAcked,
  PROBE_ACCOUNT,
  PROBE_ORDER,
  streamClassic,
  streamFramed,
} from '../support/acked-load.js';
import { pgBaseUrl, PG_SKIP_REASON } from '../../harness/postgres.js';
import { freshPostgresUrl } from '../support/databases.js';
import { startChildServer, type ChildServer } from '../support/child-server.js';
import { tempDir } from '../support/server.js';

const CYCLES = Number(process.env.CRASH_CYCLES ?? 20);

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

const stops = (acked: Acked): number => [...acked.opened.values()].filter((o) => o.stop).length;

/** SIGKILL to the server and every process it started, at the same instant. */
function killEveryProcess(server: ChildServer): void {
  for (const pid of childPids(server.process.pid!)) process.kill(pid, 'SIGKILL');
  server.process.kill('SIGKILL');
}

for (const kind of SETUPS) {
  const CYCLES = kind.cycles;
  const start = (t: TestContext, db: string): Promise<ChildServer> =>
    kind.workers === 0
      ? startChildServer(['--db', db], { owner: t })
      : startChildServer(['--db', db, '--workers', String(kind.workers)], {
          ready: (line) => line.workers === kind.workers,
          owner: t,
        });
  test(
    `kill -9 under load loses no acknowledged result (${CYCLES} cycles, ${kind.name})`,
    { timeout: 30_000 + CYCLES * 10_000, skip: kind.skip },
    async (t) => {
      const db = await kind.spec();
      const acked = newAcked();
      let server: ChildServer = await start(t, db);
      assert.match(
        await classicRequest(server.port, createAccountsRequest()),
        /<created sym="S" id="8"\/>/,
      );

      for (let cycle = 0; cycle < CYCLES; cycle++) {
        const streams = [
          ...[1, 2, 3].map(() => streamFramed(server.framedPort, acked)),
          streamClassic(server.port, acked),
        ];
        await new Promise((r) => setTimeout(r, 300 + Math.random() * 500));
        killEveryProcess(server);
        assert.equal(await server.exited, 'SIGKILL');
        await Promise.all(streams);

        // What a restarting server would load must balance...
        const store = openStore(db);
        const live = Exchange.restore(await store.load());
        await store.close();
        assert.deepEqual(auditExchange(live).problems, []);
        // ...and the disk must hold everything that was acknowledged.
        const restored = await assertStoreHoldsAcked(db, acked);
        assert.equal(live.peekNextOrderId, restored.peekNextOrderId);

        server = await start(t, db);
        // Ids continue after everything ever acknowledged.
        const reply = await classicRequest(server.port, PROBE_ORDER);
        const id = Number(/id="(\d+)"\/>/.exec(reply)?.[1]);
        assert.ok(id > Math.max(0, ...acked.opened.keys()), `id ${id} reused`);
        acked.opened.set(id, { account: PROBE_ACCOUNT, amount: '1', limit: '1' });
      }
      assert.ok(acked.opened.size > 50, `only ${acked.opened.size} orders were acknowledged`);
      t.diagnostic(
        `${acked.opened.size} orders (${stops(acked)} stop-limit), ${acked.amended.size} amended and ${acked.canceled.size} canceled, acknowledged across ${CYCLES} kills`,
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
    const acked = newAcked();
    const server = await startChildServer(['--db', db], { owner: t });
    await classicRequest(server.port, createAccountsRequest());
    const streams = [
      ...[1, 2, 3].map(() => streamFramed(server.framedPort, acked)),
      streamClassic(server.port, acked),
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
