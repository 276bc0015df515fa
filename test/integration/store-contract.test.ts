// One suite, every store: what a store of record must do, run against memory, SQLite and
// PostgreSQL alike.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Request } from '../../src/engine/commands.js';
import { Exchange } from '../../src/engine/exchange.js';
import {
  validateCreateAccount,
  validateGrant,
  validateOrder,
  validateOrderRef,
} from '../../src/engine/validate.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { PostgresStore } from '../../src/store/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { dumpState } from '../support/engine-state.js';
import { pgBaseUrl, PG_SKIP_REASON } from '../../harness/postgres.js';
import { freshPostgresUrl } from '../support/databases.js';
import { tempDir } from '../support/server.js';

const dir = tempDir();
after(() => dir.remove());

interface StoreKind {
  readonly name: string;
  readonly skip: string | false;
  /** A fresh, empty location; `open` gives a store on it (call again to reopen). */
  fresh(): Promise<() => Store>;
  readonly exclusive: boolean;
}

let counter = 0;
const KINDS: StoreKind[] = [
  {
    name: 'memory',
    skip: false,
    exclusive: false,
    fresh: async () => {
      const store = new MemoryStore();
      return () => store;
    },
  },
  {
    name: 'sqlite',
    skip: false,
    exclusive: true,
    fresh: async () => {
      const path = join(dir.path, `contract-${counter++}.db`);
      return () => new SqliteStore(path);
    },
  },
  {
    name: 'postgres',
    skip: pgBaseUrl() === null ? PG_SKIP_REASON : false,
    exclusive: true,
    fresh: async () => {
      const dbUrl = await freshPostgresUrl();
      return () => new PostgresStore(dbUrl);
    },
  },
];

const order = (account: string, amount: string, limit: string): Request => ({
  kind: 'transactions',
  account,
  children: [validateOrder('X', amount, limit)],
});

const SCRIPT: Request[] = [
  {
    kind: 'create',
    children: [
      validateCreateAccount('1', '999999999999999.99999999'),
      validateCreateAccount('2', '0.5'),
      { kind: 'symbol', sym: 'X' },
      validateGrant('X', '2', '1000.12345678'),
      validateGrant('X', '1', '0'),
    ],
  },
  order('2', '-100', '10.5'),
  order('2', '-100.00000001', '10.5'),
  order('2', '-50', '9.99999999'),
  order('1', '150.5', '11'),
  { kind: 'transactions', account: '2', children: [validateOrderRef('cancel', '2')] },
  order('1', '0.00000001', '12345678.12345678'),
  order('2', '-0.00000001', '1'),
];

for (const kind of KINDS) {
  describe(`${kind.name} store`, { skip: kind.skip }, () => {
    test('restores exactly what was committed, batches merged or not', async () => {
      const open = await kind.fresh();
      const store = open();
      const live = Exchange.restore(await store.load());
      const commits: Promise<void>[] = [];
      // Several commits in flight at once: a store may merge them, never reorder them.
      for (const [i, request] of SCRIPT.entries()) {
        live.apply(request, 1000 + i);
        commits.push(store.commit(live.takeChanges()));
      }
      await Promise.all(commits);
      const restored = Exchange.restore(await store.load());
      if (kind.name !== 'memory') await store.close();
      // A restart holds the open orders; every closed one is answered from the store, whole.
      assert.deepEqual(dumpState(restored, 'open'), dumpState(live, 'open'));
      const reopened = open();
      assert.deepEqual(
        dumpState(Exchange.restore(await reopened.load()), 'open'),
        dumpState(live, 'open'),
      );
      for (const order of live.orders.values()) {
        if (order.open > 0n) continue;
        const stored = await reopened.loadOrder(order.id);
        assert.deepEqual(stored, {
          account: order.account.id,
          sym: order.sym,
          isBuy: order.isBuy,
          shares: order.shares,
          limit: order.limit,
          time: order.time,
          status: order.status(),
        });
      }
      await reopened.close();
    });

    test('loadOrder returns a committed order with its fills and cancel', async () => {
      const open = await kind.fresh();
      const store = open();
      const live = Exchange.restore(await store.load());
      for (const [i, request] of SCRIPT.entries()) live.apply(request, 2000 + i);
      await store.commit(live.takeChanges());
      for (const id of [1, 2, 3, 4, 5, 6]) {
        const found = await store.loadOrder(id);
        const order = live.orders.get(id)!;
        assert.ok(found, `order ${id}`);
        assert.equal(found.account, order.account.id);
        assert.deepEqual(found.status, order.status());
      }
      assert.equal(await store.loadOrder(99), null);
      await store.close();
    });

    test('recentExecutions gives the newest executions, oldest first', async () => {
      const open = await kind.fresh();
      const store = open();
      const live = Exchange.restore(await store.load());
      const executions = [];
      for (const [i, request] of SCRIPT.entries()) {
        live.apply(request, 3000 + i);
        const changes = live.takeChanges();
        executions.push(...changes.executions);
        await store.commit(changes);
      }
      assert.ok(executions.length >= 3);
      assert.deepEqual(await store.recentExecutions(2), executions.slice(-2));
      assert.deepEqual(await store.recentExecutions(1000), executions);
      await store.close();
    });

    if (kind.exclusive) {
      test('a second engine on the same database is refused', async () => {
        const open = await kind.fresh();
        const first = open();
        await first.load();
        const second = open();
        await assert.rejects(second.load(), /another exchange server is using/);
        await second.close().catch(() => {});
        await first.close();
        const third = open();
        await third.load();
        await third.close();
      });
    }
  });
}
