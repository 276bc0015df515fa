// The engine's mixed flow (bench/engine.ts) in this checkout and in another one, side by side:
// the two alternate round by round, so both see the same machine, and the figure is the
// median of the per-round ratios. Used to show a change does not slow the engine down:
//   git worktree add /tmp/before <commit> && npm run bench:engine-paired -- /tmp/before
// Writes bench/report/engine-paired.json and .md.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { median } from './stats.js';

const other = process.argv[2];
const rounds = Number(process.argv[3] ?? 7);
const commands = Number(process.argv[4] ?? 1_000_000);
if (other === undefined) {
  process.stderr.write('usage: engine-paired.ts <other checkout> [rounds] [commands]\n');
  process.exit(2);
}
const here = resolve(import.meta.dirname, '..');

function run(tree: string): number {
  const out = execFileSync(
    process.execPath,
    // The flags the matrix runs it with: each run from a collected heap, the server's young
    // generation.
    [
      '--expose-gc',
      '--max-semi-space-size=64',
      '--import',
      'tsx',
      'bench/engine.ts',
      String(commands),
    ],
    { cwd: tree, encoding: 'utf8' },
  );
  return (JSON.parse(out.trim().split('\n').pop()!) as { commandsPerSecond: number })
    .commandsPerSecond;
}

const rows: { round: number; here: number; other: number; ratio: number }[] = [];
for (let round = 1; round <= rounds; round++) {
  // Alternate who goes first, so neither always runs on a warmer or cooler machine.
  let mine: number;
  let theirs: number;
  if (round % 2 === 1) {
    mine = run(here);
    theirs = run(other);
  } else {
    theirs = run(other);
    mine = run(here);
  }
  rows.push({ round, here: mine, other: theirs, ratio: mine / theirs });
  process.stdout.write(
    `round ${round}: here ${Math.round(mine)} cmd/s, other ${Math.round(theirs)} cmd/s, ratio ${(mine / theirs).toFixed(3)}\n`,
  );
}
const ratios = rows.map((r) => r.ratio);
const summary = {
  other,
  rounds,
  commands,
  hereMedian: median(rows.map((r) => r.here)),
  otherMedian: median(rows.map((r) => r.other)),
  ratioMedian: median(ratios),
  ratioMin: Math.min(...ratios),
  ratioMax: Math.max(...ratios),
  rows,
};
writeFileSync(
  resolve(here, 'bench/report/engine-paired.json'),
  JSON.stringify(summary, null, 2) + '\n',
);
const md = [
  '# Engine mixed flow, this checkout against another, side by side',
  '',
  `Other checkout: \`${other}\`; ${rounds} rounds of ${commands.toLocaleString('en')} commands each (each round runs both, the first alternating).`,
  '',
  '| round | here (commands/s) | other (commands/s) | here / other |',
  '|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.round} | ${Math.round(r.here).toLocaleString('en')} | ${Math.round(r.other).toLocaleString('en')} | ${r.ratio.toFixed(3)} |`,
  ),
  '',
  `Median ratio ${summary.ratioMedian.toFixed(3)} (min ${summary.ratioMin.toFixed(3)}, max ${summary.ratioMax.toFixed(3)}); medians ${Math.round(summary.hereMedian).toLocaleString('en')} here and ${Math.round(summary.otherMedian).toLocaleString('en')} there.`,
  '',
];
writeFileSync(resolve(here, 'bench/report/engine-paired.md'), md.join('\n'));
process.stdout.write(md.join('\n'));
