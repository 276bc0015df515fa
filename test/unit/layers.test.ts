// The import rules of docs/architecture.md, enforced: each folder of the product, the tools
// and the harness may import only the folders listed for it (never cli, bench or test), so
// layers point one way and no two folders import each other.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Folder → the folders it may import (besides itself). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  'src/decimal': [],
  'src/errors': [],
  'src/engine': ['src/decimal'],
  'src/protocol': ['src/decimal', 'src/engine', 'src/errors'],
  'src/store': ['src/decimal', 'src/engine', 'src/errors'],
  'src/sequencer': ['src/engine', 'src/errors', 'src/store'],
  'src/market': ['src/decimal', 'src/engine'],
  'src/metrics': ['src/engine'],
  'src/server': ['src/engine', 'src/errors', 'src/metrics', 'src/protocol'],
  'src/gateway': ['src/engine', 'src/errors', 'src/protocol', 'src/server'],
  'src/http': [
    'src/decimal',
    'src/engine',
    'src/errors',
    'src/market',
    'src/metrics',
    'src/sequencer',
    'src/store',
  ],
  'src/app': [
    'src/decimal',
    'src/engine',
    'src/errors',
    'src/gateway',
    'src/http',
    'src/market',
    'src/metrics',
    'src/protocol',
    'src/sequencer',
    'src/server',
    'src/store',
  ],
  // The tools drive any server of the public protocol: they share its wire format, nothing else.
  'tools/client': ['src/protocol'],
  'tools/load': ['src/protocol', 'tools/client'],
  'tools/check': ['src/protocol', 'tools/client'],
  harness: [],
};

/** The folder a file belongs to: src/x, tools/x, or a top-level folder. */
function folderOf(path: string): string {
  const parts = path.split('/');
  return (parts[0] === 'src' || parts[0] === 'tools') && parts.length > 2
    ? `${parts[0]}/${parts[1]}`
    : parts[0]!;
}

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

const IMPORT = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

function importedFolders(file: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const [, spec] of readFileSync(join(ROOT, file), 'utf8').matchAll(IMPORT)) {
    const target = relative(ROOT, normalize(join(ROOT, dirname(file), spec!)));
    found.set(folderOf(target), target);
  }
  return found;
}

test('every folder imports only what the layering allows', () => {
  const broken: string[] = [];
  for (const top of ['src', 'tools', 'harness']) {
    for (const file of sources(top)) {
      const folder = folderOf(file);
      const allowed = MAY_IMPORT[folder];
      assert.ok(allowed, `${folder} has no entry in the layering table`);
      for (const [imported, target] of importedFolders(file))
        if (imported !== folder && !allowed.includes(imported))
          broken.push(`${file} imports ${target}`);
    }
  }
  assert.deepEqual(broken, []);
});

test('benchmarks do not lean on the tests', () => {
  for (const file of sources('bench'))
    for (const [imported, target] of importedFolders(file))
      assert.notEqual(imported, 'test', `${file} imports ${target}`);
});

test('the table has no cycle', () => {
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (folder: string, path: string[]): void => {
    if (done.has(folder)) return;
    assert.ok(!visiting.has(folder), `cycle: ${[...path, folder].join(' → ')}`);
    visiting.add(folder);
    for (const next of MAY_IMPORT[folder] ?? []) visit(next, [...path, folder]);
    visiting.delete(folder);
    done.add(folder);
  };
  for (const folder of Object.keys(MAY_IMPORT)) visit(folder, []);
});
