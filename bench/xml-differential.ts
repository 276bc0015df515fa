// The strict XML parser held to saxes over many generated request documents, well-formed and
// broken (test/support/xml-differential.ts), in batches of fixed seeds so that a run repeats:
//   node --import tsx bench/xml-differential.ts [documents] [first seed]
// Prints how many the strict parser decided, how many went to saxes (accepted or refused
// there), and the first mismatches, if any; exits 1 on a mismatch.

import fc from 'fast-check';
import { differential, documentBytes, limits } from '../test/support/xml-differential.js';

const total = Number(process.argv[2] ?? 1_000_000);
const firstSeed = Number(process.argv[3] ?? 1);
const BATCH = 10_000;
const counts = { documents: 0, strict: 0, saxesAccepted: 0, saxesRefused: 0, mismatches: 0 };
const started = Date.now();

for (let seed = firstSeed; counts.documents < total; seed++) {
  const numRuns = Math.min(BATCH, total - counts.documents);
  for (const [body, within] of fc.sample(fc.tuple(documentBytes, limits), { seed, numRuns })) {
    counts.documents++;
    try {
      counts[differential(body, within)]++;
    } catch (err) {
      counts.mismatches++;
      if (counts.mismatches <= 10) {
        process.stdout.write(
          `mismatch (seed ${seed}): ${JSON.stringify(body.toString('latin1'))}\n`,
        );
        process.stdout.write(`${(err as Error).message}\n`);
      }
    }
  }
}

const seconds = (Date.now() - started) / 1000;
process.stdout.write(
  [
    `documents:                       ${counts.documents}`,
    `decided by the strict parser:    ${counts.strict}`,
    `fell back, saxes accepted:       ${counts.saxesAccepted}`,
    `fell back, saxes refused:        ${counts.saxesRefused}`,
    `mismatches:                      ${counts.mismatches}`,
    `seeds ${firstSeed}..${firstSeed + Math.ceil(total / BATCH) - 1}, ${seconds.toFixed(0)} s`,
    '',
  ].join('\n'),
);
process.exitCode = counts.mismatches === 0 ? 0 : 1;
