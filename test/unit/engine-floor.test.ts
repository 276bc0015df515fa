// The engine's floor (bench/engine-floor.ts) is only a floor if it does the engine's matching:
// on the same recorded flow it must make the same executions and leave the same resting
// orders, whatever its money.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSubject } from '../../bench/engine-floor.js';

test('the floor matches the recorded flow as the engine does, with bigint, pair and number money', () => {
  const engine = runSubject('engine', 20_000, 1);
  assert.ok(engine.executions > 1_000, `executions: ${engine.executions}`);
  assert.ok(engine.resting > 100, `resting: ${engine.resting}`);
  for (const money of ['bigint', 'pair', 'number'] as const) {
    const floor = runSubject(money, 20_000, 1);
    assert.deepEqual(
      { executions: floor.executions, resting: floor.resting },
      { executions: engine.executions, resting: engine.resting },
      money,
    );
  }
});
