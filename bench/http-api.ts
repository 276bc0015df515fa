// `npm run bench:http -- --before PATH`: requests/s of the JSON API on two builds of the
// exchange side by side, BEFORE (another checkout's bin/exchange, e.g. a git worktree of an
// older commit) and AFTER (this one's). Each run starts both on an in-memory store (the
// commit costs nothing, so what is measured is the HTTP side and the engine's reads), fills
// the same book over the XML protocol, then drives each route with autocannon for a few
// seconds on one and then the other, the order alternating between runs. Figures are medians
// over runs and medians of the per-run ratios AFTER / BEFORE (the VM's speed swings between
// runs far more than within one). Writes bench/report/http-api.md and http-api.json.

import { cpus, release, totalmem } from 'node:os';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { classicRequest } from '../tools/client/classic-client.js';
import { ROOT, spawnServer, type BenchServer } from './processes.js';
import { toMarkdown, type Block } from './report-document.js';
import { median } from './stats.js';

const { values: opts } = parseArgs({
  options: {
    before: { type: 'string', default: process.env.HTTP_BEFORE },
    after: { type: 'string', default: join(ROOT, 'bin/exchange') },
    'before-label': { type: 'string', default: 'before' },
    'after-label': { type: 'string', default: 'after' },
    runs: { type: 'string', default: process.env.BENCH_RUNS ?? '5' },
    seconds: { type: 'string', default: process.env.BENCH_SECONDS ?? '5' },
    connections: { type: 'string', default: '10' },
    out: { type: 'string', default: join(ROOT, 'bench/report') },
    /** Re-renders http-api.md from an earlier run's http-api.json, measuring nothing. */
    from: { type: 'string' },
  },
});
const RUNS = Number(opts.runs);
const SECONDS = Number(opts.seconds);
const CONNECTIONS = Number(opts.connections);
const TOKEN = 'bench-token';
/** Warm-up per route and server before it is measured: the JIT's work is not counted. */
const WARMUP_SECONDS = 1;

type Variant = 'before' | 'after';

interface RouteLoad {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: string;
}

// The book: 100 ask and 100 bid levels of 5 orders each from account 1, so depth=20 is
// full; account 2 holds 20 open orders for its view. POSTs rest below the bids (account 3).
const ROUTES: readonly RouteLoad[] = [
  {
    name: 'GET /api/symbols/SPY/book?depth=20',
    method: 'GET',
    path: '/api/symbols/SPY/book?depth=20',
  },
  { name: 'GET /api/accounts/2 (token)', method: 'GET', path: '/api/accounts/2' },
  {
    name: 'POST /api/accounts/3/orders (rests)',
    method: 'POST',
    path: '/api/accounts/3/orders',
    body: JSON.stringify({ symbol: 'SPY', amount: '1', limit: '0.5' }),
  },
  { name: 'GET /api/stats', method: 'GET', path: '/api/stats' },
];

interface Measured {
  readonly requestsPerSecond: number;
  readonly latencyMeanMs: number;
  readonly latencyP99Ms: number;
}

interface HttpResults {
  readonly machine: string;
  readonly date: string;
  readonly runs: number;
  readonly seconds: number;
  readonly connections: number;
  readonly labels: Record<Variant, string>;
  /** Per route, per variant, one entry per run. */
  readonly results: Record<string, Record<Variant, Measured[]>>;
}

async function startExchange(bin: string): Promise<BenchServer> {
  const args = ['serve', '--host', '127.0.0.1', '--port', '0', '--framed-port', 'off'];
  args.push('--http-port', '0', '--db', 'memory:', '--api-token', TOKEN);
  const server = await spawnServer(args, bin);
  const create =
    '<create><account id="1" balance="100000000"/><account id="2" balance="100000000"/>' +
    '<account id="3" balance="100000000000"/><symbol sym="SPY"><account id="1">1000000</account>' +
    '<account id="2">1000000</account></symbol></create>';
  await classicRequest(server.port, create);
  const orders = (account: number, specs: [amount: number, limit: number][]): string =>
    `<transactions id="${account}">${specs.map(([a, l]) => `<order sym="SPY" amount="${a}" limit="${l}"/>`).join('')}</transactions>`;
  const levels = Array.from({ length: 100 }, (_, i) => i);
  for (let copy = 0; copy < 5; copy++) {
    await classicRequest(
      server.port,
      orders(
        1,
        levels.map((i) => [-10, 200 + i]),
      ),
    );
    await classicRequest(
      server.port,
      orders(
        1,
        levels.map((i) => [10, 100 - i * 0.5]),
      ),
    );
  }
  await classicRequest(
    server.port,
    orders(
      2,
      levels.slice(0, 20).map((i) => [-1, 300 + i]),
    ),
  );
  return server;
}

async function load(server: BenchServer, route: RouteLoad, seconds: number): Promise<Measured> {
  const result = await autocannon({
    url: `http://127.0.0.1:${server.httpPort}${route.path}`,
    connections: CONNECTIONS,
    duration: seconds,
    method: route.method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(route.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(route.body === undefined ? {} : { body: route.body }),
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${route.name}: ${result.non2xx} non-2xx replies, ${result.errors} errors`);
  }
  return {
    requestsPerSecond: result.requests.total / result.duration,
    latencyMeanMs: result.latency.average,
    latencyP99Ms: result.latency.p99,
  };
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const range = (xs: number[], digits = 0): string =>
  `${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)}`;

async function measureAll(): Promise<HttpResults> {
  if (opts.before === undefined)
    throw new Error('give --before PATH/bin/exchange (or HTTP_BEFORE)');
  const bins: Record<Variant, string> = { before: opts.before, after: opts.after! };
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}`;
  console.log(`machine: ${machine}\nbefore: ${bins.before}\nafter:  ${bins.after}`);
  const results: HttpResults['results'] = Object.fromEntries(
    ROUTES.map((r) => [r.name, { before: [], after: [] }]),
  );
  for (let run = 0; run < RUNS; run++) {
    const order: Variant[] = run % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
    const servers = {} as Record<Variant, BenchServer>;
    for (const variant of order) servers[variant] = await startExchange(bins[variant]);
    try {
      for (const route of ROUTES) {
        for (const variant of order) {
          await load(servers[variant], route, WARMUP_SECONDS);
          const m = await load(servers[variant], route, SECONDS);
          results[route.name]![variant].push(m);
          console.log(
            `run ${run + 1} ${variant.padEnd(6)} ${route.name.padEnd(38)} ${fmt(m.requestsPerSecond).padStart(7)} req/s  mean ${fmt(m.latencyMeanMs, 2)} ms  p99 ${m.latencyP99Ms} ms`,
          );
        }
      }
    } finally {
      await Promise.all(Object.values(servers).map((s) => s.stop()));
    }
  }
  return {
    machine,
    date: new Date().toISOString().slice(0, 10),
    runs: RUNS,
    seconds: SECONDS,
    connections: CONNECTIONS,
    labels: { before: opts['before-label']!, after: opts['after-label']! },
    results,
  };
}

function report({
  machine,
  date,
  runs,
  seconds,
  connections,
  labels,
  results,
}: HttpResults): string {
  const rows = Object.entries(results).map(([name, { before, after }]) => {
    const rps = (ms: Measured[]): number[] => ms.map((m) => m.requestsPerSecond);
    const ratios = after.map((m, i) => m.requestsPerSecond / before[i]!.requestsPerSecond);
    return [
      name,
      `${fmt(median(rps(before)))} (${range(rps(before))})`,
      `${fmt(median(rps(after)))} (${range(rps(after))})`,
      `**${fmt(median(ratios), 2)}** (${range(ratios, 2)})`,
      `${fmt(median(before.map((m) => m.latencyP99Ms)))} / ${fmt(median(after.map((m) => m.latencyP99Ms)))}`,
    ];
  });
  const blocks: Block[] = [
    { kind: 'h1', text: 'The JSON API before and after fastify' },
    {
      kind: 'p',
      text: `Machine: ${machine}. ${runs} runs; in each, both servers fresh on an in-memory store with the same book (200 price levels of 5 orders, an account with 20 open orders), then every route for ${seconds} s with autocannon (${connections} connections, after a 1 s warm-up) on one server and then the other, the order alternating between runs. The load generator shares the two cores. Before: ${labels.before}; after: ${labels.after}. Generated ${date} by \`npm run bench:http\`.`,
    },
    {
      kind: 'table',
      head: [
        'route',
        'before: requests/s, median (min–max)',
        'after: requests/s, median (min–max)',
        'after / before: median of the paired ratios (min–max)',
        'latency p99, ms, before / after (autocannon counts whole ms)',
      ],
      rows,
    },
  ];
  return toMarkdown(blocks);
}

async function main(): Promise<void> {
  const results =
    opts.from !== undefined
      ? (JSON.parse(readFileSync(opts.from, 'utf8')) as HttpResults)
      : await measureAll();
  if (opts.from === undefined) {
    writeFileSync(join(opts.out!, 'http-api.json'), JSON.stringify(results, null, 2));
  }
  const md = report(results);
  writeFileSync(join(opts.out!, 'http-api.md'), md);
  console.log(`\n${md}`);
}

await main();
