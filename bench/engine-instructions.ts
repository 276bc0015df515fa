// Instructions per engine command on the mixed flow, counted by valgrind's callgrind: a figure
// that does not swing with the machine's load as times do. `engine-apply.ts` records the
// flow, applies it once to warm the engine up, and then `reps` times inside callgrind's
// counting window (callgrind.ts, countWindow); the window's count over the commands it
// applied. Here and, given another checkout, there too (this checkout's engine-apply.ts and
// window.ts are copied into it under other names for the count, and removed after):
//   npm run bench:engine-instructions -- [other checkout] [--commands N] [--reps R]
//     [--functions N]
// Writes bench/report/engine-instructions.json and .md. With --functions, also prints the N
// functions that take the most instructions a command here.

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { countWindow, topFunctions } from './callgrind.js';

const here = resolve(import.meta.dirname, '..');
const { values: opts, positionals } = parseArgs({
  options: {
    commands: { type: 'string', default: '100000' },
    reps: { type: 'string', default: '3' },
    functions: { type: 'string', default: '0' },
  },
  allowPositionals: true,
});
const other = positionals[0];
const commands = Number(opts.commands);
const reps = Number(opts.reps);
const FUNCTIONS = Number(opts.functions);

/** Instructions per command in `tree`, and by function when asked (here only). */
async function perCommand(
  tree: string,
  byFunction: boolean,
): Promise<{ perCommand: number; compilers: number; counts: Map<string, number> }> {
  // The other checkout runs this checkout's driver, with its own engine.
  const driver = tree === here ? 'bench/engine-apply.ts' : 'bench/.engine-apply-counted.ts';
  const copies =
    tree === here
      ? []
      : [
          [resolve(here, 'bench/engine-apply.ts'), resolve(tree, driver)],
          [resolve(here, 'bench/window.ts'), resolve(tree, 'bench/.window-counted.ts')],
        ];
  try {
    for (const [from, to] of copies) {
      writeFileSync(
        to!,
        readFileSync(from!, 'utf8').replace("'./window.js'", "'./.window-counted.js'"),
      );
    }
    const { instructions, compilers, counts } = await countWindow(
      [
        // The young generation the server runs with (bin/exchange).
        '--max-semi-space-size=64',
        '--expose-gc',
        '--import',
        'tsx',
        driver,
        String(commands),
        String(reps),
        '--window',
      ],
      tree,
      byFunction,
    );
    const per = commands * reps;
    return {
      perCommand: instructions / per,
      compilers: compilers / per,
      counts,
    };
  } finally {
    for (const [, to] of copies) rmSync(to!, { force: true });
  }
}

function described(count: { perCommand: number; compilers: number }): string {
  const n = (x: number): string => Math.round(x).toLocaleString('en');
  return `${n(count.perCommand)} instructions per command, ${n(count.compilers)} of them V8's compilers': ${n(count.perCommand - count.compilers)} without them`;
}

const mine = await perCommand(here, FUNCTIONS > 0);
if (FUNCTIONS > 0) {
  console.log('instructions per command by function:');
  for (const f of topFunctions(mine.counts, FUNCTIONS)) {
    const per = Math.round(f.instructions / (commands * reps));
    console.log(`  ${String(per).padStart(6)}  ${f.name}`);
  }
}
const theirs = other === undefined ? null : await perCommand(other, false);
const summary = {
  commands,
  reps,
  here: mine.perCommand,
  hereCompilers: mine.compilers,
  other,
  otherPerCommand: theirs?.perCommand ?? null,
  otherCompilers: theirs?.compilers ?? null,
};
writeFileSync(
  resolve(here, 'bench/report/engine-instructions.json'),
  JSON.stringify(summary, null, 2) + '\n',
);
const engineName =
  process.env.BENCH_ENGINE === 'classic'
    ? 'the classic engine alone, BENCH_ENGINE=classic'
    : "the server's engine, where the checkout has the adaptive one";
const recording =
  process.env.BENCH_BOOK_EVENTS === '1' ? ', making market-data events (BENCH_BOOK_EVENTS=1)' : '';
const lines = [
  '# Engine instructions per command (mixed flow, callgrind)',
  '',
  `${commands.toLocaleString('en')} commands applied to a fresh engine (${engineName}${recording}) once to warm it up, then ${reps} times counted (64 MiB semi-spaces, as the server runs); the counted instructions over the commands.`,
  '',
  "V8's compilers are still at work in the window (a native run of a few seconds hardly is): their part is given apart, and the count without them is the one to compare.",
  '',
  `- this checkout: ${described(mine)}`,
  ...(theirs === null
    ? []
    : [
        `- \`${other}\`: ${described(theirs)}`,
        `- ratio without the compilers, this / other: ${(
          (mine.perCommand - mine.compilers) /
          (theirs.perCommand - theirs.compilers)
        ).toFixed(3)}`,
      ]),
  '',
];
writeFileSync(resolve(here, 'bench/report/engine-instructions.md'), lines.join('\n'));
process.stdout.write(lines.join('\n'));
