// The change-set codec between the engine's thread and a store's: any ChangeSet survives
// pack → structured clone (what postMessage does) → unpack unchanged, row for row and in
// order; a plain order's row comes back without terms, not with undefined ones. The column
// engine's change sets travel as their columns, and read back as the rows they hold.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AdaptiveExchange } from '../../src/engine/adaptive-exchange.js';
import { bigChangeSet } from '../../src/engine/big-rows.js';
import { ColumnarChangeSet } from '../../src/engine/change-columns.js';
import {
  emptyChangeSet,
  isEmptyChangeSet,
  type ChangeSet,
  type OrderRow,
} from '../../src/engine/changes.js';
import type { Request } from '../../src/engine/commands.js';
import { packChangeSet, unpackChangeSet } from '../../src/store/change-set-codec.js';
import { recordMixedFlow } from '../../bench/engine.js';

const roundTrip = (c: ChangeSet): ChangeSet => unpackChangeSet(structuredClone(packChangeSet(c)));

const id = fc.integer({ min: 1, max: 2 ** 40 });
const time = fc.integer({ min: 0, max: 2 ** 33 });
const text = fc.string({ minLength: 1, maxLength: 12 });
const amount = fc.bigInt({ min: 0n, max: 10n ** 40n });
const signed = fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n });
// Rows are plain objects: fast-check's records may otherwise have no prototype.
const record = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }) =>
  fc.record(model, { noNullPrototype: true });
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });

const plainOrder = record({
  id,
  account: text,
  sym: text,
  isBuy: fc.boolean(),
  shares: amount,
  limit: amount,
  open: amount,
  time,
  triggeredAt: maybe(time),
  priority: fc.nat(),
});
const orderWithTerms = fc
  .tuple(
    plainOrder,
    record({
      type: fc.constantFrom('limit' as const, 'market' as const),
      tif: fc.constantFrom('GTC' as const, 'IOC' as const, 'FOK' as const),
      stop: maybe(amount),
      stp: maybe(
        fc.constantFrom('cancel-resting', 'cancel-incoming', 'cancel-both') as fc.Arbitrary<
          NonNullable<OrderRow['stp']>
        >,
      ),
      makerFee: signed,
      takerFee: signed,
    }),
  )
  .map(([row, terms]): OrderRow => ({ ...row, ...terms }));

const changeSet: fc.Arbitrary<ChangeSet> = record({
  accounts: fc.array(record({ id: text, cash: signed, deposited: amount })),
  symbols: fc.array(record({ sym: text, granted: amount, seq: fc.nat() })),
  positions: fc.array(record({ account: text, sym: text, shares: amount })),
  newOrders: fc.array(fc.oneof(plainOrder, orderWithTerms)),
  orderUpdates: fc.array(record({ id, open: amount })),
  orderReshapes: fc.array(
    record({ id, open: amount, limit: amount, triggeredAt: maybe(time), priority: fc.nat() }),
  ),
  executions: fc.array(
    record({
      sym: text,
      buyOrderId: id,
      sellOrderId: id,
      shares: amount,
      price: amount,
      time,
      buyFee: maybe(signed),
      sellFee: maybe(signed),
    }),
  ),
  cancels: fc.array(record({ orderId: id, shares: amount, time })),
  amendments: fc.array(record({ orderId: id, open: amount, limit: amount, time })),
});

test('any change set survives pack, structured clone and unpack unchanged', () => {
  fc.assert(
    fc.property(changeSet, (c) => {
      assert.deepStrictEqual(roundTrip(c), c);
    }),
    { numRuns: 500 },
  );
});

test("a plain order's row comes back with no terms fields at all", () => {
  const plain: OrderRow = {
    id: 7,
    account: '1',
    sym: 'SPY',
    isBuy: true,
    shares: 100n,
    limit: 12_500n,
    open: 100n,
    time: 1,
    triggeredAt: null,
    priority: 3,
  };
  const [row] = roundTrip({ ...emptyChangeSet(), newOrders: [plain] }).newOrders;
  assert.deepStrictEqual(Object.keys(row!).sort(), Object.keys(plain).sort());
});

/** The mixed flow with some orders made IOC or self-trade-preventing: rows with terms. */
function flowWithTerms(count: number): { setup: Request; requests: Request[] } {
  const { setup, requests } = recordMixedFlow(count, 11);
  return {
    setup,
    requests: requests.map((r, i) => {
      if (r.kind !== 'transactions') return r;
      const children = r.children.map((c) => {
        if (c.kind !== 'order' || c.type !== 'limit') return c;
        if (i % 10 === 3) return { ...c, tif: 'IOC' as const };
        if (i % 13 === 5) return { ...c, stp: 'cancel-resting' as const };
        return c;
      });
      return { ...r, children };
    }),
  };
}

test("the column engine's change sets travel as columns and read back as the same rows", () => {
  const { setup, requests } = flowWithTerms(4_000);
  const engine = AdaptiveExchange.create();
  engine.apply(setup, 0);
  let batches = 0;
  let withTerms = 0;
  for (let i = 0; i < requests.length; i += 40) {
    for (const request of requests.slice(i, i + 40)) engine.apply(request, 1 + i);
    const changes = engine.takeChanges();
    engine.takeEvents();
    assert.ok(changes instanceof ColumnarChangeSet, 'the column engine served the batch');
    const packed = packChangeSet(changes);
    assert.ok(ArrayBuffer.isView(packed[1]), 'sent as columns, not packed rows');
    const received = unpackChangeSet(structuredClone(packed));
    assert.equal(isEmptyChangeSet(received), isEmptyChangeSet(changes));
    assert.deepStrictEqual(bigChangeSet(received), bigChangeSet(changes));
    withTerms += changes.newOrders.filter((o) => o.type !== undefined).length;
    batches++;
  }
  assert.equal(batches, 100);
  assert.ok(withTerms > 0, 'some orders had terms');
});

test('a batch of reads is an empty change set, known without making rows', () => {
  const { setup } = recordMixedFlow(1);
  const engine = AdaptiveExchange.create();
  engine.apply(setup, 0);
  assert.equal(isEmptyChangeSet(engine.takeChanges()), false);
  const changes = engine.takeChanges();
  assert.equal(changes.isEmpty, true);
  assert.equal(isEmptyChangeSet(changes), true);
  assert.deepStrictEqual(bigChangeSet(changes), emptyChangeSet());
});
