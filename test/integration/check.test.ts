// `exchange check`, the conformance kit: it passes against this server, with and without
// the extension and fee checks, runs the extension checks only when asked, and it catches a
// server that breaks the protocol (here: one that answers every request the same way).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CHECKS } from '../../tools/check/checks.js';
import { canonicalNumber } from '../../tools/check/context.js';
import { EXTENSION_CHECKS, FEE_CHECKS } from '../../tools/check/extension-checks.js';
import { parseFeeSchedule } from '../../tools/check/money.js';
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

test('every check and every extension check passes against this server, strict', async () => {
  const server = await startTestServer();
  try {
    const report = await runChecks({
      host: '127.0.0.1',
      port: server.port,
      strict: true,
      extensions: true,
    });
    const failed = report.outcomes.filter((o) => o.verdict !== 'pass').map(formatOutcome);
    assert.deepEqual(failed, []);
    assert.equal(report.outcomes.length, CHECKS.length + EXTENSION_CHECKS.length);
  } finally {
    await server.stop();
  }
});

test('the fee checks pass against this server started with fees, and only they run', async () => {
  // A maker fee below the taker fee, rates with 8 digits: the fees have 16-digit cash values.
  const fees = parseFeeSchedule('0.00012345,0.00067891,4242');
  const server = await startTestServer({ fees });
  try {
    const report = await runChecks({ host: '127.0.0.1', port: server.port, strict: true, fees });
    const failed = report.outcomes.filter((o) => o.verdict !== 'pass').map(formatOutcome);
    assert.deepEqual(failed, []);
    assert.deepEqual(
      report.outcomes.map((o) => o.check.name),
      FEE_CHECKS.map((c) => c.name),
    );
  } finally {
    await server.stop();
  }
});

test('exchange check --strict runs no extension check unless asked; --extensions adds them', async (t) => {
  const server = await startTestServer();
  try {
    const run = async (...flags: string[]): Promise<string> => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'cli/main.ts', 'check', `127.0.0.1:${server.port}`, ...flags],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      stopWhenDone(t, child);
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 0, out);
      return out;
    };
    const plain = await run('--strict');
    assert.match(
      plain,
      new RegExp(`^${CHECKS.length} checks: ${CHECKS.length} passed, 0 failed`, 'm'),
    );
    for (const check of EXTENSION_CHECKS) assert.ok(!plain.includes(check.name), check.name);
    const extended = await run('--strict', '--extensions', '--only', 'stop-limit');
    const stopChecks = EXTENSION_CHECKS.filter((c) => c.name.includes('stop-limit'));
    assert.ok(stopChecks.length > 0);
    for (const check of stopChecks)
      assert.ok(extended.split('\n').includes(`PASS  ${check.name}`), extended);
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
