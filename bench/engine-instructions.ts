// Instructions per engine command on the mixed flow, counted by valgrind's callgrind: a figure
// that does not swing with the machine's load as times do. Counts `engine-apply.ts` at two
// repetition counts and divides the difference by the commands it adds, here and, given
// another checkout, there too (engine-apply.ts is copied into it if it lacks one):
//   npm run bench:engine-instructions -- [other checkout] [commands] [--functions N]
// Writes bench/report/engine-instructions.json and .md. With --functions, also prints the N
// functions that take the most instructions a command here (the same difference, by function).

import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { countByFunction, countInstructions, topFunctions } from './callgrind.js';

const here = resolve(import.meta.dirname, '..');
const { values: opts, positionals } = parseArgs({
  options: { functions: { type: 'string', default: '0' } },
  allowPositionals: true,
});
const other = positionals[0];
const commands = Number(positionals[1] ?? 50_000);
const FUNCTIONS = Number(opts.functions);
const [LOW, HIGH] = [1, 3];

function instructions(tree: string, reps: number): Promise<number> {
  return countInstructions(
    ['--import', 'tsx', 'bench/engine-apply.ts', String(commands), String(reps)],
    tree,
  );
}

/** Instructions per command in `tree`: both counts run at once, one per core. */
async function perCommand(tree: string): Promise<number> {
  if (!existsSync(resolve(tree, 'bench/engine-apply.ts'))) {
    copyFileSync(resolve(here, 'bench/engine-apply.ts'), resolve(tree, 'bench/engine-apply.ts'));
  }
  const [low, high] = await Promise.all([instructions(tree, LOW), instructions(tree, HIGH)]);
  return (high - low) / ((HIGH - LOW) * commands);
}

/** Instructions per command here, by function: the two counts' difference, function by function. */
async function byFunction(): Promise<void> {
  const args = (reps: number): string[] => [
    '--import',
    'tsx',
    'bench/engine-apply.ts',
    String(commands),
    String(reps),
  ];
  const [low, high] = await Promise.all([
    countByFunction(args(LOW), here),
    countByFunction(args(HIGH), here),
  ]);
  const added = new Map(high.counts);
  for (const [name, count] of low.counts) added.set(name, (added.get(name) ?? 0) - count);
  const per = (HIGH - LOW) * commands;
  console.log(
    `instructions per command by function (${Math.round((high.total - low.total) / per)} in all):`,
  );
  for (const f of topFunctions(added, FUNCTIONS)) {
    console.log(`  ${String(Math.round(f.instructions / per)).padStart(6)}  ${f.name}`);
  }
}

if (FUNCTIONS > 0) await byFunction();
const mine = await perCommand(here);
const theirs = other === undefined ? null : await perCommand(other);
const summary = { commands, reps: [LOW, HIGH], here: mine, other, otherPerCommand: theirs };
writeFileSync(
  resolve(here, 'bench/report/engine-instructions.json'),
  JSON.stringify(summary, null, 2) + '\n',
);
const lines = [
  '# Engine instructions per command (mixed flow, callgrind)',
  '',
  `${commands.toLocaleString('en')} commands applied ${LOW} and ${HIGH} times to a fresh engine; the difference of the two counts over the commands it adds.`,
  '',
  `- this checkout: ${Math.round(mine).toLocaleString('en')} instructions per command`,
  ...(theirs === null
    ? []
    : [
        `- \`${other}\`: ${Math.round(theirs).toLocaleString('en')} instructions per command`,
        `- ratio, this / other: ${(mine / theirs).toFixed(3)}`,
      ]),
  '',
];
writeFileSync(resolve(here, 'bench/report/engine-instructions.md'), lines.join('\n'));
process.stdout.write(lines.join('\n'));
