// The engine's floor: the mixed flow's commands matched by the least a price-time engine can
// do in this runtime, beside the real engine, each in a fresh process, interleaved round by
// round (the order rotates), on the same recorded flow:
//   node --import tsx bench/engine-floor.ts [--rounds 5] [--commands 1000000] [--json FILE]
//     [--instructions 100000]   (also count each subject's instructions per command, in
//     callgrind's window: 3 runs of that many commands after one that warms up)
// The floor keeps orders in typed arrays (no object per order for the collector to copy) and
// returns nothing: no result objects, no change rows, no fills kept for queries, no batches,
// no eviction, no market data. It matches with its money in one of three representations:
// - `bigint`: exact, at the engine's own scales (shares and prices 10^-8, cash 10^-16), as
//   the engine keeps it;
// - `pair`: exact at the same scales in doubles: shares and prices as safe integers, cash
//   and positions as exact pairs of doubles (exact-pair.ts);
// - `number`: plain doubles in whole shares and dollars, which are exact for this flow only
//   (its amounts and prices are whole; 8-decimal shares times 8-decimal prices are not).
// What the floor leaves out is what the engine's features cost; the gaps between the floors
// are what each representation of money costs. A fifth subject, `duties` (floor-duties.ts),
// is the pairs' floor doing what the engine must do besides matching (results, fills,
// change rows, batches, eviction): what an engine redesigned that way would cost. A run
// checks that every subject made the same number of executions, left the same resting
// orders and ended with the same cash and positions in every account, to the unit.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Request } from '../src/engine/commands.js';
import { Exchange } from '../src/engine/exchange.js';
import { DEFAULT_HISTORY_CACHE } from '../src/sequencer/sequencer.js';
import { countWindow } from './callgrind.js';
import { recordMixedFlow } from './engine.js';
import * as pair from '../src/decimal/exact-pair.js';
import { DutiesFloor, dutiesFlow } from './floor-duties.js';
import { ORDER, QUERY, flatten, type FlatFlow, type FlowMoney, type Funds } from './floor-flow.js';
import { IdQueues, queuesOf } from '../src/engine/columns/id-queues.js';
import { Side } from '../src/engine/columns/price-side.js';
import { countRuns, settleHeap } from './window.js';
import { median } from './stats.js';

const BATCH = 100;
/** Runs of the flow counted in callgrind's window, after one that warms up. */
const COUNTED_REPS = 3;

/** Share and price arithmetic over one representation, and the ledger it keeps. */
interface Money<T> extends FlowMoney<T> {
  readonly zero: T;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  less(a: T, b: T): boolean;
  /** Cash and positions, each account's and each position's starting as `start` says. */
  ledger(accounts: number, symbols: number, start: Funds): Ledger<T>;
}

/** Accounts' cash (moved as shares × price) and positions (moved as shares). */
interface Ledger<T> {
  /** Takes shares × price from the account's cash if it has that much; false if not. */
  debitCash(account: number, shares: T, price: T): boolean;
  creditCash(account: number, shares: T, price: T): void;
  /** Takes shares from the position if it holds that many; false if not. */
  debitShares(position: number, shares: T): boolean;
  creditShares(position: number, shares: T): void;
  /** Every account's cash (10^-16) and every position (10^-8), exactly, by index. */
  balances(): { cash: bigint[]; shares: bigint[] };
}

/** A ledger of one value per account and per position, in the money's own arithmetic. */
function valueLedger<T>(
  money: Money<T>,
  mul: (a: T, b: T) => T,
  start: { cash: T; shares: T },
  exact: { cash: (v: T) => bigint; shares: (v: T) => bigint },
  accounts: number,
  symbols: number,
): Ledger<T> {
  const cash = money.array(accounts);
  const shares = money.array(accounts * symbols);
  for (let i = 0; i < accounts; i++) cash[i] = start.cash;
  for (let i = 0; i < accounts * symbols; i++) shares[i] = start.shares;
  return {
    debitCash: (account, n, price) => {
      const cost = mul(n, price);
      if (money.less(cash[account]!, cost)) return false;
      cash[account] = money.sub(cash[account]!, cost);
      return true;
    },
    creditCash: (account, n, price) => {
      cash[account] = money.add(cash[account]!, mul(n, price));
    },
    debitShares: (position, n) => {
      if (money.less(shares[position]!, n)) return false;
      shares[position] = money.sub(shares[position]!, n);
      return true;
    },
    creditShares: (position, n) => {
      shares[position] = money.add(shares[position]!, n);
    },
    balances: () => ({
      cash: Array.from({ length: accounts }, (_, i) => exact.cash(cash[i]!)),
      shares: Array.from({ length: accounts * symbols }, (_, i) => exact.shares(shares[i]!)),
    }),
  };
}

/** A whole number of dollars or shares as units of 10^-scale; refused if not whole. */
function wholeUnits(value: number, scale: bigint): bigint {
  if (!Number.isInteger(value)) throw new RangeError(`${value} is not whole`);
  return BigInt(value) * scale;
}

/** Exact, as the engine keeps it: shares and prices at 10^-8, cash at 10^-16. */
const BIGINT_MONEY: Money<bigint> = {
  zero: 0n,
  units: (value) => value,
  array: (length) => new Array<bigint>(length).fill(0n),
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  less: (a, b) => a < b,
  ledger: (accounts, symbols, start) =>
    valueLedger(
      BIGINT_MONEY,
      (a, b) => a * b,
      start,
      { cash: (v) => v, shares: (v) => v },
      accounts,
      symbols,
    ),
};

/** Doubles in whole shares and dollars: exact for this flow only. */
const NUMBER_MONEY: Money<number> = {
  zero: 0,
  units: (value) => Number(value) / 1e8,
  array: (length) => new Float64Array(length),
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  less: (a, b) => a < b,
  ledger: (accounts, symbols, start) =>
    valueLedger(
      NUMBER_MONEY,
      (a, b) => a * b,
      { cash: Number(start.cash) / 1e16, shares: Number(start.shares) / 1e8 },
      { cash: (v) => wholeUnits(v, 10n ** 16n), shares: (v) => wholeUnits(v, 10n ** 8n) },
      accounts,
      symbols,
    ),
};

/**
 * Exact, in doubles: shares and prices at 10^-8 as safe integers (the flow's are), cash at
 * 10^-16 and positions at 10^-8 as exact pairs of doubles (exact-pair.ts).
 */
const PAIR_MONEY: Money<number> = {
  ...NUMBER_MONEY,
  units: (value) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new RangeError(`${value} is past 2^53 units`);
    return n;
  },
  ledger: (accounts, symbols, start) => pairLedger(accounts, symbols, start),
};

function pairLedger(accounts: number, symbols: number, start: Funds): Ledger<number> {
  const cashHi = new Float64Array(accounts).fill(pair.fromBigInt(start.cash));
  const cashLo = new Float64Array(accounts).fill(pair.low());
  const sharesHi = new Float64Array(accounts * symbols).fill(pair.fromBigInt(start.shares));
  const sharesLo = new Float64Array(accounts * symbols).fill(pair.low());
  const check = (hi: number): void => {
    if (!(Math.abs(hi) < pair.LIMIT)) throw new RangeError('a balance passed the exact range');
  };
  const moveCash = (account: number, hi: number, lo: number): void => {
    cashHi[account] = pair.add(cashHi[account]!, cashLo[account]!, hi, lo);
    cashLo[account] = pair.low();
    check(cashHi[account]!);
  };
  const moveShares = (position: number, n: number): void => {
    sharesHi[position] = pair.add(sharesHi[position]!, sharesLo[position]!, n, 0);
    sharesLo[position] = pair.low();
    check(sharesHi[position]!);
  };
  return {
    debitCash: (account, n, price) => {
      const hi = pair.twoProduct(n, price);
      const lo = pair.low();
      if (pair.less(cashHi[account]!, cashLo[account]!, hi, lo)) return false;
      moveCash(account, -hi, -lo);
      return true;
    },
    creditCash: (account, n, price) => moveCash(account, pair.twoProduct(n, price), pair.low()),
    debitShares: (position, n) => {
      if (pair.less(sharesHi[position]!, sharesLo[position]!, n, 0)) return false;
      moveShares(position, -n);
      return true;
    },
    creditShares: moveShares,
    balances: () => ({
      cash: Array.from({ length: accounts }, (_, i) => pair.toBigInt(cashHi[i]!, cashLo[i]!)),
      shares: Array.from({ length: accounts * symbols }, (_, i) =>
        pair.toBigInt(sharesHi[i]!, sharesLo[i]!),
      ),
    }),
  };
}

/** The floor engine: its whole state in arrays sized for the flow, orders by id from 1. */
class FloorEngine<T> {
  private readonly open;
  private readonly filled;
  private readonly limit;
  private readonly owner: Int32Array;
  private readonly sym: Int32Array;
  private readonly buy: Uint8Array;
  private readonly level: Int32Array;
  // Price levels from a pool; a level's price is its order's limit, its key a double.
  private readonly levelKey: Float64Array;
  private readonly levelPrice;
  private readonly levelOpen;
  /** Each level's orders in time priority. */
  private readonly queues: IdQueues;
  private readonly freeLevels: number[] = [];
  private levelsUsed = 0;
  private readonly sides: Side[] = [];
  private readonly ledger: Ledger<T>;
  private nextId = 1;
  executions = 0;
  /** What queries read, counted so that the reads are not optimized away. */
  queried = 0;

  constructor(
    private readonly flow: FlatFlow<T>,
    private readonly money: Money<T>,
  ) {
    const n = flow.orders + 1;
    this.open = money.array(n);
    this.filled = money.array(n);
    this.limit = money.array(n);
    this.owner = new Int32Array(n);
    this.sym = new Int32Array(n);
    this.buy = new Uint8Array(n);
    this.level = new Int32Array(n).fill(-1);
    this.levelKey = new Float64Array(n);
    this.levelPrice = money.array(n);
    this.levelOpen = money.array(n);
    this.queues = queuesOf(n, n);
    const heapSlots = new Int32Array(n);
    for (let s = 0; s < flow.symbols; s++) {
      this.sides.push(
        new Side(true, { price: this.levelKey, heapSlot: heapSlots }),
        new Side(false, { price: this.levelKey, heapSlot: heapSlots }),
      );
    }
    this.ledger = money.ledger(flow.accounts, flow.symbols, flow.funds);
  }

  run(): void {
    const flow = this.flow;
    for (let i = 0; i < flow.count; i++) {
      const kind = flow.kind[i]!;
      if (kind === ORDER) this.place(i);
      else if (kind === QUERY) this.query(flow.orderId[i]!);
      else this.cancel(flow.account[i]!, flow.orderId[i]!);
    }
  }

  private place(i: number): void {
    const { flow, money, ledger } = this;
    const account = flow.account[i]!;
    const sym = flow.sym[i]!;
    const isBuy = flow.buy[i] === 1;
    const shares = flow.shares[i]!;
    const limit = flow.limit[i]!;
    const position = account * flow.symbols + sym;
    if (isBuy) {
      if (!ledger.debitCash(account, shares, limit)) return;
    } else {
      if (!ledger.debitShares(position, shares)) return;
    }
    const id = this.nextId++;
    this.open[id] = shares;
    this.limit[id] = limit;
    this.owner[id] = account;
    this.sym[id] = sym;
    this.buy[id] = isBuy ? 1 : 0;
    const opposite = this.sides[2 * sym + (isBuy ? 1 : 0)]!;
    while (money.less(money.zero, this.open[id]!) && opposite.heap.length > 0) {
      const best = opposite.heap[0]!;
      const price = this.levelPrice[best]!;
      if (isBuy ? money.less(limit, price) : money.less(price, limit)) break;
      const resting = this.queues.head[best]!;
      const fill = money.less(this.open[id]!, this.open[resting]!)
        ? this.open[id]!
        : this.open[resting]!;
      this.open[id] = money.sub(this.open[id]!, fill);
      this.open[resting] = money.sub(this.open[resting]!, fill);
      this.filled[id] = money.add(this.filled[id]!, fill);
      this.filled[resting] = money.add(this.filled[resting]!, fill);
      this.levelOpen[best] = money.sub(this.levelOpen[best]!, fill);
      const seller = isBuy ? this.owner[resting]! : account;
      const buyer = isBuy ? account : this.owner[resting]!;
      ledger.creditShares(buyer * flow.symbols + sym, fill);
      ledger.creditCash(seller, fill, price);
      // The buyer reserved its limit; it pays the resting order's price.
      const buyLimit = isBuy ? limit : price;
      if (buyLimit !== price) ledger.creditCash(buyer, fill, money.sub(buyLimit, price));
      this.executions++;
      if (this.open[resting] === money.zero) this.unlink(resting);
    }
    if (money.less(money.zero, this.open[id]!)) this.rest(id, flow.limitKey[i]!);
  }

  private rest(id: number, key: number): void {
    const side = this.sides[2 * this.sym[id]! + (this.buy[id] === 1 ? 0 : 1)]!;
    let level = side.byPrice.get(key);
    if (level === undefined) {
      level = this.freeLevels.pop() ?? this.levelsUsed++;
      this.levelKey[level] = key;
      this.levelPrice[level] = this.limit[id]!;
      this.levelOpen[level] = this.money.zero;
      side.add(level);
    }
    this.queues.append(level, id);
    this.levelOpen[level] = this.money.add(this.levelOpen[level]!, this.open[id]!);
    this.level[id] = level;
  }

  private unlink(id: number): void {
    const level = this.level[id]!;
    this.queues.remove(level, id);
    this.level[id] = -1;
    if (this.queues.head[level] === 0) {
      const side = this.sides[2 * this.sym[id]! + (this.buy[id] === 1 ? 0 : 1)]!;
      side.remove(level);
      this.freeLevels.push(level);
    }
  }

  private query(id: number): void {
    if (this.money.less(this.money.zero, this.money.add(this.open[id]!, this.filled[id]!))) {
      this.queried++;
    }
  }

  private cancel(account: number, id: number): void {
    if (this.owner[id] !== account || this.level[id] === -1) return;
    const { money } = this;
    const shares = this.open[id]!;
    this.levelOpen[this.level[id]!] = money.sub(this.levelOpen[this.level[id]!]!, shares);
    this.unlink(id);
    this.open[id] = money.zero;
    if (this.buy[id] === 1) this.ledger.creditCash(account, shares, this.limit[id]!);
    else this.ledger.creditShares(account * this.flow.symbols + this.sym[id]!, shares);
  }

  balances(): { cash: bigint[]; shares: bigint[] } {
    return this.ledger.balances();
  }

  get resting(): number {
    let count = 0;
    for (let id = 1; id < this.nextId; id++) if (this.level[id] !== -1) count++;
    return count;
  }
}

export type Subject = 'engine' | 'bigint' | 'pair' | 'number' | 'duties';
const SUBJECTS: readonly Subject[] = ['engine', 'bigint', 'pair', 'number', 'duties'];

export interface SubjectRun {
  readonly commandsPerSecond: number;
  readonly executions: number;
  readonly resting: number;
  /** Every account's cash and positions at the end, exactly (see balancesDigest). */
  readonly balances: string;
}

/**
 * A digest of every account's cash (10^-16) and positions (10^-8) at the end, the same
 * whichever subject kept them: equal digests, equal money everywhere.
 */
function balancesDigest(
  accounts: Iterable<{ id: string; cash: bigint; positions: Iterable<[string, bigint]> }>,
): string {
  const lines: string[] = [];
  for (const a of accounts) {
    const positions = [...a.positions].map(([sym, n]) => `${sym}=${n}`).sort();
    lines.push(`${a.id}:${a.cash}:${positions.join(',')}`);
  }
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex');
}

/** balancesDigest of balances held by account and position index, as the floors hold them. */
function flatBalancesDigest(
  flow: FlatFlow<unknown>,
  { cash, shares }: { cash: bigint[]; shares: bigint[] },
): string {
  return balancesDigest(
    flow.accountIds.map((id, a) => ({
      id,
      cash: cash[a]!,
      positions: flow.symbolNames.map((sym, s): [string, bigint] => [
        sym,
        shares[a * flow.symbols + s]!,
      ]),
    })),
  );
}

function timeFloor<T>(
  setup: Request,
  requests: readonly Request[],
  money: Money<T>,
): () => SubjectRun {
  const flow = flatten(setup, requests, money);
  return () => {
    const floor = new FloorEngine(flow, money);
    const start = process.hrtime.bigint();
    floor.run();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return {
      commandsPerSecond: flow.count / seconds,
      executions: floor.executions,
      resting: floor.resting,
      balances: flatBalancesDigest(flow, floor.balances()),
    };
  };
}

/** The engine over the same requests, timed as bench/engine.ts times it. */
function timeEngine(setup: Request, requests: readonly Request[]): () => SubjectRun {
  return () => {
    const engine = new Exchange();
    engine.apply(setup, 0);
    engine.takeChanges();
    let executions = 0;
    const start = process.hrtime.bigint();
    for (let i = 0; i < requests.length; i += BATCH) {
      const end = Math.min(i + BATCH, requests.length);
      for (let j = i; j < end; j++) engine.apply(requests[j]!, 1);
      const batch = engine.currentBatch;
      executions += engine.takeChanges().executions.length;
      engine.takeEvents();
      engine.evictClosed(batch, DEFAULT_HISTORY_CACHE);
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    let resting = 0;
    for (const book of engine.symbolBooks()) {
      resting += book.bids.orderCount + book.asks.orderCount;
    }
    const balances = balancesDigest(
      [...engine.accounts.values()].map((a) => ({
        id: a.id,
        cash: a.cash,
        positions: [...a.positions.values()].map((p): [string, bigint] => [p.sym, p.shares]),
      })),
    );
    return { commandsPerSecond: requests.length / seconds, executions, resting, balances };
  };
}

/** The pairs' floor with the engine's duties (floor-duties.ts), timed as the engine is. */
function timeDuties(setup: Request, requests: readonly Request[]): () => SubjectRun {
  const flow = dutiesFlow(setup, requests);
  return () => {
    const floor = new DutiesFloor(flow);
    const start = process.hrtime.bigint();
    for (let i = 0; i < requests.length; i += BATCH) {
      const end = Math.min(i + BATCH, requests.length);
      for (let j = i; j < end; j++) floor.apply(j, 1);
      const batch = floor.currentBatch;
      floor.takeChanges();
      floor.evictClosed(batch, DEFAULT_HISTORY_CACHE);
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return {
      commandsPerSecond: requests.length / seconds,
      executions: floor.executions,
      resting: floor.resting,
      balances: flatBalancesDigest(flow.flat, floor.balances()),
    };
  };
}

type Recorded = ReturnType<typeof recordMixedFlow>;

/** A subject's timed run over a recorded flow. */
function subjectRun(subject: Subject, { setup, requests }: Recorded): () => SubjectRun {
  if (subject === 'engine') return timeEngine(setup, requests);
  if (subject === 'bigint') return timeFloor(setup, requests, BIGINT_MONEY);
  if (subject === 'duties') return timeDuties(setup, requests);
  return timeFloor(setup, requests, subject === 'pair' ? PAIR_MONEY : NUMBER_MONEY);
}

/**
 * One subject run `reps` times over a recorded flow (the first warms up); the last run. Each
 * run after the first starts from a collected and swept heap (with `--expose-gc`), so that it
 * does not pay for collecting what the run before it left.
 */
export function runRecorded(subject: Subject, recorded: Recorded, reps: number): SubjectRun {
  const time = subjectRun(subject, recorded);
  let last = time();
  for (let rep = 1; rep < reps; rep++) {
    settleHeap();
    last = time();
  }
  return last;
}

/**
 * Instructions per command of each subject, counted by callgrind: in a child warmed up by
 * one run, `reps` more runs inside callgrind's counting window (callgrind.ts, countWindow),
 * V8's compilers' part left out.
 */
async function countPerCommand(commands: number, reps: number): Promise<Record<Subject, number>> {
  const counts = {} as Record<Subject, number>;
  for (const subject of SUBJECTS) {
    const { instructions, compilers } = await countWindow(
      [
        ...['--max-semi-space-size=64', '--expose-gc', '--import', 'tsx', import.meta.filename],
        ...['--subject', subject, '--commands', String(commands), '--reps', String(reps)],
        '--window',
      ],
      process.cwd(),
    );
    // V8's compilers are still at work in the window; a native run hardly is.
    counts[subject] = (instructions - compilers) / (commands * reps);
  }
  return counts;
}

/** In a child process under callgrind: warmed up, then `reps` runs in the counting window. */
async function countedSubject(subject: Subject, commands: number, reps: number): Promise<void> {
  const time = subjectRun(subject, recordMixedFlow(commands));
  await countRuns(() => void time(), reps);
}

async function main(): Promise<void> {
  const { values: opts } = parseArgs({
    options: {
      rounds: { type: 'string', default: '5' },
      commands: { type: 'string', default: '1000000' },
      subject: { type: 'string' },
      reps: { type: 'string', default: '2' },
      instructions: { type: 'string' },
      window: { type: 'boolean', default: false },
      json: { type: 'string' },
    },
  });
  const commands = Number(opts.commands);

  if (opts.subject !== undefined && opts.window === true) {
    await countedSubject(opts.subject as Subject, commands, Number(opts.reps));
  } else if (opts.subject !== undefined) {
    const run = runRecorded(opts.subject as Subject, recordMixedFlow(commands), Number(opts.reps));
    process.stdout.write(JSON.stringify(run) + '\n');
  } else {
    const rates = new Map<Subject, number[]>(SUBJECTS.map((s) => [s, []]));
    const ratios = {
      engineToBigint: [] as number[],
      bigintToPair: [] as number[],
      bigintToNumber: [] as number[],
      dutiesToEngine: [] as number[],
    };
    for (let round = 0; round < Number(opts.rounds); round++) {
      const got = new Map<Subject, SubjectRun>();
      for (let k = 0; k < SUBJECTS.length; k++) {
        // The order rotates, so no subject always runs first on a cooler machine.
        const subject = SUBJECTS[(round + k) % SUBJECTS.length]!;
        const out = execFileSync(
          process.execPath,
          [
            // The young generation the server runs with (bin/exchange).
            '--max-semi-space-size=64',
            '--expose-gc',
            '--import',
            'tsx',
            import.meta.filename,
            '--subject',
            subject,
            '--commands',
            String(commands),
          ],
          { encoding: 'utf8' },
        );
        got.set(subject, JSON.parse(out.trim().split('\n').pop()!) as SubjectRun);
      }
      const engine = got.get('engine')!;
      for (const [subject, run] of got) {
        if (
          run.executions !== engine.executions ||
          run.resting !== engine.resting ||
          run.balances !== engine.balances
        ) {
          throw new Error(
            `${subject} did not match as the engine did: ${run.executions} executions and ` +
              `${run.resting} resting orders against ${engine.executions} and ${engine.resting}` +
              (run.balances === engine.balances ? '' : ', and other balances'),
          );
        }
        rates.get(subject)!.push(run.commandsPerSecond);
      }
      const bigint = got.get('bigint')!.commandsPerSecond;
      ratios.engineToBigint.push(engine.commandsPerSecond / bigint);
      ratios.bigintToPair.push(bigint / got.get('pair')!.commandsPerSecond);
      ratios.bigintToNumber.push(bigint / got.get('number')!.commandsPerSecond);
      ratios.dutiesToEngine.push(got.get('duties')!.commandsPerSecond / engine.commandsPerSecond);
      console.error(
        `round ${round + 1}: ` +
          SUBJECTS.map((s) => `${s} ${Math.round(got.get(s)!.commandsPerSecond)}`).join(', '),
      );
    }
    const summary = {
      date: new Date().toISOString().slice(0, 10),
      commands,
      rounds: Number(opts.rounds),
      commandsPerSecond: Object.fromEntries(SUBJECTS.map((s) => [s, median(rates.get(s)!)])),
      runs: Object.fromEntries(SUBJECTS.map((s) => [s, rates.get(s)!.map(Math.round)])),
      engineToBigintFloor: median(ratios.engineToBigint),
      bigintToPairFloor: median(ratios.bigintToPair),
      bigintToNumberFloor: median(ratios.bigintToNumber),
      dutiesToEngine: median(ratios.dutiesToEngine),
      // Counted on fewer commands (valgrind runs some 50 times slower), 3 runs of them.
      instructionsPerCommand:
        opts.instructions === undefined
          ? null
          : await countPerCommand(Number(opts.instructions), COUNTED_REPS),
    };
    const text = JSON.stringify(summary, null, 2) + '\n';
    if (opts.json !== undefined) writeFileSync(opts.json, text);
    process.stdout.write(text);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
