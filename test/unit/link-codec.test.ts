// The gateway link's codec on its own: every request child and result kind, with and
// without the extensions' fields, survives encode → JSON text → decode unchanged (absent
// optional fields stay absent, not undefined), and a plain limit order costs no more bytes.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { OrderStatus, PlaceOrder, Request, Result } from '../../src/engine/commands.js';
import { exchangeError } from '../../src/engine/errors.js';
import {
  decodeRequest,
  decodeResult,
  encodeRequest,
  encodeResult,
} from '../../src/gateway/codec.js';

const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const requestRoundTrip = (r: Request) => decodeRequest(viaJson(encodeRequest(r)));
const resultRoundTrip = (r: Result) => decodeResult(viaJson(encodeResult(r)));

const PLAIN: PlaceOrder = {
  kind: 'order',
  sym: 'SPY',
  amount: 10_000_000_000n,
  limit: 12_500_000_000n,
  amountUnits: 10_000_000_000,
  limitUnits: 12_500_000_000,
  type: 'limit',
  tif: 'GTC',
  stop: null,
  stp: null,
  echo: [
    ['sym', 'SPY'],
    ['amount', '100'],
    ['limit', '125'],
  ],
};

const ORDERS: PlaceOrder[] = [
  PLAIN,
  { ...PLAIN, tif: 'IOC' },
  { ...PLAIN, tif: 'FOK', stp: 'cancel-both' },
  {
    ...PLAIN,
    amount: -5n,
    amountUnits: -5,
    limit: null,
    limitUnits: NaN,
    type: 'market',
    tif: 'IOC',
    stp: 'cancel-resting',
  },
  { ...PLAIN, stop: 12_800_000_000n },
  { ...PLAIN, stop: 1n, tif: 'IOC', stp: 'cancel-incoming' },
];

const FILL = { shares: 100n, price: 12_500_000_000n, time: 1_700_000_000 };
const STATUSES: OrderStatus[] = [
  { open: 0n, canceled: null, fills: [] },
  { open: 5n, canceled: { shares: 3n, time: 7 }, fills: [FILL, { ...FILL, shares: 1n }] },
  {
    open: 0n,
    canceled: null,
    fills: [
      { ...FILL, fee: 125n },
      { ...FILL, fee: 0n },
    ],
  },
  // An order whose fills straddle a restart that turned fees on: some have one, some not.
  { open: 0n, canceled: null, fills: [FILL, { ...FILL, fee: 9n }] },
  { open: 100n, canceled: null, fills: [], stop: 12_800_000_000n },
  {
    open: 40n,
    canceled: null,
    fills: [{ ...FILL, fee: 1n }],
    amendments: [
      { open: 60n, limit: 12_500_000_000n, time: 1 },
      { open: 40n, limit: 12_650_000_000n, time: 2 },
    ],
  },
  { open: 0n, canceled: { shares: 40n, time: 3 }, fills: [], amendments: [] },
];

describe('link codec', () => {
  test('every transaction child, each order term and amend shape', () => {
    const request: Request = {
      kind: 'transactions',
      account: '1001',
      children: [
        ...ORDERS,
        { kind: 'amend', orderId: 7, amount: 40n, limit: null, echo: [['id', '7']] },
        { kind: 'amend', orderId: 8, amount: null, limit: 1n, echo: [['id', '8']] },
        {
          kind: 'amend',
          orderId: 9,
          amount: 1n,
          limit: 2n,
          echo: [
            ['id', '9'],
            ['amount', '1'],
            ['limit', '2'],
          ],
        },
        { kind: 'query', orderId: 3, echo: [['id', '3']] },
        { kind: 'cancel', orderId: 4, echo: [['id', '4']] },
        { kind: 'invalid', echo: [['id', 'x']], error: exchangeError('INVALID_TIF', 'tif="ioc"') },
      ],
    };
    assert.deepEqual(requestRoundTrip(request), request);
  });

  test('every create child', () => {
    const request: Request = {
      kind: 'create',
      children: [
        { kind: 'account', id: '1', balance: 10n ** 20n },
        { kind: 'symbol', sym: 'SPY' },
        { kind: 'grant', sym: 'SPY', id: '1', shares: 5n },
        { kind: 'invalid', echo: [], error: exchangeError('MISSING_ATTRIBUTE', 'id') },
      ],
    };
    assert.deepEqual(requestRoundTrip(request), request);
  });

  test('every result kind, with fees, stops and amendments in statuses', () => {
    const echo = [['id', '7']] as const;
    const results: Result[] = [
      { kind: 'created', id: '1' },
      { kind: 'granted', sym: 'SPY', id: '1' },
      { kind: 'opened', echo: PLAIN.echo, orderId: 7 },
      ...STATUSES.map((status): Result => ({ kind: 'status', echo, status })),
      ...STATUSES.map((status): Result => ({ kind: 'canceled', echo, status })),
      { kind: 'amended', echo, open: 40n, limit: 12_650_000_000n },
      { kind: 'error', echo, error: exchangeError('AMEND_UP') },
      ...(['query', 'cancel', 'amend'] as const).map((op): Result => ({
        kind: 'archived',
        op,
        orderId: 7,
        account: '1001',
        echo,
      })),
    ];
    for (const result of results) assert.deepEqual(resultRoundTrip(result), result);
  });

  test('a plain limit order and a plain status are encoded as before the extensions', () => {
    assert.deepEqual(encodeRequest({ kind: 'transactions', account: '1', children: [PLAIN] }), [
      't',
      '1',
      [['o', 'SPY', '10000000000', '12500000000', ['sym', 'SPY', 'amount', '100', 'limit', '125']]],
    ]);
    assert.deepEqual(encodeResult({ kind: 'status', echo: [], status: STATUSES[1]! }), [
      's',
      [],
      ['5', ['3', 7], ['100', '12500000000', 1_700_000_000, '1', '12500000000', 1_700_000_000]],
    ]);
  });
});
