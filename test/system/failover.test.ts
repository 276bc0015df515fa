// A standby engine takes over: kill -9 of the leader under load through a gateway, ten times
// over, each engine in turn (the killed one comes back as the standby), and a leader paused
// with SIGSTOP until the standby has taken over. Nothing acknowledged is ever lost, no id is
// given twice, the books balance, and the paused leader is fenced off: it writes nothing
// and stops.

import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import pg from 'pg';
import { childPids } from '../../bench/pinning.js';
import { classicRequest } from '../../tools/client/classic-client.js';
import {
  assertStoreHoldsAcked,
  createAccountsRequest,
  newAcked,
  PROBE_ORDER,
  record,
  loadUntilStopped,
  type Acked,
} from '../support/acked-load.js';
import { startChildServer, type ChildServer } from '../support/child-server.js';
import { freshPostgresUrl } from '../support/databases.js';
import { freePort } from '../../harness/ports.js';
import { pgBaseUrl, PG_SKIP_REASON } from '../../harness/postgres.js';

const TAKEOVERS = Number(process.env.FAILOVER_CYCLES ?? 10);
const skip = pgBaseUrl() === null ? PG_SKIP_REASON : false;

interface Cluster {
  readonly db: string;
  readonly linkPorts: readonly [number, number];
  readonly engines: [ChildServer | null, ChildServer | null];
  readonly gateway: ChildServer;
  /** Which engine leads now. */
  leader: 0 | 1;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Engine `i` on its link port: the first leads, a later one starts as a standby. */
function startEngine(
  t: TestContext,
  c: Pick<Cluster, 'db' | 'linkPorts'>,
  i: 0 | 1,
  standby: boolean,
) {
  const args = ['--db', c.db, '--listen', `127.0.0.1:${c.linkPorts[i]}`, '--http-port', 'off'];
  return startChildServer(standby ? [...args, '--standby'] : args, {
    command: ['engine'],
    readyMessage: standby ? 'standby: waiting for leadership' : 'listening',
    owner: t,
  });
}

async function startCluster(t: TestContext): Promise<Cluster> {
  const db = await freshPostgresUrl();
  const linkPorts = [await freePort(), await freePort()] as const;
  const first = await startEngine(t, { db, linkPorts }, 0, false);
  const second = await startEngine(t, { db, linkPorts }, 1, true);
  const gateway = await startChildServer(
    ['--engine', linkPorts.map((p) => `127.0.0.1:${p}`).join(',')],
    {
      command: ['gateway', '--host', '127.0.0.1', '--port', '0', '--framed-port', '0'],
      owner: t,
    },
  );
  assert.match(
    await classicRequest(gateway.port, createAccountsRequest()),
    /<created sym="S" id="8"\/>/,
  );
  return { db, linkPorts, engines: [first, second], gateway, leader: 0 };
}

/** Milliseconds from `since` to the first order the gateway acknowledges (tried every 20 ms). */
async function firstAcknowledgedOrder(gateway: ChildServer, acked: Acked, since: number) {
  const xml = PROBE_ORDER;
  for (;;) {
    const reply = await classicRequest(gateway.port, xml, { timeoutMs: 5000 }).catch(() => '');
    if (record(xml, reply, acked)) return performance.now() - since;
    assert.ok(performance.now() - since < 30_000, 'no order was acknowledged after the kill');
    await sleep(20);
  }
}

test(
  `kill -9 of the leading engine under load, ${TAKEOVERS} takeovers alternating: nothing acknowledged is lost`,
  { skip, timeout: 60_000 + TAKEOVERS * 15_000 },
  async (t) => {
    const c = await startCluster(t);
    const acked = newAcked();
    const recoveries: number[] = [];
    for (let round = 0; round < TAKEOVERS; round++) {
      const stop = { done: false };
      const load = loadUntilStopped(c.gateway, acked, stop);
      await sleep(300 + Math.random() * 500);
      const leader = c.engines[c.leader]!;
      const killed = performance.now();
      leader.process.kill('SIGKILL');
      assert.equal(await leader.exited, 'SIGKILL');
      recoveries.push(await firstAcknowledgedOrder(c.gateway, acked, killed));
      stop.done = true;
      await load;
      await assertStoreHoldsAcked(c.db, acked);
      // The killed engine comes back as the standby of the one that took over.
      c.engines[c.leader] = await startEngine(t, c, c.leader, true);
      c.leader = c.leader === 0 ? 1 : 0;
    }
    assert.ok(acked.opened.size > 100, `only ${acked.opened.size} orders were acknowledged`);
    const sorted = [...recoveries].sort((a, b) => a - b);
    t.diagnostic(
      `${acked.opened.size} orders and ${acked.canceled.size} cancels acknowledged; kill -9 to the first acknowledged order: median ${sorted[sorted.length >> 1]!.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms (${recoveries.map((ms) => ms.toFixed(0)).join(', ')})`,
    );
  },
);

test(
  'a leader paused (SIGSTOP) until the standby took over is fenced off when it wakes: it writes nothing and stops',
  { skip, timeout: 90_000 },
  async (t) => {
    const c = await startCluster(t);
    const acked = newAcked();
    const stop = { done: false };
    const load = loadUntilStopped(c.gateway, acked, stop);
    await sleep(500);
    const paused = c.engines[0]!;
    const output: string[] = [];
    paused.process.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
    const pausedAt = performance.now();
    paused.process.kill('SIGSTOP');
    const tookOver = await firstAcknowledgedOrder(c.gateway, acked, pausedAt);
    // Orders go on through the new leader while the old one is still paused.
    await sleep(500);
    paused.process.kill('SIGCONT');
    const exit = await Promise.race([paused.exited, sleep(10_000).then(() => 'still running')]);
    assert.equal(exit, 1, 'the deposed leader stops once it finds itself fenced off');
    assert.match(output.join(''), /"msg":"fenced: another engine leads the store now/);
    stop.done = true;
    await load;
    await assertStoreHoldsAcked(c.db, acked);
    t.diagnostic(
      `${acked.opened.size} orders acknowledged; SIGSTOP to the first order acknowledged by the standby: ${tookOver.toFixed(0)} ms`,
    );
  },
);

test(
  'serve --standby --workers 1 fails over as a whole: the standby opens the same ports once it leads',
  { skip, timeout: 90_000 },
  async (t) => {
    const db = await freshPostgresUrl();
    const [port, framedPort] = [await freePort(), await freePort()];
    const serve = (): Promise<ChildServer> =>
      startChildServer(
        [
          '--db',
          db,
          '--standby',
          '--workers',
          '1',
          '--port',
          String(port),
          '--framed-port',
          String(framedPort),
        ],
        {
          command: ['serve', '--host', '127.0.0.1', '--http-port', 'off'],
          ready: (line) => line.workers === 1,
          owner: t,
        },
      );
    const first = await serve();
    assert.equal(first.port, port);
    // The second waits: it listens on nothing, so the ports are still the first one's.
    const second = serve();
    await sleep(3_000);
    assert.match(await classicRequest(port, createAccountsRequest()), /<created sym="S" id="8"\/>/);
    const acked = newAcked();
    const xml = PROBE_ORDER;
    assert.ok(record(xml, await classicRequest(port, xml), acked));

    const killed = performance.now();
    for (const pid of childPids(first.process.pid!)) process.kill(pid, 'SIGKILL');
    first.process.kill('SIGKILL');
    const took = await second;
    assert.equal(took.port, port);
    assert.equal(took.framedPort, framedPort);
    const tookOver = await firstAcknowledgedOrder(took, acked, killed);
    await assertStoreHoldsAcked(db, acked);
    t.diagnostic(
      `kill -9 to the first order acknowledged on the same port: ${tookOver.toFixed(0)} ms`,
    );
  },
);

test(
  'a leader whose database session dies while the standby takes over waits as the standby, and leads again when it must',
  { skip, timeout: 90_000 },
  async (t) => {
    const c = await startCluster(t);
    const acked = newAcked();
    const logs = c.engines.map((e) => {
      const lines: string[] = [];
      e!.process.stdout!.on('data', (d: Buffer) => lines.push(d.toString()));
      return lines;
    });
    const said = (i: 0 | 1, msg: string): boolean => logs[i]!.join('').includes(`"msg":"${msg}"`);
    const cut = performance.now();
    // The leader's sessions end (as when its network to the database breaks): the standby
    // sees the session gone and takes over; the leader, reconnecting, finds it leading.
    await terminateSessions(c.db, c.engines[0]!.process.pid!);
    const first = await firstAcknowledgedOrder(c.gateway, acked, cut);
    for (
      let i = 0;
      i < 200 && !(said(0, 'deposed: another engine leads the store now') || said(1, 'leading'));
      i++
    ) {
      await sleep(50);
    }
    // Either the standby won the race (the usual case) or the leader took its own place back.
    const deposed = said(0, 'deposed: another engine leads the store now');
    if (deposed) {
      for (let i = 0; i < 100 && !said(0, 'standby: waiting for leadership'); i++) await sleep(50);
      assert.ok(
        said(0, 'standby: waiting for leadership'),
        'the deposed leader waits as a standby',
      );
      assert.ok(said(1, 'leading'));
    }
    // Whoever leads now dies: the other one takes over.
    const leader = deposed ? c.engines[1]! : c.engines[0]!;
    const killed = performance.now();
    leader.process.kill('SIGKILL');
    const second = await firstAcknowledgedOrder(c.gateway, acked, killed);
    await assertStoreHoldsAcked(c.db, acked);
    t.diagnostic(
      `${deposed ? 'the standby took over and the old leader waited' : 'the leader took its place back'}: ${first.toFixed(0)} ms to the first order; after killing the new leader, ${second.toFixed(0)} ms`,
    );
  },
);

/** Ends the database sessions of one engine process, as a broken network would. */
async function terminateSessions(db: string, pid: number): Promise<void> {
  const client = new pg.Client({ connectionString: db });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      "SELECT count(pg_terminate_backend(a.pid)) AS n FROM pg_stat_activity a JOIN leadership l ON a.pid = l.backend_pid WHERE l.holder LIKE '%:' || $1 || '/%'",
      [pid],
    );
    assert.equal(Number(rows[0]!.n), 1, "the leader's writer session was found");
  } finally {
    await client.end();
  }
}
