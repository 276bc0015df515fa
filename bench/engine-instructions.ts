// Instructions per engine command on the mixed flow, counted by valgrind's callgrind: a figure
// that does not swing with the machine's load as times do. Counts `engine-apply.ts` at two
// repetition counts and divides the difference by the commands it adds, here and, given
// another checkout, there too (engine-apply.ts is copied into it if it lacks one):
//   npm run bench:engine-instructions -- [other checkout] [commands]
// Writes bench/report/engine-instructions.json and .md.

import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { countInstructions } from './callgrind.js';

const here = resolve(import.meta.dirname, '..');
const other = process.argv[2];
const commands = Number(process.argv[3] ?? 50_000);
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
