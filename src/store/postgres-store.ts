// PostgreSQL as the store of record, seen from the engine's thread. The writer (lock,
// migrations, group commit) runs in its own thread (postgres-worker.ts), so that a commit's
// reply is acted on, and the next group sent, at once, not when this thread's event loop
// gets to it; the snapshot at start and archived orders are read here, on their own
// connections.

import pg from 'pg';
import type { ArchivedOrder } from '../engine/archive.js';
import type { ChangeSet, ExecutionRow, OrderRow, Snapshot } from '../engine/changes.js';
import {
  archivedOrderFromRows,
  executionFromRow,
  selectRecentExecutions,
  snapshotFromRows,
  selectArchivedOrder,
  liveSnapshotQueries,
  orderFromRow,
  SNAPSHOT_QUERIES,
  type StoredOrderRows,
} from './rows.js';
import type { Store } from './store.js';
import { StoreWorker } from './store-worker.js';

/** The URL without its password, for logs. */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return 'postgres (unparsable URL)';
  }
}

export class PostgresStore implements Store {
  readonly description: string;
  private worker: StoreWorker;
  private readers: pg.Pool | null = null;

  constructor(private readonly url: string) {
    this.description = describePostgresUrl(url);
    this.worker = this.startWorker();
  }

  private startWorker(): StoreWorker {
    return new StoreWorker('postgres-worker', { url: this.url, description: this.description });
  }

  /** Once the writer holds the lock and the schema is current, the state, read here. */
  async load(): Promise<Snapshot> {
    await this.worker.call({ type: 'ready' });
    const client = new pg.Client({
      connectionString: this.url,
      application_name: 'exchange-matching',
    });
    client.on('error', () => {});
    await client.connect();
    try {
      return await readPostgresSnapshot(client, 'live');
    } finally {
      await client.end().catch(() => {});
    }
  }

  commit(changes: ChangeSet): Promise<void> {
    return this.worker.call({ type: 'commit', changes });
  }

  /** Reads go through their own small pool: the writer's connection is busy with commits. */
  private readerPool(): pg.Pool {
    if (this.readers === null) {
      this.readers = new pg.Pool({
        connectionString: this.url,
        max: 4,
        application_name: 'exchange-matching',
      });
      this.readers.on('error', () => {});
    }
    return this.readers;
  }

  async loadOrder(id: number): Promise<ArchivedOrder | null> {
    const db = this.readerPool();
    const order = await db.query<StoredOrderRows['order']>(selectArchivedOrder('$1'), [id]);
    if (order.rows[0] === undefined) return null;
    const fills = await db.query<StoredOrderRows['fills'][number]>(
      'SELECT shares, price, executed_at FROM executions WHERE buy_order_id = $1 OR sell_order_id = $1 ORDER BY id',
      [id],
    );
    const cancel = await db.query<NonNullable<StoredOrderRows['cancel']>>(
      'SELECT shares, canceled_at FROM cancels WHERE order_id = $1',
      [id],
    );
    return archivedOrderFromRows({
      order: order.rows[0],
      fills: fills.rows,
      cancel: cancel.rows[0],
    });
  }

  async recentExecutions(limit: number): Promise<ExecutionRow[]> {
    const result = await this.readerPool().query(selectRecentExecutions('$1'), [limit]);
    return result.rows.map(executionFromRow).reverse();
  }

  async reset(): Promise<void> {
    if (this.worker.failure === null) return this.worker.call({ type: 'reset' });
    // The thread itself died: a new one starts from nothing.
    await this.worker.close().catch(() => {});
    this.worker = this.startWorker();
  }

  async close(): Promise<void> {
    const readers = this.readers;
    this.readers = null;
    await Promise.all([this.worker.close(), readers?.end().catch(() => {})]);
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
