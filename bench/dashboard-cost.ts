// `npm run bench:dashboard`: what watching the market costs the framed port. Every run
// measures three cells on a fresh SQLite (FULL) exchange with its HTTP side on, in an order
// that alternates between runs:
//   - nobody watching;
//   - the dashboard open in headless Chromium on the loaded symbol, with the stats channel
//     (the page renders on the same two cores as the server and the load generator);
//   - ten WebSocket feed clients in this process, each on every symbol and stats: the
//     server's side of many watchers, without a browser's rendering.
// Throughput is the median over runs; each run's ratio compares cells of that run. The
// engine thread's CPU per request is measured beside it. Writes bench/report/dashboard.md.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import { classicRequest } from '../src/client/classic-client.js';
import { MixedFlow } from '../src/load/mixed-flow.js';
import { chromiumInstalled, launchChromium } from '../test/support/browser.js';
import { mainThreadCpuSeconds, ROOT, runLoadWorker, spawnExchange } from './processes.js';
import { toMarkdown, type Block } from './report-document.js';
import { median } from './stats.js';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: process.env.BENCH_RUNS ?? '7' },
    seconds: { type: 'string', default: process.env.BENCH_SECONDS ?? '5' },
    out: { type: 'string', default: join(ROOT, 'bench/report') },
  },
});
const RUNS = Number(opts.runs);
const SECONDS = Number(opts.seconds);
const ACCOUNTS = 200;
const SYMBOLS = 4;
const FEED_CLIENTS = 10;

type Watchers = 'none' | 'dashboard' | 'feeds';
const CELLS: Watchers[] = ['none', 'dashboard', 'feeds'];

interface Measured {
  readonly requestsPerSecond: number;
  readonly engineUs: number | null;
  /** What the watchers received while the load ran. */
  readonly seen: string;
}

const dir = mkdtempSync(join(tmpdir(), 'exchange-dashboard-bench-'));
let dbCounter = 0;

async function openDashboard(browser: Browser, httpPort: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`http://127.0.0.1:${httpPort}/?symbol=SYM0`);
  await page.locator('#connection-status', { hasText: /^connected$/ }).waitFor({ timeout: 15_000 });
  return page;
}

/** Ten clients on every symbol and stats; counts the messages they get. */
async function openFeeds(httpPort: number): Promise<{ count: () => number; close: () => void }> {
  let messages = 0;
  const sockets = await Promise.all(
    Array.from({ length: FEED_CLIENTS }, async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${httpPort}/ws`);
      ws.on('message', () => messages++);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      for (let i = 0; i < SYMBOLS; i++)
        ws.send(JSON.stringify({ op: 'subscribe', symbol: `SYM${i}` }));
      ws.send(JSON.stringify({ op: 'subscribe', channel: 'stats' }));
      return ws;
    }),
  );
  return { count: () => messages, close: () => sockets.forEach((ws) => ws.close()) };
}

async function measure(
  watchers: Watchers,
  seed: number,
  browser: Browser | null,
): Promise<Measured> {
  const db = `sqlite:${join(dir, `d-${dbCounter++}.db`)}`;
  const server = await spawnExchange(db, '0', 0, [], '0');
  let page: Page | null = null;
  let feeds: Awaited<ReturnType<typeof openFeeds>> | null = null;
  try {
    await classicRequest(
      server.port,
      new MixedFlow({ accounts: ACCOUNTS, symbols: SYMBOLS }).setupXml(),
    );
    if (watchers === 'dashboard') page = await openDashboard(browser!, server.httpPort!);
    if (watchers === 'feeds') feeds = await openFeeds(server.httpPort!);
    const cpuBefore = mainThreadCpuSeconds(server.pid);
    const summary = await runLoadWorker({
      mode: 'framed',
      connections: 4,
      window: 256,
      ordersOnly: true,
      port: server.framedPort,
      durationMs: SECONDS * 1000,
      accounts: ACCOUNTS,
      symbols: SYMBOLS,
      seed,
    });
    const cpuAfter = mainThreadCpuSeconds(server.pid);
    const served = summary.requests + summary.checkRequests;
    let seen = '';
    if (page !== null) {
      // Proof that the page was live: the trades it shows and what its ladder holds.
      const rows = await page.locator('#trades-tape tbody tr').count();
      const levels = await page.locator('#book-ladder tbody tr').count();
      seen = `${rows} tape rows, ${levels} ladder rows`;
    }
    if (feeds !== null) seen = `${feeds.count()} messages`;
    return {
      requestsPerSecond: summary.requestsPerSecond,
      engineUs:
        cpuBefore !== null && cpuAfter !== null && served > 0
          ? ((cpuAfter - cpuBefore) * 1e6) / served
          : null,
      seen,
    };
  } finally {
    await page?.close();
    feeds?.close();
    await server.stop();
  }
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  if (!chromiumInstalled()) throw new Error('Chromium is missing: apt-get install -y chromium');
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}`;
  console.log(`machine: ${machine}`);
  console.log(`${CELLS.length} cells × ${RUNS} runs of ${SECONDS} s, framed port, SQLite FULL`);
  const browser = await launchChromium();
  const results = new Map<Watchers, Measured[]>(CELLS.map((c) => [c, []]));
  try {
    for (let run = 0; run < RUNS; run++) {
      const order = run % 2 === 0 ? CELLS : [...CELLS].reverse();
      for (const cell of order) {
        const m = await measure(cell, run + 1, browser);
        results.get(cell)!.push(m);
        console.log(
          `run ${run + 1} ${cell.padEnd(9)} ${fmt(m.requestsPerSecond).padStart(8)} req/s  engine ${m.engineUs === null ? '-' : fmt(m.engineUs, 1)} µs/req  ${m.seen}`,
        );
      }
    }
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const none = results.get('none')!;
  const ratio = (cell: Watchers): number[] =>
    results.get(cell)!.map((m, i) => m.requestsPerSecond / none[i]!.requestsPerSecond);
  const rows = CELLS.map((cell) => {
    const ms = results.get(cell)!;
    const rps = ms.map((m) => m.requestsPerSecond);
    const us = ms.map((m) => m.engineUs).filter((u): u is number => u !== null);
    const ratios = ratio(cell);
    return [
      cell === 'none'
        ? 'nobody watching'
        : cell === 'dashboard'
          ? 'dashboard in Chromium'
          : `${FEED_CLIENTS} feed clients`,
      fmt(median(rps)),
      `${fmt(Math.min(...rps))}–${fmt(Math.max(...rps))}`,
      cell === 'none'
        ? '1'
        : `${fmt(median(ratios), 3)} (${fmt(Math.min(...ratios), 2)}–${fmt(Math.max(...ratios), 2)})`,
      us.length === 0 ? '-' : fmt(median(us), 1),
    ];
  });
  const dashboardCost = 1 - median(ratio('dashboard'));
  const feedsCost = 1 - median(ratio('feeds'));
  const blocks: Block[] = [
    { kind: 'h1', text: 'What watching the market costs the framed port' },
    {
      kind: 'p',
      text: `Machine: ${machine}. ${RUNS} runs of ${SECONDS} s per cell, cells interleaved (order alternating between runs), each on a fresh SQLite (synchronous=FULL) exchange with the HTTP side on; load: 4 framed connections × 256 pipelined orders over ${SYMBOLS} symbols. Generated ${new Date().toISOString().slice(0, 10)} by \`npm run bench:dashboard\`.`,
    },
    {
      kind: 'table',
      head: [
        'watchers',
        'requests/s (median)',
        'min–max',
        'ratio to nobody watching, median of runs (min–max)',
        'engine thread µs/request',
      ],
      rows,
    },
    {
      kind: 'p',
      text: `The dashboard costs ${fmt(dashboardCost * 100, 1)}% of framed throughput (goal: at most 5%); ${FEED_CLIENTS} feed clients on every symbol cost ${fmt(feedsCost * 100, 1)}%.`,
    },
  ];
  const md = toMarkdown(blocks);
  writeFileSync(join(opts.out!, 'dashboard.md'), md);
  writeFileSync(
    join(opts.out!, 'dashboard.json'),
    JSON.stringify(
      { machine, runs: RUNS, seconds: SECONDS, results: Object.fromEntries(results) },
      null,
      2,
    ),
  );
  console.log(`\n${md}`);
}

await main();
