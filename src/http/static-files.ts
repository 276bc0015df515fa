// The dashboard's built files (dist/web, made by `npm ci` through `vite build`), served
// from memory: a few small files read once at start. Unknown paths get index.html only for
// `/`; anything else is a 404, so a typo never looks like a page.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

export interface StaticFile {
  readonly body: Buffer;
  readonly type: string;
  /** Vite's hashed assets never change under one name: cache them for good. */
  readonly immutable: boolean;
}

/** Run from src/http or dist/src/http, the built dashboard is dist/web at the project's root. */
export const DASHBOARD_DIR = join(projectRoot(), 'dist', 'web');

function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export function loadStaticFiles(root = DASHBOARD_DIR): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  if (!existsSync(root)) return files;
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const url = '/' + relative(root, path).split(sep).join('/');
        files.set(url, {
          body: readFileSync(path),
          type: TYPES[extname(name)] ?? 'application/octet-stream',
          immutable: url.startsWith('/assets/'),
        });
      }
    }
  };
  walk(root);
  const index = files.get('/index.html');
  if (index !== undefined) files.set('/', index);
  return files;
}
