// The PostgreSQL writer: one session that leads the database (postgres-leadership.ts),
// migrates the schema, and writes each group of merged batches as one prepared statement
// over arrays (unnest): one round trip and one commit whatever its size, fenced by the
// leader's epoch. It runs in the store's worker thread (postgres-worker.ts).

import type pg from 'pg';
import { termsOf, type ChangeSet } from '../engine/changes.js';
import type { LeaderRecord, LeadershipMode } from './leadership.js';
import { CommitOutcomeUnknown, Fenced, NotLeader } from '../errors/failures.js';
import { connectPrimary, destroySession, withinTimeout } from './postgres-connection.js';
import {
  asFenced,
  fenceCheck,
  fenceCte,
  heartbeat,
  readLeader,
  releaseLeadership,
  STANDBY_POLL_MS,
  takeLeadership,
} from './postgres-leadership.js';
import { runMigrations, type MigrationTarget } from './migrations.js';
import { POSTGRES_MIGRATIONS } from './postgres-schema.js';
import { cashText, feeRateText, priceText, sharesText } from './rows.js';

const COMMIT_WRITES = `
  symbols_written AS (
    INSERT INTO symbols (symbol, granted, seq)
    SELECT * FROM unnest($1::text[], $2::numeric[], $3::bigint[])
    ON CONFLICT (symbol) DO UPDATE SET granted = excluded.granted, seq = excluded.seq),
  accounts_written AS (
    INSERT INTO accounts (id, balance, deposited)
    SELECT * FROM unnest($4::text[], $5::numeric[], $6::numeric[])
    ON CONFLICT (id) DO UPDATE SET balance = excluded.balance),
  positions_written AS (
    INSERT INTO positions (account_id, symbol, shares)
    SELECT * FROM unnest($7::text[], $8::text[], $9::numeric[])
    ON CONFLICT (account_id, symbol) DO UPDATE SET shares = excluded.shares),
  orders_inserted AS (
    INSERT INTO orders (id, account_id, symbol, side, shares, limit_price, open_shares, created_at,
                        order_type, tif, stop_price, stp, triggered_at, priority, maker_fee,
                        taker_fee)
    SELECT * FROM unnest($10::bigint[], $11::text[], $12::text[], $13::text[], $14::numeric[],
                         $15::numeric[], $16::numeric[], $17::bigint[], $18::text[], $19::text[],
                         $20::numeric[], $21::text[], $22::bigint[], $23::bigint[],
                         $24::numeric[], $25::numeric[])),
  orders_updated AS (
    UPDATE orders SET open_shares = u.open
    FROM unnest($26::bigint[], $27::numeric[]) AS u(id, open) WHERE orders.id = u.id),
  orders_reshaped AS (
    UPDATE orders SET open_shares = r.open, limit_price = r.lim, triggered_at = r.triggered,
                      priority = r.priority
    FROM unnest($28::bigint[], $29::numeric[], $30::numeric[], $31::bigint[], $32::bigint[])
      AS r(id, open, lim, triggered, priority)
    WHERE orders.id = r.id),
  executions_inserted AS (
    INSERT INTO executions (symbol, buy_order_id, sell_order_id, shares, price, executed_at,
                            buy_fee, sell_fee)
    SELECT s, b, se, sh, p, t, bf, sf
    FROM unnest($33::text[], $34::bigint[], $35::bigint[], $36::numeric[], $37::numeric[],
                $38::bigint[], $39::numeric[], $40::numeric[])
      WITH ORDINALITY AS x(s, b, se, sh, p, t, bf, sf, n)
    ORDER BY n),
  cancels_inserted AS (
    INSERT INTO cancels (order_id, shares, canceled_at)
    SELECT * FROM unnest($41::bigint[], $42::numeric[], $43::bigint[])),
  amendments_inserted AS (
    INSERT INTO amendments (order_id, open_shares, limit_price, amended_at)
    SELECT o, sh, l, t
    FROM unnest($44::bigint[], $45::numeric[], $46::numeric[], $47::bigint[])
      WITH ORDINALITY AS x(o, sh, l, t, n)
    ORDER BY n)`;

/** The parameter that carries the leader's epoch: the one after the writes' parameters. */
const EPOCH_PARAMETER = '$48';

/**
 * The group commit: every write, and the fence (this leader's epoch) that fails the whole
 * statement when another engine has taken over. Unfenced only for measuring the fence's
 * cost.
 */
export const commitStatement = (fenced = true): string =>
  fenced
    ? `WITH ${fenceCte(EPOCH_PARAMETER)},${COMMIT_WRITES}\n${fenceCheck(EPOCH_PARAMETER)}`
    : `WITH${COMMIT_WRITES}\nSELECT 1`;

/**
 * Array parameters as PostgreSQL array literals, built here rather than by the driver: its
 * generic path quotes and escapes every element, which was 6% of the server's time under
 * load. Numbers and decimal text need no quoting; text is quoted and escaped.
 */
export const numberArrayLiteral = (values: readonly (number | string)[]): string =>
  `{${values.join(',')}}`;
export const textArrayLiteral = (values: readonly string[]): string =>
  `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
/** As numberArrayLiteral, with null as SQL NULL (join would make it an empty element). */
export const nullableNumberArrayLiteral = (values: readonly (number | string | null)[]): string =>
  `{${values.map((v) => (v === null ? 'NULL' : v)).join(',')}}`;
/** As textArrayLiteral, with null as SQL NULL: unquoted, unlike the text "NULL". */
export const nullableTextArrayLiteral = (values: readonly (string | null)[]): string =>
  `{${values.map((v) => (v === null ? 'NULL' : `"${v.replace(/["\\]/g, '\\$&')}"`)).join(',')}}`;

const nullablePrice = (v: bigint | null): string | null => (v === null ? null : priceText(v));
const nullableCash = (v: bigint | null): string | null => (v === null ? null : cashText(v));

/** The writes' parameters ($1-$47 of `commitStatement`) for one (merged) change set. */
export function commitParameters(c: ChangeSet): string[] {
  const terms = c.newOrders.map(termsOf);
  return [
    textArrayLiteral(c.symbols.map((s) => s.sym)),
    numberArrayLiteral(c.symbols.map((s) => sharesText(s.granted))),
    numberArrayLiteral(c.symbols.map((s) => s.seq)),
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
    textArrayLiteral(terms.map((t) => t.type)),
    textArrayLiteral(terms.map((t) => t.tif)),
    nullableNumberArrayLiteral(terms.map((t) => nullablePrice(t.stop))),
    nullableTextArrayLiteral(terms.map((t) => t.stp)),
    nullableNumberArrayLiteral(c.newOrders.map((o) => o.triggeredAt)),
    numberArrayLiteral(c.newOrders.map((o) => o.priority)),
    numberArrayLiteral(terms.map((t) => feeRateText(t.makerFee))),
    numberArrayLiteral(terms.map((t) => feeRateText(t.takerFee))),
    numberArrayLiteral(c.orderUpdates.map((u) => u.id)),
    numberArrayLiteral(c.orderUpdates.map((u) => sharesText(u.open))),
    numberArrayLiteral(c.orderReshapes.map((r) => r.id)),
    numberArrayLiteral(c.orderReshapes.map((r) => sharesText(r.open))),
    numberArrayLiteral(c.orderReshapes.map((r) => priceText(r.limit))),
    nullableNumberArrayLiteral(c.orderReshapes.map((r) => r.triggeredAt)),
    numberArrayLiteral(c.orderReshapes.map((r) => r.priority)),
    textArrayLiteral(c.executions.map((e) => e.sym)),
    numberArrayLiteral(c.executions.map((e) => e.buyOrderId)),
    numberArrayLiteral(c.executions.map((e) => e.sellOrderId)),
    numberArrayLiteral(c.executions.map((e) => sharesText(e.shares))),
    numberArrayLiteral(c.executions.map((e) => priceText(e.price))),
    numberArrayLiteral(c.executions.map((e) => e.time)),
    nullableNumberArrayLiteral(c.executions.map((e) => nullableCash(e.buyFee))),
    nullableNumberArrayLiteral(c.executions.map((e) => nullableCash(e.sellFee))),
    numberArrayLiteral(c.cancels.map((x) => x.orderId)),
    numberArrayLiteral(c.cancels.map((x) => sharesText(x.shares))),
    numberArrayLiteral(c.cancels.map((x) => x.time)),
    numberArrayLiteral(c.amendments.map((a) => a.orderId)),
    numberArrayLiteral(c.amendments.map((a) => sharesText(a.open))),
    numberArrayLiteral(c.amendments.map((a) => priceText(a.limit))),
    numberArrayLiteral(c.amendments.map((a) => a.time)),
  ];
}

/** A commit that has not answered in this long is taken as lost with its connection. */
const COMMIT_TIMEOUT_MS = 30_000;
/**
 * A heartbeat is one row update: this long means the server or the path is gone. Below the
 * lease, so that a leader cut off from its database stops answering reads (its heartbeat
 * failed) before a standby can have taken over and changed what they would show.
 */
const HEARTBEAT_TIMEOUT_MS = 1_500;
/**
 * Migrating and taking leadership: a primary that cannot commit (it waits for a synchronous
 * standby that is gone, say) must not hold a recovery up for ever.
 */
const OPEN_TIMEOUT_MS = 10_000;
/** Serializes migrations between engines that start together (a transaction-level lock). */
const MIGRATION_LOCK_KEY = '7378426723511254870';

function postgresMigrationTarget(client: pg.Client): MigrationTarget {
  return {
    async exclusive(work) {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
        const result = await work();
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    },
    async ensureTable() {
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
    },
    async appliedVersions() {
      const { rows } = await client.query<{ version: number }>(
        'SELECT version FROM schema_migrations',
      );
      return rows.map((r) => r.version);
    },
    // Inside exclusive's transaction: all pending migrations commit together or not at all.
    async apply(version, sql) {
      await client.query(sql);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
    },
  };
}

export interface WriterOptions {
  readonly url: string;
  readonly description: string;
  /** Who this engine's writer is, recorded with its epoch: `host:pid/tag`. */
  readonly holder: string;
  /** Measuring only: commits without the epoch check. */
  readonly unfenced?: boolean;
}

export interface WaitHooks {
  /** True once the wait should end (the store is closing). */
  cancelled(): boolean;
  /** Another engine leads: called once when a standby starts waiting. */
  waiting(leader: LeaderRecord): void;
  /** A look at the leadership failed (the database unreachable, say); it is tried again. */
  retrying(error: unknown): void;
}

export class PostgresWriter {
  private writer: pg.Client | null = null;
  /** The session the schema was last brought up to date on: a standby's looks skip it. */
  private migratedOn: pg.Client | null = null;
  /** The single-host URL the writer is connected to: the restore and the readers use it. */
  hostUrl: string | null = null;
  /** Set by the server's warning that a synchronous commit's wait was cancelled. */
  private unreplicated = false;
  /** The epoch this engine leads with, once it leads. */
  epoch: number | null = null;
  private readonly statementName: string;
  private readonly statement: string;

  constructor(private readonly options: WriterOptions) {
    this.statement = commitStatement(options.unfenced !== true);
    this.statementName = options.unfenced === true ? 'exchange-commit-unfenced' : 'exchange-commit';
  }

  private async connect(): Promise<pg.Client> {
    const { client, hostUrl } = await connectPrimary(this.options.url, {
      settings: [
        // The open-shares update must find its orders by index, not by scanning the table. A
        // generic plan made while the table is small would keep a scan forever after, so
        // each commit is planned for the table's real size; and index reads are priced as on
        // SSD (1.1, not the spinning-disk 4), where the scan loses from a few thousand rows.
        '-c plan_cache_mode=force_custom_plan',
        '-c random_page_cost=1.1',
        // Only the leadership row and the migration lock are ever waited for: a takeover that
        // finds the row held by a live leader's commit gives up instead of queueing behind
        // it, and so does a commit behind a takeover (it would be fenced anyway).
        '-c lock_timeout=1000',
      ],
    });
    this.hostUrl = hostUrl;
    // PostgreSQL answers success, with only this warning, when the wait for a synchronous
    // standby is cancelled after the local commit: not on the replica, so not acknowledged.
    client.on('notice', (notice: { message?: string }) => {
      if (/wait for synchronous replication/i.test(notice.message ?? '')) this.unreplicated = true;
    });
    return client;
  }

  /**
   * Connected, migrated and leading; reconnects after `end`. In `lead` mode a live leader
   * elsewhere is NotLeader; in `standby` mode this waits for it to go, through outages of
   * the database too, until `hooks.cancelled()`.
   */
  async open(mode: LeadershipMode = 'lead', hooks?: WaitHooks): Promise<number> {
    if (this.writer !== null && this.epoch !== null) return this.epoch;
    let waiting = false;
    for (;;) {
      try {
        const db = (this.writer ??= await this.connect());
        const epoch = await this.bounded(
          db,
          OPEN_TIMEOUT_MS,
          this.migrate(db).then(() => takeLeadership(db, this.options.holder)),
        );
        if (epoch !== null) {
          this.epoch = epoch;
          return epoch;
        }
        const leader = await this.bounded(db, HEARTBEAT_TIMEOUT_MS, readLeader(db));
        if (mode === 'lead') {
          throw new NotLeader(
            `another exchange server is using ${this.options.description}: ${leader.holder ?? 'an engine'} leads it (epoch ${leader.epoch}); stop it first, or start this one with --standby`,
          );
        }
        if (!waiting) hooks?.waiting(leader);
        waiting = true;
      } catch (error) {
        if (mode === 'lead') {
          await this.end(false);
          throw error;
        }
        // A standby waits through database outages too: it reconnects on its next look. A
        // refused statement (a lock timeout behind a live leader's commit) keeps the session.
        hooks?.retrying(error);
        if ((error as { severity?: string }).severity !== 'ERROR') {
          if (this.writer !== null) destroySession(this.writer);
          this.writer = null;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, STANDBY_POLL_MS));
      if (hooks?.cancelled() === true) {
        await this.end(false);
        throw new Error('closed while waiting for leadership');
      }
    }
  }

  /** All pending migrations in one transaction, one engine at a time; once per session. */
  private async migrate(client: pg.Client): Promise<void> {
    if (this.migratedOn === client) return;
    await runMigrations(postgresMigrationTarget(client), POSTGRES_MIGRATIONS);
    this.migratedOn = client;
  }

  private leading(): { db: pg.Client; epoch: number } {
    if (this.writer === null || this.epoch === null) {
      throw new Error('the PostgreSQL writer is not open (reconnecting)');
    }
    return { db: this.writer, epoch: this.epoch };
  }

  /**
   * The whole group in one statement, so one round trip: a statement is atomic on its own,
   * and its data-modifying CTEs all apply or none does, the fence's check included. Foreign
   * keys are checked at the end of the statement, after every part has run. The parts cannot
   * see each other's rows, which is fine: a merged change set names each row once
   * (`mergeChangeSets`).
   */
  async write(c: ChangeSet): Promise<void> {
    const { db, epoch } = this.leading();
    const values = commitParameters(c);
    if (this.options.unfenced !== true) values.push(String(epoch));
    this.unreplicated = false;
    try {
      await this.bounded(
        db,
        COMMIT_TIMEOUT_MS,
        db.query({ name: this.statementName, text: this.statement, values }),
        epoch,
      );
    } catch (error) {
      throw commitFailure(error);
    }
    if (this.unreplicated) {
      throw new CommitOutcomeUnknown(
        'the commit is local, but its wait for the synchronous standby was cancelled',
      );
    }
  }

  async heartbeat(): Promise<void> {
    const { db, epoch } = this.leading();
    await this.bounded(db, HEARTBEAT_TIMEOUT_MS, heartbeat(db, epoch), epoch);
  }

  /**
   * A statement that does not answer in time is lost with its connection: the session is
   * cut so that it fails now, rather than when the kernel gives up on a dead peer.
   */
  private async bounded<T>(
    db: pg.Client,
    ms: number,
    work: Promise<T>,
    epoch: number | null = null,
  ): Promise<T> {
    try {
      return await withinTimeout(db, ms, work);
    } catch (error) {
      throw epoch === null ? error : asFenced(error, epoch);
    }
  }

  /** Closes the session; `release` first gives leadership up so a standby need not wait. */
  async end(release: boolean): Promise<void> {
    const writer = this.writer;
    const epoch = this.epoch;
    this.writer = null;
    this.epoch = null;
    this.hostUrl = null;
    if (writer === null) return;
    if (release && epoch !== null) {
      await this.bounded(
        writer,
        HEARTBEAT_TIMEOUT_MS,
        releaseLeadership(writer, epoch),
        epoch,
      ).catch(() => {});
    }
    // A dead peer never answers the goodbye that `end` waits for.
    const ended = writer.end().catch(() => {});
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    destroySession(writer);
  }
}

/**
 * What a failed commit says about what was written. The fence's refusal, or any ERROR from
 * the server (a constraint), rolled the statement back; a query the client never sent wrote
 * nothing. Any other end (the connection lost, a FATAL from a server shutting down or
 * cancelling its wait for a synchronous standby, which it may do after committing locally)
 * leaves the commit's outcome unknown.
 */
export function commitFailure(error: unknown): unknown {
  const e = error as { severity?: string; message?: string };
  if (error instanceof Fenced || e.severity === 'ERROR') return error;
  if (typeof e.message === 'string' && /is not queryable|writer is not open/.test(e.message)) {
    return error;
  }
  return new CommitOutcomeUnknown(
    `the commit may or may not be durable: ${e.message ?? String(error)}`,
  );
}
