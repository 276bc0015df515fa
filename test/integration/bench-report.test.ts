// The benchmark report's pieces: reading CPU profiles, rendering Markdown and HTML, and
// `exchange bench` end to end on a tiny matrix.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { targetsAllowed } from '../../bench/matrix-report.js';
import { summarizeProfile } from '../../bench/profile.js';
import { toHtml, toMarkdown, type Block } from '../../bench/report-document.js';
import { stopWhenDone } from '../support/child-server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('a CPU profile is summarised by self time, idle apart and GC counted', () => {
  const frame = (functionName: string, url = ''): { functionName: string; url: string } => ({
    functionName,
    url,
  });
  const profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)') },
      { id: 2, callFrame: frame('(idle)') },
      { id: 3, callFrame: frame('(garbage collector)') },
      { id: 4, callFrame: frame('match', 'file:///work/src/engine/exchange.ts') },
      { id: 5, callFrame: frame('write', 'file:///work/node_modules/saxes/saxes.js') },
    ],
    // 4 idle, 2 GC, 3 match, 1 write: 6 busy-but-not-idle of 10.
    samples: [2, 2, 2, 2, 3, 3, 4, 4, 4, 5],
  };
  const summary = summarizeProfile(profile);
  assert.equal(summary.idle, 0.4);
  assert.equal(summary.gc, 2 / 6);
  assert.deepEqual(
    summary.top.map((e) => [e.name, e.share]),
    [
      ['match (exchange.ts)', 3 / 6],
      ['(garbage collector)', 2 / 6],
      ['write (saxes/saxes.js)', 1 / 6],
    ],
  );
});

test('the report renders to Markdown and to a standalone HTML page', () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-'));
  try {
    writeFileSync(join(dir, 'plot.svg'), '<svg xmlns="http://www.w3.org/2000/svg"></svg>');
    const blocks: Block[] = [
      { kind: 'h1', text: 'Title' },
      { kind: 'p', text: 'a **bold** `code` <tag>' },
      { kind: 'table', head: ['a|b', 'c'], rows: [['1', '2']] },
      { kind: 'list', items: ['one'] },
      { kind: 'image', file: 'plot.svg', alt: 'plot' },
    ];
    assert.equal(
      toMarkdown(blocks),
      '# Title\n\na **bold** `code` <tag>\n\n| a\\|b | c |\n| --- | --- |\n| 1 | 2 |\n\n- one\n\n![plot](plot.svg)\n',
    );
    const html = toHtml(blocks, dir);
    assert.match(html, /<p>a <strong>bold<\/strong> <code>code<\/code> &lt;tag&gt;<\/p>/);
    assert.match(html, /<th>a\|b<\/th>/);
    // The plot is inlined, so the page stands alone (and prints to PDF as one file).
    assert.match(html, /<figure><svg xmlns="http:\/\/www.w3.org\/2000\/svg"><\/svg><\/figure>/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('exchange bench runs a tiny matrix and writes the report', { timeout: 120_000 }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'bench-'));
  try {
    const child = spawn(
      join(ROOT, 'bin/exchange'),
      [
        'bench',
        ...['--runs', '1', '--seconds', '1', '--workers', '0', '--stores', 'memory'],
        ...['--modes', 'framed', '--engine-commands', '0', '--no-profile', '--no-pin'],
        ...['--out', out],
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    stopWhenDone(t, child);
    child.stdout.resume();
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    assert.match(report, /\| framed bare floor, 1 process \| [\d,]+ \|/);
    assert.match(report, /\| framed memory, --workers 0 \| [\d,]+ \|/);
    assert.ok(existsSync(join(out, 'report.html')));
    assert.match(readFileSync(join(out, 'throughput-framed.svg'), 'utf8'), /^<svg /);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('the durable floor answers on both ports and writes a record for each flush', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'durable-floor-'));
  const file = join(dir, 'flush');
  try {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'bench/bare-server.ts', '0', '--durable', file],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    stopWhenDone(t, child);
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const { port, framedPort } = JSON.parse(line) as { port: number; framedPort: number };
    const body = '<create></create>';
    const request = `${Buffer.byteLength(body)}\n${body}`;
    const exchange = async (to: number, send: string, ends: (reply: string) => boolean) => {
      const socket = connect(to, '127.0.0.1');
      let reply = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        reply += chunk;
        if (ends(reply)) socket.end();
      });
      socket.write(send);
      await once(socket, 'close');
      return reply;
    };
    const classic = await exchange(port, request, () => false);
    assert.match(classic, /^<results>/);
    // The first write went to the start of the file, over the zeros written when it started.
    const record = (at: number) => readFileSync(file).subarray(at, at + 512);
    assert.ok(record(0).every((byte) => byte === 1));
    // Three pipelined frames, three framed replies, after at least one more write.
    const framed = await exchange(
      framedPort,
      request.repeat(3),
      (reply) => reply.split('</results>').length === 4,
    );
    assert.equal(framed.split('</results>').length, 4);
    assert.ok(record(4096).every((byte) => byte === 1));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the report says what the flush and the cores leave of each missed ratio target', () => {
  // CPU a request split evenly between the server and the load generator.
  const row = (mode: 'classic' | 'framed', server: string, ratio: number, cpu: number) => ({
    mode,
    server: server as 'bare',
    requestsPerSecond: 1000 * ratio,
    ratio,
    serverCpu: { user: cpu / 2, system: 0 },
    postgresCpu: { user: 0, system: 0 },
    generatorCpu: { user: cpu / 2, system: 0 },
    coresBusy: 1.6,
  });
  const split = (rows: ReturnType<typeof row>[]) =>
    targetsAllowed({ date: '2026-12-03', seconds: 5, warmupSeconds: 2, rounds: 5, rows }).join(
      '\n',
    );
  const items = split([
    row('classic', 'bare', 1, 90),
    row('classic', 'durable', 0.7, 120),
    row('classic', 'memory', 1.05, 115),
    row('classic', 'sqlite', 0.55, 160),
    row('framed', 'bare', 1, 10),
    row('framed', 'durable', 1, 10),
    row('framed', 'memory', 0.7, 14),
    row('framed', 'sqlite', 0.45, 22),
    row('framed', 'postgres', 0.3, 32),
  ]);
  assert.match(items, /Classic, SQLite ≥ 0\.8×:\*\* the durable floor itself reaches 0\.70×/);
  // 0.75× of a 10 µs floor allows 13.3 µs, less than the memory store's 14.
  assert.match(items, /Framed, SQLite ≥ 0\.75×:.* allows 13\.3 µs .* so no store reaches it/);
  // 0.6× allows 16.7 µs: 2.7 beyond the memory store's, where PostgreSQL's work takes 18.
  assert.match(
    items,
    /Framed, PostgreSQL ≥ 0\.6×:.* leaving 2\.7 µs for the store's, where PostgreSQL's takes 18\.0/,
  );
  // A target met says nothing.
  assert.equal(
    split([
      row('classic', 'bare', 1, 90),
      row('classic', 'durable', 0.9, 100),
      row('classic', 'memory', 1, 100),
      row('classic', 'sqlite', 0.85, 110),
    ]),
    '',
  );
});
