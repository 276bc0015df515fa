// `exchange check`, the conformance kit: it passes against this server, and it catches a
// server that breaks the protocol (here: one that answers every request the same way).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CHECKS } from '../../tools/check/checks.js';
import { canonicalNumber } from '../../tools/check/context.js';
import { formatOutcome, runChecks } from '../../tools/check/run-checks.js';
import { stopWhenDone } from '../support/child-server.js';
import { startTestServer } from '../support/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('numbers compare as decimals, whatever their notation', () => {
  assert.equal(canonicalNumber('125.000'), '125');
  assert.equal(canonicalNumber('007.50'), '7.5');
  assert.equal(canonicalNumber('-0.0'), '0');
  assert.equal(canonicalNumber('.5'), '0.5');
  assert.equal(canonicalNumber('1e3'), null);
  assert.equal(canonicalNumber(''), null);
});

test('every check passes against this server, strict', async () => {
  const server = await startTestServer();
  try {
    const report = await runChecks({ host: '127.0.0.1', port: server.port, strict: true });
    const failed = report.outcomes.filter((o) => o.verdict !== 'pass').map(formatOutcome);
    assert.deepEqual(failed, []);
    assert.equal(report.outcomes.length, CHECKS.length);
    assert.ok(report.ok);
  } finally {
    await server.stop();
  }
});

test('exchange check fails a server that breaks the protocol, with request and reply', async (t) => {
  // Reads one request's worth of bytes, answers "created" to anything, closes.
  const fake = createServer((socket) => {
    socket.once('data', () => socket.end('<results><created id="1"/></results>\n'));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = fake.address() as AddressInfo;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'cli/main.ts', 'check', `127.0.0.1:${port}`, '--timeout', '2000'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    stopWhenDone(t, child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 1, out);
    assert.match(out, /^FAIL {2}the worked example of the protocol, order by order$/m);
    assert.match(out, /^ {6}request: {2}<create><account id="\d+" balance="1000000"\/>/m);
    assert.match(out, /^ {6}reply: {4}<results><created id="1"\/><\/results>$/m);
    assert.match(out, /checks: \d+ passed, \d+ failed, \d+ warnings/);
  } finally {
    fake.close();
  }
});
