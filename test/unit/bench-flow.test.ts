// The engine benchmark (bench/engine.ts) keeps the mixed flow compact and builds each batch's
// requests just before applying it. It must still be the same flow: the same requests, to
// the same engine state, as the flow recorded as request objects (recordMixedFlow), which
// the other benchmarks and the engine's floor run.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyFlow,
  deepBookRequests,
  recordFlow,
  recordMixedFlow,
  timeFlow,
} from '../../bench/engine.js';
import { Exchange } from '../../src/engine/exchange.js';
import { dumpState } from '../support/engine-state.js';

const COMMANDS = 5_000;

for (const depth of [0, 2_000]) {
  const book = depth === 0 ? '' : `, after a book of ${depth} resting orders`;

  test(`the compact flow builds the requests of the recorded one${book}`, () => {
    const before = depth === 0 ? null : () => deepBookRequests(depth);
    const compact = recordFlow(COMMANDS, before);
    const recorded = recordMixedFlow(COMMANDS, 7, before === null ? [] : [...before()]);
    assert.equal(compact.flow.length, COMMANDS);
    assert.equal(compact.orders, recorded.orders);
    assert.deepEqual(compact.setup, recorded.setup);
    for (let i = 0; i < COMMANDS; i++) {
      assert.deepEqual(compact.flow.request(i), recorded.requests[i], `request ${i}`);
    }
    const kinds = new Set(
      recorded.requests.map((r) => r.kind === 'transactions' && r.children[0]!.kind),
    );
    assert.deepEqual([...kinds].sort(), ['cancel', 'order', 'query']);
  });
}

test('timing the compact flow applies all of it, as applyFlow applies the recorded one', async () => {
  const compact = recordFlow(COMMANDS);
  const recorded = recordMixedFlow(COMMANDS);
  const timed = new Exchange();
  timed.apply(compact.setup, 0);
  const seconds = await timeFlow(timed, compact.flow);
  assert.ok(seconds > 0 && Number.isFinite(seconds), `seconds: ${seconds}`);
  const applied = new Exchange();
  applied.apply(recorded.setup, 0);
  applyFlow(applied, recorded.requests);
  assert.deepEqual(dumpState(timed), dumpState(applied));
  assert.ok(timed.restingOrderCount > 100, `resting: ${timed.restingOrderCount}`);
});
