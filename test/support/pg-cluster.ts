// Throwaway PostgreSQL clusters for failover tests: a primary and a synchronous streaming
// replica made with the machine's PostgreSQL binaries in a temporary folder, on free
// loopback ports, as the postgres user (initdb refuses root). The machine's own cluster is
// never touched.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../../harness/ports.js';

const run = promisify(execFile);

/** The newest PostgreSQL server binaries on this machine, or null. */
export function postgresBinaries(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? null : join(root, versions[0], 'bin');
}

const asRoot = process.getuid?.() === 0;
const asPostgres = userInfo().username === 'postgres';

/** Why these tests cannot run here, or null when they can. */
export function clusterSkipReason(): string | null {
  if (postgresBinaries() === null) return 'no PostgreSQL server binaries under /usr/lib/postgresql';
  if (!asRoot && !asPostgres) return 'making a PostgreSQL cluster needs root or the postgres user';
  return null;
}

/** Runs a PostgreSQL binary as the postgres user. */
async function pgRun(bin: string, args: string[]): Promise<string> {
  const path = join(postgresBinaries()!, bin);
  const { stdout } = asRoot
    ? await run('runuser', ['-u', 'postgres', '--', path, ...args], { cwd: '/tmp' })
    : await run(path, args, { cwd: '/tmp' });
  return stdout;
}

export interface ReplicatedPair {
  readonly primaryPort: number;
  readonly replicaPort: number;
  /** The URL naming both hosts, primary first. */
  readonly url: string;
  /** `pg_ctl stop -m immediate` of the primary: as if its machine died. */
  crashPrimary(): Promise<void>;
  /** `pg_ctl promote` of the replica, waiting until it accepts writes. */
  promoteReplica(): Promise<void>;
}

async function query<T extends pg.QueryResultRow>(port: number, sql: string): Promise<T[]> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/**
 * A primary whose every commit waits for the replica's flush (synchronous_standby_names),
 * and the replica streaming from it. Both are stopped and their folder removed when `t`
 * ends, pass or fail.
 */
export async function startReplicatedPair(t: Pick<TestContext, 'after'>): Promise<ReplicatedPair> {
  const dir = mkdtempSync(join(tmpdir(), 'exchange-pg-'));
  if (asRoot) await run('chown', ['postgres:postgres', dir]);
  const primary = join(dir, 'primary');
  const replica = join(dir, 'replica');
  const started: string[] = [];
  t.after(async () => {
    for (const data of started) {
      await pgRun('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']).catch(() => {});
    }
    if (process.env.KEEP_PG_DIR !== '1') rmSync(dir, { recursive: true, force: true });
    else console.error('kept', dir);
  });
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const start = async (data: string, port: number): Promise<void> => {
    await pgRun('pg_ctl', [
      'start',
      '-D',
      data,
      '-w',
      '-l',
      join(dir, `${port}.log`),
      '-o',
      `-p ${port} -k ${dir}`,
    ]);
    started.push(data);
  };

  await pgRun('initdb', ['-D', primary, '-U', 'postgres', '-A', 'trust', '--no-sync']);
  await appendFile(
    join(primary, 'postgresql.conf'),
    [
      "listen_addresses = '127.0.0.1'",
      'wal_level = replica',
      'max_wal_senders = 4',
      "synchronous_standby_names = '*'",
      'synchronous_commit = on',
      '',
    ].join('\n'),
  );
  await start(primary, primaryPort);
  await pgRun('pg_basebackup', [
    '-h',
    '127.0.0.1',
    '-p',
    String(primaryPort),
    '-U',
    'postgres',
    '-D',
    replica,
    '-R',
    '-X',
    'stream',
    '--no-sync',
  ]);
  // The copy of the primary's settings would make the promoted replica wait for a
  // synchronous standby of its own that nobody attaches: it runs alone, as a failover
  // manager (Patroni) sets it up until a new standby joins.
  await appendFile(join(replica, 'postgresql.conf'), "synchronous_standby_names = ''\n");
  await start(replica, replicaPort);
  // Only once the replica streams synchronously does a commit on the primary wait for it.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const rows = await query<{ sync_state: string }>(
      primaryPort,
      'SELECT sync_state FROM pg_stat_replication',
    );
    if (rows[0]?.sync_state === 'sync') break;
    if (Date.now() > deadline) throw new Error('the replica did not become synchronous');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    primaryPort,
    replicaPort,
    url: `postgres://postgres@127.0.0.1:${primaryPort},127.0.0.1:${replicaPort}/postgres`,
    crashPrimary: async () => {
      await pgRun('pg_ctl', ['stop', '-D', primary, '-m', 'immediate', '-w']);
    },
    promoteReplica: async () => {
      await pgRun('pg_ctl', ['promote', '-D', replica, '-w']);
    },
  };
}
