// The JSON API, the WebSocket feed and /metrics over real HTTP and WebSocket, against the
// real server on ephemeral loopback ports, with orders placed through the XML protocol too.

import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { classicRequest } from '../../tools/client/classic-client.js';
import type {
  AccountView,
  BookView,
  OrderView,
  ServerMessage,
  StatsView,
  SymbolsView,
  TradesView,
} from '../../src/http/api-types.js';
import { API_ROUTES } from '../../src/http/api-routes.js';
import { ERROR_STATUS } from '../../src/http/http-errors.js';
import { startTestServer, tempDir } from '../support/server.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { ChangeSet } from '../../src/engine/changes.js';
import { join } from 'node:path';

const NOW = 1_700_000_000;
type Server = Awaited<ReturnType<typeof startTestServer>>;

async function startWithHttp(extra: Parameters<typeof startTestServer>[0] = {}) {
  const server = await startTestServer({
    clock: () => NOW,
    http: { host: '127.0.0.1', port: 0 },
    ...extra,
  });
  const base = `http://127.0.0.1:${server.httpPort}`;
  return { server, base };
}

/** What the tests read of the OpenAPI document. */
interface OpenApiDocument {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, OpenApiOperation>>;
}
interface OpenApiOperation {
  readonly responses: Record<string, { readonly content?: Record<string, { schema: Json }> }>;
}

// Replies are checked field by field against what each test expects.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

async function call(
  base: string,
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const { json, ...rest } = init;
  const response = await fetch(base + path, {
    ...rest,
    ...(json === undefined
      ? {}
      : {
          body: JSON.stringify(json),
          headers: { 'content-type': 'application/json', ...rest.headers },
        }),
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    body: type.startsWith('application/json') ? JSON.parse(text) : text,
    headers: response.headers,
  };
}

/** Everything the server sends back to `text` written as is, until it closes. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.on('data', (d) => (reply += d.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve(reply));
    socket.end(text);
  });
}

const SETUP =
  '<create><account id="1" balance="100000"/><account id="2" balance="5000"/>' +
  '<symbol sym="SPY"><account id="1">1000</account></symbol><symbol sym="QQQ"><account id="2">5</account></symbol></create>';

describe('JSON API', () => {
  let server: Server;
  let base: string;
  before(async () => {
    ({ server, base } = await startWithHttp());
    await classicRequest(server.port, SETUP);
    // Two sells at 10.5 (100 + 50) and one at 11 (30), resting.
    await classicRequest(
      server.port,
      '<transactions id="1"><order sym="SPY" amount="-100" limit="10.5"/>' +
        '<order sym="SPY" amount="-50" limit="10.5"/><order sym="SPY" amount="-30" limit="11"/></transactions>',
    );
  });
  after(() => server.stop());

  test('symbols and the aggregated book, prices and shares as exact decimal strings', async () => {
    const symbols = (await call(base, '/api/symbols')).body as SymbolsView;
    assert.deepEqual(
      symbols.symbols.map((s) => [s.symbol, s.bestBid, s.bestAsk, s.openOrders]),
      [
        ['QQQ', null, null, 0],
        ['SPY', null, '10.5', 3],
      ],
    );
    const book = (await call(base, '/api/symbols/SPY/book?depth=1')).body as BookView;
    assert.deepEqual(book, {
      symbol: 'SPY',
      bids: [],
      asks: [{ price: '10.5', shares: '150', orders: 2 }],
      bidLevels: 0,
      askLevels: 2,
      // The book's three events so far: the three orders that rested.
      seq: 3,
    });
  });

  test('an order through the API matches at the resting price and settles both accounts', async () => {
    const placed = await call(base, '/api/accounts/2/orders', {
      method: 'POST',
      json: { symbol: 'SPY', amount: '120', limit: '11' },
    });
    assert.equal(placed.status, 201);
    const order = placed.body as OrderView;
    assert.equal(order.status, 'executed');
    assert.equal(order.side, 'buy');
    assert.deepEqual(order.fills, [
      { shares: '100', price: '10.5', time: NOW },
      { shares: '20', price: '10.5', time: NOW },
    ]);
    const buyer = (await call(base, '/api/accounts/2')).body as AccountView;
    // 5000 − 120 × 10.5 = 3740: paid at the resting price, the rest of the reserve returned.
    assert.equal(buyer.balance, '3740');
    assert.equal(buyer.reservedCash, '0');
    assert.deepEqual(buyer.positions, [
      { symbol: 'QQQ', shares: '5', reservedShares: '0' },
      { symbol: 'SPY', shares: '120', reservedShares: '0' },
    ]);
    const seller = (await call(base, '/api/accounts/1')).body as AccountView;
    assert.equal(seller.balance, '101260');
    assert.deepEqual(seller.positions, [{ symbol: 'SPY', shares: '820', reservedShares: '60' }]);
    assert.deepEqual(
      seller.openOrders.map((o) => [o.id, o.open, o.status]),
      [
        [2, '30', 'open'],
        [3, '30', 'open'],
      ],
    );
    const trades = (await call(base, '/api/symbols/SPY/trades?limit=1')).body as TradesView;
    assert.deepEqual(trades.trades, [
      { symbol: 'SPY', price: '10.5', shares: '20', time: NOW, buyOrderId: 4, sellOrderId: 2 },
    ]);
    assert.deepEqual(server.engine.audit().problems, []);
  });

  test('the same rules and errors as the XML protocol, with HTTP statuses', async () => {
    const place = (account: string, json: unknown) =>
      call(base, `/api/accounts/${account}/orders`, { method: 'POST', json });
    const cases: [string, unknown, number, string][] = [
      ['2', { symbol: 'SPY', amount: '1000', limit: '100' }, 409, 'INSUFFICIENT_FUNDS'],
      ['2', { symbol: 'QQQ', amount: '-6', limit: '1' }, 409, 'INSUFFICIENT_SHARES'],
      ['2', { symbol: 'SPY', amount: '1e3', limit: '1' }, 400, 'INVALID_NUMBER'],
      ['2', { symbol: 'SPY', amount: '0', limit: '1' }, 400, 'ZERO_AMOUNT'],
      ['2', { symbol: 'SPY', amount: '1', limit: '0.000000001' }, 400, 'TOO_MANY_DECIMALS'],
      ['2', { symbol: 'SPY', amount: 1, limit: '1' }, 400, 'INVALID_JSON'],
      ['2', { symbol: 'SPY', limit: '1' }, 400, 'MISSING_ATTRIBUTE'],
      ['2', { symbol: 'NOPE', amount: '1', limit: '1' }, 404, 'SYMBOL_NOT_FOUND'],
      ['9', { symbol: 'SPY', amount: '1', limit: '1' }, 404, 'ACCOUNT_NOT_FOUND'],
      ['x', { symbol: 'SPY', amount: '1', limit: '1' }, 400, 'INVALID_ACCOUNT_ID'],
    ];
    for (const [account, json, status, code] of cases) {
      const reply = await place(account, json);
      assert.equal(reply.status, status, JSON.stringify(json));
      assert.equal(reply.body.error.code, code, JSON.stringify(json));
      assert.equal(typeof reply.body.error.message, 'string');
    }
    const notJson = await call(base, '/api/accounts/2/orders', {
      method: 'POST',
      body: '{',
      headers: { 'content-type': 'application/json' },
    });
    assert.deepEqual([notJson.status, notJson.body.error.code], [400, 'INVALID_JSON']);
    const text = await call(base, '/api/accounts/2/orders', { method: 'POST', body: 'x' });
    assert.deepEqual([text.status, text.body.error.code], [415, 'UNSUPPORTED_MEDIA_TYPE']);
    assert.equal((await call(base, '/api/accounts/77')).status, 404);
    assert.equal((await call(base, '/api/orders/777')).body.error.code, 'ORDER_NOT_FOUND');
    assert.equal((await call(base, '/api/orders/abc')).body.error.code, 'INVALID_ORDER_ID');
    assert.equal((await call(base, '/api/symbols/NOPE/book')).status, 404);
    assert.equal(
      (await call(base, '/api/symbols/SPY/book?depth=0')).body.error.code,
      'INVALID_QUERY',
    );
    assert.equal((await call(base, '/api/nothing')).body.error.code, 'NOT_FOUND');
    const wrongMethod = await call(base, '/api/symbols', { method: 'DELETE' });
    assert.deepEqual([wrongMethod.status, wrongMethod.headers.get('allow')], [405, 'GET']);
    assert.deepEqual(server.engine.audit().problems, []);
  });

  test('DELETE cancels for the owner and returns the reserve; a second cancel is refused', async () => {
    const canceled = await call(base, '/api/orders/3', { method: 'DELETE' });
    assert.equal(canceled.status, 200);
    assert.equal(canceled.body.status, 'canceled');
    assert.deepEqual(canceled.body.canceled, { shares: '30', time: NOW });
    const again = await call(base, '/api/orders/3', { method: 'DELETE' });
    assert.deepEqual([again.status, again.body.error.code], [409, 'ORDER_NOT_OPEN']);
    const seller = (await call(base, '/api/accounts/1')).body as AccountView;
    assert.deepEqual(seller.positions, [{ symbol: 'SPY', shares: '850', reservedShares: '30' }]);
    // The XML protocol sees the same order the same way.
    const xml = await classicRequest(
      server.port,
      '<transactions id="1"><query id="3"/></transactions>',
    );
    assert.match(xml, /<canceled shares="30" time="1700000000"\/>/);
  });

  test('stats, metrics and the OpenAPI description', async () => {
    // Stats are sampled once a second: wait for a sample taken after the cancel above.
    let stats = (await call(base, '/api/stats')).body as StatsView;
    for (let i = 0; i < 30 && stats.openOrders !== 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      stats = (await call(base, '/api/stats')).body as StatsView;
    }
    assert.ok(stats.requests.total >= 3);
    assert.equal(stats.accounts, 2);
    assert.equal(stats.symbols, 2);
    assert.equal(stats.openOrders, 1);
    const metrics = await call(base, '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /exchange_requests_total\{kind="order",outcome="ok"\} 3/);
    assert.match(metrics.body, /exchange_requests_total\{kind="account",outcome="ok"\} 2/);
    assert.match(metrics.body, /exchange_request_duration_seconds_count\{listener="classic"\} \d+/);
    assert.match(metrics.body, /exchange_commit_duration_seconds_count \d+/);
    assert.match(metrics.body, /exchange_open_orders 1/);
    assert.match(
      metrics.body,
      /exchange_http_requests_total\{route="place-order",status="201"\} 1/,
    );
    const spec = (await call(base, '/api/openapi.json')).body as OpenApiDocument;
    assert.equal(spec.openapi.slice(0, 2), '3.');
    // Every route the server has is described, and nothing else.
    const described = Object.entries(spec.paths).flatMap(([path, ops]) =>
      Object.keys(ops as object)
        .filter((m) => ['get', 'post', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${path.replace(/\{[^}]+\}/g, 'x')}`),
    );
    const served = API_ROUTES.map((r) => `${r.method} ${r.url.replace(/:[^/]+/g, 'x')}`);
    assert.deepEqual(described.sort(), served.sort());
  });
});

describe('the extensions through the JSON API: order terms and PATCH', () => {
  let server: Server;
  let base: string;
  before(async () => {
    ({ server, base } = await startWithHttp());
    await classicRequest(
      server.port,
      '<create><account id="1" balance="100000"/><account id="2" balance="5000"/>' +
        '<account id="3" balance="55"/><symbol sym="SPY"><account id="1">1000</account></symbol>' +
        '<symbol sym="QQQ"><account id="1">1000</account></symbol></create>',
    );
    // The asks every test below starts from: 100 at 10 (order 1) and 50 at 11 (order 2).
    await classicRequest(
      server.port,
      '<transactions id="1"><order sym="SPY" amount="-100" limit="10"/>' +
        '<order sym="SPY" amount="-50" limit="11"/></transactions>',
    );
  });
  after(() => server.stop());

  const place = (account: string, json: Record<string, string>) =>
    call(base, `/api/accounts/${account}/orders`, { method: 'POST', json });
  const amend = (id: number | string, json: Record<string, string>) =>
    call(base, `/api/orders/${id}`, { method: 'PATCH', json });
  const account = async (id: string) =>
    (await call(base, `/api/accounts/${id}`)).body as AccountView;
  const book = async (sym = 'SPY') =>
    (await call(base, `/api/symbols/${sym}/book`)).body as BookView;
  const level = (l: { price: string; shares: string }) => [l.price, l.shares];

  test('IOC executes what crosses and rests nothing; the rest is canceled and refunded', async () => {
    const placed = await place('2', { symbol: 'SPY', amount: '150', limit: '10.5', tif: 'IOC' });
    assert.equal(placed.status, 201);
    const order = placed.body as OrderView;
    assert.deepEqual(
      [order.type, order.tif, order.limit, order.stop, order.stp, order.status, order.open],
      ['limit', 'IOC', '10.5', null, null, 'canceled', '0'],
    );
    assert.deepEqual(order.fills, [{ shares: '100', price: '10', time: NOW }]);
    assert.deepEqual(order.canceled, { shares: '50', time: NOW });
    assert.deepEqual(order.amendments, []);
    assert.deepEqual((await book()).bids, []);
    const buyer = await account('2');
    assert.deepEqual([buyer.balance, buyer.reservedCash, buyer.openOrders], ['4000', '0', []]);
  });

  test('FOK executes all or nothing: too little in the book, nothing executes', async () => {
    const order = (await place('2', { symbol: 'SPY', amount: '60', limit: '11', tif: 'FOK' }))
      .body as OrderView;
    assert.deepEqual([order.tif, order.status, order.fills], ['FOK', 'canceled', []]);
    assert.deepEqual(order.canceled, { shares: '60', time: NOW });
    assert.deepEqual((await book()).asks.map(level), [['11', '50']]);
    assert.equal((await account('2')).balance, '4000');
  });

  test('a market buy takes no limit and stops where the cash runs out', async () => {
    const placed = await place('3', { symbol: 'SPY', amount: '100', type: 'market' });
    assert.equal(placed.status, 201);
    const order = placed.body as OrderView;
    // 55 of cash buys 5 shares at 11; the other 95 are canceled.
    assert.deepEqual(
      [order.type, order.tif, order.limit, order.status, order.open],
      ['market', 'IOC', null, 'canceled', '0'],
    );
    assert.deepEqual(order.fills, [{ shares: '5', price: '11', time: NOW }]);
    assert.deepEqual(order.canceled, { shares: '95', time: NOW });
    const buyer = await account('3');
    assert.deepEqual(
      [buyer.balance, buyer.positions.map((p) => [p.symbol, p.shares])],
      ['0', [['SPY', '5']]],
    );
    assert.deepEqual((await book()).asks.map(level), [['11', '45']]);
    const broke = await place('3', { symbol: 'SPY', amount: '1', type: 'market' });
    assert.deepEqual([broke.status, broke.body.error.code], [409, 'INSUFFICIENT_FUNDS']);
  });

  test('a stop-limit order waits outside the book until a trade reaches its stop', async () => {
    const placed = await place('2', { symbol: 'SPY', amount: '10', limit: '12', stop: '11' });
    const stop = placed.body as OrderView;
    assert.deepEqual(
      [stop.status, stop.open, stop.limit, stop.stop],
      ['open', '10', '12', { price: '11', waiting: true }],
    );
    assert.deepEqual((await book()).bids, [], 'not in the book while it waits');
    const early = await amend(stop.id, { amount: '5' });
    assert.deepEqual([early.status, early.body.error.code], [409, 'STOP_WAITING']);
    // A trade at 11 triggers it; it enters as a buy of 10 at 12 and takes 10 more at 11.
    await place('1', { symbol: 'SPY', amount: '1', limit: '11' });
    const triggered = (await call(base, `/api/orders/${stop.id}`)).body as OrderView;
    assert.deepEqual(
      [triggered.status, triggered.open, triggered.stop],
      ['executed', '0', { price: '11', waiting: false }],
    );
    assert.deepEqual(triggered.fills, [{ shares: '10', price: '11', time: NOW }]);
    assert.deepEqual(server.engine.audit().problems, []);
  });

  test('self-trade prevention: cancel-incoming spares the resting order, cancel-resting cancels it', async () => {
    const [ask] = (await account('1')).openOrders;
    assert.ok(ask !== undefined);
    try {
      const incoming = (
        await place('1', {
          symbol: 'SPY',
          amount: '5',
          limit: '11',
          stp: 'cancel-incoming',
        })
      ).body as OrderView;
      assert.deepEqual(
        [incoming.stp, incoming.status, incoming.fills, incoming.canceled],
        ['cancel-incoming', 'canceled', [], { shares: '5', time: NOW }],
      );
      assert.equal(((await call(base, `/api/orders/${ask.id}`)).body as OrderView).open, ask.open);
      const resting = (
        await place('1', {
          symbol: 'SPY',
          amount: '5',
          limit: '11',
          stp: 'cancel-resting',
        })
      ).body as OrderView;
      assert.deepEqual([resting.status, resting.open, resting.fills], ['open', '5', []]);
      const canceled = (await call(base, `/api/orders/${ask.id}`)).body as OrderView;
      assert.deepEqual([canceled.status, canceled.canceled?.shares], ['canceled', ask.open]);
      assert.deepEqual((await book()).asks, []);
    } finally {
      // Whatever happened, the tests after this one start from an empty SPY book.
      for (const o of (await account('1')).openOrders) {
        await call(base, `/api/orders/${o.id}`, { method: 'DELETE' });
      }
    }
  });

  test('PATCH: a smaller amount keeps the place in the queue, a new limit loses it', async () => {
    const first = (await place('1', { symbol: 'QQQ', amount: '-10', limit: '20' }))
      .body as OrderView;
    const second = (await place('1', { symbol: 'QQQ', amount: '-10', limit: '20' }))
      .body as OrderView;
    const down = await amend(first.id, { amount: '4' });
    assert.equal(down.status, 200);
    assert.deepEqual(
      [down.body.open, down.body.limit, down.body.amendments],
      ['4', '20', [{ open: '4', limit: '20', time: NOW }]],
    );
    assert.deepEqual((await book('QQQ')).asks.map(level), [['20', '14']]);
    // Still first at 20: a buy of 4 takes the amended order, not the later one.
    await place('2', { symbol: 'QQQ', amount: '4', limit: '20' });
    assert.equal(
      ((await call(base, `/api/orders/${first.id}`)).body as OrderView).status,
      'executed',
    );
    assert.equal(((await call(base, `/api/orders/${second.id}`)).body as OrderView).open, '10');

    const moved = (await amend(second.id, { limit: '21' })).body as OrderView;
    assert.deepEqual([moved.open, moved.limit, moved.status], ['10', '21', 'open']);
    assert.deepEqual((await book('QQQ')).asks.map(level), [['21', '10']]);

    // A buy's reservation follows its limit down: the difference comes back at once.
    const bid = (await place('2', { symbol: 'QQQ', amount: '10', limit: '5' })).body as OrderView;
    const before = await account('2');
    await amend(bid.id, { amount: '6', limit: '4' });
    const after = await account('2');
    assert.equal(Number(after.balance) - Number(before.balance), 50 - 24);
    assert.equal(after.reservedCash, '24');
    assert.deepEqual(server.engine.audit().problems, []);
  });

  test('PATCH refusals: up, nothing open, nothing asked, bad numbers, unknown order', async () => {
    const open = (await place('1', { symbol: 'QQQ', amount: '-3', limit: '30' })).body as OrderView;
    const cases: [number | string, Record<string, string>, number, string][] = [
      [open.id, { amount: '4' }, 409, 'AMEND_UP'],
      [open.id, {}, 400, 'MISSING_ATTRIBUTE'],
      [open.id, { amount: '0' }, 400, 'NON_POSITIVE_AMEND'],
      [open.id, { amount: '-1' }, 400, 'NON_POSITIVE_AMEND'],
      [open.id, { limit: '0' }, 400, 'NON_POSITIVE_LIMIT'],
      [open.id, { amount: '1e2' }, 400, 'INVALID_NUMBER'],
      [open.id, { limit: '1.000000001' }, 400, 'TOO_MANY_DECIMALS'],
      [1, { amount: '1' }, 409, 'NOTHING_TO_AMEND'],
      [9999, { amount: '1' }, 404, 'ORDER_NOT_FOUND'],
      ['x', { amount: '1' }, 400, 'INVALID_ORDER_ID'],
    ];
    for (const [id, json, status, code] of cases) {
      const reply = await amend(id, json);
      assert.deepEqual(
        [reply.status, reply.body.error?.code],
        [status, code],
        JSON.stringify(json),
      );
    }
    const number = await call(base, `/api/orders/${open.id}`, {
      method: 'PATCH',
      body: '{"amount":1}',
      headers: { 'content-type': 'application/json' },
    });
    assert.deepEqual([number.status, number.body.error.code], [400, 'INVALID_JSON']);
    const unchanged = (await call(base, `/api/orders/${open.id}`)).body as OrderView;
    assert.deepEqual([unchanged.open, unchanged.amendments], ['3', []]);
  });

  test('order terms are checked by the engine’s rules, with its codes and wording', async () => {
    const cases: [Record<string, string>, number, string][] = [
      [{ symbol: 'SPY', amount: '1', limit: '1', tif: 'ioc' }, 400, 'INVALID_TIF'],
      [{ symbol: 'QQQ', amount: '1', limit: '1', type: 'stop' }, 400, 'INVALID_ORDER_TYPE'],
      [{ symbol: 'QQQ', amount: '1', limit: '1', stp: 'cancel' }, 400, 'INVALID_STP'],
      [{ symbol: 'QQQ', amount: '1', limit: '1', stop: '0' }, 400, 'NON_POSITIVE_STOP'],
      [{ symbol: 'QQQ', amount: '1', limit: '1', stop: 'x' }, 400, 'INVALID_NUMBER'],
      [{ symbol: 'QQQ', amount: '1', limit: '1', type: 'market' }, 400, 'MARKET_WITH_LIMIT'],
      [{ symbol: 'QQQ', amount: '1', type: 'market', tif: 'GTC' }, 400, 'UNSUPPORTED_COMBINATION'],
      [{ symbol: 'QQQ', amount: '1', type: 'market', stop: '2' }, 400, 'UNSUPPORTED_COMBINATION'],
      [{ symbol: 'QQQ', amount: '1' }, 400, 'MISSING_ATTRIBUTE'],
    ];
    for (const [json, status, code] of cases) {
      const reply = await place('2', json);
      assert.deepEqual(
        [reply.status, reply.body.error?.code],
        [status, code],
        JSON.stringify(json),
      );
    }
    // The wording is the XML protocol's own.
    const json = await place('2', { symbol: 'QQQ', amount: '1', limit: '1', tif: 'ioc' });
    const xml = await classicRequest(
      server.port,
      '<transactions id="2"><order sym="SPY" amount="1" limit="1" tif="ioc"/></transactions>',
    );
    assert.ok(xml.includes(`>${json.body.error.message}</error>`), xml);
  });
});

test('with fees on, each fill shows the fee its order paid, and a buy reserves its taker fee', async () => {
  const { server, base } = await startWithHttp({
    // 0.1% maker, 0.2% taker, credited to account 9.
    fees: { maker: 100_000n, taker: 200_000n, account: '9' },
  });
  after(() => server.stop());
  await classicRequest(server.port, SETUP);
  await classicRequest(
    server.port,
    '<transactions id="1"><order sym="SPY" amount="-100" limit="10"/></transactions>',
  );
  const buy = await call(base, '/api/accounts/2/orders', {
    method: 'POST',
    json: { symbol: 'SPY', amount: '40', limit: '10' },
  });
  // 40 × 10 = 400 traded: the incoming buyer pays 0.2% (0.8), the resting seller 0.1% (0.4).
  assert.deepEqual(buy.body.fills, [{ shares: '40', price: '10', time: NOW, fee: '0.8' }]);
  const sell = (await call(base, '/api/orders/1')).body as OrderView;
  assert.deepEqual(sell.fills, [{ shares: '40', price: '10', time: NOW, fee: '0.4' }]);
  await call(base, '/api/accounts/2/orders', {
    method: 'POST',
    json: { symbol: 'SPY', amount: '10', limit: '9' },
  });
  const buyer = (await call(base, '/api/accounts/2')).body as AccountView;
  // 5000 − 400.8 paid − 90.18 reserved (10 × 9 and its 0.2%).
  assert.deepEqual([buyer.balance, buyer.reservedCash], ['4509.02', '90.18']);
  assert.equal(((await call(base, '/api/accounts/9')).body as AccountView).balance, '1.2');
  assert.deepEqual(server.engine.audit().problems, []);
});

test('requests that cannot be parsed are refused; the engine’s process stays up', async () => {
  const { server, base } = await startWithHttp();
  after(() => server.stop());
  const raw = (text: string): Promise<string> => rawRequest(server.httpPort!, text);
  assert.match(await raw('GET http://[ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'), /^HTTP\/1.1 400/);
  assert.match(await raw('GARBAGE\r\n\r\n'), /^HTTP\/1.1 400/);
  // Bound to loopback, it answers only requests addressed to loopback (DNS rebinding).
  assert.match(
    await raw(
      'GET /api/symbols HTTP/1.1\r\nHost: attacker.example:8080\r\nConnection: close\r\n\r\n',
    ),
    /^HTTP\/1.1 403[^]*HOST_NOT_ALLOWED/,
  );
  assert.match(
    await raw(
      'GET /elsewhere HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    ),
    /^HTTP\/1.1 404/,
  );
  const big = await call(base, '/api/accounts/1/orders', {
    method: 'POST',
    json: { symbol: 'X'.repeat(20_000), amount: '1', limit: '1' },
  });
  assert.deepEqual([big.status, big.body.error.code], [413, 'BODY_TOO_LARGE']);
  // A body streamed without a length is cut at the limit too, and the 413 still arrives.
  const chunked = await raw(
    'POST /api/accounts/1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n' +
      `4e20\r\n${'x'.repeat(20_000)}\r\n0\r\n\r\n`,
  );
  assert.match(chunked, /^HTTP\/1.1 413[^]*BODY_TOO_LARGE/);
  assert.equal((await call(base, '/api/symbols')).status, 200);
});

test('an HTTP side bound beyond loopback without a token is refused at start', async () => {
  await assert.rejects(
    startWithHttp({ http: { host: '0.0.0.0', port: 0 } }),
    /not loopback: set --api-token/,
  );
});

describe('bearer token', () => {
  let server: Server;
  let base: string;
  before(async () => {
    ({ server, base } = await startWithHttp({
      http: { host: '127.0.0.1', port: 0, apiToken: 's3cret' },
    }));
    await classicRequest(server.port, SETUP);
  });
  after(() => server.stop());

  test('account and order endpoints need it; market data does not', async () => {
    const missing = await call(base, '/api/accounts/1');
    assert.deepEqual([missing.status, missing.body.error.code], [401, 'UNAUTHORIZED']);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
    const wrong = await call(base, '/api/accounts/1', {
      headers: { authorization: 'Bearer s3cre' },
    });
    assert.equal(wrong.status, 401);
    const placed = await call(base, '/api/accounts/1/orders', {
      method: 'POST',
      json: { symbol: 'SPY', amount: '-1', limit: '2' },
    });
    assert.equal(placed.status, 401);
    assert.equal(server.engine.orderCount, 0, 'refused before reaching the engine');
    const right = await call(base, '/api/accounts/1', {
      headers: { authorization: 'Bearer s3cret' },
    });
    assert.equal(right.status, 200);
    assert.equal((await call(base, '/api/symbols/SPY/book')).status, 200);
    assert.equal((await call(base, '/api/stats')).status, 200);
  });
});

test('an order the engine evicted is answered from the store, the same as in memory', async () => {
  const { server, base } = await startWithHttp({ historyCache: 0 });
  after(() => server.stop());
  await classicRequest(server.port, SETUP);
  const xml = '<transactions id="1"><order sym="SPY" amount="-5" limit="2"/></transactions>';
  await classicRequest(server.port, xml);
  const inMemory = (await call(base, '/api/orders/1')).body as OrderView;
  await call(base, '/api/accounts/2/orders', {
    method: 'POST',
    json: { symbol: 'SPY', amount: '5', limit: '2' },
  });
  assert.equal(server.engine.order(1), undefined, 'evicted once closed and durable');
  const archived = (await call(base, '/api/orders/1')).body as OrderView;
  assert.deepEqual(archived, {
    ...inMemory,
    open: '0',
    status: 'executed',
    fills: [{ shares: '5', price: '2', time: NOW }],
  });
  const cancel = await call(base, '/api/orders/1', { method: 'DELETE' });
  assert.deepEqual([cancel.status, cancel.body.error.code], [409, 'ORDER_NOT_OPEN']);
  const amend = await call(base, '/api/orders/1', { method: 'PATCH', json: { amount: '1' } });
  assert.deepEqual([amend.status, amend.body.error.code], [409, 'NOTHING_TO_AMEND']);

  // The extensions' fields come back from the store too: terms, amends.
  const ask = (
    await call(base, '/api/accounts/1/orders', {
      method: 'POST',
      json: { symbol: 'SPY', amount: '-5', limit: '3', stp: 'cancel-both' },
    })
  ).body as OrderView;
  const amended = (
    await call(base, `/api/orders/${ask.id}`, { method: 'PATCH', json: { amount: '3' } })
  ).body as OrderView;
  await call(base, '/api/accounts/2/orders', {
    method: 'POST',
    json: { symbol: 'SPY', amount: '3', limit: '3', tif: 'IOC' },
  });
  assert.equal(server.engine.order(ask.id), undefined);
  assert.deepEqual((await call(base, `/api/orders/${ask.id}`)).body, {
    ...amended,
    open: '0',
    status: 'executed',
    fills: [{ shares: '3', price: '3', time: NOW }],
  });
});

test('the trades tape survives a restart: it starts from the store', async () => {
  const dir = tempDir();
  after(() => dir.remove());
  const path = join(dir.path, 'tape.db');
  const first = await startWithHttp({ store: new SqliteStore(path) });
  await classicRequest(first.server.port, SETUP);
  await classicRequest(
    first.server.port,
    '<transactions id="1"><order sym="SPY" amount="-5" limit="2"/><order sym="SPY" amount="-5" limit="3"/></transactions>',
  );
  await classicRequest(
    first.server.port,
    '<transactions id="2"><order sym="SPY" amount="10" limit="3"/></transactions>',
  );
  const before = (await call(first.base, '/api/symbols/SPY/trades')).body as TradesView;
  assert.equal(before.trades.length, 2);
  await first.server.stop();
  const again = await startWithHttp({ store: new SqliteStore(path) });
  after(() => again.server.stop());
  assert.deepEqual((await call(again.base, '/api/symbols/SPY/trades')).body, before);
  const symbols = (await call(again.base, '/api/symbols')).body as SymbolsView;
  assert.equal(symbols.symbols.find((s) => s.symbol === 'SPY')?.lastPrice, '3');
});

test('a stop answers the API order that is waiting for its commit', async () => {
  // A store that takes its time: the order is applied, then waits to be durable.
  class SlowStore extends MemoryStore {
    override async commit(changes: ChangeSet): Promise<void> {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return super.commit(changes);
    }
  }
  const { server, base } = await startWithHttp({ store: new SlowStore() });
  await classicRequest(server.port, SETUP);
  const placed = call(base, '/api/accounts/1/orders', {
    method: 'POST',
    json: { symbol: 'SPY', amount: '-1', limit: '2' },
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  await server.stop();
  const reply = await placed;
  assert.equal(reply.status, 201);
  assert.equal(reply.body.status, 'open');
});

/** A WebSocket client that keeps every message, and can wait for one that matches. */
async function feedClient(base: string) {
  const ws = new WebSocket(base.replace('http', 'ws') + '/ws');
  const messages: ServerMessage[] = [];
  const waiters: { match: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] =
    [];
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as ServerMessage;
    messages.push(message);
    for (const w of [...waiters]) {
      if (w.match(message)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(message);
      }
    }
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const next = <T extends ServerMessage>(
    match: (m: ServerMessage) => boolean,
    timeoutMs = 5000,
  ): Promise<T> => {
    const seen = messages.find(match);
    if (seen !== undefined) {
      messages.splice(messages.indexOf(seen), 1);
      return Promise.resolve(seen as T);
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no such message in time')), timeoutMs);
      waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          messages.splice(messages.indexOf(m), 1);
          resolve(m as T);
        },
      });
    });
  };
  return { ws, next, send: (m: unknown) => ws.send(JSON.stringify(m)) };
}

describe('WebSocket feed', () => {
  let server: Server;
  let base: string;
  before(async () => {
    ({ server, base } = await startWithHttp());
    await classicRequest(server.port, SETUP);
  });
  after(() => server.stop());

  test('a symbol subscription gets the book now, then book updates and trades as they happen', async () => {
    const client = await feedClient(base);
    client.send({ op: 'subscribe', symbol: 'SPY' });
    await client.next((m) => m.type === 'subscribed' && m.symbol === 'SPY');
    const first = await client.next<Extract<ServerMessage, { type: 'book' }>>(
      (m) => m.type === 'book',
    );
    assert.deepEqual([first.bids, first.asks], [[], []]);
    await classicRequest(
      server.port,
      '<transactions id="1"><order sym="SPY" amount="-10" limit="7.25"/></transactions>',
    );
    const rested = await client.next<Extract<ServerMessage, { type: 'book' }>>(
      (m) => m.type === 'book' && m.asks.length === 1,
    );
    assert.deepEqual(rested.asks, [{ price: '7.25', shares: '10', orders: 1 }]);
    await classicRequest(
      server.port,
      '<transactions id="2"><order sym="SPY" amount="4" limit="8"/></transactions>',
    );
    const trades = await client.next<Extract<ServerMessage, { type: 'trades' }>>(
      (m) => m.type === 'trades' && m.trades.length > 0,
    );
    assert.deepEqual(
      trades.trades.map((t) => [t.price, t.shares]),
      [['7.25', '4']],
    );
    assert.equal(trades.dropped, 0);
    const after4 = await client.next<Extract<ServerMessage, { type: 'book' }>>(
      (m) => m.type === 'book' && m.asks[0]?.shares === '6',
    );
    assert.equal(after4.asks[0]!.orders, 1);
    client.ws.close();
  });

  test('a late subscriber gets the recent trades once, then only newer ones', async () => {
    await classicRequest(
      server.port,
      '<create><symbol sym="QQQ"><account id="1">10</account></symbol></create>',
    );
    const sell = '<transactions id="1"><order sym="QQQ" amount="-2" limit="5"/></transactions>';
    const buy = '<transactions id="2"><order sym="QQQ" amount="1" limit="5"/></transactions>';
    await classicRequest(server.port, sell);
    await classicRequest(server.port, buy);
    const client = await feedClient(base);
    client.send({ op: 'subscribe', symbol: 'QQQ' });
    const first = await client.next<Extract<ServerMessage, { type: 'trades' }>>(
      (m) => m.type === 'trades',
    );
    assert.equal(first.trades.length, 1);
    await classicRequest(server.port, buy);
    const next = await client.next<Extract<ServerMessage, { type: 'trades' }>>(
      (m) => m.type === 'trades',
    );
    assert.equal(next.trades.length, 1, 'the trade of the first message is not repeated');
    assert.notEqual(next.trades[0]!.buyOrderId, first.trades[0]!.buyOrderId);
    client.ws.close();
  });

  test('a client that keeps asking without reading the answers is disconnected', async () => {
    // A deep book makes every answer to a subscribe large (two depth-50 sides).
    const sells = Array.from(
      { length: 50 },
      (_, i) => `<order sym="DEEP" amount="-1" limit="${100 + i}"/>`,
    ).join('');
    await classicRequest(
      server.port,
      '<create><symbol sym="DEEP"><account id="1">100</account></symbol></create>',
    );
    await classicRequest(server.port, `<transactions id="1">${sells}</transactions>`);
    const ws = new WebSocket(base.replace('http', 'ws') + '/ws');
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    ws.on('error', () => {});
    // Stop reading: what the server sends piles up in the kernel, then in its own queue.
    (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    for (let i = 0; i < 4000 && ws.readyState === ws.OPEN; i++) {
      ws.send(JSON.stringify({ op: 'subscribe', symbol: 'DEEP' }));
      ws.send(JSON.stringify({ op: 'unsubscribe', symbol: 'DEEP' }));
      if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    (ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await Promise.race([
      closed,
      new Promise((_, reject) => setTimeout(() => reject(new Error('not disconnected')), 15_000)),
    ]);
    assert.equal((await call(base, '/api/symbols')).status, 200, 'the server goes on');
  });

  test('the stats channel, and clear errors for bad messages', async () => {
    const client = await feedClient(base);
    client.send({ op: 'subscribe', channel: 'stats' });
    const stats = await client.next<Extract<ServerMessage, { type: 'stats' }>>(
      (m) => m.type === 'stats',
    );
    assert.ok(stats.symbols >= 2, 'sampled once a second: at least the symbols of the setup');
    client.ws.send('not json');
    assert.equal((await client.next((m) => m.type === 'error')).type, 'error');
    client.send({ op: 'subscribe', symbol: 'NOPE' });
    const unknown = await client.next<Extract<ServerMessage, { type: 'error' }>>(
      (m) => m.type === 'error',
    );
    assert.equal(unknown.code, 'SYMBOL_NOT_FOUND');
    client.send({ op: 'subscribe' });
    const invalid = await client.next<Extract<ServerMessage, { type: 'error' }>>(
      (m) => m.type === 'error',
    );
    assert.equal(invalid.code, 'INVALID_MESSAGE');
    client.ws.close();
  });
});

describe('the contract: fastify’s refusals in our codes, and the OpenAPI document derived', () => {
  let server: Server;
  let base: string;
  let spec: OpenApiDocument;
  before(async () => {
    ({ server, base } = await startWithHttp({
      http: { host: '127.0.0.1', port: 0, apiToken: 's3cret' },
    }));
    await classicRequest(server.port, SETUP);
    spec = (await call(base, '/api/openapi.json')).body as OpenApiDocument;
  });
  after(() => server.stop());

  const auth = { authorization: 'Bearer s3cret' };
  const post = (path: string, body: string, type = 'application/json') =>
    call(base, path, { method: 'POST', body, headers: { ...auth, 'content-type': type } });

  /** Each refusal: the operation it is documented under, what was sent, what must come back. */
  const refusals: [string, () => ReturnType<typeof call>, number, string][] = [
    [
      'post /api/accounts/{accountId}/orders',
      () => post('/api/accounts/2/orders', '[]'),
      400,
      'INVALID_JSON',
    ],
    [
      'post /api/accounts/{accountId}/orders',
      () => post('/api/accounts/2/orders', 'null'),
      400,
      'INVALID_JSON',
    ],
    [
      'post /api/accounts/{accountId}/orders',
      () => post('/api/accounts/2/orders', ''),
      400,
      'INVALID_JSON',
    ],
    [
      'post /api/accounts/{accountId}/orders',
      () => post('/api/accounts/2/orders', '{"symbol":"SPY","amount":"1","limit":null}'),
      400,
      'INVALID_JSON',
    ],
    [
      'post /api/accounts/{accountId}/orders',
      () => post('/api/accounts/2/orders', '{}'),
      400,
      'MISSING_ATTRIBUTE',
    ],
    [
      'post /api/accounts/{accountId}/orders',
      () => post('/api/accounts/2/orders', '{}', 'text/plain'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'post /api/accounts/{accountId}/orders',
      () => post('/api/accounts/2/orders', `"${'x'.repeat(17_000)}"`),
      413,
      'BODY_TOO_LARGE',
    ],
    [
      'post /api/accounts/{accountId}/orders',
      () => post('/api/accounts/2x/orders', '{}'),
      400,
      'INVALID_ACCOUNT_ID',
    ],
    [
      'post /api/accounts/{accountId}/orders',
      () => call(base, '/api/accounts/2/orders', { method: 'POST', json: {} }),
      401,
      'UNAUTHORIZED',
    ],
    [
      'get /api/accounts/{accountId}',
      () => call(base, '/api/accounts/-1', { headers: auth }),
      400,
      'INVALID_ACCOUNT_ID',
    ],
    [
      'get /api/accounts/{accountId}',
      () => call(base, '/api/accounts/3', { headers: auth }),
      404,
      'ACCOUNT_NOT_FOUND',
    ],
    [
      'get /api/orders/{orderId}',
      () => call(base, '/api/orders/1.5', { headers: auth }),
      400,
      'INVALID_ORDER_ID',
    ],
    [
      'get /api/orders/{orderId}',
      () => call(base, '/api/orders/99999999999999999999', { headers: auth }),
      404,
      'ORDER_NOT_FOUND',
    ],
    [
      'delete /api/orders/{orderId}',
      () => call(base, '/api/orders/x', { method: 'DELETE', headers: auth }),
      400,
      'INVALID_ORDER_ID',
    ],
    [
      'patch /api/orders/{orderId}',
      () => call(base, '/api/orders/x', { method: 'PATCH', headers: auth, json: {} }),
      400,
      'INVALID_ORDER_ID',
    ],
    [
      'patch /api/orders/{orderId}',
      () =>
        call(base, '/api/orders/1', {
          method: 'PATCH',
          body: '[]',
          headers: { ...auth, 'content-type': 'application/json' },
        }),
      400,
      'INVALID_JSON',
    ],
    [
      'patch /api/orders/{orderId}',
      () => call(base, '/api/orders/1', { method: 'PATCH', json: { amount: '1' } }),
      401,
      'UNAUTHORIZED',
    ],
    [
      'get /api/symbols/{symbol}/book',
      () => call(base, '/api/symbols/SPY/book?depth=%205'),
      400,
      'INVALID_QUERY',
    ],
    [
      'get /api/symbols/{symbol}/book',
      () => call(base, '/api/symbols/SPY/book?depth=1e2'),
      400,
      'INVALID_QUERY',
    ],
    [
      'get /api/symbols/{symbol}/book',
      () => call(base, '/api/symbols/SPY/book?depth=1001'),
      400,
      'INVALID_QUERY',
    ],
    [
      'get /api/symbols/{symbol}/book',
      () => call(base, '/api/symbols/S-P/book'),
      404,
      'SYMBOL_NOT_FOUND',
    ],
    [
      'get /api/symbols/{symbol}/trades',
      () => call(base, '/api/symbols/SPY/trades?limit=0'),
      400,
      'INVALID_QUERY',
    ],
  ];

  test('schema and parser failures get the codes the hand-written checks gave, in our shape', async () => {
    for (const [, send, status, code] of refusals) {
      const reply = await send();
      assert.deepEqual([reply.status, reply.body.error?.code], [status, code], code);
      assert.deepEqual(Object.keys(reply.body), ['error']);
      assert.equal(typeof reply.body.error.message, 'string');
      assert.equal(reply.headers.get('cache-control'), 'no-store');
    }
    const missing = await post('/api/accounts/2/orders', '{"symbol":"SPY"}');
    assert.equal(missing.body.error.message, 'Missing attribute: amount');
    const number = await post('/api/accounts/2/orders', '{"symbol":"SPY","amount":1,"limit":"1"}');
    assert.match(number.body.error.message, /amount must be a string/);
    // Outside the API's routes too: HEAD of the API, a bad URL encoding, a plain GET of /ws.
    const head = await fetch(`${base}/api/symbols`, { method: 'HEAD' });
    assert.deepEqual([head.status, head.headers.get('allow')], [405, 'GET']);
    const badUrl = await call(base, '/api/symbols/%E0%A4%A/book');
    assert.deepEqual([badUrl.status, badUrl.body.error.code], [400, 'BAD_REQUEST']);
    const plainWs = await call(base, '/ws');
    assert.deepEqual([plainWs.status, plainWs.body.error.code], [404, 'NOT_FOUND']);
    const upgrade = (path: string, host: string) =>
      rawRequest(
        server.httpPort!,
        `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
    assert.match(await upgrade('/api/symbols', '127.0.0.1'), /^HTTP\/1.1 404[^]*NOT_FOUND/);
    assert.match(await upgrade('/ws', 'attacker.example'), /^HTTP\/1.1 403[^]*HOST_NOT_ALLOWED/);
    assert.equal(server.engine.orderCount, 0, 'nothing refused reached the engine');
  });

  test('the OpenAPI document lists each of those refusals under its operation and status', async () => {
    for (const [operation, , status, code] of refusals) {
      const [method, path] = operation.split(' ') as [string, string];
      const response = spec.paths[path]?.[method]?.responses[String(status)];
      const codes =
        response?.content?.['application/json']?.schema.properties.error.properties.code.enum;
      assert.ok(codes?.includes(code), `${operation} ${status} lists ${code}`);
    }
  });

  test('every code of the error table is in the document, with its status', () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      assert.match(
        (spec as unknown as { info: { description: string } }).info.description,
        new RegExp(`- ${status}: [^\n]*\`${code}\``),
        code,
      );
    }
    // The private routes say so, and only they answer 401.
    for (const route of API_ROUTES) {
      const operation =
        spec.paths[route.url.replace(/:([^/]+)/g, '{$1}')]![route.method.toLowerCase()]!;
      assert.equal('401' in operation.responses, route.private, `${route.method} ${route.url}`);
    }
  });
});

test("/metrics tells a durable store's writing apart from the wait for it", async (t) => {
  const dir = tempDir();
  t.after(() => dir.remove());
  const { server, base } = await startWithHttp({
    store: new SqliteStore(join(dir.path, 'metrics.db')),
  });
  t.after(() => server.stop());
  for (let i = 0; i < 3; i++) {
    const reply = await classicRequest(
      server.port,
      `<create><account id="${900 + i}" balance="10"/></create>`,
    );
    assert.match(reply, new RegExp(`<created id="${900 + i}"/>`));
  }
  const body = (await call(base, '/metrics')).body as string;
  const value = (name: string): number =>
    Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(body)?.[1] ?? NaN);
  // Each request one batch, each batch written in one group or with others.
  const groups = value('exchange_store_write_seconds_count');
  assert.ok(groups >= 1 && groups <= 3, `${groups} groups`);
  assert.equal(value('exchange_store_write_batches_sum'), 3);
  assert.equal(value('exchange_commit_duration_seconds_count'), 3);
  // Writing is part of what a batch waits for, from its hand-off to durable.
  assert.ok(value('exchange_store_write_seconds_sum') > 0);
  assert.ok(
    value('exchange_store_write_seconds_sum') <= value('exchange_commit_duration_seconds_sum'),
  );
});
