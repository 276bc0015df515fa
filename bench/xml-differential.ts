// The strict XML parser held to saxes over many generated request documents, well-formed and
// broken (bench/xml-differential-cases.ts), in batches of fixed seeds so that a run repeats:
//   node --import tsx bench/xml-differential.ts [documents] [first seed]
// Then every small change (bench/xml-differential-cases.ts everySmallChange) of the
// documents bench/xml-decode.ts decodes. Prints how many the strict parser decided, how many
// went to saxes (accepted or refused there), and the first mismatches, if any; exits 1 on a
// mismatch.

import fc from 'fast-check';
import { DEFAULT_XML_LIMITS, type XmlLimits } from '../src/protocol/xml-tree.js';
import { differential, documentBytes, everySmallChange, limits } from './xml-differential-cases.js';
import { DOCUMENTS } from './xml-documents.js';

const total = Number(process.argv[2] ?? 1_000_000);
const firstSeed = Number(process.argv[3] ?? 1);
const BATCH = 10_000;
type Counts = Record<
  'documents' | 'strict' | 'saxesAccepted' | 'saxesRefused' | 'mismatches',
  number
>;
const none = (): Counts => ({
  documents: 0,
  strict: 0,
  saxesAccepted: 0,
  saxesRefused: 0,
  mismatches: 0,
});
let mismatches = 0;

function check(counts: Counts, body: Uint8Array, within: XmlLimits, where: string): void {
  counts.documents++;
  try {
    counts[differential(body, within)]++;
  } catch (err) {
    counts.mismatches++;
    if (++mismatches <= 10) {
      process.stdout.write(
        `mismatch (${where}): ${JSON.stringify(Buffer.from(body).toString('latin1'))}\n`,
      );
      process.stdout.write(`${(err as Error).message}\n`);
    }
  }
}

function print(title: string, counts: Counts, seconds: number): void {
  process.stdout.write(
    [
      title,
      `  documents:                       ${counts.documents}`,
      `  decided by the strict parser:    ${counts.strict}`,
      `  fell back, saxes accepted:       ${counts.saxesAccepted}`,
      `  fell back, saxes refused:        ${counts.saxesRefused}`,
      `  mismatches:                      ${counts.mismatches}`,
      `  ${seconds.toFixed(0)} s`,
      '',
    ].join('\n'),
  );
}

let started = Date.now();
const generated = none();
for (let seed = firstSeed; generated.documents < total; seed++) {
  const numRuns = Math.min(BATCH, total - generated.documents);
  for (const [body, within] of fc.sample(fc.tuple(documentBytes, limits), { seed, numRuns })) {
    check(generated, body, within, `seed ${seed}`);
  }
}
print(
  `generated, seeds ${firstSeed}..${firstSeed + Math.ceil(total / BATCH) - 1}:`,
  generated,
  (Date.now() - started) / 1000,
);

started = Date.now();
const changed = none();
for (const [name, doc] of Object.entries(DOCUMENTS)) {
  for (const body of everySmallChange(doc)) check(changed, body, DEFAULT_XML_LIMITS, name);
}
print('every small change of the bench documents:', changed, (Date.now() - started) / 1000);
process.exitCode = mismatches === 0 ? 0 : 1;
