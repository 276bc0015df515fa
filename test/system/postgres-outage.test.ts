// PostgreSQL goes away mid-run (its backends are terminated): requests get error replies,
// never a false "opened" (one whose commit was on the wire gets no reply: its outcome is
// unknown); the server reconnects by itself and goes on with exactly the state the
// database holds.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { classicRequest } from '../../tools/client/classic-client.js';
import { auditExchange } from '../../src/engine/audit.js';
import { Exchange } from '../../src/engine/exchange.js';
import { PostgresStore, readPostgresSnapshot } from '../../src/store/postgres-store.js';
import { pgBaseUrl, PG_SKIP_REASON } from '../../harness/postgres.js';
import { freshPostgresUrl } from '../support/databases.js';
import { startTestServer } from '../support/server.js';

async function terminateBackends(url: string): Promise<number> {
  const name = new URL(url).pathname.slice(1);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'exchange-matching'",
      [name],
    );
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

const ORDER = '<transactions id="1"><order sym="X" amount="1" limit="10"/></transactions>';

test(
  'a database outage: errors, never a false opened; reconnect and resume without a restart',
  { skip: pgBaseUrl() === null ? PG_SKIP_REASON : false, timeout: 60_000 },
  async () => {
    const dbUrl = await freshPostgresUrl();
    const server = await startTestServer({ store: new PostgresStore(dbUrl) });
    try {
      await classicRequest(
        server.port,
        '<create><account id="1" balance="1000000"/><symbol sym="X"><account id="1">10</account></symbol></create>',
      );
      const opened = new Set<number>();
      const record = (reply: string): boolean => {
        const m = /<opened [^>]*id="(\d+)"\/>/.exec(reply);
        if (m !== null) opened.add(Number(m[1]));
        return m !== null;
      };
      for (let i = 0; i < 5; i++) assert.ok(record(await classicRequest(server.port, ORDER)));

      assert.ok((await terminateBackends(dbUrl)) >= 1, 'the server had a connection to terminate');
      let errors = 0;
      // Requests whose commit was on the wire when the connection went: closed unanswered.
      let unknown = 0;
      const deadline = Date.now() + 30_000;
      for (;;) {
        const reply = await classicRequest(server.port, ORDER);
        if (record(reply)) break;
        if (reply === '') {
          unknown++;
          continue;
        }
        assert.match(
          reply,
          /<error>The store of record is unavailable: the request was not executed/,
        );
        errors++;
        assert.ok(Date.now() < deadline, 'the server did not come back');
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(errors >= 1, 'the outage was noticed');
      for (let i = 0; i < 5; i++) assert.ok(record(await classicRequest(server.port, ORDER)));

      // The database holds every acknowledged order, and beyond them at most the ones whose
      // outcome was unknown; its books balance.
      const client = new pg.Client({ connectionString: dbUrl });
      await client.connect();
      const read = await readPostgresSnapshot(client);
      await client.end();
      // The store's orders are a one-pass stream: read once, for the ids and the restore.
      const snapshot = { ...read, orders: [...read.orders] };
      const stored = new Set(snapshot.orders.map((o) => o.id));
      for (const id of opened) assert.ok(stored.has(id), `acknowledged order ${id} is lost`);
      assert.ok(
        stored.size - opened.size <= unknown,
        'an order was stored that nobody was told of',
      );
      assert.deepEqual(auditExchange(Exchange.restore(snapshot)).problems, []);
      assert.equal(server.engine.peekNextOrderId, Math.max(...stored) + 1);
    } finally {
      await server.stop();
    }
  },
);
