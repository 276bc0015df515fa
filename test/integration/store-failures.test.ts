// How the exchange answers when its store fails in each of the ways that say something about
// what was written: a commit refused (not executed: an error reply), a commit whose outcome
// was lost with the connection (no reply at all: "done" and "not done" would both be
// guesses), a fenced commit (another engine leads: the process must stop), and a reconnect
// that finds another engine leading (this one is deposed and must stop serving).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classicRequest } from '../../tools/client/classic-client.js';
import type { ChangeSet, Snapshot } from '../../src/engine/changes.js';
import { encodeRequestError } from '../../src/protocol/encode.js';
import { exchangeError } from '../../src/engine/errors.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { commitFailure } from '../../src/store/postgres-writer.js';
import { CommitOutcomeUnknown, Fenced, NotLeader } from '../../src/errors/failures.js';
import type { StoreFailure } from '../../src/errors/failures.js';
import { silentLogger } from '../../src/app/log.js';
import { startGateway } from '../../src/gateway/gateway.js';
import { startTestServer } from '../support/server.js';

/** A memory store that fails its next commit, or its loads, as told; it can reset. */
class FailingStore extends MemoryStore {
  nextCommit: Error | null = null;
  loads: Error | null = null;
  lookups: Error | null = null;
  resets = 0;

  override async loadOrder(id: number): ReturnType<MemoryStore['loadOrder']> {
    if (this.lookups !== null) throw this.lookups;
    return super.loadOrder(id);
  }

  override async commit(changes: ChangeSet): Promise<void> {
    const failure = this.nextCommit;
    this.nextCommit = null;
    if (failure !== null) throw failure;
    return super.commit(changes);
  }

  override async load(): Promise<Snapshot> {
    if (this.loads !== null) throw this.loads;
    return super.load();
  }

  async reset(): Promise<void> {
    this.resets++;
  }
}

const CREATE =
  '<create><account id="1" balance="1000"/><symbol sym="X"><account id="1">10</account></symbol></create>';
const ORDER = '<transactions id="1"><order sym="X" amount="-1" limit="5"/></transactions>';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function untilServing(port: number): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const reply = await classicRequest(port, ORDER);
    if (reply.includes('<opened')) return reply;
    await sleep(20);
  }
  throw new Error('the server did not serve again');
}

test('a refused commit is answered "not executed"; one whose outcome was lost gets no reply', async () => {
  const store = new FailingStore();
  const server = await startTestServer({ store });
  try {
    await classicRequest(server.port, CREATE);
    store.nextCommit = new Error('the server answered with an error');
    assert.equal(
      await classicRequest(server.port, ORDER),
      encodeRequestError(exchangeError('STORE_UNAVAILABLE')),
    );
    assert.match(
      await untilServing(server.port),
      /<opened sym="X" amount="-1" limit="5" id="1"\/>/,
    );

    store.nextCommit = new CommitOutcomeUnknown('the connection was lost during the commit');
    assert.equal(await classicRequest(server.port, ORDER), '', 'closed without a reply');
    // The engine reloads what the store holds: the lost commit is not there, so id 2 is free.
    assert.match(await untilServing(server.port), /id="2"\/>/);
    assert.equal(store.resets, 2);
  } finally {
    await server.stop();
  }
});

test('a failed read of an archived order refuses that child alone: the batch it came with is durable and answered', async () => {
  const store = new FailingStore();
  // Closed orders leave memory at once, so a query of one is read from the store.
  const server = await startTestServer({ store, historyCache: 0 });
  try {
    await classicRequest(server.port, CREATE);
    await classicRequest(server.port, ORDER);
    await classicRequest(server.port, '<transactions id="1"><cancel id="1"/></transactions>');
    store.lookups = new Error('the reader connection was lost');
    const reply = await classicRequest(
      server.port,
      '<transactions id="1"><order sym="X" amount="-1" limit="5"/><query id="1"/></transactions>',
    );
    assert.match(reply, /<opened sym="X" amount="-1" limit="5" id="2"\/>/);
    assert.match(reply, /<error id="1">The store of record is unavailable/);
    assert.equal(store.resets, 0, 'a read failure is no store failure');
    store.lookups = null;
    assert.match(
      await classicRequest(server.port, '<transactions id="1"><query id="2"/></transactions>'),
      /<status id="2">\s*<open shares="1"\/>/,
    );
  } finally {
    await server.stop();
  }
});

test('a fenced commit stops the engine: it is told not to recover, and nothing is answered as done', async () => {
  const store = new FailingStore();
  const failures: StoreFailure[] = [];
  const server = await startTestServer({ store, onStoreFailure: (f) => failures.push(f) });
  try {
    await classicRequest(server.port, CREATE);
    store.nextCommit = new Fenced('fenced: epoch 1 no longer leads this exchange');
    assert.equal(
      await classicRequest(server.port, ORDER),
      encodeRequestError(exchangeError('STORE_UNAVAILABLE')),
    );
    assert.equal(failures.length, 1);
    assert.ok(failures[0]!.cause instanceof Fenced);
    await sleep(100);
    assert.equal(store.resets, 0, 'a fenced engine does not reconnect');
  } finally {
    await server.stop();
  }
});

test('a reconnect that finds another engine leading deposes this one', async () => {
  const store = new FailingStore();
  const server = await startTestServer({ store });
  try {
    await classicRequest(server.port, CREATE);
    store.loads = new NotLeader('another exchange server is using the store');
    store.nextCommit = new Error('connection lost');
    let deposed = false;
    void server.deposed.then(() => (deposed = true));
    await classicRequest(server.port, ORDER);
    await sleep(50);
    assert.ok(deposed);
    // Deposed, it refuses everything as not executed until it is stopped.
    assert.equal(
      await classicRequest(server.port, ORDER),
      encodeRequestError(exchangeError('STORE_UNAVAILABLE')),
    );
  } finally {
    await server.stop();
  }
});

test('a PostgreSQL commit failure: an ERROR rolled back, an unsent query wrote nothing, anything else is unknown', () => {
  const rolledBack = Object.assign(new Error('fenced'), { severity: 'ERROR', code: 'EXF01' });
  assert.equal(commitFailure(rolledBack), rolledBack);
  const unsent = new Error('Client has encountered a connection error and is not queryable');
  assert.equal(commitFailure(unsent), unsent);
  // A server shutting down may cancel a synchronous commit's wait after committing locally.
  const shutdown = Object.assign(new Error('terminating connection due to administrator command'), {
    severity: 'FATAL',
    code: '57P01',
  });
  assert.ok(commitFailure(shutdown) instanceof CommitOutcomeUnknown);
  assert.ok(
    commitFailure(new Error('Connection terminated unexpectedly')) instanceof CommitOutcomeUnknown,
  );
});

test('an engine whose store has failed for a lease stops answering pings: its gateways leave it', async () => {
  const store = new FailingStore();
  const engine = await startTestServer({
    store,
    port: null,
    framedPort: null,
    link: { host: '127.0.0.1', port: 0 },
  });
  const gateway = await startGateway({
    log: silentLogger,
    host: '127.0.0.1',
    port: 0,
    framedPort: null,
    engines: [{ host: '127.0.0.1', port: engine.linkPort! }],
  });
  try {
    await classicRequest(gateway.port!, CREATE);
    // The store goes away and stays away: recovery keeps failing.
    store.loads = new Error('the database is unreachable');
    store.nextCommit = new Error('connection lost');
    await classicRequest(gateway.port!, ORDER);
    await sleep(1_000);
    assert.ok(gateway.link.connected, 'within the lease the engine still answers');
    let left = false;
    for (let i = 0; i < 80 && !left; i++) {
      await sleep(100);
      left = !gateway.link.connected;
    }
    assert.ok(left, 'the gateway dropped the silent engine');
    await gateway.stop();
    await engine.stop();
    // Stopped, it gives the unreachable store up instead of retrying it for ever.
    const resets = store.resets;
    await sleep(500);
    assert.equal(store.resets, resets);
  } finally {
    await gateway.stop();
    await engine.stop();
  }
});
