// `exchange inspect`: what the store of record holds, and whether money and shares add up.
// Reads a consistent snapshot without taking the engine's lock, so it works beside a running
// server. Replaces the original server's "print the database" script.

import Database from 'better-sqlite3';
import { CASH_SCALE, PRICE_SCALE, SHARE_SCALE, formatDecimal } from '../decimal/fixed.js';
import { auditExchange } from '../engine/audit.js';
import type { Snapshot } from '../engine/changes.js';
import { Exchange } from '../engine/exchange.js';
import type { Order } from '../engine/order.js';
import { danglingReferences } from '../engine/snapshot-references.js';
import { connectPrimary } from '../store/postgres-connection.js';
import { describePostgresUrl, readPostgresSnapshot } from '../store/postgres-store.js';
import { readSqliteSnapshot } from '../store/sqlite-database.js';

export async function readSnapshot(
  spec: string,
): Promise<{ description: string; snapshot: Snapshot }> {
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length);
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return { description: spec, snapshot: readSqliteSnapshot(db) };
    } finally {
      db.close();
    }
  }
  if (spec.startsWith('postgres://') || spec.startsWith('postgresql://')) {
    // The primary, like the engine: a replica may lag behind what was acknowledged.
    const { client } = await connectPrimary(spec, { applicationName: 'exchange-inspect' });
    try {
      return {
        description: describePostgresUrl(spec),
        snapshot: await readPostgresSnapshot(client),
      };
    } finally {
      await client.end();
    }
  }
  throw new Error(`cannot inspect "${spec}": use sqlite:PATH or postgres://USER@HOST:PORT/DB`);
}

const money = (v: bigint): string => formatDecimal(v, CASH_SCALE);
const shares = (v: bigint): string => formatDecimal(v, SHARE_SCALE);
const price = (v: bigint): string => formatDecimal(v, PRICE_SCALE);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** What an open order is beyond a plain GTC limit order; empty for one. */
function terms(o: Order): string {
  const parts: string[] = [];
  if (o.terms.tif !== 'GTC') parts.push(o.terms.tif);
  if (o.terms.stop !== null) {
    parts.push(
      `stop ${price(o.terms.stop)} ${o.waiting ? 'waiting' : `triggered ${o.triggeredAt}`}`,
    );
  }
  if (o.terms.stp !== null) parts.push(`stp ${o.terms.stp}`);
  if (o.amendments !== null) parts.push(`amended ${o.amendments.length}x`);
  return parts.join(', ');
}

/** The report, and whether every invariant holds. */
export function inspectionReport(
  description: string,
  stored: Snapshot,
): { text: string; ok: boolean } {
  // Read twice below (references, then restore): held as an array.
  const snapshot = { ...stored, orders: Array.from(stored.orders) };
  const out: string[] = [`store: ${description}`, ''];
  const dangling = danglingReferences(snapshot);
  if (dangling.length > 0) {
    out.push(`references BROKEN (${dangling.length}):`, ...dangling.map((p) => `  ${p}`));
    return { text: out.join('\n') + '\n', ok: false };
  }
  const exchange = Exchange.restore(snapshot);
  const audit = auditExchange(exchange);

  out.push(`accounts (${exchange.accounts.size})`);
  out.push(
    table(
      ['id', 'balance', 'positions'],
      [...exchange.accounts.values()].map((a) => [
        a.id,
        money(a.cash),
        [...a.positions.values()].map((p) => `${p.sym} ${shares(p.shares)}`).join(', '),
      ]),
    ),
  );
  out.push('');
  const open = [...exchange.orders.values()].filter((o) => o.open > 0n);
  out.push(`open orders (${open.length} of ${snapshot.orders.length})`);
  out.push(
    table(
      ['id', 'account', 'symbol', 'side', 'shares', 'open', 'limit', 'time', 'terms'],
      open.map((o) => [
        String(o.id),
        o.account.id,
        o.sym,
        o.isBuy ? 'buy' : 'sell',
        shares(o.shares),
        shares(o.open),
        price(o.limit),
        String(o.time),
        terms(o),
      ]),
    ),
  );
  out.push('');
  out.push(`books (${exchange.books.size})`);
  out.push(
    table(
      ['symbol', 'seq', 'waiting stops'],
      [...exchange.books.values()].map((b) => [b.sym, String(b.seq), String(b.stops.size)]),
    ),
  );
  out.push('');
  out.push('totals');
  out.push(
    `  cash ${money(audit.cash)} + reserved by open buys ${money(audit.reservedCash)} = ` +
      `${money(audit.cash + audit.reservedCash)}; deposited ${money(audit.deposited)}`,
  );
  for (const [sym, t] of audit.symbols) {
    out.push(
      `  ${sym}: held ${shares(t.held)} + reserved by open sells ${shares(t.reserved)} = ` +
        `${shares(t.held + t.reserved)}; granted ${shares(t.granted)}`,
    );
  }
  out.push('');
  if (audit.problems.length === 0) out.push('invariants: all hold');
  else
    out.push(
      `invariants BROKEN (${audit.problems.length}):`,
      ...audit.problems.map((p) => `  ${p}`),
    );
  return { text: out.join('\n') + '\n', ok: audit.problems.length === 0 };
}
