// The SQLite store: exact round trips, restart with time priority, reopening and merging.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
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
    assert.deepEqual(db.prepare('SELECT version FROM schema_migrations').pluck().all(), [1]);
    assert.deepEqual(db.prepare('SELECT id, balance, deposited FROM accounts ORDER BY id').all(), [
      { id: '1', balance: '5', deposited: '5' },
      { id: '2', balance: '6', deposited: '6' },
    ]);
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
