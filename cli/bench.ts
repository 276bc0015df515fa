// `exchange bench`: the benchmark matrix and its report (bench/matrix.ts). The benchmarks are
// TypeScript run by tsx, a development dependency: this command works from a checkout with
// `npm ci` done, not from a production install.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { parseCount, parsePositiveInt } from './parsers.js';

// Run from cli/ or dist/cli/: the checkout is the nearest folder with a package.json.
let root = dirname(fileURLToPath(import.meta.url));
while (!existsSync(join(root, 'package.json')) && dirname(root) !== root) root = dirname(root);
const ROOT = root;
const MATRIX = join(ROOT, 'bench', 'matrix.ts');

function tsxAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('tsx');
    return true;
  } catch {
    return false;
  }
}

export function benchCommand(): Command {
  return new Command('bench')
    .description(
      'Run the benchmark matrix (stores × --workers × classic/framed, each cell against the transport floor, pinned with taskset when available; the engine in process; CPU profiles) and write bench/report/ (Markdown, HTML, SVG plots). Needs a development checkout (npm ci) and takes ~15 minutes with the defaults.',
    )
    .option('--runs <n>', 'runs per cell (the median is reported)', parsePositiveInt, 5)
    .option('--seconds <n>', 'seconds of load per cell and run', parsePositiveInt, 3)
    .option(
      '--stores <list>',
      'comma-separated: memory, sqlite, postgres (default: memory,sqlite, and postgres when DATABASE_URL is set)',
    )
    .option('--workers <list>', 'comma-separated gateway counts (default: 0 to the core count)')
    .option('--modes <list>', 'comma-separated: classic, framed', 'classic,framed')
    .option(
      '--engine-commands <n>',
      'commands per engine run (0 skips the engine)',
      parseCount,
      1_000_000,
    )
    .option('--depth <n>', 'resting orders of the deep-book engine run', parseCount, 1_000_000)
    .option('--no-pin', 'do not pin with taskset')
    .option('--no-profile', 'skip the CPU profiles')
    .option('--pdf', 'also print the report to PDF with headless Chromium (when installed)')
    .option('--out <dir>', 'where to write the report', join(ROOT, 'bench', 'report'))
    .action(async (opts: Record<string, string | number | boolean | undefined>) => {
      if (!existsSync(MATRIX) || !tsxAvailable()) {
        process.stderr.write(
          'exchange bench: the benchmarks run from a development checkout: run `npm ci` in the repository, then `npx exchange bench` or `npm run bench`\n',
        );
        process.exitCode = 2;
        return;
      }
      const args: string[] = [];
      for (const [name, value] of Object.entries(opts)) {
        const flag = `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
        if (name === 'pin' || name === 'profile') {
          if (value === false) args.push(`--no-${name}`);
        } else if (value === true) args.push(flag);
        else if (value !== undefined && value !== false) args.push(flag, String(value));
      }
      const child = spawn(process.execPath, ['--import', 'tsx', MATRIX, ...args], {
        cwd: ROOT,
        stdio: 'inherit',
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      process.exitCode = code ?? 1;
    });
}
