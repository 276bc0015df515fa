// The benchmark matrix's report: figures from the runs, the targets of issue 15 against them,
// plots, profiles and what they mean. Markdown, HTML and (with Chromium) PDF.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadSummary } from './load-worker.js';
import type { AllocationResults } from './allocation.js';
import type { EngineFigures } from './engine.js';
import type { CpuPerRequest, CpuSplitFigures } from './cpu-split.js';
import { cellName, type Cell, type EngineResults, type Mode } from './matrix-cells.js';
import type { CoreLayout } from './pinning.js';
import type { ProfileSummary } from './profile.js';
import { printPdf, toHtml, toMarkdown, type Block } from './report-document.js';
import { median } from './stats.js';
import { renderChart, type ChartPoint, type ChartSeries } from './svg-chart.js';

export interface MatrixResults {
  readonly machine: string;
  readonly runs: number;
  readonly seconds: number;
  /** Unmeasured load on each fresh server before its measured run (older runs: none). */
  readonly warmupSeconds?: number;
  readonly layout: CoreLayout | null;
  readonly cells: readonly Cell[];
  /** Per cell, one summary per run, in run order. */
  readonly summaries: Map<Cell, LoadSummary[]>;
  /** Per exchange cell, the engine main thread's CPU µs per request, per run. */
  readonly engineUs: Map<Cell, number[]>;
  /**
   * Per run: the classic SQLite cell's maximum, then its latency open loop at half of it, and
   * the bare floor's at the same offered requests/s.
   */
  halfLoad: { max: number; summary: LoadSummary; floor?: LoadSummary }[];
  engine: EngineResults | null;
  profiles: Map<string, ProfileSummary>;
  /** When the figures were measured (YYYY-MM-DD). */
  readonly date: string;
  /** Median ms of a 4 KiB append and fdatasync where the SQLite files were (older runs: none). */
  readonly fdatasyncMs?: number;
}

/** The results as JSON: cells with their runs inline (maps keyed by cell do not serialise). */
function resultsJson(r: MatrixResults): string {
  return JSON.stringify(
    {
      ...r,
      cells: r.cells.map((cell) => ({
        ...cell,
        summaries: r.summaries.get(cell),
        engineUs: r.engineUs.get(cell),
      })),
      summaries: undefined,
      engineUs: undefined,
      profiles: [...r.profiles],
    },
    null,
    1,
  );
}

export function readResults(file: string): MatrixResults {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Omit<
    MatrixResults,
    'cells' | 'summaries' | 'engineUs' | 'profiles'
  > & {
    cells: (Cell & { summaries: LoadSummary[]; engineUs: number[] })[];
    profiles: [string, ProfileSummary][];
  };
  const cells = raw.cells.map(({ summaries: _s, engineUs: _e, ...cell }) => cell);
  return {
    ...raw,
    cells,
    summaries: new Map(cells.map((c, i) => [c, raw.cells[i]!.summaries])),
    engineUs: new Map(cells.map((c, i) => [c, raw.cells[i]!.engineUs])),
    profiles: new Map(raw.profiles),
  };
}

const fmt = (n: number): string =>
  Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a';
const ms = (us: number): string => (us / 1000).toFixed(2);
const x2 = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}×` : 'n/a');
const pct = (share: number): string => `${(share * 100).toFixed(1)}%`;

function stddev(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
}

class Figures {
  constructor(private readonly r: MatrixResults) {}

  find(p: Partial<Cell>): Cell | undefined {
    return this.r.cells.find((c) => (Object.keys(p) as (keyof Cell)[]).every((k) => c[k] === p[k]));
  }

  rates(cell: Cell): number[] {
    return this.r.summaries.get(cell)!.map((s) => s.requestsPerSecond);
  }

  rate(cell: Cell | undefined): number {
    return cell === undefined ? NaN : median(this.rates(cell));
  }

  /** The floor a cell is compared with, run by run: the better bare server of that run. */
  floorRates(cell: Cell): number[] {
    const bares = this.r.cells.filter(
      (c) => c.mode === cell.mode && c.kind === 'bare' && c.pinned === cell.pinned,
    );
    return Array.from({ length: this.r.runs }, (_, run) =>
      Math.max(...bares.map((b) => this.rates(b)[run] ?? NaN)),
    );
  }

  /** Median over runs of the cell's rate divided by the same run's floor. */
  ratio(cell: Cell | undefined): { median: number; runs: number[] } {
    if (cell === undefined) return { median: NaN, runs: [] };
    const floors = this.floorRates(cell);
    const runs = this.rates(cell).map((r, i) => r / floors[i]!);
    return { median: median(runs), runs };
  }

  point(cell: Cell, x: number, f: (s: LoadSummary) => number): ChartPoint {
    const values = this.r.summaries.get(cell)!.map(f);
    return { x, min: Math.min(...values), median: median(values), max: Math.max(...values) };
  }
}

/** Figures of the other benches, kept beside the report in `out`; null where never run. */
interface SideFigures {
  /** `npm run bench:restart`: per store, the median RSS once listening with the book loaded. */
  readonly restart: {
    date: string;
    orders: number;
    stores: Record<string, { rssMiB: number }>;
  } | null;
  /** `npm run bench:request-instructions`. */
  readonly requestInstructions: {
    date: string;
    warmup?: number;
    requests: number;
    /** compilerPerRequest: V8's compilers' part (absent from counts before it was split). */
    rows: { server: string; mode: string; perRequest: number; compilerPerRequest?: number }[];
  } | null;
  /** `npm run bench:cpu-split`: CPU time per request, server and load generator. */
  readonly cpuSplit: CpuSplitFigures | null;
  /** `npm run bench:engine-instructions`. */
  readonly engineInstructions: { here: number; hereCompilers?: number; commands: number } | null;
  /** `npm run bench:engine-floor`: the engine beside floors that only match. */
  readonly engineFloor: EngineFloorFigures | null;
  /** `npm run bench:allocation`: bytes allocated per engine command and per request. */
  readonly allocation: AllocationResults | null;
}

type FloorSubject = 'engine' | 'bigint' | 'pair' | 'number' | 'duties';

interface EngineFloorFigures {
  readonly date?: string;
  readonly commands: number;
  readonly rounds: number;
  readonly commandsPerSecond: Record<FloorSubject, number>;
  readonly runs: Record<FloorSubject, number[]>;
  readonly engineToBigintFloor: number;
  readonly bigintToPairFloor: number;
  readonly bigintToNumberFloor: number;
  /** Absent from runs before the duties' floor was a subject. */
  readonly dutiesToEngine?: number;
  readonly instructionsPerCommand: Record<FloorSubject, number> | null;
}

function readSide<T>(out: string, name: string): T | null {
  const file = join(out, name);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : null;
}

export function readSideFigures(out: string): SideFigures {
  return {
    restart: readSide(out, 'restart.json'),
    requestInstructions: readSide(out, 'request-instructions.json'),
    cpuSplit: readSide(out, 'cpu-split.json'),
    engineInstructions: readSide(out, 'engine-instructions.json'),
    engineFloor: currentFloor(readSide(out, 'engine-floor.json')),
    allocation: readSide(out, 'allocation.json'),
  };
}

/** The floor's figures, unless from before it had the pairs' floor (those are not shown). */
function currentFloor(floor: EngineFloorFigures | null): EngineFloorFigures | null {
  return floor?.commandsPerSecond.pair === undefined ? null : floor;
}

const ENGINE_TARGET = 2_000_000;

function targetsTable(r: MatrixResults, f: Figures, side: SideFigures): Block {
  const rows: string[][] = [];
  const verdict = (ok: boolean, miss: string): string => (ok ? 'met' : `**missed** (${miss})`);
  const ofIt = (measured: number, target: number): string =>
    `at ${(measured / target).toFixed(2)} of it`;
  for (const [mode, store, target] of [
    ['classic', 'sqlite', 0.8],
    ['classic', 'memory', 0.9],
    ['framed', 'sqlite', 0.75],
    ['framed', 'postgres', 0.6],
  ] as const) {
    const cell = f.find({ mode, kind: 'exchange', store, workers: 0, pinned: false });
    if (cell === undefined) continue;
    const ratio = f.ratio(cell);
    const load = mode === 'classic' ? 'swap, 32 clients' : '4 × 256 pipelined orders';
    const name = {
      sqlite: 'durable SQLite FULL',
      memory: 'memory store',
      postgres: 'durable PostgreSQL',
    };
    rows.push([
      `${mode} port, ${load}, ${name[store]}, --workers 0: ratio to the better floor of the same run`,
      `${x2(ratio.median)} (${fmt(f.rate(cell))} requests/s; runs ${ratio.runs.map((x) => x.toFixed(2)).join(', ')})`,
      `≥ ${target}×`,
      verdict(ratio.median >= target, ofIt(ratio.median, target)),
    ]);
  }
  if (r.engine !== null) {
    const { empty, deep } = r.engine;
    rows.push([
      'engine in process, mixed flow: commands/s',
      `${fmt(empty.commandsPerSecond)} (${fmt(empty.ordersPerSecond)} placements/s)`,
      `≥ ${fmt(ENGINE_TARGET)}`,
      verdict(
        empty.commandsPerSecond >= ENGINE_TARGET,
        ofIt(empty.commandsPerSecond, ENGINE_TARGET),
      ),
    ]);
    const deepTarget = 0.8 * ENGINE_TARGET;
    rows.push([
      `the same with ${fmt(r.engine.depth)} resting orders`,
      `${fmt(deep.commandsPerSecond)} (${x2(deep.commandsPerSecond / empty.commandsPerSecond)} the empty book)`,
      `≥ 0.8 × 2,000,000 = ${fmt(deepTarget)}`,
      verdict(deep.commandsPerSecond >= deepTarget, ofIt(deep.commandsPerSecond, deepTarget)),
    ]);
  }
  if (side.restart !== null) {
    const stores = Object.entries(side.restart.stores);
    const over = stores.filter(([, s]) => s.rssMiB > 512);
    rows.push([
      `${fmt(side.restart.orders)} resting orders restored: RSS once listening (\`npm run bench:restart\`, ${side.restart.date})`,
      stores.map(([name, s]) => `${name} ${fmt(s.rssMiB)} MiB`).join(', '),
      '≤ 512 MiB on both stores',
      over.length === 0 && stores.length >= 2
        ? 'met'
        : verdict(
            false,
            over.length === 0
              ? 'one store measured'
              : over.map(([name, s]) => `${name} ${(s.rssMiB / 512).toFixed(2)}×`).join(', '),
          ),
    ]);
  }
  const halves = r.halfLoad.filter((h) => h.floor !== undefined);
  if (halves.length > 0) {
    const ratios = halves.map((h) => h.summary.p99Us / h.floor!.p99Us);
    const ratio = median(ratios);
    const p99 = median(halves.map((h) => h.summary.p99Us));
    const floorP99 = median(halves.map((h) => h.floor!.p99Us));
    rows.push([
      "classic p99 at half of the maximum load (open loop, SQLite, one process), ratio to the bare floor's p99 at the same offered load",
      `${x2(ratio)} (${ms(p99)} ms against ${ms(floorP99)} ms; runs ${ratios.map((x) => x.toFixed(2)).join(', ')})`,
      '≤ 1.25×',
      verdict(ratio <= 1.25, `${(ratio / 1.25).toFixed(2)}× the target`),
    ]);
  }
  return {
    kind: 'table',
    head: ['target (issue 15)', 'measured (median)', 'target', 'verdict'],
    rows,
  };
}

/** Instructions per request and per engine command: the repeatable figures beside the times. */
function instructionBlocks(side: SideFigures): Block[] {
  const rows: string[][] = [];
  const apart = (n: number | undefined): string => (n === undefined ? '' : fmt(n));
  for (const row of side.requestInstructions?.rows ?? []) {
    const compiler = row.compilerPerRequest;
    rows.push([
      `${row.mode} port, ${row.server === 'bare' ? 'bare floor' : `exchange, ${row.server} store`}`,
      'request',
      fmt(row.perRequest),
      apart(compiler),
      apart(compiler === undefined ? undefined : row.perRequest - compiler),
    ]);
  }
  if (side.engineInstructions !== null) {
    const { here, hereCompilers } = side.engineInstructions;
    rows.push([
      'engine in process, mixed flow',
      'command',
      fmt(here),
      apart(hereCompilers),
      apart(hereCompilers === undefined ? undefined : here - hereCompilers),
    ]);
  }
  if (rows.length === 0) return [];
  return [
    { kind: 'h2', text: 'Instructions (callgrind)' },
    {
      kind: 'p',
      text:
        'Counted with `valgrind --tool=callgrind`, V8 single-threaded and predictable: steadier than ' +
        'times, which swing ±30%. Per request: the server warmed up first, its heap collected in full and ' +
        'the requests to count sent once more (V8 compiles again what the collection dropped), then ' +
        `counted alone (${requestWindow(side)}; the same build's classic count to 2% from run to run), ` +
        'every thread of the server process, the client not counted, ' +
        "user-space instructions only (the kernel's work for the sockets and the disk is not in them: " +
        'see the CPU time below); per engine command: `npm run bench:engine-instructions`, the flow ' +
        'applied once to warm up and then three times counted alone, from a collected heap (the same ' +
        'count to 0.1% from run to run). Under valgrind the exchange is still optimizing its code ' +
        "after the warm-up, which a server run natively for a few seconds hardly does (`--trace-opt`): V8's " +
        "compilers' instructions are given apart, and the count without them is the one to compare.",
    },
    {
      kind: 'table',
      head: ['what', 'per', 'instructions', "of them V8's compilers", 'without the compilers'],
      rows,
    },
  ];
}

function cellsTable(r: MatrixResults, f: Figures): Block {
  const rows = r.cells.map((cell) => {
    const rows = r.summaries.get(cell)!;
    const rates = f.rates(cell);
    const m = (g: (s: LoadSummary) => number): number => median(rows.map(g));
    const problems = rows.reduce((n, s) => n + (s.problems?.length ?? 0), 0);
    const us = r.engineUs.get(cell)!;
    return [
      cellName(cell),
      fmt(median(rates)),
      `${fmt(Math.min(...rates))} - ${fmt(Math.max(...rates))}`,
      fmt(stddev(rates)),
      ms(m((s) => s.p50Us)),
      ms(m((s) => s.p90Us)),
      ms(m((s) => s.p99Us)),
      cell.kind === 'bare' ? '' : x2(f.ratio(cell).median),
      us.length === 0 ? '' : median(us).toFixed(1),
      String(rows.reduce((n, s) => n + s.failed, 0)),
      !rows.every((s) => s.checked) ? '' : problems === 0 ? 'passed' : `${problems} problems`,
    ];
  });
  return {
    kind: 'table',
    head: [
      'cell',
      'requests/s',
      'min - max',
      'stddev',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'ratio to floor',
      'engine µs/request',
      'failed',
      'swap check',
    ],
    rows,
  };
}

function charts(r: MatrixResults, f: Figures, out: string): Block[] {
  const blocks: Block[] = [];
  const modes = [...new Set(r.cells.map((c) => c.mode))] as Mode[];
  for (const mode of modes) {
    const inMode = r.cells.filter((c) => c.mode === mode);
    const series: ChartSeries[] = [];
    const stores = [...new Set(inMode.flatMap((c) => (c.store === null ? [] : [c.store])))];
    for (const store of stores) {
      for (const pinned of [false, true]) {
        const points = inMode
          .filter((c) => c.store === store && c.pinned === pinned)
          .map((c) => f.point(c, c.workers, (s) => s.requestsPerSecond));
        if (points.length > 0) series.push({ name: `${store}${pinned ? ', pinned' : ''}`, points });
      }
    }
    for (const pinned of [false, true]) {
      const points = inMode
        .filter((c) => c.kind === 'bare' && c.pinned === pinned)
        .map((c) => f.point(c, c.workers, (s) => s.requestsPerSecond));
      if (points.length > 0)
        series.push({ name: `bare floor${pinned ? ', pinned' : ''}`, points, dashed: true });
    }
    const file = `throughput-${mode}.svg`;
    writeFileSync(
      join(out, file),
      renderChart({
        title: `${mode} port: requests/s (median, min-max of ${r.runs} runs)`,
        xLabel: 'gateway processes (0: one process); bare: server processes',
        yLabel: 'requests/s',
        series,
      }),
    );
    blocks.push({ kind: 'image', file, alt: `${mode} throughput` });

    const latencySeries: ChartSeries[] = (['p50Us', 'p90Us', 'p99Us'] as const).map((key) => ({
      name: `sqlite ${key.slice(0, 3)}`,
      points: inMode
        .filter((c) => c.store === 'sqlite' && !c.pinned)
        .map((c) => f.point(c, c.workers, (s) => s[key] / 1000)),
    }));
    if (latencySeries[0]!.points.length > 0) {
      const latencyFile = `latency-${mode}.svg`;
      writeFileSync(
        join(out, latencyFile),
        renderChart({
          title: `${mode} port, SQLite, closed loop: latency percentiles`,
          xLabel: 'gateway processes (0: one process)',
          yLabel: 'ms',
          series: latencySeries,
        }),
      );
      blocks.push({ kind: 'image', file: latencyFile, alt: `${mode} latency` });
    }
  }
  return blocks;
}

function engineBlocks(r: MatrixResults, side: SideFigures): Block[] {
  if (r.engine === null) return [];
  const { empty, deep, depth, heapMiB, resting } = r.engine;
  const runs = (e: { runs: number[] }): string => e.runs.map(fmt).join(', ');
  return [
    { kind: 'h2', text: 'The engine in process' },
    {
      kind: 'p',
      text:
        'The mixed flow (55% orders, about half crossing; 25% queries; 20% cancels) applied in ' +
        'batches of 100 with their changes taken and durable closed orders let go, as the ' +
        "server does; no I/O. Each batch's requests are built just before it, as a server " +
        "decodes them, and not timed; the collector's pauses while they are built are. Each " +
        'book in a fresh process of its own, as a server runs one engine; median of the runs ' +
        'after one warm-up, each from a collected and swept heap.',
    },
    {
      kind: 'table',
      head: ['book', 'commands/s', 'order placements/s', 'runs (commands/s)'],
      rows: [
        ['empty', fmt(empty.commandsPerSecond), fmt(empty.ordersPerSecond), runs(empty)],
        [
          `${fmt(depth)} resting orders`,
          fmt(deep.commandsPerSecond),
          fmt(deep.ordersPerSecond),
          runs(deep),
        ],
      ],
    },
    ...(heapMiB !== undefined && resting !== undefined
      ? [
          {
            kind: 'p' as const,
            text: `The deep book takes ${heapMiB.toFixed(0)} MiB of memory (heap and typed arrays) for ${fmt(resting)} resting orders (${((heapMiB * 2 ** 20) / resting).toFixed(0)} bytes each).`,
          },
        ]
      : []),
    ...engineFloorBlocks(side.engineFloor),
  ];
}

/** What the engine's floor says about the 2M target, for the reading. */
function floorReading(floor: EngineFloorFigures | null): string {
  if (floor === null) return '';
  const { engine, bigint, pair, number } = floor.commandsPerSecond;
  return (
    ` **Its floor** (\`npm run bench:engine-floor\`${floor.date === undefined ? '' : `, ${floor.date}`}): ` +
    `a floor that only matches ran at ${fmt(bigint)} commands/s with the classic engine's bigint ` +
    `money, ${fmt(pair)} with the same money exact in pairs of doubles and ${fmt(number)} with plain ` +
    `doubles, the classic engine at ${fmt(engine)} beside them: money in doubles and orders as ` +
    'arrays of fields, the two steps the column engine took.'
  );
}

function engineFloorBlocks(floor: EngineFloorFigures | null): Block[] {
  if (floor === null) return [];
  const counts = floor.instructionsPerCommand;
  const row = (name: string, subject: FloorSubject): string[] => [
    name,
    fmt(floor.commandsPerSecond[subject]),
    floor.runs[subject].map(fmt).join(', '),
    counts === null ? '' : fmt(counts[subject]),
  ];
  return [
    {
      kind: 'p',
      text:
        `**The engine against its floor** (\`npm run bench:engine-floor\`${floor.date === undefined ? '' : `, ${floor.date}`}): ` +
        `the same recorded flow (${fmt(floor.commands)} commands) matched by a floor that does only the matching, ` +
        'its orders in typed arrays, nothing returned, no change rows, fills, batches or eviction; each subject ' +
        `in a fresh process, ${floor.rounds} interleaved rounds, medians. Every subject made the same executions ` +
        'and left the same resting orders. The floor with bigint money keeps amounts as the engine does ' +
        '(exact, shares and prices at 10^-8, cash at 10^-16); with pairs it keeps them as exactly in ' +
        'doubles (shares and prices as safe integers, cash and positions as exact pairs of doubles, ' +
        '`bench/exact-pair.ts`); with number money it keeps plain doubles in whole units, exact for ' +
        "this flow's whole shares and dollars only.",
    },
    {
      kind: 'table',
      head: ['subject', 'commands/s', 'runs', "instructions a command (without V8's compilers)"],
      rows: [
        row('engine', 'engine'),
        row('floor, bigint money', 'bigint'),
        row('floor, exact money in pairs of doubles', 'pair'),
        row('floor, number money', 'number'),
        ...(floor.runs.duties === undefined
          ? []
          : [row("floor with the engine's duties, exact pairs", 'duties')]),
      ],
    },
    {
      kind: 'p',
      text:
        `The engine runs at ${floor.engineToBigintFloor.toFixed(2)} of the bigint floor, and the bigint floor ` +
        `at ${floor.bigintToPairFloor.toFixed(2)} of the exact pairs' floor and ` +
        `${floor.bigintToNumberFloor.toFixed(2)} of the number floor (medians of the per-round ratios). ` +
        `With money in bigints, the matching alone reaches ${fmt(floor.commandsPerSecond.bigint)} commands/s ` +
        `against the target's ${fmt(ENGINE_TARGET)}.` +
        dutiesSentence(floor),
    },
  ];
}

/** What the floor with the engine's duties says, when the run had it. */
function dutiesSentence(floor: EngineFloorFigures): string {
  if (floor.dutiesToEngine === undefined) return '';
  return (
    " The floor with the engine's duties (`bench/floor-duties.ts`: the pairs' floor giving every " +
    'result and change row the engine gives, equal to them value for value, with fills, batches, ' +
    `eviction and lookups by name) ran at ${fmt(floor.commandsPerSecond.duties)}, ` +
    `${floor.dutiesToEngine.toFixed(2)}× the engine (medians of the per-round ratios): a model of ` +
    "the redesign, its results and rows still bigints as the engine's are " +
    '(`bench/report/engine-path.md`).'
  );
}

function profileBlocks(r: MatrixResults): Block[] {
  if (r.profiles.size === 0) return [];
  const blocks: Block[] = [
    { kind: 'h2', text: 'Where the time goes (`--cpu-prof`, main thread, self time)' },
    {
      kind: 'p',
      text:
        'Shares of the busy samples (idle excluded). The exchange profiles are of one load run ' +
        'of the cell named, the server started with `node --cpu-prof`.',
    },
  ];
  for (const [name, p] of r.profiles) {
    blocks.push(
      {
        kind: 'p',
        text: `**${name}**: garbage collection ${pct(p.gc)} of busy time; idle ${pct(p.idle)} of all samples.`,
      },
      {
        kind: 'table',
        head: ['function', 'share of busy time'],
        rows: p.top.map((e) => [e.name, pct(e.share)]),
      },
    );
  }
  return blocks;
}

function requestWindow(side: SideFigures): string {
  const r = side.requestInstructions;
  if (r === null) return '`npm run bench:request-instructions`';
  const warm = r.warmup === undefined ? '' : `${fmt(r.warmup)} requests of warm-up, `;
  return `${warm}${fmt(r.requests)} counted; \`npm run bench:request-instructions\`, ${r.date}`;
}

/** The classic durable floor's ratio, from cpu-split.json, as a sentence (or nothing). */
function durableFloorNote(side: SideFigures): string {
  const durable = side.cpuSplit?.rows.find((r) => r.mode === 'classic' && r.server === 'durable');
  if (durable?.ratio === undefined) return '';
  return (
    ` The durable floor, a bare floor whose replies wait for a grouped flush and nothing else, reaches ` +
    `${x2(durable.ratio)} the floor under this load (\`npm run bench:cpu-split\`, ${side.cpuSplit!.date}).`
  );
}

/** The ratio targets of the stores (issue 15), by load. */
const RATIO_TARGETS: readonly [Mode, StoreName, number][] = [
  ['classic', 'memory', 0.9],
  ['classic', 'sqlite', 0.8],
  ['framed', 'sqlite', 0.75],
  ['framed', 'postgres', 0.6],
];
type StoreName = 'memory' | 'sqlite' | 'postgres';
const STORE_NAMES: Record<StoreName, string> = {
  memory: 'the memory store',
  sqlite: 'SQLite',
  postgres: 'PostgreSQL',
};

/**
 * What each ratio target missed in cpu-split.json allows on this machine. The durable floor
 * bounds any store that flushes before it replies. Where the cores are the limit, requests/s
 * is cores over the CPU a request takes in all (server, PostgreSQL and load generator), so a
 * ratio t to the floor allows the floor's CPU a request over t; the memory store's path takes
 * its share of that before any store's work.
 */
export function targetsAllowed(split: CpuSplitFigures): string[] {
  const all = (r: CpuSplitFigures['rows'][number]): number =>
    cpuOf(r.serverCpu) +
    (r.postgresCpu === undefined ? 0 : cpuOf(r.postgresCpu)) +
    cpuOf(r.generatorCpu);
  const us = (n: number): string => n.toFixed(1);
  const items: string[] = [];
  for (const [mode, store, target] of RATIO_TARGETS) {
    const row = (server: string) => split.rows.find((r) => r.mode === mode && r.server === server);
    const [floor, durable, memory, measured] = [
      row('bare'),
      row('durable'),
      row('memory'),
      row(store),
    ];
    if (floor === undefined || memory === undefined || measured?.ratio === undefined) continue;
    if (measured.ratio >= target) continue;
    const name = `${mode === 'classic' ? 'Classic' : 'Framed'}, ${STORE_NAMES[store]} ≥ ${target}×`;
    const had = `(${STORE_NAMES[store]} ${x2(measured.ratio)} in these rounds)`;
    if (store !== 'memory' && durable?.ratio !== undefined && durable.ratio < target) {
      items.push(
        `**${name}:** the durable floor itself reaches ${x2(durable.ratio)}: no store that flushes ` +
          `before it replies gets there on this disk and these cores ${had}.`,
      );
      continue;
    }
    const allowed = all(floor) / target;
    const flush =
      store === 'memory' || durable?.ratio === undefined
        ? ''
        : `the flush allows it (the durable floor ${x2(durable.ratio)}); `;
    const beyond =
      store === 'memory'
        ? `it takes ${us(all(memory))}`
        : `the memory store's path takes ${us(all(memory))} (${x2(memory.ratio ?? NaN)}) before any ` +
          "store's work, " +
          (all(memory) >= allowed
            ? 'so no store reaches it while the rest of the path costs what it does'
            : `leaving ${us(allowed - all(memory))} µs for the store's, where ${STORE_NAMES[store]}'s ` +
              `takes ${us(all(measured) - all(memory))}`);
    items.push(
      `**${name}:** ${flush}if the cores are the limit (${floor.coresBusy.toFixed(2)} of 2 busy with ` +
        `the floor), ${target}× the floor allows ${us(allowed)} µs of CPU a request in all; ${beyond} ${had}.`,
    );
  }
  return items;
}

/** The CPU time a request takes, and what the ratio targets allow: from cpu-split.json. */
function cpuSplitBlocks(side: SideFigures): Block[] {
  const split = side.cpuSplit;
  if (split === null) return [];
  const us = (n: number): string => n.toFixed(1);
  const withDurableFloor = split.rows.some((r) => r.server === 'durable');
  const countsPostgres = split.rows.some((r) => r.postgresCpu !== undefined);
  const allowed = targetsAllowed(split);
  return [
    { kind: 'h2', text: 'CPU time per request, and what the targets allow on this machine' },
    {
      kind: 'p',
      text:
        'The load generator shares the two cores with the server. `npm run bench:cpu-split` ' +
        `(${split.date}, ${split.rounds} interleaved rounds of ${split.seconds} s, each server warmed up first, ` +
        'medians; ratios to the bare floor of the same round) reads the CPU ' +
        "time of the server's process (every thread, from /proc), " +
        (countsPostgres ? "of PostgreSQL's processes " : '') +
        "and of the load generator's, user and system (kernel) apart, under the loads above. Cores busy: " +
        'their CPU seconds per second; 2 is both cores full, where requests/s is cores over CPU time per request.' +
        (countsPostgres ? '' : " PostgreSQL's own backend processes are not counted.") +
        (withDurableFloor
          ? ' The durable floor is the bare floor whose every reply waits for a durable write (512 bytes, ' +
            'O_DSYNC) started after its request arrived, one at a time in a thread of its own, the replies ' +
            'waiting for the next write going together (`bench/bare-server.ts --durable`): what any store ' +
            'that flushes before it replies costs at least.'
          : ''),
    },
    {
      kind: 'table',
      head: [
        'load',
        'server',
        'requests/s',
        'ratio to the floor',
        'server user µs',
        'server system µs',
        'PostgreSQL µs',
        'generator user µs',
        'generator system µs',
        'cores busy',
      ],
      rows: split.rows.map((r) => [
        r.mode,
        r.server === 'bare'
          ? 'bare floor'
          : r.server === 'durable'
            ? 'durable floor'
            : `exchange, ${r.server}`,
        fmt(r.requestsPerSecond),
        r.ratio === undefined ? '' : x2(r.ratio),
        us(r.serverCpu.user),
        us(r.serverCpu.system),
        r.postgresCpu === undefined ? '' : us(cpuOf(r.postgresCpu)),
        us(r.generatorCpu.user),
        us(r.generatorCpu.system),
        r.coresBusy.toFixed(2),
      ]),
    },
    ...(allowed.length === 0 ? [] : [{ kind: 'list' as const, items: allowed }]),
  ];
}

/** How far the engine is from 2M commands/s, against the spread of its own runs. */
function engineMargin(empty: EngineFigures): string {
  const cps = empty.commandsPerSecond;
  const spread = `its runs ${fmt(Math.min(...empty.runs))}-${fmt(Math.max(...empty.runs))}`;
  if (cps < ENGINE_TARGET) {
    return `2M commands/s needs about ${(ENGINE_TARGET / cps).toFixed(2)}× the engine's speed in the matrix's run (${fmt(cps)} commands/s, ${spread}).`;
  }
  return `The matrix's run reached ${fmt(cps)} commands/s, ${(cps / ENGINE_TARGET).toFixed(2)}× the 2M target (${spread}): a margin inside this VM's swing from host to host, which has measured the same code at half this speed.`;
}

/** Bytes allocated per engine command and per request, by folder: from allocation.json. */
function allocationBlocks(side: SideFigures): Block[] {
  const a = side.allocation;
  if (a === null) return [];
  // Where some subject allocates at least a byte a command or request.
  const areas = [...new Set(a.results.flatMap((r) => Object.keys(r.byArea)))].filter((area) =>
    a.results.some((r) => (r.byArea[area] ?? 0) >= 1),
  );
  const total = (area: string): number =>
    a.results.reduce((sum, r) => sum + (r.byArea[area] ?? 0), 0);
  areas.sort((x, y) => total(y) - total(x));
  return [
    { kind: 'h2', text: 'Memory allocated per command and per request' },
    {
      kind: 'p',
      text:
        `\`npm run bench:allocation\` (${a.date}): V8's sampling heap profiler over a warm run, ` +
        'objects the collectors already freed counted too; the main thread only. How fast the ' +
        'server allocates sets how often its young generation is scavenged, a pause each time ' +
        '(`bench/report/request-path.md`). Bytes by where the allocating code lives:',
    },
    {
      kind: 'table',
      head: ['where', ...a.results.map((r) => `${r.subject}, a ${r.unit}`)],
      rows: [
        ['in all', ...a.results.map((r) => fmt(r.bytesPerUnit))],
        ...areas.map((area) => [area, ...a.results.map((r) => fmt(r.byArea[area] ?? 0))]),
      ],
    },
  ];
}

const cpuOf = (c: CpuPerRequest): number => c.user + c.system;

function reading(r: MatrixResults, f: Figures, side: SideFigures): Block[] {
  const items: string[] = [];
  const classic = (store: string): Cell | undefined =>
    f.find({ mode: 'classic', kind: 'exchange', store: store as Cell['store'], workers: 0 });
  const sqliteClassic = classic('sqlite');
  const memoryCell = classic('memory');
  if (sqliteClassic !== undefined && memoryCell !== undefined) {
    items.push(
      `**Classic, durable:** SQLite reaches ${x2(f.rate(sqliteClassic) / f.rate(memoryCell))} the memory ` +
        'store in the same runs: every classic request waits for the commit of its group (the writer ' +
        "thread's row writes, then the WAL's fsync) and a closed-loop client sends nothing meanwhile. " +
        (r.fdatasyncMs === undefined
          ? ''
          : `An fdatasync takes ${r.fdatasyncMs.toFixed(2)} ms on this disk when it is idle; under load, with the ` +
            'writer, the server and the load generator on two cores, `bench/report/store-commit.md` measured ' +
            'the commit at 0.25 to 2.7 ms. ') +
        (f.ratio(memoryCell).median >= 0.9
          ? `The memory store keeps up with the floor (${x2(f.ratio(memoryCell).median)}): the gap is the durable commit's.`
          : "The rest of the gap to the floor is the memory store's own (below).") +
        durableFloorNote(side),
    );
  }
  const classicProfile = [...r.profiles].find(([name]) => name.startsWith('exchange classic'));
  if (
    memoryCell !== undefined &&
    classicProfile !== undefined &&
    f.ratio(memoryCell).median < 0.9
  ) {
    items.push(
      `**Classic, memory store:** ${x2(f.ratio(memoryCell).median)} the floor. The one-process server's ` +
        `main thread was idle ${pct(classicProfile[1].idle)} of the time under the SQLite classic load: the ` +
        'load generator, on the same two cores, opens a connection per request and is the other half of ' +
        'every round trip.',
    );
  }
  if (side.engineInstructions !== null) {
    items.push(
      `**Engine:** ${fmt(side.engineInstructions.here - (side.engineInstructions.hereCompilers ?? 0))} instructions a command${side.engineInstructions.hereCompilers === undefined ? '' : " without V8's compilers"}, ` +
        "on the server's engine: for this flow the column engine (orders, fills, levels and balances " +
        'in typed arrays, money exact in pairs of doubles; its change sets are columns of those ' +
        "doubles and its statuses carry them, whose decimals the store's thread and the replies' " +
        "encoder write). The classic engine, which runs fees and values past the columns' ranges, " +
        'counts about 4,000 with the same driver, and its orders are objects the collector copies. ' +
        "What is left on the column engine's path: the match path, the results, eviction " +
        '(`bench/report/engine-path.md`). ' +
        (r.engine === null ? '' : engineMargin(r.engine.empty)) +
        floorReading(side.engineFloor),
    );
  }
  const halves = r.halfLoad.filter((h) => h.floor !== undefined);
  if (halves.length > 0) {
    const memoryP99 =
      memoryCell === undefined ? NaN : median(r.summaries.get(memoryCell)!.map((s) => s.p99Us));
    items.push(
      `**Latency at half load:** the durable p99 is ${ms(median(halves.map((h) => h.summary.p99Us)))} ms ` +
        `against the floor's ${ms(median(halves.map((h) => h.floor!.p99Us)))} ms at the same offered load. ` +
        'Each durable reply waits for the commit of its group, and a commit for the one before it; ' +
        'the load generator starts sessions in bursts on the same two cores, so a burst queues behind ' +
        'a commit. The floor never waits for a disk or a thread' +
        (Number.isFinite(memoryP99)
          ? `; even the memory store's closed-loop p99 at its maximum is ${ms(memoryP99)} ms.`
          : '.') +
        ' `bench/report/request-path.md` takes the tail apart: the memory store alone, the commit, the collector,' +
        " and the durable floor's p99 at the same load (`npm run bench:latency`): a server that does nothing but " +
        'the flush.',
    );
  }
  if (side.restart !== null && Object.values(side.restart.stores).some((s) => s.rssMiB > 512)) {
    items.push(
      '**Memory once restarted:** the book of a million orders takes about 230 MiB of heap and Node ' +
        'itself about 60 MiB. The young generation the server runs with (`--max-semi-space-size=64`, ' +
        'two 64 MiB semi-spaces, worth about 8% of framed throughput) fills during the restore; the ' +
        'server gives it back before listening with a memory-reducing collection ' +
        '(`src/app/restore-memory.ts`). `node --import tsx bench/restart-memory.ts` shows where the ' +
        'memory is.',
    );
  }
  return [
    { kind: 'h2', text: 'Reading: why the missed targets are missed' },
    { kind: 'list', items },
  ];
}

/** Writes the report files into `out`; returns their names. */
export function writeReport(r: MatrixResults, out: string, pdf: boolean): string[] {
  mkdirSync(out, { recursive: true });
  const f = new Figures(r);
  const side = readSideFigures(out);
  const halfLoad: Block[] =
    r.halfLoad.length === 0
      ? []
      : [
          { kind: 'h2', text: 'Latency at half load (classic, SQLite, one process, open loop)' },
          {
            kind: 'p',
            text:
              "Each run: the SQLite cell's maximum of that run, then the same server offered half of it, " +
              'open loop, and the bare floor offered the same requests/s.',
          },
          {
            kind: 'table',
            head: [
              'run',
              'maximum requests/s',
              'offered',
              'p50 ms',
              'p90 ms',
              'p99 ms',
              'max ms',
              'floor p99 ms',
              'p99 ratio',
              'failed',
            ],
            rows: r.halfLoad.map((h, i) => [
              String(i + 1),
              fmt(h.max),
              fmt(h.summary.requestsPerSecond),
              ms(h.summary.p50Us),
              ms(h.summary.p90Us),
              ms(h.summary.p99Us),
              ms(h.summary.maxUs),
              h.floor === undefined ? '' : ms(h.floor.p99Us),
              h.floor === undefined ? '' : x2(h.summary.p99Us / h.floor.p99Us),
              String(h.summary.failed + (h.floor?.failed ?? 0)),
            ]),
          },
        ];
  const blocks: Block[] = [
    { kind: 'h1', text: 'exchange-matching: benchmark report' },
    {
      kind: 'p',
      text:
        `Machine: ${r.machine}. Generated by \`npm run bench\` (\`exchange bench\`) on ` +
        `${r.date}: ${r.runs} runs of ${r.seconds} s per cell, every cell once per run, ` +
        (r.warmupSeconds === undefined || r.warmupSeconds === 0
          ? 'each server measured cold from its start, '
          : `each server started afresh and warmed up by ${r.warmupSeconds} s of the same load, unmeasured, before its run, `) +
        'cells interleaved; medians with min-max. The load generator is one more process on the same cores. ' +
        `Pinning: ${r.layout === null ? 'off (--no-pin, no taskset or one core)' : `engine on cpu ${r.layout.engine}, gateways and load generator on cpu ${r.layout.others} (cells marked pinned)`}.` +
        (r.fdatasyncMs === undefined
          ? ''
          : ` One 4 KiB append made durable (write + fdatasync) takes ${r.fdatasyncMs.toFixed(2)} ms on this disk when idle (median of 100, measured before the cells): a durable reply waits at least that, the floor never.`),
    },
    {
      kind: 'p',
      text:
        'Classic: 32 connections, a request per connection, the swap scenario (checked after each run: every ' +
        'TELSA buy executed at 100). Framed: 4 persistent connections × 256 pipelined orders of the mixed flow. ' +
        'The floor is a bare server in the same runtime that only reads the framing and returns a fixed reply; ' +
        'ratios divide each run by the better floor of the same run. "Engine µs/request" is the CPU time of ' +
        "the engine's main thread (the single writer) per request, from /proc.",
    },
    { kind: 'h2', text: 'Targets' },
    targetsTable(r, f, side),
    ...instructionBlocks(side),
    ...cpuSplitBlocks(side),
    ...allocationBlocks(side),
    { kind: 'h2', text: 'All cells' },
    cellsTable(r, f),
    ...charts(r, f, out),
    ...halfLoad,
    ...engineBlocks(r, side),
    ...profileBlocks(r),
    ...reading(r, f, side),
  ];
  writeFileSync(join(out, 'results.json'), resultsJson(r) + '\n');
  writeFileSync(join(out, 'report.md'), toMarkdown(blocks));
  const html = join(out, 'report.html');
  writeFileSync(html, toHtml(blocks, out));
  const written = ['report.md', 'report.html', 'results.json'];
  if (pdf) {
    if (printPdf(html, join(out, 'report.pdf'))) written.push('report.pdf');
    else console.log('--pdf: no Chromium found (apt-get install chromium), no PDF written');
  }
  return written.map((name) => join(out, name));
}
