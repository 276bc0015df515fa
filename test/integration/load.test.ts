// `exchange load` and its scenarios against the real server on free ports: the swap check
// passes on a correct exchange and catches a wrong price, deep builds its book, and the
// command's output and exit codes.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { classicRequest } from '../../tools/client/classic-client.js';
import { deepWorkload } from '../../tools/load/deep.js';
import { runLoad } from '../../tools/load/drivers.js';
import { MixedFlow, mixedWorkload } from '../../tools/load/mixed-flow.js';
import { SwapWorkload } from '../../tools/load/swap.js';
import { stopWhenDone } from '../support/child-server.js';
import { startTestServer } from '../support/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let server: Awaited<ReturnType<typeof startTestServer>>;
before(async () => {
  server = await startTestServer();
});
after(() => server.stop());

test('swap, classic: every TELSA buy ends executed at 100, and the check says so', async () => {
  const workload = new SwapWorkload({ firstAccount: 1_000, pairs: 40 });
  const result = await runLoad({
    mode: 'classic',
    port: server.port,
    connections: 8,
    workload,
  });
  assert.equal(result.failed, 0);
  assert.equal(result.rejected, 0);
  assert.equal(result.requests, 40 * 8);
  assert.equal(result.orders, 40 * 4);
  assert.equal(workload.telsaBuys.length, 80);
  assert.equal(result.checked, true);
  assert.deepEqual(result.problems, []);
});

test('swap, framed: the check catches buys that executed at another price', async () => {
  // A cheaper TELSA seller waiting on the book takes the first buys at 90.
  const reply = await classicRequest(
    server.port,
    '<create><account id="9000" balance="0"/><symbol sym="TELSA"><account id="9000">100</account></symbol></create>',
  );
  assert.match(reply, /<created sym="TELSA" id="9000"\/>/);
  await classicRequest(
    server.port,
    '<transactions id="9000"><order sym="TELSA" amount="-100" limit="90"/></transactions>',
  );
  const workload = new SwapWorkload({ firstAccount: 2_000, pairs: 10 });
  const result = await runLoad({
    mode: 'framed',
    port: server.framedPort,
    connections: 2,
    window: 4,
    workload,
  });
  assert.equal(result.failed, 0);
  assert.ok(
    result.problems.some((p) => /executed at 90, not 100/.test(p)),
    result.problems.join('\n'),
  );
});

test('deep: the book holds the resting orders before the measured flow starts', async () => {
  const fresh = await startTestServer();
  try {
    const flow = new MixedFlow({ accounts: 10, symbols: 2, firstAccount: 5_000 });
    const result = await runLoad({
      mode: 'framed',
      port: fresh.framedPort,
      connections: 2,
      window: 8,
      requests: 500,
      workload: deepWorkload(flow, 3_000),
    });
    assert.equal(result.failed, 0);
    let resting = 0;
    for (let id = 1; id <= 3_000; id++) if ((fresh.engine.order(id)?.open ?? 0n) > 0n) resting++;
    assert.equal(resting, 3_000);
  } finally {
    await fresh.stop();
  }
});

test('open loop: --rate sessions per second, on schedule', async () => {
  const flow = new MixedFlow({ accounts: 5, symbols: 1, firstAccount: 7_000 });
  const result = await runLoad({
    mode: 'classic',
    port: server.port,
    connections: 4,
    durationMs: 1_000,
    rate: 300,
    workload: mixedWorkload(flow),
  });
  assert.equal(result.failed, 0);
  // 300 per second for one second, give or take the timer's granularity.
  assert.ok(result.requests >= 270 && result.requests <= 310, `${result.requests} requests`);
});

/** The CLI in a child process; async, because the server it talks to runs in this one. */
async function exchange(
  t: TestContext,
  args: string[],
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
    cwd: ROOT,
    timeout: 60_000,
  });
  stopWhenDone(t, child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [status] = (await once(child, 'close')) as [number | null];
  return { status, stdout, stderr };
}

test('exchange load: a JSON summary and exit code 0 on a healthy run', async (t) => {
  const r = await exchange(t, [
    'load',
    `127.0.0.1:${server.port}`,
    '--scenario',
    'swap',
    '--requests',
    '80',
    '--clients',
    '4',
    '--json',
  ]);
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(summary.scenario, 'swap');
  assert.equal(summary.failed, 0);
  assert.equal(summary.checked, true);
  assert.deepEqual(summary.problems, []);
  assert.ok((summary.requests as number) >= 80);
});

test('exchange load: the text summary, and clear errors for a bad target or a closed port', async (t) => {
  const r = await exchange(t, [
    'load',
    String(server.framedPort),
    '--mode',
    'framed',
    '--requests',
    '300',
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^mixed scenario, framed mode, 16 clients against 127\.0\.0\.1:\d+$/m);
  assert.match(r.stdout, /^requests {3}300 in [\d.]+ s = [\d,]+\/s$/m);
  assert.match(r.stdout, /^latency {4}p50 [\d.]+ ms {2}p90/m);

  const bad = await exchange(t, ['load', 'nowhere']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /expected HOST:PORT or PORT/);

  const closed = await exchange(t, ['load', '127.0.0.1:1', '--requests', '10', '--mode', 'framed']);
  assert.equal(closed.status, 2);
  assert.match(closed.stderr, /^exchange load: .*ECONNREFUSED/m);
});
