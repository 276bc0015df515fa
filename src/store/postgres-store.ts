// PostgreSQL as the store of record. One engine per database (a session advisory lock held
// by the writer connection). Batches that queue up while a transaction is being written are
// merged into the next one; each kind of row is written with one statement over arrays
// (unnest), so a transaction costs a handful of round trips whatever its size.

import pg from 'pg';
import type { ArchivedOrder } from '../engine/archive.js';
import type { ChangeSet, Snapshot } from '../engine/changes.js';
import { mergeChangeSets } from './merge.js';
import { POSTGRES_MIGRATIONS } from './postgres-schema.js';
import {
  archivedOrderFromRows,
  cashText,
  priceText,
  sharesText,
  snapshotFromRows,
  SNAPSHOT_QUERIES,
  type StoredOrderRows,
} from './rows.js';
import type { Store } from './store.js';

/** The advisory lock key: "exchange-matching" as a 64-bit number, held per database. */
const LOCK_KEY = '7378426723511254869';

interface Queued {
  readonly changes: ChangeSet;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

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
  private writer: pg.Client | null = null;
  private readers: pg.Pool | null = null;
  private queue: Queued[] = [];
  private writing = false;
  private failure: Error | null = null;

  constructor(private readonly url: string) {
    this.description = describePostgresUrl(url);
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.url,
      application_name: 'exchange-matching',
    });
    // A lost server shows as an 'error' event; unheard, it would end the process. The query
    // in flight fails on its own, and that failure is what the sequencer acts on.
    client.on('error', () => {});
    await client.connect();
    return client;
  }

  private async open(): Promise<pg.Client> {
    if (this.writer !== null) return this.writer;
    const writer = await this.connect();
    try {
      const { rows } = await writer.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1) AS locked',
        [LOCK_KEY],
      );
      if (!rows[0]?.locked) {
        throw new Error(`another exchange server is using ${this.description}; stop it first`);
      }
      await this.migrate(writer);
    } catch (error) {
      await writer.end().catch(() => {});
      throw error;
    }
    this.writer = writer;
    return writer;
  }

  private async migrate(client: pg.Client): Promise<void> {
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ version: number }>(
      'SELECT version FROM schema_migrations',
    );
    const applied = new Set(rows.map((r) => r.version));
    for (const [index, sql] of POSTGRES_MIGRATIONS.entries()) {
      const version = index + 1;
      if (applied.has(version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    }
  }

  async load(): Promise<Snapshot> {
    return readPostgresSnapshot(await this.open());
  }

  commit(changes: ChangeSet): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.failure !== null) return reject(this.failure);
      this.queue.push({ changes, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.queue.length > 0 && this.failure === null) {
      const group = this.queue;
      this.queue = [];
      try {
        await this.write(mergeChangeSets(group.map((q) => q.changes)));
        for (const q of group) q.resolve();
      } catch (error) {
        this.failure = error instanceof Error ? error : new Error(String(error));
        for (const q of [...group, ...this.queue]) q.reject(this.failure);
        this.queue = [];
      }
    }
    this.writing = false;
  }

  private async write(c: ChangeSet): Promise<void> {
    const db = await this.open();
    await db.query('BEGIN');
    try {
      if (c.symbols.length > 0) {
        await db.query(
          'INSERT INTO symbols (symbol, granted) SELECT * FROM unnest($1::text[], $2::numeric[]) ' +
            'ON CONFLICT (symbol) DO UPDATE SET granted = excluded.granted',
          [c.symbols.map((s) => s.sym), c.symbols.map((s) => sharesText(s.granted))],
        );
      }
      if (c.accounts.length > 0) {
        await db.query(
          'INSERT INTO accounts (id, balance, deposited) SELECT * FROM unnest($1::text[], $2::numeric[], $3::numeric[]) ' +
            'ON CONFLICT (id) DO UPDATE SET balance = excluded.balance',
          [
            c.accounts.map((a) => a.id),
            c.accounts.map((a) => cashText(a.cash)),
            c.accounts.map((a) => cashText(a.deposited)),
          ],
        );
      }
      if (c.positions.length > 0) {
        await db.query(
          'INSERT INTO positions (account_id, symbol, shares) SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[]) ' +
            'ON CONFLICT (account_id, symbol) DO UPDATE SET shares = excluded.shares',
          [
            c.positions.map((p) => p.account),
            c.positions.map((p) => p.sym),
            c.positions.map((p) => sharesText(p.shares)),
          ],
        );
      }
      if (c.newOrders.length > 0) {
        const o = c.newOrders;
        await db.query(
          'INSERT INTO orders (id, account_id, symbol, side, shares, limit_price, open_shares, created_at) ' +
            'SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::numeric[], $6::numeric[], $7::numeric[], $8::bigint[])',
          [
            o.map((r) => r.id),
            o.map((r) => r.account),
            o.map((r) => r.sym),
            o.map((r) => (r.isBuy ? 'buy' : 'sell')),
            o.map((r) => sharesText(r.shares)),
            o.map((r) => priceText(r.limit)),
            o.map((r) => sharesText(r.open)),
            o.map((r) => r.time),
          ],
        );
      }
      if (c.orderUpdates.length > 0) {
        await db.query(
          'UPDATE orders SET open_shares = u.open FROM unnest($1::bigint[], $2::numeric[]) AS u(id, open) WHERE orders.id = u.id',
          [c.orderUpdates.map((u) => u.id), c.orderUpdates.map((u) => sharesText(u.open))],
        );
      }
      if (c.executions.length > 0) {
        const e = c.executions;
        // Ordered by position in the arrays, so execution ids follow execution order.
        await db.query(
          'INSERT INTO executions (symbol, buy_order_id, sell_order_id, shares, price, executed_at) ' +
            'SELECT s, b, se, sh, p, t FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::numeric[], $5::numeric[], $6::bigint[]) ' +
            'WITH ORDINALITY AS x(s, b, se, sh, p, t, n) ORDER BY n',
          [
            e.map((r) => r.sym),
            e.map((r) => r.buyOrderId),
            e.map((r) => r.sellOrderId),
            e.map((r) => sharesText(r.shares)),
            e.map((r) => priceText(r.price)),
            e.map((r) => r.time),
          ],
        );
      }
      if (c.cancels.length > 0) {
        await db.query(
          'INSERT INTO cancels (order_id, shares, canceled_at) SELECT * FROM unnest($1::bigint[], $2::numeric[], $3::bigint[])',
          [
            c.cancels.map((r) => r.orderId),
            c.cancels.map((r) => sharesText(r.shares)),
            c.cancels.map((r) => r.time),
          ],
        );
      }
      await db.query('COMMIT');
    } catch (error) {
      await db.query('ROLLBACK').catch(() => {});
      throw error;
    }
  }

  async loadOrder(id: number): Promise<ArchivedOrder | null> {
    // Reads go through their own small pool: the writer's connection is busy with commits.
    if (this.readers === null) {
      this.readers = new pg.Pool({
        connectionString: this.url,
        max: 4,
        application_name: 'exchange-matching',
      });
      this.readers.on('error', () => {});
    }
    const db = this.readers;
    const order = await db.query<StoredOrderRows['order']>(
      'SELECT account_id, open_shares FROM orders WHERE id = $1',
      [id],
    );
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

  async reset(): Promise<void> {
    const writer = this.writer;
    this.writer = null;
    this.failure = null;
    await writer?.end().catch(() => {});
  }

  async close(): Promise<void> {
    const writer = this.writer;
    const readers = this.readers;
    this.writer = null;
    this.readers = null;
    await Promise.all([writer?.end().catch(() => {}), readers?.end().catch(() => {})]);
  }
}

/** The whole committed state, read in one read-only snapshot transaction. */
export async function readPostgresSnapshot(db: pg.Client): Promise<Snapshot> {
  await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    // One connection runs one query at a time: these go in sequence.
    const read = async (sql: string): Promise<Record<string, unknown>[]> =>
      (await db.query(sql)).rows;
    const q = SNAPSHOT_QUERIES;
    const snapshot = snapshotFromRows({
      accounts: await read(q.accounts),
      symbols: await read(q.symbols),
      positions: await read(q.positions),
      orders: await read(q.orders),
      executions: await read(q.executions),
      cancels: await read(q.cancels),
    });
    await db.query('COMMIT');
    return snapshot;
  } catch (error) {
    await db.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
