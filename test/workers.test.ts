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
import { classicRequest } from '../src/client/classic-client.js';
import type { StatsView } from '../src/http/api-types.js';
import { FramedClient } from '../src/client/framed-client.js';
import { startChildServer, type ChildServer } from './support/child-server.js';
import { tempDir } from './support/server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dir = tempDir();
after(() => dir.remove());

async function stop(server: ChildServer): Promise<number | string> {
  server.process.kill('SIGTERM');
  return server.exited;
}

test('serve --workers 2: gateways answer on the shared ports; SIGTERM stops all; the state is kept', async () => {
  const db = `sqlite:${join(dir.path, 'workers.db')}`;
  const server = await startChildServer(['--db', db, '--workers', '2'], {
    ready: (line) => line.workers === 2,
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
  // Stats are sampled once a second: wait for a sample taken after the requests.
  let stats: StatsView;
  const deadline = Date.now() + 5000;
  do {
    stats = (await (await fetch(`${base}/api/stats`)).json()) as StatsView;
    if (stats.requests.total >= 22) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  } while (Date.now() < deadline);
  assert.equal(stats.gateways, 2);
  assert.equal(stats.requests.total, 22);
  assert.equal(stats.openOrders, 0);
  assert.equal(await stop(server), 0);

  const again = await startChildServer(['--db', db]);
  const query = await classicRequest(
    again.port,
    '<transactions id="1"><query id="21"/></transactions>',
  );
  assert.match(query, /<status id="21">\s*<executed shares="0.25" price="3"/);
  assert.doesNotMatch(query, /<open /);
  assert.equal(await stop(again), 0);
});

test('engine + two gateways as separate commands, linked over TCP', async () => {
  const engine = await startChildServer(
    ['--listen', '127.0.0.1:0', '--db', 'memory:', '--http-port', 'off'],
    {
      command: ['engine'],
    },
  );
  assert.ok(engine.linkPort! > 0);
  const gateway = (): Promise<ChildServer> =>
    startChildServer(['--engine', `127.0.0.1:${engine.linkPort}`], {
      command: ['gateway', '--host', '127.0.0.1', '--port', '0', '--framed-port', '0'],
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

test('serve --workers 2 on a port in use exits 1 with the reason, instead of restarting gateways', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  after(() => blocker.close());
  const port = (blocker.address() as AddressInfo).port;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
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
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 1);
  assert.match(output, /EADDRINUSE/);
  assert.match(output, /a gateway failed to start: stopping/);
});
