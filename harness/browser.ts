// Debian's Chromium driven by playwright-core, for the dashboard's end-to-end test and its
// benchmark. Never a downloaded browser: /usr/bin/chromium (apt-get install chromium), or
// CHROMIUM_PATH. The flags keep it off the network it would otherwise try to reach.

import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** A fresh headless Chromium (playwright gives it an empty profile of its own). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
}
