// The PostgreSQL writer: one connection that holds the database's advisory lock (one engine
// per database), migrates the schema, and writes each group of merged batches as one
// prepared statement over arrays (unnest): one round trip and one commit whatever its size.
// It runs in the store's worker thread (postgres-worker.ts).

import pg from 'pg';
import type { ChangeSet } from '../engine/changes.js';
import { POSTGRES_MIGRATIONS } from './postgres-schema.js';
import { cashText, priceText, sharesText } from './rows.js';

export const COMMIT_STATEMENT = `
WITH
  symbols_written AS (
    INSERT INTO symbols (symbol, granted)
    SELECT * FROM unnest($1::text[], $2::numeric[])
    ON CONFLICT (symbol) DO UPDATE SET granted = excluded.granted),
  accounts_written AS (
    INSERT INTO accounts (id, balance, deposited)
    SELECT * FROM unnest($3::text[], $4::numeric[], $5::numeric[])
    ON CONFLICT (id) DO UPDATE SET balance = excluded.balance),
  positions_written AS (
    INSERT INTO positions (account_id, symbol, shares)
    SELECT * FROM unnest($6::text[], $7::text[], $8::numeric[])
    ON CONFLICT (account_id, symbol) DO UPDATE SET shares = excluded.shares),
  orders_inserted AS (
    INSERT INTO orders (id, account_id, symbol, side, shares, limit_price, open_shares, created_at)
    SELECT * FROM unnest($9::bigint[], $10::text[], $11::text[], $12::text[], $13::numeric[],
                         $14::numeric[], $15::numeric[], $16::bigint[])),
  orders_updated AS (
    UPDATE orders SET open_shares = u.open
    FROM unnest($17::bigint[], $18::numeric[]) AS u(id, open) WHERE orders.id = u.id),
  executions_inserted AS (
    INSERT INTO executions (symbol, buy_order_id, sell_order_id, shares, price, executed_at)
    SELECT s, b, se, sh, p, t
    FROM unnest($19::text[], $20::bigint[], $21::bigint[], $22::numeric[], $23::numeric[], $24::bigint[])
      WITH ORDINALITY AS x(s, b, se, sh, p, t, n)
    ORDER BY n),
  cancels_inserted AS (
    INSERT INTO cancels (order_id, shares, canceled_at)
    SELECT * FROM unnest($25::bigint[], $26::numeric[], $27::bigint[]))
SELECT 1`;

/**
 * Array parameters as PostgreSQL array literals, built here rather than by the driver: its
 * generic path quotes and escapes every element, which was 6% of the server's time under
 * load. Numbers and decimal text need no quoting; text is quoted and escaped.
 */
export const numberArrayLiteral = (values: readonly (number | string)[]): string =>
  `{${values.join(',')}}`;
export const textArrayLiteral = (values: readonly string[]): string =>
  `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

/** The parameters of COMMIT_STATEMENT for one (merged) change set. */
export function commitParameters(c: ChangeSet): string[] {
  return [
    textArrayLiteral(c.symbols.map((s) => s.sym)),
    numberArrayLiteral(c.symbols.map((s) => sharesText(s.granted))),
    textArrayLiteral(c.accounts.map((a) => a.id)),
    numberArrayLiteral(c.accounts.map((a) => cashText(a.cash))),
    numberArrayLiteral(c.accounts.map((a) => cashText(a.deposited))),
    textArrayLiteral(c.positions.map((p) => p.account)),
    textArrayLiteral(c.positions.map((p) => p.sym)),
    numberArrayLiteral(c.positions.map((p) => sharesText(p.shares))),
    numberArrayLiteral(c.newOrders.map((o) => o.id)),
    textArrayLiteral(c.newOrders.map((o) => o.account)),
    textArrayLiteral(c.newOrders.map((o) => o.sym)),
    textArrayLiteral(c.newOrders.map((o) => (o.isBuy ? 'buy' : 'sell'))),
    numberArrayLiteral(c.newOrders.map((o) => sharesText(o.shares))),
    numberArrayLiteral(c.newOrders.map((o) => priceText(o.limit))),
    numberArrayLiteral(c.newOrders.map((o) => sharesText(o.open))),
    numberArrayLiteral(c.newOrders.map((o) => o.time)),
    numberArrayLiteral(c.orderUpdates.map((u) => u.id)),
    numberArrayLiteral(c.orderUpdates.map((u) => sharesText(u.open))),
    textArrayLiteral(c.executions.map((e) => e.sym)),
    numberArrayLiteral(c.executions.map((e) => e.buyOrderId)),
    numberArrayLiteral(c.executions.map((e) => e.sellOrderId)),
    numberArrayLiteral(c.executions.map((e) => sharesText(e.shares))),
    numberArrayLiteral(c.executions.map((e) => priceText(e.price))),
    numberArrayLiteral(c.executions.map((e) => e.time)),
    numberArrayLiteral(c.cancels.map((x) => x.orderId)),
    numberArrayLiteral(c.cancels.map((x) => sharesText(x.shares))),
    numberArrayLiteral(c.cancels.map((x) => x.time)),
  ];
}

/** The advisory lock key: "exchange-matching" as a 64-bit number, held per database. */
const LOCK_KEY = '7378426723511254869';

export class PostgresWriter {
  private writer: pg.Client | null = null;

  constructor(
    private readonly url: string,
    private readonly description: string,
  ) {}

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.url,
      application_name: 'exchange-matching',
      // The open-shares update must find its orders by index, not by scanning the table. A
      // generic plan made while the table is small would keep a scan forever after, so each
      // commit is planned for the table's real size; and index reads are priced as on SSD
      // (1.1, not the spinning-disk 4), where the scan loses from a few thousand rows on.
      options: '-c plan_cache_mode=force_custom_plan -c random_page_cost=1.1',
    });
    // A lost server shows as an 'error' event; unheard, it would end the process. The query
    // in flight fails on its own, and that failure is what the sequencer acts on.
    client.on('error', () => {});
    await client.connect();
    return client;
  }

  /** Connected, locked and migrated; reconnects after `end`. */
  async open(): Promise<pg.Client> {
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

  /**
   * The whole group in one statement, so one round trip: a statement is atomic on its own,
   * and its data-modifying CTEs all apply or none does. Foreign keys are checked at the end
   * of the statement, after every part has run. The parts cannot see each other's rows,
   * which is fine: a merged change set names each row once (`mergeChangeSets`).
   */
  async write(c: ChangeSet): Promise<void> {
    const db = await this.open();
    await db.query({
      name: 'exchange-commit',
      text: COMMIT_STATEMENT,
      values: commitParameters(c),
    });
  }

  async end(): Promise<void> {
    const writer = this.writer;
    this.writer = null;
    await writer?.end().catch(() => {});
  }
}
