// The SQLite store: exact round trips, restart with time priority, reopening and merging.

import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import type { Request } from '../../src/engine/commands.js';
import { Exchange } from '../../src/engine/exchange.js';
import {
  validateCreateAccount,
  validateGrant,
  validateOrder,
  validateOrderRef,
} from '../../src/engine/validate.js';
import { inspectionReport } from '../../src/app/inspect.js';
import { readSqliteSnapshot } from '../../src/store/sqlite-database.js';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite-schema.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { tempDir } from '../support/server.js';

const dir = tempDir();
after(() => dir.remove());
let dbCounter = 0;
const freshPath = (): string => join(dir.path, `store-${dbCounter++}.db`);

function create(...children: Extract<Request, { kind: 'create' }>['children']): Request {
  return { kind: 'create', children };
}

function order(account: string, amount: string, limit: string, sym = 'X'): Request {
  return { kind: 'transactions', account, children: [validateOrder(sym, amount, limit)] };
}

function query(account: string, id: number): Request {
  return { kind: 'transactions', account, children: [validateOrderRef('query', String(id))] };
}

async function reopen(path: string): Promise<Exchange> {
  const store = new SqliteStore(path);
  try {
    return Exchange.restore(await store.load());
  } finally {
    await store.close();
  }
}

test('balances beyond 64-bit integers and fractions survive a restart exactly', async () => {
  const path = freshPath();
  const store = new SqliteStore(path);
  const engine = Exchange.restore(await store.load());
  engine.apply(
    create(
      validateCreateAccount('1', '999999999999999.99999999'),
      validateCreateAccount('2', '0.00000001'),
      { kind: 'symbol', sym: 'X' },
      validateGrant('X', '2', '123456789.12345678'),
    ),
    10,
  );
  await store.commit(engine.takeChanges());
  engine.apply(order('1', '0.33333333', '3.00000001'), 11);
  engine.apply(order('2', '-0.1', '2.5'), 12);
  await store.commit(engine.takeChanges());
  await store.close();

  const restored = await reopen(path);
  for (const id of ['1', '2'])
    assert.equal(restored.accounts.get(id)!.cash, engine.accounts.get(id)!.cash);
  assert.equal(
    restored.accounts.get('2')!.positions.get('X')!.shares,
    engine.accounts.get('2')!.positions.get('X')!.shares,
  );
  assert.deepEqual(restored.orders.get(1)!.status(), engine.orders.get(1)!.status());
  // Order 2 is fully executed: a restart leaves it in the store, which answers for it.
  assert.equal(restored.orders.get(2), undefined);
  const reader = new SqliteStore(path);
  await reader.load();
  assert.deepEqual((await reader.loadOrder(2))!.status, engine.orders.get(2)!.status());
  await reader.close();
});

test('a restart keeps time priority, fills, cancels and the id counter', async () => {
  const path = freshPath();
  const store = new SqliteStore(path);
  const live = Exchange.restore(await store.load());
  const requests: Request[] = [
    create(
      validateCreateAccount('1', '100000'),
      validateCreateAccount('2', '0'),
      { kind: 'symbol', sym: 'X' },
      validateGrant('X', '2', '1000'),
    ),
    order('2', '-100', '10'),
    order('2', '-100', '10'),
    order('2', '-100', '9'),
    order('1', '150', '10'),
    { kind: 'transactions', account: '2', children: [validateOrderRef('cancel', '2')] },
  ];
  for (const [i, r] of requests.entries()) live.apply(r, 100 + i);
  await store.commit(live.takeChanges());
  await store.close();

  const restored = await reopen(path);
  // The same next steps give the same results on both: priority and ids carried over.
  const next: Request[] = [
    order('2', '-50', '10'),
    order('1', '300', '10'),
    query('1', 1),
    query('1', 7),
  ];
  for (const r of next) assert.deepEqual(restored.apply(r, 200), live.apply(r, 200));
});

test('reopening runs no migration twice and several batches commit as one', async () => {
  const path = freshPath();
  const first = new SqliteStore(path);
  const engine = Exchange.restore(await first.load());
  engine.apply(create(validateCreateAccount('1', '5')), 1);
  const a = engine.takeChanges();
  engine.apply(create(validateCreateAccount('2', '6')), 2);
  const b = engine.takeChanges();
  await Promise.all([first.commit(a), first.commit(b)]);
  await first.close();
  await (await reopen(path)).accounts.get('2');
  const db = new Database(path, { readonly: true });
  try {
    assert.deepEqual(
      db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all(),
      SQLITE_MIGRATIONS.map((_, i) => i + 1),
    );
    assert.deepEqual(db.prepare('SELECT id, balance, deposited FROM accounts ORDER BY id').all(), [
      { id: '1', balance: '5', deposited: '5' },
      { id: '2', balance: '6', deposited: '6' },
    ]);
  } finally {
    db.close();
  }
});

test('checkpoints happen beside the writer, many rows per statement, and a clean stop leaves the whole truth in the file', async () => {
  const path = freshPath();
  const store = new SqliteStore(path);
  const engine = Exchange.restore(await store.load());
  const ids = Array.from({ length: 10 }, (_, i) => String(i));
  engine.apply(
    create(
      ...ids.map((id) => validateCreateAccount(id, '1000000')),
      { kind: 'symbol', sym: 'X' },
      ...ids.map((id) => validateGrant('X', id, '100000')),
    ),
    1,
  );
  await store.commit(engine.takeChanges());
  const fileSize = (): number => statSync(path).size;
  const before = fileSize();
  // Groups of 150 orders (more than one statement's 64 rows), half of them filling the rest.
  for (let group = 0; group < 10; group++) {
    for (let i = 0; i < 150; i++) engine.apply(order(ids[i % 10]!, i % 2 ? '-1' : '1', '10'), 2);
    await store.commit(engine.takeChanges());
  }
  // The writer does not checkpoint; the checkpointer copies the WAL within ~100 ms.
  for (let waited = 0; fileSize() === before && waited < 5_000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.ok(fileSize() > before, 'the checkpointer copied committed pages into the file');
  await store.close();
  assert.equal(existsSync(`${path}-wal`), false, 'a clean stop checkpoints and removes the WAL');
  const db = new Database(path, { readonly: true });
  try {
    const count = (sql: string): number => db.prepare(sql).pluck().get() as number;
    assert.equal(count('SELECT count(*) FROM orders'), 1500);
    assert.equal(count('SELECT count(*) FROM executions'), 750);
    assert.equal(count("SELECT count(*) FROM orders WHERE open_shares <> '0'"), 0);
    const report = inspectionReport(`sqlite:${path}`, readSqliteSnapshot(db));
    assert.ok(report.ok, report.text);
  } finally {
    db.close();
  }
});

test('an unusable path fails clearly at load', async () => {
  const file = join(dir.path, 'a-file');
  writeFileSync(file, 'not a directory');
  const store = new SqliteStore(join(file, 'x.db'));
  await assert.rejects(store.load(), /ENOTDIR|EEXIST|not a directory|unable to open/i);
  await store.close().catch(() => {});
});

test('a database from before the extensions migrates, and its rows read as before (priority = id)', async () => {
  const path = freshPath();
  const old = new Database(path);
  old.exec(
    'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
  );
  old.exec(SQLITE_MIGRATIONS[0]!);
  old.prepare("INSERT INTO schema_migrations VALUES (1, '2026-01-01T00:00:00.000Z')").run();
  // Account 1 bought 2 of order 1's 5 shares at 10 (order 3); order 2 was canceled.
  old.exec(`
    INSERT INTO accounts VALUES ('1', '980', '1000'), ('2', '20', '0');
    INSERT INTO symbols VALUES ('X', '10');
    INSERT INTO positions VALUES ('1', 'X', '2'), ('2', 'X', '5');
    INSERT INTO orders VALUES (1, '2', 'X', 'sell', '5', '10', '3', 100),
                              (2, '1', 'X', 'buy', '1', '9', '0', 101),
                              (3, '1', 'X', 'buy', '2', '10', '0', 102);
    INSERT INTO executions (symbol, buy_order_id, sell_order_id, shares, price, executed_at)
      VALUES ('X', 3, 1, '2', '10', 102);
    INSERT INTO cancels VALUES (2, '1', 103);
  `);
  old.close();

  const store = new SqliteStore(path);
  const live = await store.load();
  const plainTerms = { type: 'limit', tif: 'GTC', stop: null, stp: null, triggeredAt: null };
  assert.deepEqual(live.symbols, [{ sym: 'X', granted: 10n * 10n ** 8n, seq: 0 }]);
  assert.deepEqual(
    [...live.orders].map((o) => ({ ...o })),
    [
      {
        id: 1,
        account: '2',
        sym: 'X',
        isBuy: false,
        shares: 5n * 10n ** 8n,
        limit: 10n * 10n ** 8n,
        open: 3n * 10n ** 8n,
        time: 100,
        ...plainTerms,
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
      shares: 2n * 10n ** 8n,
      price: 10n * 10n ** 8n,
      time: 102,
      buyFee: null,
      sellFee: null,
    },
  ]);
  assert.deepEqual(live.amendments, []);
  assert.deepEqual(await store.loadOrder(3), {
    account: '1',
    sym: 'X',
    isBuy: true,
    shares: 2n * 10n ** 8n,
    limit: 10n * 10n ** 8n,
    time: 102,
    type: 'limit',
    tif: 'GTC',
    stop: null,
    stp: null,
    status: {
      open: 0n,
      canceled: null,
      fills: [{ shares: 2n * 10n ** 8n, price: 10n * 10n ** 8n, time: 102 }],
    },
  });
  await store.close();

  const db = new Database(path, { readonly: true });
  try {
    assert.deepEqual(db.prepare('SELECT id, priority FROM orders ORDER BY id').all(), [
      { id: 1, priority: 1 },
      { id: 2, priority: 2 },
      { id: 3, priority: 3 },
    ]);
    // `exchange inspect` reads the migrated store, and its books still add up.
    const report = inspectionReport(`sqlite:${path}`, readSqliteSnapshot(db));
    assert.equal(report.ok, true, report.text);
  } finally {
    db.close();
  }
});
