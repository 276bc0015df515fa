// Abusive clients against the server as a child process, all at once: 1,000 idle
// connections, slowloris clients, a client that never reads, billion laughs, XXE and a 10 GB
// length line. Meanwhile a normal client's requests keep succeeding; its latency, quiet and
// under abuse, is printed (not asserted: a test does not assert speed).

import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { classicRequest, frameRequest, sendRaw } from '../../tools/client/classic-client.js';
import { percentile } from '../../tools/load/summary.js';
import { startChildServer } from '../support/child-server.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.on('error', () => {});
    socket.once('error', reject);
    socket.once('connect', () => resolve(socket));
  });
}

/** `count` sequential classic requests; every reply must be right. Latencies in µs, sorted. */
async function normalClient(port: number, count: number, account: string): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const reply = await classicRequest(
      port,
      `<transactions id="${account}"><order sym="S" amount="1" limit="1"/></transactions>`,
    );
    latencies.push((performance.now() - started) * 1000);
    assert.match(reply, /<opened sym="S" amount="1" limit="1" id="\d+"\/>/);
  }
  return latencies.sort((a, b) => a - b);
}

const BILLION_LAUGHS =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from(
    { length: 9 },
    (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
  ).join('') +
  ']><create><account id="9" balance="&lol9;"/></create>';
const XXE =
  '<?xml version="1.0"?><!DOCTYPE create [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
  '<create><account id="9" balance="&xxe;"/></create>';

test('abusive clients do not stop a normal client', { timeout: 120_000 }, async (t) => {
  const server = await startChildServer(
    [...['--db', 'memory:', '--request-timeout', '2', '--write-timeout', '2']],
    { owner: t },
  );
  const sockets: Socket[] = [];
  try {
    await classicRequest(
      server.port,
      '<create><account id="1" balance="100000000"/><symbol sym="S"><account id="1">1</account></symbol></create>',
    );
    await normalClient(server.port, 50, '1'); // warm-up
    const quiet = await normalClient(server.port, 300, '1');

    // 1,000 idle connections, half on each listener.
    for (let i = 0; i < 1000; i++) {
      sockets.push(await open(i % 2 === 0 ? server.port : server.framedPort));
    }
    // Slowloris: 10 clients trickling a byte every 100 ms, twice each: every attempt must be
    // cut off at the 2 s deadline with the error reply.
    const slowloris = Array.from({ length: 10 }, async () => {
      let cutOff = 0;
      for (let attempt = 0; attempt < 2; attempt++) {
        const socket = await open(server.port);
        let reply = '';
        socket.on('data', (c: Buffer) => (reply += c.toString()));
        const closed = new Promise((resolve) => socket.once('close', resolve));
        const bytes = frameRequest('<create><account id="77" balance="1"/></create>');
        for (const byte of bytes) {
          if (socket.destroyed || reply !== '') break;
          socket.write(Buffer.of(byte));
          await sleep(100);
        }
        await Promise.race([closed, sleep(5000)]);
        if (reply.includes('The whole request did not arrive in time')) cutOff++;
        socket.destroy();
      }
      return cutOff;
    });
    // A framed client that sends big requests and never reads a reply.
    const nonReader = await open(server.framedPort);
    nonReader.pause();
    const big = frameRequest(
      `<transactions id="1">${'<query id="999999999"/>'.repeat(1000)}</transactions>`,
    );
    const flood = (async () => {
      const until = performance.now() + 15_000;
      while (!nonReader.destroyed && performance.now() < until) {
        if (!nonReader.write(big)) await sleep(20);
      }
      return nonReader.destroyed;
    })();
    // Hostile documents, each answered with an error.
    const hostile = await Promise.all([
      classicRequest(server.port, BILLION_LAUGHS),
      classicRequest(server.port, XXE),
      sendRaw(server.port, '10737418240\n<create>'),
    ]);
    for (const reply of hostile)
      assert.match(reply, /^<results>\n {2}<error>[^<]+<\/error>\n<\/results>\n$/);
    assert.match(hostile[0]!, /DOCTYPE/);
    assert.match(hostile[2]!, /Request too large/);

    const abused = await normalClient(server.port, 300, '1');
    const cutOffs = (await Promise.all(slowloris)).reduce((a, b) => a + b, 0);
    assert.equal(cutOffs, 20, 'every slowloris attempt was cut off at the deadline');
    assert.equal(await flood, true, 'the client that never reads was disconnected');
    const ms = (us: number): string => (us / 1000).toFixed(2);
    t.diagnostic(
      `normal client, 300 classic orders each: quiet p50 ${ms(percentile(quiet, 50))} ms, p99 ${ms(percentile(quiet, 99))} ms;` +
        ` under abuse p50 ${ms(percentile(abused, 50))} ms, p99 ${ms(percentile(abused, 99))} ms` +
        ` (${(percentile(abused, 99) / percentile(quiet, 99)).toFixed(2)}× quiet); slowloris cut off ${cutOffs} times`,
    );
  } finally {
    for (const socket of sockets) socket.destroy();
    await server.stop();
  }
});
