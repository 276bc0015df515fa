// The engine's floor (bench/engine-floor.ts) is only a floor if it does the engine's matching:
// on the same recorded flow it must make as many executions, leave as many resting orders and
// end with the same cash and positions in every account, whatever its money; with funds that
// run short as well, so that refusing what an account cannot pay is compared too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRecorded } from '../../bench/engine-floor.js';
import { recordMixedFlow } from '../../bench/engine.js';

for (const [name, funds] of [
  ['ample funds', undefined],
  ['funds that run short', { balance: '30000', shares: '150' }],
] as const) {
  test(`the floor matches as the engine does, with each money (${name})`, () => {
    const recorded = recordMixedFlow(20_000, 7, [], funds);
    const engine = runRecorded('engine', recorded, 1);
    assert.ok(engine.executions > 1_000, `executions: ${engine.executions}`);
    assert.ok(engine.resting > 100, `resting: ${engine.resting}`);
    for (const money of ['bigint', 'pair', 'number'] as const) {
      const floor = runRecorded(money, recorded, 1);
      assert.deepEqual(
        { executions: floor.executions, resting: floor.resting, balances: floor.balances },
        { executions: engine.executions, resting: engine.resting, balances: engine.balances },
        money,
      );
    }
  });
}
