// PostgreSQL for tests: a fresh database per test file on the real server. Without
// DATABASE_URL (and without REQUIRE_PG=1) the PostgreSQL tests are skipped with a notice;
// with REQUIRE_PG=1 an unreachable server fails them.

import pg from 'pg';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export const PG_SKIP_REASON =
  'PostgreSQL tests skipped: set DATABASE_URL (or REQUIRE_PG=1) to run them';

/** The server to create test databases on, or null when PostgreSQL tests are off. */
export function pgBaseUrl(): string | null {
  const url = process.env.DATABASE_URL;
  if (url !== undefined && url !== '') return url;
  return process.env.REQUIRE_PG === '1' ? DEFAULT_URL : null;
}

export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

async function admin<T>(base: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const base = pgBaseUrl();
  if (base === null) throw new Error(PG_SKIP_REASON);
  const name = `exchange_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await admin(base, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      admin(base, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}
