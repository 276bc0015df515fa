// The multi-process shapes as a user runs them: `serve --workers 2` (one engine process and
// two gateway processes sharing the client ports), and `engine` + two `gateway` commands
// linked over TCP. Real processes, real sockets on loopback, a real SQLite file.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import WebSocket from 'ws';
import { classicRequest } from '../../tools/client/classic-client.js';
import type { ServerMessage, StatsView } from '../../src/http/api-types.js';
import { FramedClient } from '../../tools/client/framed-client.js';
import { startChildServer, stopWhenDone, type ChildServer } from '../support/child-server.js';
import { tempDir } from '../support/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = tempDir();
after(() => dir.remove());

async function stop(server: ChildServer): Promise<number | string> {
  server.process.kill('SIGTERM');
  return server.exited;
}

/** The stats channel of the feed at /ws: each sample as the server takes it, once a second. */
async function statsFeed(httpPort: number) {
  const ws = new WebSocket(`ws://127.0.0.1:${httpPort}/ws`);
  const samples: StatsView[] = [];
  let wake = (): void => {};
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as ServerMessage;
    if (message.type !== 'stats') return;
    samples.push(message);
    wake();
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  // The server stopping under an open feed (a failed test's cleanup) is no error of the test.
  ws.on('error', () => {});
  ws.send(JSON.stringify({ op: 'subscribe', channel: 'stats' }));
  return {
    /** The first sample not looked at yet that `match` accepts. */
    async next(match: (s: StatsView) => boolean, timeoutMs = 5000): Promise<StatsView> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = samples.find(match);
        samples.length = 0;
        if (found !== undefined) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('no such stats sample in time');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    close: () => ws.terminate(),
  };
}

test('serve --workers 2: gateways answer on the shared ports; SIGTERM stops all; the state is kept', async (t) => {
  const db = `sqlite:${join(dir.path, 'workers.db')}`;
  const server = await startChildServer(['--db', db, '--workers', '2'], {
    ready: (line) => line.workers === 2,
    owner: t,
  });
  const created = await classicRequest(
    server.port,
    '<create><account id="1" balance="100"/><account id="2" balance="0"/><symbol sym="X"><account id="2">5</account></symbol></create>',
  );
  assert.match(created, /<created sym="X" id="2"\/>/);
  // Many connections, so that both gateways take some.
  const replies = await Promise.all(
    Array.from({ length: 20 }, () =>
      classicRequest(
        server.port,
        '<transactions id="2"><order sym="X" amount="-0.25" limit="3"/></transactions>',
      ),
    ),
  );
  for (const r of replies) assert.match(r, /<opened sym="X" amount="-0.25" limit="3" id="\d+"\/>/);
  const framed = await FramedClient.connect(server.framedPort);
  const buy = await framed.request(
    '<transactions id="1"><order sym="X" amount="5" limit="4"/></transactions>',
  );
  assert.match(buy, /<opened sym="X" amount="5" limit="4" id="21"\/>/);
  framed.close();
  // The engine's process adds up its gateways' figures: every request above was read by one.
  const base = `http://127.0.0.1:${server.httpPort}`;
  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.match(metrics, /exchange_requests_total\{kind="order",outcome="ok"\} 21\b/);
  // Stats are sampled once a second, and requests.total counts JSON API requests as well as
  // XML ones: a test polling GET /api/stats for a fresh sample would find its own earlier
  // polls counted in it. The feed's stats channel is no request, so it waits uncounted.
  const feed = await statsFeed(server.httpPort!);
  t.after(() => feed.close());
  const stats = await feed.next((s) => s.gateways === 2 && s.requests.total >= 22);
  assert.equal(stats.requests.total, 22);
  assert.equal(stats.openOrders, 0);
  // One JSON API request, counted in the samples after it.
  assert.equal((await fetch(`${base}/api/stats`)).status, 200);
  const counted = await feed.next((s) => s.gateways === 2 && s.requests.total > 22);
  assert.equal(counted.requests.total, 23);
  feed.close();
  assert.equal(await stop(server), 0);

  const again = await startChildServer(['--db', db], { owner: t });
  const query = await classicRequest(
    again.port,
    '<transactions id="1"><query id="21"/></transactions>',
  );
  assert.match(query, /<status id="21">\s*<executed shares="0.25" price="3"/);
  assert.doesNotMatch(query, /<open /);
  assert.equal(await stop(again), 0);
});

test('engine + two gateways as separate commands, linked over TCP', async (t) => {
  const engine = await startChildServer(
    ['--listen', '127.0.0.1:0', '--db', 'memory:', '--http-port', 'off'],
    {
      command: ['engine'],
      owner: t,
    },
  );
  assert.ok(engine.linkPort! > 0);
  const gateway = (): Promise<ChildServer> =>
    startChildServer(['--engine', `127.0.0.1:${engine.linkPort}`], {
      command: ['gateway', '--host', '127.0.0.1', '--port', '0', '--framed-port', '0'],
      owner: t,
    });
  const [a, b] = await Promise.all([gateway(), gateway()]);
  await classicRequest(
    a.port,
    '<create><account id="7" balance="10"/><symbol sym="Y"><account id="7">1</account></symbol></create>',
  );
  const sold = await classicRequest(
    b.port,
    '<transactions id="7"><order sym="Y" amount="-1" limit="2"/></transactions>',
  );
  assert.match(sold, /<opened sym="Y" amount="-1" limit="2" id="1"\/>/);
  const bought = await classicRequest(
    a.port,
    '<transactions id="7"><order sym="Y" amount="1" limit="2"/><query id="1"/></transactions>',
  );
  assert.match(bought, /<status id="1">\s*<executed shares="1" price="2"/);
  assert.deepEqual(await Promise.all([stop(a), stop(b)]), [0, 0]);
  assert.equal(await stop(engine), 0);
});

// The timeout ends the test if the gateways are restarted forever instead, and its child with it.
test(
  'serve --workers 2 on a port in use exits 1 with the reason, instead of restarting gateways',
  { timeout: 30_000 },
  async (t) => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    t.after(() => blocker.close());
    const port = (blocker.address() as AddressInfo).port;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'cli/main.ts',
        'serve',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--framed-port',
        '0',
        '--http-port',
        'off',
        '--db',
        'memory:',
        '--workers',
        '2',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    stopWhenDone(t, child);
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 1);
    assert.match(output, /EADDRINUSE/);
    assert.match(output, /a gateway failed to start: stopping/);
  },
);
