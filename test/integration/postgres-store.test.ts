// PostgreSQL specifics beyond the shared store suite: versioned migrations, the array
// literals the group commit sends, and leadership: standbys, the epoch and its fence.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import type { ChangeSet } from '../../src/engine/changes.js';
import { Exchange } from '../../src/engine/exchange.js';
import type { LeaderRecord } from '../../src/store/leadership.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres-schema.js';
import { Fenced } from '../../src/errors/failures.js';
import { PostgresStore, readOrders } from '../../src/store/postgres-store.js';
import { SNAPSHOT_QUERIES } from '../../src/store/rows.js';
import {
  nullableNumberArrayLiteral,
  nullableTextArrayLiteral,
  numberArrayLiteral,
  textArrayLiteral,
} from '../../src/store/postgres-writer.js';
import { freshPostgresUrl } from '../support/databases.js';
import { pgBaseUrl, PG_SKIP_REASON } from '../../harness/postgres.js';

const skip = pgBaseUrl() === null ? PG_SKIP_REASON : false;

async function withClient<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const versions = (url: string): Promise<number[]> =>
  withClient(url, async (c) =>
    (
      await c.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY 1')
    ).rows.map((r) => r.version),
  );

test(
  'migrations: a fresh database gets them all, a restart applies none again',
  { skip },
  async () => {
    const url = await freshPostgresUrl();
    const all = POSTGRES_MIGRATIONS.map((_, i) => i + 1);
    for (let start = 0; start < 2; start++) {
      const store = new PostgresStore(url);
      await store.load();
      await store.close();
      assert.deepEqual(await versions(url), all);
    }
  },
);

test(
  'migrations: a database at version 1 with data moves to the latest and keeps it',
  { skip },
  async () => {
    const url = await freshPostgresUrl();
    await withClient(url, async (c) => {
      await c.query(
        'CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      await c.query(POSTGRES_MIGRATIONS[0]!);
      await c.query('INSERT INTO schema_migrations (version) VALUES (1)');
      await c.query("INSERT INTO accounts VALUES ('1', 5, 5)");
    });
    const store = new PostgresStore(url);
    const snapshot = await store.load();
    await store.close();
    assert.deepEqual(snapshot.accounts, [
      { id: '1', cash: 5n * 10n ** 16n, deposited: 5n * 10n ** 16n },
    ]);
    assert.deepEqual(
      await versions(url),
      POSTGRES_MIGRATIONS.map((_, i) => i + 1),
    );
    const foreignKeys = await withClient(url, async (c) =>
      (
        await c.query<{ conname: string }>(
          "SELECT conname FROM pg_constraint WHERE contype = 'f' ORDER BY 1",
        )
      ).rows.map((r) => r.conname),
    );
    assert.deepEqual(foreignKeys, ['positions_account_id_fkey', 'positions_symbol_fkey']);
  },
);

test(
  'migrations: a database from before the extensions (version 3) with data reads as before, priority = id',
  { skip },
  async () => {
    const url = await freshPostgresUrl();
    await withClient(url, async (c) => {
      await c.query(
        'CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      for (const [i, sql] of POSTGRES_MIGRATIONS.slice(0, 3).entries()) {
        await c.query(sql);
        await c.query('INSERT INTO schema_migrations (version) VALUES ($1)', [i + 1]);
      }
      // Account 1 bought 2 of order 1's 5 shares at 10 (order 3); order 2 was canceled.
      await c.query(`
        INSERT INTO accounts VALUES ('1', 980, 1000), ('2', 20, 0);
        INSERT INTO symbols VALUES ('X', 10);
        INSERT INTO positions VALUES ('1', 'X', 2), ('2', 'X', 5);
        INSERT INTO orders VALUES (1, '2', 'X', 'sell', 5, 10, 3, 100),
                                  (2, '1', 'X', 'buy', 1, 9, 0, 101),
                                  (3, '1', 'X', 'buy', 2, 10, 0, 102);
        INSERT INTO executions (symbol, buy_order_id, sell_order_id, shares, price, executed_at)
          VALUES ('X', 3, 1, 2, 10, 102);
        INSERT INTO cancels VALUES (2, 1, 103);
      `);
    });
    const store = new PostgresStore(url);
    const live = await store.load();
    const e8 = 10n ** 8n;
    assert.deepEqual(live.symbols, [{ sym: 'X', granted: 10n * e8, seq: 0 }]);
    assert.deepEqual(
      [...live.orders],
      [
        {
          id: 1,
          account: '2',
          sym: 'X',
          isBuy: false,
          shares: 5n * e8,
          limit: 10n * e8,
          open: 3n * e8,
          time: 100,
          type: 'limit',
          tif: 'GTC',
          stop: null,
          stp: null,
          triggeredAt: null,
          priority: 1,
          makerFee: 0n,
          takerFee: 0n,
        },
      ],
    );
    assert.deepEqual(live.executions, [
      {
        sym: 'X',
        buyOrderId: 3,
        sellOrderId: 1,
        shares: 2n * e8,
        price: 10n * e8,
        time: 102,
        buyFee: null,
        sellFee: null,
      },
    ]);
    assert.deepEqual(live.amendments, []);
    assert.deepEqual((await store.loadOrder(2))?.status, {
      open: 0n,
      canceled: { shares: e8, time: 103 },
      fills: [],
    });
    await store.close();
    assert.deepEqual(
      await versions(url),
      POSTGRES_MIGRATIONS.map((_, i) => i + 1),
    );
    const priorities = await withClient(
      url,
      async (c) => (await c.query('SELECT id::int, priority::int FROM orders ORDER BY id')).rows,
    );
    assert.deepEqual(priorities, [
      { id: 1, priority: 1 },
      { id: 2, priority: 2 },
      { id: 3, priority: 3 },
    ]);
  },
);

test('array literals read back element for element', { skip }, async () => {
  const url = await freshPostgresUrl();
  const texts = ['plain', 'quote"d', 'back\\slash', 'com,ma', '{brace}', ' spaced ', 'NULL', ''];
  const numbers = ['0', '-1.5', '123456789012345.1234567890123456', '7'];
  const rows = await withClient(
    url,
    async (c) =>
      (
        await c.query<{ t: string[]; n: string[] }>(
          'SELECT $1::text[] AS t, $2::numeric[]::text[] AS n',
          [textArrayLiteral(texts), numberArrayLiteral(numbers)],
        )
      ).rows,
  );
  assert.deepEqual(rows, [{ t: texts, n: numbers }]);
  assert.equal(textArrayLiteral([]), '{}');
  // Nullable columns: a null is SQL NULL, never the text "NULL" nor an empty element.
  const nullableTexts = ['NULL', null, 'a"b', null];
  const nullableNumbers = [null, '1.5', 7, null];
  const nullable = await withClient(
    url,
    async (c) =>
      (
        await c.query<{ t: (string | null)[]; n: (string | null)[] }>(
          'SELECT $1::text[] AS t, $2::numeric[]::text[] AS n',
          [nullableTextArrayLiteral(nullableTexts), nullableNumberArrayLiteral(nullableNumbers)],
        )
      ).rows,
  );
  assert.deepEqual(nullable, [{ t: nullableTexts, n: [null, '1.5', '7', null] }]);
});

test('orders are read page by page, every one once, in id order', { skip }, async () => {
  const url = await freshPostgresUrl();
  const store = new PostgresStore(url);
  await store.load();
  await store.close();
  const ids = await withClient(url, async (c) => {
    await c.query(
      `INSERT INTO orders (id, account_id, symbol, side, shares, limit_price, open_shares, created_at)
       SELECT id, '1', 'X', 'buy', 1, 1, id % 2, 0 FROM generate_series(1, 10) AS id`,
    );
    const all = await readOrders(c, SNAPSHOT_QUERIES.orders, 3);
    const open = await readOrders(
      c,
      `${SNAPSHOT_QUERIES.orders.replace(' ORDER BY id', '')} WHERE open_shares > 0 ORDER BY id`,
      2,
    );
    return { all: all.map((o) => o.id), open: open.map((o) => o.id) };
  });
  assert.deepEqual(ids, { all: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], open: [1, 3, 5, 7, 9] });
});

/** A change set that opens one account: enough to tell whether a commit wrote. */
function accountChanges(id: string): ChangeSet {
  const engine = new Exchange();
  engine.apply({ kind: 'create', children: [{ kind: 'account', id, balance: 1n }] }, 1);
  return engine.takeChanges();
}

const accountIds = (url: string): Promise<string[]> =>
  withClient(url, async (c) =>
    (await c.query<{ id: string }>('SELECT id FROM accounts ORDER BY id')).rows.map((r) => r.id),
  );

test(
  'leadership: a standby waits, an epoch taken over fences the old leader (commit and heartbeat), and the standby then leads',
  { skip, timeout: 30_000 },
  async () => {
    const url = await freshPostgresUrl();
    const leader = new PostgresStore(url);
    await leader.load();
    assert.equal(leader.epoch, 1);
    await leader.commit(accountChanges('1'));

    const waited: LeaderRecord[] = [];
    const standby = new PostgresStore(url, { mode: 'standby', onWaiting: (l) => waited.push(l) });
    let leading = false;
    const standbyLoad = standby.load().then(() => (leading = true));
    // Its thread starts, finds the leader alive, says so once, and goes on waiting.
    for (let i = 0; i < 100 && waited.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(leading, false, 'the standby waits while the leader is alive');
    assert.equal(waited.length, 1);
    assert.equal(waited[0]!.epoch, 1);
    assert.match(waited[0]!.holder!, /:\d+\/[0-9a-f]{6}$/);

    // A takeover elsewhere (as after a lapsed lease): the epoch moves on, nobody holds it yet.
    const lost = new Promise<Error>((resolve) => leader.watch(resolve));
    await withClient(url, (c) =>
      c.query('UPDATE leadership SET epoch = epoch + 1, backend_pid = NULL'),
    );
    assert.ok((await lost) instanceof Fenced, 'the idle leader notices by its heartbeat');
    await assert.rejects(leader.commit(accountChanges('2')), Fenced);
    await standbyLoad;
    assert.equal(standby.epoch, 3);
    await standby.commit(accountChanges('3'));
    assert.deepEqual(await accountIds(url), ['1', '3'], 'the fenced commit wrote nothing');
    await leader.close();
    await standby.close();
  },
);

test(
  'leadership: a fenced group commit writes not one row, even when it holds the row lock first',
  { skip },
  async () => {
    const url = await freshPostgresUrl();
    const leader = new PostgresStore(url);
    await leader.load();
    // The epoch moves on in a transaction still open while the commit arrives: the commit
    // waits for the row, then re-checks it and finds another epoch.
    await withClient(url, async (c) => {
      await c.query('BEGIN');
      await c.query('UPDATE leadership SET epoch = epoch + 1');
      const commit = leader.commit(accountChanges('1'));
      await new Promise((r) => setTimeout(r, 200));
      await c.query('COMMIT');
      await assert.rejects(commit, Fenced);
    });
    assert.deepEqual(await accountIds(url), []);
    await leader.close();
  },
);

test(
  'leadership: an engine thread that stops (stuck in a loop) loses its lease, though its writer thread would go on',
  { skip, timeout: 30_000 },
  async () => {
    const url = await freshPostgresUrl();
    const leader = new PostgresStore(url);
    await leader.load();
    let waiting = false;
    const standby = new PostgresStore(url, { mode: 'standby', onWaiting: () => (waiting = true) });
    const standbyLoad = standby.load();
    for (let i = 0; i < 100 && !waiting; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(waiting, 'the standby is waiting');
    await new Promise((r) => setTimeout(r, 500));
    // This thread is the engine's: busy for longer than the lease, it shows no sign of life.
    const until = Date.now() + 3_000;
    while (Date.now() < until);
    await standbyLoad;
    await assert.rejects(leader.commit(accountChanges('1')), Fenced);
    await leader.close();
    await standby.close();
  },
);
