// Closed orders leave memory once durable; queries and cancels of them are answered from the
// store with exactly the replies the engine would have given from memory.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { classicRequest } from '../../tools/client/classic-client.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { PostgresStore } from '../../src/store/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { pgBaseUrl, PG_SKIP_REASON } from '../../harness/postgres.js';
import { freshPostgresUrl } from '../support/databases.js';
import { startTestServer, tempDir } from '../support/server.js';

const dir = tempDir();
after(() => dir.remove());

let clock = 1000;
const SCRIPT: string[] = [
  '<create><account id="1" balance="10000"/><account id="2" balance="0"/><symbol sym="X"><account id="2">500</account></symbol></create>',
  '<transactions id="2"><order sym="X" amount="-100" limit="10"/><order sym="X" amount="-100" limit="11"/></transactions>',
  '<transactions id="1"><order sym="X" amount="150" limit="12"/></transactions>',
  '<transactions id="2"><order sym="X" amount="-50" limit="20"/><cancel id="4"/></transactions>',
  '<transactions id="1"><order sym="X" amount="50" limit="11"/></transactions>',
  // Orders 1, 2, 3, 4 and 5 are closed now; 6 does not exist yet.
  '<transactions id="1"><query id="1"/><query id="2"/><query id="3"/><query id="4"/><query id="5"/><query id="6"/></transactions>',
  '<transactions id="2"><cancel id="1"/><cancel id="4"/><cancel id="3"/><query id="3"/></transactions>',
  '<transactions id="1"><cancel id="3"/><cancel id="5"/><cancel id="99"/></transactions>',
];

async function run(store: Store, historyCache: number): Promise<string[]> {
  clock = 1000;
  const server = await startTestServer({ store, historyCache, clock: () => clock++ });
  try {
    const replies: string[] = [];
    for (const xml of SCRIPT) replies.push(await classicRequest(server.port, xml));
    if (historyCache === 0)
      assert.equal(server.engine.closedInMemory, 0, 'closed orders left memory');
    return replies;
  } finally {
    await server.stop();
  }
}

describe('history beyond the cache is answered from the store', () => {
  const kinds: [string, () => Promise<Store>, string | false][] = [
    ['memory', async () => new MemoryStore(), false],
    ['sqlite', async () => new SqliteStore(join(dir.path, `evict-${Math.random()}.db`)), false],
    [
      'postgres',
      async () => {
        const dbUrl = await freshPostgresUrl();
        return new PostgresStore(dbUrl);
      },
      pgBaseUrl() === null ? PG_SKIP_REASON : false,
    ],
  ];
  for (const [name, makeStore, skip] of kinds) {
    test(
      `${name} store: the same replies with a cache of 0 as with everything in memory`,
      { skip },
      async () => {
        const kept = await run(await makeStore(), 1_000_000);
        const evicted = await run(await makeStore(), 0);
        assert.deepEqual(evicted, kept);
        // The script does reach closed orders in every way it can.
        assert.match(kept[5]!, /<status id="3">\n {4}<executed shares="100" price="10"/);
        assert.match(
          kept[6]!,
          /<error id="1">Order has no open shares to cancel: it is fully executed<\/error>/,
        );
        assert.match(kept[6]!, /<error id="3">Order belongs to another account<\/error>/);
        assert.match(
          kept[6]!,
          /<error id="4">Order has no open shares to cancel: it was already canceled<\/error>/,
        );
        assert.match(
          kept[7]!,
          /<error id="3">Order has no open shares to cancel: it is fully executed<\/error>/,
        );
        assert.match(kept[7]!, /<error id="99">Order does not exist<\/error>/);
      },
    );
  }
});
