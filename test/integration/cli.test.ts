// The `exchange` command: help, clear errors for bad options, a graceful SIGTERM.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { classicRequest } from '../../tools/client/classic-client.js';
import { startChildServer } from '../support/child-server.js';
import { tempDir } from '../support/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = tempDir();
after(() => dir.remove());

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('serve --help explains every option', () => {
  const { status, stdout } = cli('serve', '--help');
  assert.equal(status, 0);
  for (const option of [
    '--host',
    '--port',
    '--framed-port',
    '--db',
    '--sync',
    '--max-request-bytes',
    '--log-level',
    '--standby',
  ]) {
    assert.match(stdout, new RegExp(option));
  }
});

test('bad options are refused with a clear message', () => {
  const port = cli('serve', '--port', '70000');
  assert.notEqual(port.status, 0);
  assert.match(port.stderr, /port number 0-65535/);
  const db = cli('serve', '--port', '0', '--framed-port', 'off', '--db', 'mysql://x');
  assert.equal(db.status, 1);
  assert.match(db.stderr, /unknown --db "mysql:\/\/x"/);
  const sync = cli('serve', '--sync', 'sometimes');
  assert.notEqual(sync.status, 0);
  assert.match(sync.stderr, /Allowed choices are full, normal/);
  // A standby shares the leader's database: a file or memory cannot be shared.
  const standby = cli(
    'serve',
    '--port',
    '0',
    '--framed-port',
    'off',
    '--standby',
    '--db',
    'memory:',
  );
  assert.equal(standby.status, 1);
  assert.match(standby.stderr, /--standby needs a PostgreSQL store/);
  const engines = cli('gateway', '--engine', '127.0.0.1:1,nowhere');
  assert.notEqual(engines.status, 0);
  assert.match(engines.stderr, /expected HOST:PORT or PORT/);
});

test(
  'the built bin/exchange runs (after npm ci)',
  { skip: !existsSync(join(ROOT, 'dist/cli/main.js')) },
  () => {
    const r = spawnSync(join(ROOT, 'bin/exchange'), ['--help'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /serve/);
  },
);

test('SIGTERM: requests answered, state kept, exit code 0', async (t) => {
  const db = `sqlite:${join(dir.path, 'cli.db')}`;
  const first = await startChildServer(['--db', db, '--framed-port', 'off'], { owner: t });
  assert.equal(first.framedPort, null);
  assert.match(
    await classicRequest(first.port, '<create><account id="9" balance="12.5"/></create>'),
    /created id="9"/,
  );
  first.process.kill('SIGTERM');
  assert.equal(await first.exited, 0);

  const second = await startChildServer(['--db', db], { owner: t });
  assert.match(
    await classicRequest(second.port, '<create><account id="9" balance="1"/></create>'),
    /<error id="9">Account already exists<\/error>/,
  );
  second.process.kill('SIGTERM');
  assert.equal(await second.exited, 0);
});
