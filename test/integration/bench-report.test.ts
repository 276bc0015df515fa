// The benchmark report's pieces: reading CPU profiles, rendering Markdown and HTML, and
// `exchange bench` end to end on a tiny matrix.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
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
