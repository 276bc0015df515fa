// The exchange's own PostgreSQL sessions. A `--db` URL may name several hosts
// (postgres://user@h1:5432,h2:5433/db): they are tried in order and only a writable primary
// is accepted, as libpq's target_session_attrs=read-write does (node-postgres has no such
// option), so that after a replica is promoted the engine finds the new primary by itself.
// Every session asks the server to notice a vanished client quickly (keepalives and
// tcp_user_timeout), which is what frees a dead leader's session for a standby.

import pg from 'pg';

/** How long one host may take to accept a connection before the next is tried. */
export const CONNECT_TIMEOUT_MS = 3_000;

/**
 * Server-side settings of every exchange session: the server probes an idle client after 2 s
 * and gives up after 3 unanswered probes a second apart, or after 5 s of unacknowledged
 * data, so a leader whose machine vanished loses its session (and its backend pid, which
 * standbys watch) within about 5 s instead of the kernel's two hours. A statement whose
 * client has gone (our own timeouts cut the socket) is ended within a second rather than
 * left waiting on a lock or a synchronous standby (PostgreSQL 14 or later).
 */
const SESSION_OPTIONS = [
  '-c tcp_keepalives_idle=2',
  '-c tcp_keepalives_interval=1',
  '-c tcp_keepalives_count=3',
  '-c tcp_user_timeout=5000',
  '-c client_connection_check_interval=1000',
];

const URL_SHAPE = /^(postgres(?:ql)?:\/\/)([^@/?#]*@)?([^/?#]*)(.*)$/;

interface ParsedUrl {
  readonly scheme: string;
  readonly userinfo: string;
  readonly hosts: readonly string[];
  /** The path and query, without target_session_attrs (every session here must write). */
  readonly rest: string;
}

function parseUrl(url: string): ParsedUrl {
  const m = URL_SHAPE.exec(url);
  if (m === null) throw new Error(`not a postgres:// URL: ${describePostgresUrl(url)}`);
  const hosts = m[3]!.split(',');
  if (hosts.some((h) => h === '')) {
    throw new Error(`an empty host in ${describePostgresUrl(url)}: use h1:5432,h2:5433`);
  }
  const rest = m[4]!.replace(/([?&])target_session_attrs=[^&]*&?/, '$1').replace(/[?&]$/, '');
  return { scheme: m[1]!, userinfo: m[2] ?? '', hosts, rest };
}

/** One single-host URL per host named, in the order given. */
export function postgresHostUrls(url: string): string[] {
  const { scheme, userinfo, hosts, rest } = parseUrl(url);
  return hosts.map((host) => `${scheme}${userinfo}${host}${rest}`);
}

/** The URL without its password, for logs and errors. */
export function describePostgresUrl(url: string): string {
  const m = URL_SHAPE.exec(url);
  if (m === null) return 'postgres (unparsable URL)';
  const userinfo = (m[2] ?? '').replace(/:[^@]*@$/, '@');
  return `${m[1]}${userinfo}${m[3]}${m[4]!.replace(/password=[^&]*/g, 'password=')}`;
}

export interface SessionOptions {
  /** More `-c name=value` server settings for this session. */
  readonly settings?: readonly string[];
  /** As pg_stat_activity shows it; `exchange-matching` for the engine's own sessions. */
  readonly applicationName?: string;
}

/** A client configuration for one host, with the exchange's session settings. */
export function sessionConfig(hostUrl: string, options: SessionOptions = {}): pg.ClientConfig {
  return {
    connectionString: hostUrl,
    application_name: options.applicationName ?? 'exchange-matching',
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: 2_000,
    options: [...SESSION_OPTIONS, ...(options.settings ?? [])].join(' '),
  };
}

export interface PrimarySession {
  readonly client: pg.Client;
  /** The single-host URL it connected to. */
  readonly hostUrl: string;
}

/**
 * A connected session on the first writable host. A host that refuses, times out or is read
 * only (a standby, or a primary in recovery) is passed over; when none is writable the error
 * names what each one said.
 */
export async function connectPrimary(
  url: string,
  options: SessionOptions = {},
): Promise<PrimarySession> {
  const refusals: string[] = [];
  for (const hostUrl of postgresHostUrls(url)) {
    const client = new pg.Client(sessionConfig(hostUrl, options));
    // A lost server shows as an 'error' event; unheard, it would end the process. The query
    // in flight fails on its own, and that failure is what the callers act on.
    client.on('error', () => {});
    try {
      await client.connect();
      const { rows } = await withinTimeout(
        client,
        CONNECT_TIMEOUT_MS,
        client.query<{ transaction_read_only: string }>('SHOW transaction_read_only'),
      );
      if (rows[0]?.transaction_read_only === 'off') return { client, hostUrl };
      refusals.push(`${describeHost(hostUrl)}: read-only (a standby)`);
    } catch (error) {
      refusals.push(
        `${describeHost(hostUrl)}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    await client.end().catch(() => {});
  }
  throw new Error(`no writable PostgreSQL primary: ${refusals.join('; ')}`);
}

/** The single-host URL of the writable primary now (for a pool of readers). */
export async function primaryHostUrl(url: string): Promise<string> {
  const { client, hostUrl } = await connectPrimary(url);
  await client.end().catch(() => {});
  return hostUrl;
}

function describeHost(hostUrl: string): string {
  return parseUrl(hostUrl).hosts[0]!;
}

/**
 * `work` on `client`, or an error after `ms` with the session cut: a server or a path that
 * stopped answering fails the caller now, rather than when the kernel gives up on the peer.
 */
export async function withinTimeout<T>(
  client: pg.Client,
  ms: number,
  work: Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      destroySession(client);
      reject(new Error(`PostgreSQL did not answer within ${ms} ms: connection dropped`));
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Closes a session without waiting on its server: `end()` sends a goodbye and waits for the
 * server to close, which never comes from a dead peer.
 */
export function destroySession(client: pg.Client): void {
  (
    client as unknown as { connection?: { stream?: { destroy(): void } } }
  ).connection?.stream?.destroy();
}
