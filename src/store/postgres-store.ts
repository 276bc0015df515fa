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
  SNAPSHOT_QUERIES,
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
    return this.worker.call({ type: 'commit', changes }) as Promise<void>;
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
const ORDER_PAGE = 200_000;

/**
 * The orders of `sql` (ordered by id), read in pages by id and converted page by page: the
 * driver holds a whole result in memory, and a million raw rows beside a million order rows
 * was most of a restart's peak memory.
 */
export async function readOrders(
  db: pg.Client,
  sql: string,
  pageSize = ORDER_PAGE,
): Promise<OrderRow[]> {
  const select = sql.replace(/ ORDER BY id$/, '');
  const paged = `SELECT * FROM (${select}) AS o WHERE id > $1 ORDER BY id LIMIT ${pageSize}`;
  const orders: OrderRow[] = [];
  for (let after = 0; ;) {
    const page = (await db.query(paged, [after])).rows as Record<string, unknown>[];
    for (const row of page) orders.push(orderFromRow(row));
    if (page.length < pageSize) return orders;
    after = orders[orders.length - 1]!.id;
  }
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
