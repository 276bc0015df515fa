// PostgreSQL as the store of record, seen from the engine's thread. The writer (leadership,
// migrations, group commit) runs in its own thread (postgres-worker.ts), so that a commit's
// reply is acted on, and the next group sent, at once, not when this thread's event loop
// gets to it; the snapshot at start and archived orders are read here, on their own
// connections to the same primary.

import pg from 'pg';
import type { ArchivedOrder } from '../engine/archive.js';
import type { ChangeSet, ExecutionRow, OrderRow, Snapshot } from '../engine/changes.js';
import type { LeaderRecord, LeadershipMode } from './leadership.js';
import {
  connectPrimary,
  describePostgresUrl,
  primaryHostUrl,
  sessionConfig,
} from './postgres-connection.js';
import {
  archivedOrderFromRows,
  executionFromRow,
  selectArchivedAmendments,
  selectArchivedFills,
  selectRecentExecutions,
  snapshotFromRows,
  selectArchivedOrder,
  liveSnapshotQueries,
  orderFromRow,
  ORDER_COLUMN_NAMES,
  SNAPSHOT_QUERIES,
  type Row,
  type StoredOrderRows,
} from './rows.js';
import { HEARTBEAT_MS } from './postgres-leadership.js';
import type { Store } from './store.js';
import { StoreWorker } from './store-worker.js';

export { describePostgresUrl };

/** A page of a restore reads up to 200,000 orders; a session silent longer is gone. */
const RESTORE_TIMEOUT = '-c statement_timeout=60000';
/** An archived order or the recent trades: a few indexed reads. */
const READ_TIMEOUT = '-c statement_timeout=10000';

export interface PostgresStoreOptions {
  /** `standby`: `load` waits until no live engine leads the database, then leads it. */
  readonly mode?: LeadershipMode;
  /** A standby found another engine leading and waits (once per wait). */
  readonly onWaiting?: (leader: LeaderRecord) => void;
  /** A standby could not look at the leadership (once per distinct reason); it goes on. */
  readonly onRetrying?: (error: string) => void;
  /** Measuring only: group commits without the epoch check. */
  readonly unfenced?: boolean;
}

export class PostgresStore implements Store {
  readonly description: string;
  private worker: StoreWorker;
  private writeObserver: ((seconds: number, batches: number) => void) | null = null;
  private readers: Promise<pg.Pool> | null = null;
  private mode: LeadershipMode;
  private lostListener: ((error: Error) => void) | null = null;
  /** The epoch this engine leads with, once `load` has returned. */
  epoch: number | null = null;
  /**
   * This thread's last sign of life, read by the writer's thread before each heartbeat; 0
   * while a restore is still to run (it blocks this thread, and must not cost the lease).
   */
  private readonly engineAlive = new Float64Array(new SharedArrayBuffer(8));
  private aliveTimer: NodeJS.Timeout | null = null;
  private hostUrl: string | null = null;

  constructor(
    private readonly url: string,
    private readonly options: PostgresStoreOptions = {},
  ) {
    this.description = describePostgresUrl(url);
    this.mode = options.mode ?? 'lead';
    this.worker = this.startWorker();
  }

  private startWorker(): StoreWorker {
    const worker = new StoreWorker('postgres-worker', {
      url: this.url,
      description: this.description,
      unfenced: this.options.unfenced === true,
      engineAlive: this.engineAlive.buffer,
    });
    worker.events = {
      waiting: (leader) => this.options.onWaiting?.(leader),
      retrying: (error) => this.options.onRetrying?.(error),
      lost: (error) => this.lostListener?.(error),
    };
    // A worker started again after a reset reports to the same observer.
    worker.written = (ms, batches) => this.writeObserver?.(ms / 1000, batches);
    return worker;
  }

  /**
   * Once the writer leads and the schema is current, the state, read here. A standby waits
   * for leadership first; after that (a reconnect) another engine leading is NotLeader.
   */
  async load(): Promise<Snapshot> {
    const { epoch, hostUrl } = (await this.worker.call({ type: 'ready', mode: this.mode })) as {
      epoch: number;
      hostUrl: string;
    };
    this.mode = 'lead';
    this.epoch = epoch;
    // The restore and the readers use the writer's host: with several hosts named, another
    // one could also be writable (an old primary back without a failover manager).
    this.hostUrl = hostUrl;
    const { client } = await connectPrimary(hostUrl, { settings: [RESTORE_TIMEOUT] });
    try {
      return await readPostgresSnapshot(client, 'live');
    } finally {
      await client.end().catch(() => {});
      // The first tick comes once the caller's restore has let this thread go.
      this.engineAlive[0] = 0;
      this.aliveTimer ??= setInterval(() => {
        this.engineAlive[0] = Date.now();
      }, HEARTBEAT_MS / 2).unref();
    }
  }

  commit(changes: ChangeSet): Promise<void> {
    return this.worker.commit(changes);
  }

  observeWrites(observer: (seconds: number, batches: number) => void): void {
    this.writeObserver = observer;
  }

  watch(lost: (error: Error) => void): void {
    this.lostListener = lost;
  }

  /**
   * Reads go through their own small pool on the primary: the writer's connection is busy
   * with commits.
   */
  private readerPool(): Promise<pg.Pool> {
    if (this.readers === null) {
      const hostUrl = this.hostUrl;
      const readers = (hostUrl === null ? primaryHostUrl(this.url) : Promise.resolve(hostUrl)).then(
        (host) => {
          const pool = new pg.Pool({
            ...sessionConfig(host, { settings: [READ_TIMEOUT] }),
            max: 4,
          });
          pool.on('error', () => {});
          return pool;
        },
      );
      // A failed look for the primary is not kept: the next read looks again.
      readers.catch(() => {
        if (this.readers === readers) this.readers = null;
      });
      this.readers = readers;
    }
    return this.readers;
  }

  async loadOrder(id: number): Promise<ArchivedOrder | null> {
    const db = await this.readerPool();
    const order = await db.query<StoredOrderRows['order']>(selectArchivedOrder('$1'), [id]);
    if (order.rows[0] === undefined) return null;
    const fills = await db.query<StoredOrderRows['fills'][number]>(selectArchivedFills('$1'), [id]);
    const cancel = await db.query<NonNullable<StoredOrderRows['cancel']>>(
      'SELECT shares, canceled_at FROM cancels WHERE order_id = $1',
      [id],
    );
    const amendments = await db.query<StoredOrderRows['amendments'][number]>(
      selectArchivedAmendments('$1'),
      [id],
    );
    return archivedOrderFromRows({
      order: order.rows[0],
      fills: fills.rows,
      cancel: cancel.rows[0],
      amendments: amendments.rows,
    });
  }

  async recentExecutions(limit: number): Promise<ExecutionRow[]> {
    const result = await (await this.readerPool()).query(selectRecentExecutions('$1'), [limit]);
    return result.rows.map(executionFromRow).reverse();
  }

  async reset(): Promise<void> {
    // The primary may be another host by now.
    const readers = this.readers;
    this.readers = null;
    this.hostUrl = null;
    void readers?.then((pool) => pool.end()).catch(() => {});
    if (this.worker.failure === null) {
      await this.worker.call({ type: 'reset' });
      return;
    }
    // The thread itself died: a new one starts from nothing.
    await this.worker.close().catch(() => {});
    this.worker = this.startWorker();
  }

  async close(): Promise<void> {
    if (this.aliveTimer !== null) clearInterval(this.aliveTimer);
    const readers = this.readers;
    this.readers = null;
    await Promise.all([this.worker.close(), readers?.then((pool) => pool.end()).catch(() => {})]);
  }
}

const LIVE_QUERIES = liveSnapshotQueries('open_shares > 0');
const ORDER_PAGE = 50_000;

/**
 * The orders of `sql` (ordered by id), read in pages by id; each page comes back as one text
 * value, an order per line, its columns separated by tabs. A million orders wait as about
 * 50 MB of text and are built one at a time as the caller iterates (one pass): held as the
 * driver's rows and then as order rows, they were most of a restart's peak memory, which the
 * process keeps.
 */
export async function readOrders(
  db: pg.Client,
  sql: string,
  pageSize = ORDER_PAGE,
): Promise<Iterable<OrderRow<bigint>>> {
  const select = sql.replace(/ ORDER BY id$/, '');
  // No column of an order row holds a tab, a newline or the empty text; NULL becomes ''.
  const line = `concat_ws(E'\\t', ${ORDER_COLUMN_NAMES.map((c) => `coalesce(${c}::text, '')`).join(', ')})`;
  const paged =
    `SELECT string_agg(${line}, E'\\n' ORDER BY id) AS lines, max(id) AS last, count(*)::int AS n ` +
    `FROM (SELECT * FROM (${select}) AS o WHERE id > $1 ORDER BY id LIMIT ${pageSize}) AS p`;
  const pages: string[] = [];
  for (let after = 0; ;) {
    const page = (await db.query(paged, [after])).rows[0] as {
      lines: string | null;
      last: string | null;
      n: number;
    };
    if (page.lines !== null) pages.push(page.lines);
    if (page.n < pageSize) return ordersOfPages(pages);
    after = Number(page.last);
  }
}

function* ordersOfPages(pages: string[]): Generator<OrderRow<bigint>> {
  for (let p = 0; p < pages.length; p++) {
    const text = pages[p]!;
    pages[p] = ''; // a page read is let go
    for (let start = 0; start < text.length;) {
      const newline = text.indexOf('\n', start);
      const end = newline === -1 ? text.length : newline;
      yield orderOfLine(text.slice(start, end));
      start = end + 1;
    }
  }
}

function orderOfLine(line: string): OrderRow<bigint> {
  const values = line.split('\t');
  if (values.length !== ORDER_COLUMN_NAMES.length)
    throw new Error(`corrupt order row in the store: ${JSON.stringify(line.slice(0, 200))}`);
  const row: Row = {};
  for (let i = 0; i < values.length; i++) row[ORDER_COLUMN_NAMES[i]!] = values[i] || null;
  return orderFromRow(row);
}

/**
 * The committed state in one read-only snapshot transaction: all of it (`exchange inspect`),
 * or what the engine serves from (a restart: see `Snapshot.scope`).
 */
export async function readPostgresSnapshot(
  db: pg.Client,
  scope: 'all' | 'live' = 'all',
): Promise<Snapshot> {
  await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    // One connection runs one query at a time: these go in sequence.
    const read = async (sql: string): Promise<Record<string, unknown>[]> =>
      (await db.query(sql)).rows;
    const q = scope === 'live' ? LIVE_QUERIES : SNAPSHOT_QUERIES;
    const rows = {
      accounts: await read(q.accounts),
      symbols: await read(q.symbols),
      positions: await read(q.positions),
      orders: [],
      executions: await read(q.executions),
      cancels: await read(q.cancels),
      amendments: await read(q.amendments),
    };
    const live =
      scope === 'live'
        ? { nextOrderId: Number((await read(LIVE_QUERIES.next))[0]!.next) }
        : undefined;
    const snapshot = { ...snapshotFromRows(rows, live), orders: await readOrders(db, q.orders) };
    await db.query('COMMIT');
    return snapshot;
  } catch (error) {
    await db.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
