// Fresh PostgreSQL databases for one test file, dropped when the file's tests end.

import { after } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../harness/postgres.js';

const created: TestDatabase[] = [];
after(() => Promise.all(created.map((d) => d.drop())));

export async function freshPostgresUrl(): Promise<string> {
  const db = await createTestDatabase();
  created.push(db);
  return db.url;
}
