// The dashboard's built files (dist/web, made by `npm ci` through `vite build`), served by
// @fastify/static. The files are listed once at start (no wildcard route): `/` is index.html
// and any other unknown path is a 404, so a typo never looks like a page.

import { existsSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

/** Our types, not the mime package's: modules as text/javascript, text as UTF-8. */
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

/** Run from src/http or dist/src/http, the built dashboard is dist/web at the project's root. */
export const DASHBOARD_DIR = join(projectRoot(), 'dist', 'web');

function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export async function installStaticFiles(
  app: FastifyInstance,
  root: string,
  log: Logger,
): Promise<void> {
  if (!existsSync(`${root}/index.html`)) {
    log.warn('the dashboard is not built (npm run build:web): / answers 404');
    return;
  }
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    // Our Cache-Control below, not send's.
    cacheControl: false,
    setHeaders: (reply, path) => {
      reply.header('Content-Type', TYPES[extname(path)] ?? 'application/octet-stream');
      // Vite's hashed assets never change under one name: cache them for good.
      reply.header(
        'Cache-Control',
        relative(root, path).startsWith(`assets${sep}`)
          ? 'public, max-age=31536000, immutable'
          : 'no-cache',
      );
      reply.header('X-Content-Type-Options', 'nosniff');
    },
  });
}
