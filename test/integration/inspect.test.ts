// `exchange inspect`: the report, beside a running server, and exit code 1 on broken books.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { classicRequest } from '../../tools/client/classic-client.js';
import { startChildServer } from '../support/child-server.js';
import { pgBaseUrl, PG_SKIP_REASON } from '../../harness/postgres.js';
import { freshPostgresUrl } from '../support/databases.js';
import { tempDir } from '../support/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = tempDir();
after(() => dir.remove());

function inspect(db: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'inspect', '--db', db], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function trade(t: TestContext, db: string): Promise<() => Promise<void>> {
  const server = await startChildServer(['--db', db, '--framed-port', 'off'], { owner: t });
  for (const xml of [
    '<create><account id="1" balance="1000"/><account id="2" balance="10"/><symbol sym="SPY"><account id="2">100</account></symbol></create>',
    '<transactions id="1"><order sym="SPY" amount="10" limit="12.5"/><order sym="SPY" amount="5" limit="11"/></transactions>',
    '<transactions id="2"><order sym="SPY" amount="-12" limit="11.5"/></transactions>',
  ]) {
    await classicRequest(server.port, xml);
  }
  return async () => {
    await server.stop();
  };
}

function assertHealthyReport(stdout: string): void {
  assert.match(stdout, /^1 {3}820 {6}SPY 10$/m);
  assert.match(stdout, /^3 {3}2 {8}SPY {5}sell {2}12 {6}2 {5}11\.5/m);
  assert.match(stdout, /cash 955 \+ reserved by open buys 55 = 1010; deposited 1010/);
  assert.match(stdout, /SPY: held 98 \+ reserved by open sells 2 = 100; granted 100/);
  assert.match(stdout, /invariants: all hold/);
  // Two orders opened, one matched, the rest of the sell opened: the book's fourth event.
  assert.match(stdout, /^books \(1\)\nsymbol {2}seq {2}waiting stops\nSPY {5}4 {4}0$/m);
}

test('SQLite: a report beside the running server; a tampered balance fails with exit code 1', async (t) => {
  const path = join(dir.path, 'inspect.db');
  const stop = await trade(t, `sqlite:${path}`);
  const running = inspect(`sqlite:${path}`);
  assert.equal(running.status, 0, running.stderr);
  assertHealthyReport(running.stdout);
  await stop();

  const db = new Database(path);
  db.prepare("UPDATE accounts SET balance = '821' WHERE id = '1'").run();
  db.close();
  const broken = inspect(`sqlite:${path}`);
  assert.equal(broken.status, 1);
  assert.match(
    broken.stdout,
    /invariants BROKEN \(1\):\n {2}cash 956 \+ reserved 55 differs from deposits 1010/,
  );
});

test(
  'PostgreSQL: the same report; a tampered position fails',
  { skip: pgBaseUrl() === null ? PG_SKIP_REASON : false },
  async (t) => {
    const databaseUrl = await freshPostgresUrl();
    const stop = await trade(t, databaseUrl);
    const running = inspect(databaseUrl);
    assert.equal(running.status, 0, running.stderr);
    assertHealthyReport(running.stdout);
    await stop();

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query("UPDATE positions SET shares = 99 WHERE account_id = '2'");
    await client.end();
    const broken = inspect(databaseUrl);
    assert.equal(broken.status, 1);
    assert.match(broken.stdout, /SPY: held 109 \+ reserved 2 differs from granted 100/);

    // The journal tables enforce no foreign keys in PostgreSQL: inspect checks them.
    const again = new pg.Client({ connectionString: databaseUrl });
    await again.connect();
    await again.query('INSERT INTO cancels (order_id, shares, canceled_at) VALUES (999, 1, 0)');
    await again.end();
    const dangling = inspect(databaseUrl);
    assert.equal(dangling.status, 1);
    assert.match(dangling.stdout, /references BROKEN \(1\):\n {2}cancel names unknown order 999/);
  },
);

test('SQLite: waiting stops and amends are reported, and their reservations add up', async (t) => {
  const path = join(dir.path, 'inspect-extensions.db');
  const db = `sqlite:${path}`;
  const stop = await trade(t, db);
  await stop();
  const server = await startChildServer(['--db', db, '--framed-port', 'off'], { owner: t });
  await classicRequest(
    server.port,
    '<transactions id="1"><order sym="SPY" amount="1" limit="13" stop="14"/><amend id="2" amount="3"/></transactions>',
  );
  await server.stop();
  const report = inspect(db);
  assert.equal(report.status, 0, report.stderr + report.stdout);
  assert.match(report.stdout, /^2 .* 3 +11 +\d+ +amended 1x$/m);
  assert.match(report.stdout, /^4 .* 1 +13 +\d+ +stop 14 waiting$/m);
  // The amend is the fifth event: the seq went on from the stored one after the restart.
  assert.match(report.stdout, /^SPY +5 +1$/m);
  assert.match(report.stdout, /invariants: all hold/);
});

test('a store that cannot be read is an error, exit code 2', () => {
  const r = inspect(`sqlite:${join(dir.path, 'missing.db')}`);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /exchange inspect: /);
});
