// Build: `npx vite build web` (root = web/) writes the dashboard to dist/web/, which the
// exchange serves at `/`. Dev: `EXCHANGE_URL=http://127.0.0.1:PORT npx vite web` proxies the
// API and the WebSocket to a running exchange.
import { defineConfig } from 'vite';

const exchange = process.env.EXCHANGE_URL ?? 'http://127.0.0.1:8080';
const proxy = {
  '/api': { target: exchange },
  '/ws': { target: exchange.replace(/^http/, 'ws'), ws: true },
};

export default defineConfig({
  base: '/',
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
  },
  server: { proxy },
  preview: { proxy },
});
