// `npm run bench:dashboard`: what watching the market costs the framed port. Every run
// measures each cell on a fresh SQLite (FULL) exchange with its HTTP side on, cells in an
// order that alternates between runs:
//   - nobody watching;
//   - the dashboard open in headless Chromium on the loaded symbol, with the stats channel;
//     the page renders on the same two cores as the exchange and the load generator;
//   - the same with Chromium at nice 19: it renders on what CPU the exchange and the load
//     generator leave idle, a stand-in for a browser on another machine (where a user's
//     browser runs), so what is left is the exchange's own cost of serving it;
//   - ten WebSocket feed clients in this process, each on every symbol and stats: the
//     server's side of many watchers, without a browser's rendering.
// Throughput is the median over runs, and each run's ratio compares cells of that run. The
// exchange's CPU per request (its main thread, and the whole process) and Chromium's CPU are
// measured beside it; a MutationObserver counts the page's updates during the load, as proof
// that it was live. Writes bench/report/dashboard.md and dashboard.json.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import { classicRequest } from '../tools/client/classic-client.js';
import { MixedFlow } from '../tools/load/mixed-flow.js';
import { chromiumInstalled, launchChromium } from '../harness/browser.js';
import {
  mainThreadCpuSeconds,
  processCpuSeconds,
  ROOT,
  framedOrdersJob,
  runLoadWorker,
  spawnExchange,
} from './processes.js';
import { toMarkdown, type Block } from './report-document.js';
import { median } from './stats.js';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: process.env.BENCH_RUNS ?? '11' },
    seconds: { type: 'string', default: process.env.BENCH_SECONDS ?? '5' },
    /** Which cells besides `none` (always measured: every ratio is to it). */
    cells: { type: 'string', default: process.env.BENCH_CELLS ?? 'dashboard,dashboard-nice,feeds' },
    out: { type: 'string', default: join(ROOT, 'bench/report') },
    /** Re-renders dashboard.md from an earlier run's dashboard.json, measuring nothing. */
    from: { type: 'string' },
  },
});
const RUNS = Number(opts.runs);
const SECONDS = Number(opts.seconds);
const ACCOUNTS = 200;
const SYMBOLS = 4;
const FEED_CLIENTS = 10;
/** Steady state, not start-up: every cell waits this long before its load starts. */
const SETTLE_MS = 2000;

type Watchers = 'none' | 'dashboard' | 'dashboard-nice' | 'feeds';
const CELLS_ORDER: Watchers[] = ['none', 'dashboard', 'dashboard-nice', 'feeds'];
const CELLS: Watchers[] = [
  'none',
  ...(opts.cells!.split(',').filter((c) => c !== '' && c !== 'none') as Watchers[]),
];
const LABELS: Record<Watchers, string> = {
  none: 'nobody watching',
  dashboard: 'dashboard in Chromium, same cores',
  'dashboard-nice': 'dashboard in Chromium at nice 19',
  feeds: `${FEED_CLIENTS} feed clients, every symbol`,
};

interface Measured {
  readonly requestsPerSecond: number;
  /** The exchange's main thread (the engine), CPU µs per request. */
  readonly engineUs: number | null;
  /** The whole exchange process (store thread, GC, feed included), CPU µs per request. */
  readonly processUs: number | null;
  /** Chromium's CPU during the load, in cores. */
  readonly browserCores: number;
  /** What the watchers got during the load. */
  readonly updates: number;
}

const dir = mkdtempSync(join(tmpdir(), 'exchange-dashboard-bench-'));
let dbCounter = 0;

function chromiumPids(): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return /^chrom/i.test(readFileSync(`/proc/${p}/comm`, 'utf8'));
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Every Chromium process here (this benchmark starts the only one). */
const chromiumCpuSeconds = (): number =>
  chromiumPids().reduce((sum, pid) => sum + (processCpuSeconds(pid) ?? 0), 0);

/** Sets every Chromium process's niceness; renderers forked later inherit it. */
function reniceChromium(nice: number): void {
  execFileSync('renice', ['-n', String(nice), '-p', ...chromiumPids().map(String)], {
    stdio: 'ignore',
  });
}

async function openDashboard(browser: Browser, httpPort: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`http://127.0.0.1:${httpPort}/?symbol=SYM0`);
  await page.locator('#connection-status', { hasText: /^connected$/ }).waitFor({ timeout: 15_000 });
  return page;
}

/**
 * Counts the page's renders that changed the ladder or the tape from now on (one observer
 * callback per render), as proof the page kept updating. Page code as text: this file is
 * compiled without the DOM's types.
 */
async function watchPage(page: Page): Promise<() => Promise<number>> {
  await page.evaluate(`(() => {
    window.benchRenders = 0;
    const observer = new MutationObserver(() => window.benchRenders++);
    for (const id of ['book-ladder', 'trades-tape']) {
      observer.observe(document.getElementById(id), { childList: true, subtree: true, characterData: true });
    }
  })()`);
  return async () => Number(await page.evaluate('window.benchRenders'));
}

/** Clients on every symbol and stats; counts the messages they get. */
async function openFeeds(httpPort: number): Promise<{ count: () => number; close: () => void }> {
  let messages = 0;
  const sockets = await Promise.all(
    Array.from({ length: FEED_CLIENTS }, async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${httpPort}/ws`);
      ws.on('message', () => messages++);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      for (let i = 0; i < SYMBOLS; i++) {
        ws.send(JSON.stringify({ op: 'subscribe', symbol: `SYM${i}` }));
      }
      ws.send(JSON.stringify({ op: 'subscribe', channel: 'stats' }));
      return ws;
    }),
  );
  return { count: () => messages, close: () => sockets.forEach((ws) => ws.close()) };
}

const perRequest = (before: number | null, after: number | null, served: number): number | null =>
  before !== null && after !== null && served > 0 ? ((after - before) * 1e6) / served : null;

async function measure(watchers: Watchers, seed: number, browser: Browser): Promise<Measured> {
  const server = await spawnExchange(`sqlite:${join(dir, `d-${dbCounter++}.db`)}`, '0', 0, [], '0');
  let page: Page | null = null;
  let feeds: Awaited<ReturnType<typeof openFeeds>> | null = null;
  try {
    await classicRequest(
      server.port,
      new MixedFlow({ accounts: ACCOUNTS, symbols: SYMBOLS }).setupXml(),
    );
    if (watchers === 'dashboard' || watchers === 'dashboard-nice') {
      reniceChromium(watchers === 'dashboard-nice' ? 19 : 0);
      page = await openDashboard(browser, server.httpPort!);
    }
    if (watchers === 'feeds') feeds = await openFeeds(server.httpPort!);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const pageUpdates = page === null ? null : await watchPage(page);
    const feedBefore = feeds?.count() ?? 0;
    const engine0 = mainThreadCpuSeconds(server.pid);
    const process0 = processCpuSeconds(server.pid);
    const browser0 = chromiumCpuSeconds();
    const summary = await runLoadWorker(
      framedOrdersJob(server.framedPort, SECONDS, { accounts: ACCOUNTS, symbols: SYMBOLS, seed }),
    );
    const served = summary.requests + summary.checkRequests;
    return {
      requestsPerSecond: summary.requestsPerSecond,
      engineUs: perRequest(engine0, mainThreadCpuSeconds(server.pid), served),
      processUs: perRequest(process0, processCpuSeconds(server.pid), served),
      browserCores: (chromiumCpuSeconds() - browser0) / summary.seconds,
      updates: pageUpdates !== null ? await pageUpdates() : (feeds?.count() ?? 0) - feedBefore,
    };
  } finally {
    await page?.close();
    feeds?.close();
    await server.stop();
  }
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const range = (xs: number[], digits = 0): string =>
  `${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)}`;

interface DashboardResults {
  readonly machine: string;
  readonly date: string;
  readonly runs: number;
  readonly seconds: number;
  readonly results: Partial<Record<Watchers, Measured[]>>;
}

async function measureAll(): Promise<DashboardResults> {
  if (!chromiumInstalled()) throw new Error('Chromium is missing: apt-get install -y chromium');
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}`;
  console.log(`machine: ${machine}`);
  console.log(`${CELLS.length} cells × ${RUNS} runs of ${SECONDS} s, framed port, SQLite FULL`);
  const browser = await launchChromium();
  const results: Partial<Record<Watchers, Measured[]>> = {};
  try {
    for (let run = 0; run < RUNS; run++) {
      const order = run % 2 === 0 ? CELLS : [...CELLS].reverse();
      for (const cell of order) {
        const m = await measure(cell, run + 1, browser);
        (results[cell] ??= []).push(m);
        console.log(
          `run ${String(run + 1).padStart(2)} ${cell.padEnd(14)} ${fmt(m.requestsPerSecond).padStart(7)} req/s  ` +
            `engine ${m.engineUs === null ? '-' : fmt(m.engineUs, 1)} µs/req  process ${m.processUs === null ? '-' : fmt(m.processUs, 1)} µs/req  ` +
            `chromium ${fmt(m.browserCores * 100, 1)}% of a core  updates ${m.updates}`,
        );
      }
    }
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const date = new Date().toISOString().slice(0, 10);
  return { machine, date, runs: RUNS, seconds: SECONDS, results };
}

/**
 * A 95% interval for the median of `xs` by the bootstrap (10,000 resamples, a fixed seed so
 * the report renders the same twice): the runs vary more than the effect measured.
 */
function bootstrapMedian(xs: readonly number[]): [number, number] {
  let seed = 12345;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const medians: number[] = [];
  for (let b = 0; b < 10_000; b++)
    medians.push(median(xs.map(() => xs[Math.floor(random() * xs.length)]!)));
  medians.sort((a, b) => a - b);
  return [medians[250]!, medians[9_749]!];
}

function report({ machine, date, runs, seconds, results }: DashboardResults): string {
  const cells = CELLS_ORDER.filter((c) => results[c] !== undefined);
  const none = results.none!;
  const ratios = (cell: Watchers): number[] =>
    results[cell]!.map((m, i) => m.requestsPerSecond / none[i]!.requestsPerSecond);
  const medianOf = (cell: Watchers, pick: (m: Measured) => number | null): number | null => {
    const xs = results[cell]!.map(pick).filter((x): x is number => x !== null);
    return xs.length === 0 ? null : median(xs);
  };
  const rows = cells.map((cell) => {
    const rps = results[cell]!.map((m) => m.requestsPerSecond);
    const r = ratios(cell);
    const engine = medianOf(cell, (m) => m.engineUs);
    const proc = medianOf(cell, (m) => m.processUs);
    const [low, high] = bootstrapMedian(r);
    return [
      LABELS[cell],
      fmt(median(rps)),
      range(rps),
      cell === 'none' ? '1' : `${fmt(median(r), 3)} (${range(r, 2)})`,
      cell === 'none' ? '-' : `${fmt(low, 3)}–${fmt(high, 3)}`,
      engine === null ? '-' : fmt(engine, 1),
      proc === null ? '-' : fmt(proc, 1),
      cell.startsWith('dashboard')
        ? `${fmt(medianOf(cell, (m) => m.browserCores)! * 100, 1)}%`
        : '-',
      cell === 'none' ? '-' : fmt(medianOf(cell, (m) => m.updates)!),
    ];
  });
  const cost = (cell: Watchers): string => {
    const r = ratios(cell);
    const [low, high] = bootstrapMedian(r);
    return `${LABELS[cell]} ${fmt((1 - median(r)) * 100, 1)}% (95% interval ${fmt((1 - high) * 100, 1)}% to ${fmt((1 - low) * 100, 1)}%)`;
  };
  const blocks: Block[] = [
    { kind: 'h1', text: 'What watching the market costs the framed port' },
    {
      kind: 'p',
      text: `Machine: ${machine}. ${runs} runs of ${seconds} s per cell, cells interleaved (order alternating between runs), each on a fresh SQLite (synchronous=FULL) exchange with the HTTP side on, ${SETTLE_MS / 1000} s after the watchers connected; load: 4 framed connections × 256 pipelined orders over ${SYMBOLS} symbols, the dashboard on one of them. Generated ${date} by \`npm run bench:dashboard\`.`,
    },
    {
      kind: 'table',
      head: [
        'watchers',
        'requests/s (median)',
        'min–max',
        'ratio to nobody watching: median of runs (min–max)',
        '95% interval of that median (bootstrap)',
        'engine thread µs/request',
        'exchange process µs/request',
        'Chromium CPU',
        'updates during the load (page: renders; feeds: messages)',
      ],
      rows,
    },
    {
      kind: 'p',
      text: `Cost to framed throughput (1 − median ratio): ${cells
        .filter((c) => c !== 'none')
        .map(cost)
        .join('; ')}. Goal for the dashboard: at most 5%.`,
    },
  ];
  return toMarkdown(blocks);
}

async function main(): Promise<void> {
  const results =
    opts.from !== undefined
      ? (JSON.parse(readFileSync(opts.from, 'utf8')) as DashboardResults)
      : await measureAll();
  if (opts.from === undefined) {
    writeFileSync(join(opts.out!, 'dashboard.json'), JSON.stringify(results, null, 2));
  }
  const md = report(results);
  writeFileSync(join(opts.out!, 'dashboard.md'), md);
  console.log(`\n${md}`);
}

await main();
