// Request documents decoded into trees by saxes alone and by the strict parser first (which
// falls back to saxes), in documents per second side by side and in instructions per
// document under valgrind's callgrind, counted as bench/engine-instructions.ts counts the
// engine: the same work at two repetition counts, the difference over the documents it adds.
//   node --import tsx bench/xml-decode.ts                 both figures; writes
//                                                         bench/report/xml-decode.json
//   node --import tsx bench/xml-decode.ts time            documents per second alone
//   node --import tsx bench/xml-decode.ts count PATH REPS the counted work alone (saxes|strict)

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  DEFAULT_XML_LIMITS,
  parseXmlTree,
  parseXmlTreeWithSaxes,
  type TreeResult,
} from '../src/protocol/xml-tree.js';
import { countInstructions } from './callgrind.js';
import { median } from './stats.js';
import { DOCUMENTS } from './xml-documents.js';

const bodies = Object.values(DOCUMENTS).map((doc) => Buffer.from(doc, 'utf8'));
const PATHS: Record<string, typeof parseXmlTree> = {
  saxes: parseXmlTreeWithSaxes,
  strict: parseXmlTree,
};

// Each path must build the same trees, or the comparison means nothing.
for (const body of bodies) {
  const [a, b] = [parseXmlTreeWithSaxes(body), parseXmlTree(body)];
  if (!a.ok || JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`paths differ on ${body}`);
}

let sink: TreeResult | undefined;

/** Decodes every document `rounds` times. */
function decodeAll(parse: typeof parseXmlTree, rounds: number): void {
  for (let r = 0; r < rounds; r++) {
    for (const body of bodies) sink = parse(body, DEFAULT_XML_LIMITS);
  }
}

const ROUNDS_PER_REP = 10_000;
const [LOW, HIGH] = [1, 3];

if (process.argv[2] === 'count') {
  const parse = PATHS[process.argv[3] ?? ''];
  if (parse === undefined) throw new Error('count saxes|strict REPS');
  decodeAll(parse, ROUNDS_PER_REP * Number(process.argv[4] ?? 1));
  if (sink === undefined) throw new Error('nothing decoded');
} else if (process.argv[2] === 'time') {
  process.stdout.write(JSON.stringify(timed(), null, 2) + '\n');
} else {
  await main();
}

async function main(): Promise<void> {
  const here = resolve(import.meta.dirname, '..');
  const perSecond = timed();
  const perDocument: Record<string, number> = {};
  for (const path of Object.keys(PATHS)) {
    // One path at a time: both counts of it run at once, one per core.
    const [low, high] = await Promise.all([
      instructions(here, path, LOW),
      instructions(here, path, HIGH),
    ]);
    perDocument[path] = (high - low) / ((HIGH - LOW) * ROUNDS_PER_REP * bodies.length);
  }
  const summary = {
    date: new Date().toISOString(),
    documents: DOCUMENTS,
    documentsPerSecond: perSecond,
    instructionsPerDocument: perDocument,
    callgrind: {
      roundsPerRep: ROUNDS_PER_REP,
      documentsPerRound: bodies.length,
      reps: [LOW, HIGH],
    },
  };
  writeFileSync(
    resolve(here, 'bench/report/xml-decode.json'),
    JSON.stringify(summary, null, 2) + '\n',
  );
  const fmt = (n: number): string => Math.round(n).toLocaleString('en');
  const lines = [
    '| path | documents/s (median) | instructions/document |',
    '| ---- | -------------------: | --------------------: |',
    ...Object.keys(PATHS).map(
      (p) => `| ${p} | ${fmt(perSecond[p]!.median)} | ${fmt(perDocument[p]!)} |`,
    ),
    '',
    `strict / saxes: ${(perSecond.strict!.median / perSecond.saxes!.median).toFixed(2)}x documents/s, ` +
      `${(perDocument.strict! / perDocument.saxes!).toFixed(3)} of the instructions`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

/** Documents per second of each path: runs of both, alternating which goes first. */
function timed(): Record<string, { median: number; runs: number[] }> {
  const RUNS = 9;
  const ROUNDS = 20_000;
  const runs: Record<string, number[]> = { saxes: [], strict: [] };
  for (const path of Object.keys(PATHS)) decodeAll(PATHS[path]!, ROUNDS / 4);
  for (let run = 0; run < RUNS; run++) {
    const order = run % 2 === 0 ? ['saxes', 'strict'] : ['strict', 'saxes'];
    for (const path of order) {
      const start = process.hrtime.bigint();
      decodeAll(PATHS[path]!, ROUNDS);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      runs[path]!.push((ROUNDS * bodies.length) / seconds);
    }
  }
  return Object.fromEntries(
    Object.entries(runs).map(([path, r]) => [path, { median: median(r), runs: r.map(Math.round) }]),
  );
}

function instructions(tree: string, path: string, reps: number): Promise<number> {
  return countInstructions(
    ['--import', 'tsx', 'bench/xml-decode.ts', 'count', path, String(reps)],
    tree,
  );
}
