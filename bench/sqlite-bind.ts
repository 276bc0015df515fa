// Binding a multi-row statement's values in better-sqlite3: as one array argument, or spread
// as arguments (what sqlite-database.ts's MultiRow does). A 64-row insert of 16 columns, a
// third of them integers and the rest text, as the store's order rows are, into an
// in-memory database; both ways alternate within each round; medians of the rounds and the
// median of the per-round ratios.
//   node --import tsx bench/sqlite-bind.ts [rounds]

import Database from 'better-sqlite3';
import { median } from './stats.js';

const ROUNDS = Number(process.argv[2] ?? 7);
const COLUMNS = 16;
const ROWS = 64;
const INSERTS = 2000;

const db = new Database(':memory:');
const columns = Array.from(
  { length: COLUMNS },
  (_, i) => `c${i} ${i % 3 === 0 ? 'INTEGER' : 'TEXT'}`,
);
db.exec(`CREATE TABLE t (${columns.join(', ')})`);
const row = `(${Array<string>(COLUMNS).fill('?').join(', ')})`;
const insert = db.prepare(`INSERT INTO t VALUES ${Array<string>(ROWS).fill(row).join(', ')}`);
const clear = db.prepare('DELETE FROM t');
const values: (number | string)[] = [];
for (let r = 0; r < ROWS; r++) {
  for (let c = 0; c < COLUMNS; c++) values.push(c % 3 === 0 ? r * 1000 + c : `${r}.${c}0000`);
}

/** µs per 64-row insert. */
function time(run: () => void): number {
  const started = performance.now();
  for (let i = 0; i < INSERTS; i++) {
    run();
    if (i % 50 === 49) clear.run();
  }
  return ((performance.now() - started) * 1000) / INSERTS;
}

const asArray = (): void => void insert.run(values);
const spread = (): void => void insert.run(...values);
time(asArray);
time(spread);
const arrays: number[] = [];
const spreads: number[] = [];
const ratios: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const [a, s] = round % 2 === 0 ? [time(asArray), time(spread)] : [NaN, time(spread)];
  const array = Number.isNaN(a) ? time(asArray) : a;
  arrays.push(array);
  spreads.push(s);
  ratios.push(s / array);
}
console.log(
  `a ${ROWS}-row insert of ${COLUMNS} columns, µs, median of ${ROUNDS} rounds: ` +
    `array ${median(arrays).toFixed(1)}, spread ${median(spreads).toFixed(1)}, ` +
    `spread/array ${median(ratios).toFixed(2)}`,
);
