// The engine's floor (bench/engine-floor.ts) is only a floor if it does the engine's matching:
// on the same recorded flow it must make as many executions, leave as many resting orders and
// end with the same cash and positions in every account, whatever its money; with funds that
// run short as well, so that refusing what an account cannot pay is compared too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRecorded } from '../../bench/engine-floor.js';
import { recordMixedFlow } from '../../bench/engine.js';
import { DutiesFloor, dutiesFlow } from '../../bench/floor-duties.js';
import { Exchange } from '../../src/engine/exchange.js';
import { DEFAULT_HISTORY_CACHE } from '../../src/sequencer/sequencer.js';

/** Requests a batch, as the sequencer and the benchmarks close them. */
const BATCH = 100;

for (const [name, funds] of [
  ['ample funds', undefined],
  ['funds that run short', { balance: '30000', shares: '150' }],
] as const) {
  test(`the floor matches as the engine does, with each money (${name})`, () => {
    const recorded = recordMixedFlow(20_000, 7, [], funds);
    const engine = runRecorded('engine', recorded, 1);
    assert.ok(engine.executions > 1_000, `executions: ${engine.executions}`);
    assert.ok(engine.resting > 100, `resting: ${engine.resting}`);
    for (const money of ['bigint', 'pair', 'number', 'duties'] as const) {
      const floor = runRecorded(money, recorded, 1);
      assert.deepEqual(
        { executions: floor.executions, resting: floor.resting, balances: floor.balances },
        { executions: engine.executions, resting: engine.resting, balances: engine.balances },
        money,
      );
    }
  });
}

for (const [name, funds] of [
  ['ample funds', undefined],
  ['funds that run short', { balance: '30000', shares: '150' }],
] as const) {
  test(`the floor with the engine's duties gives the engine's results and rows (${name})`, () => {
    const { setup, requests } = recordMixedFlow(20_000, 7, [], funds);
    const engine = new Exchange();
    engine.apply(setup, 0);
    engine.takeChanges();
    const floor = new DutiesFloor(dutiesFlow(setup, requests));
    const kinds = new Map<string, number>();
    for (let i = 0; i < requests.length; i += BATCH) {
      const end = Math.min(i + BATCH, requests.length);
      for (let j = i; j < end; j++) {
        // A time of its own for each request, so that every time a row or fill holds is checked.
        const now = 1_700_000_000 + j;
        const expected = engine.apply(requests[j]!, now);
        assert.deepEqual(floor.apply(j, now), expected, `request ${j}`);
        const kind = expected[0]!.kind;
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }
      // The engine's batches count from its setup's; the floor was set up without one.
      const batch = engine.currentBatch;
      const floorBatch = floor.currentBatch;
      assert.deepEqual(floor.takeChanges(), engine.takeChanges(), `batch ${batch}`);
      engine.evictClosed(batch, DEFAULT_HISTORY_CACHE);
      floor.evictClosed(floorBatch, DEFAULT_HISTORY_CACHE);
      // What no result or row shows: the books' levels and each account's resting orders.
      for (const book of engine.symbolBooks()) {
        for (const [side, bids] of [
          [book.bids, true],
          [book.asks, false],
        ] as const) {
          const levels = side.levels().map((l) => ({ price: l.price, open: l.openShares }));
          assert.deepEqual(floor.levels(book.sym, bids), levels, `${book.sym} in batch ${batch}`);
        }
      }
      for (const account of engine.accounts.values()) {
        const ids = [...account.restingOrders()].map((o) => o.id);
        assert.deepEqual(floor.restingOrders(account.id), ids, `${account.id} in batch ${batch}`);
      }
    }
    // Every kind of answer the flow can get was compared.
    for (const kind of ['opened', 'status', 'canceled', 'error', 'archived']) {
      assert.ok((kinds.get(kind) ?? 0) > 0, `${kind}: ${kinds.get(kind)}`);
    }
  });
}
