// Docker, proven (`npm run test:docker`): the Dockerfile and docker-compose.yml built and run on
// this machine, which reaches no image registry. The base images are made locally from
// Debian's packages and the npm registry (docker/base-image.sh, docker/postgres/), the
// exchange image is built FROM that base (--build-arg BASE_IMAGE), and then:
// - the image alone, on SQLite in a volume: the conformance kit (`exchange check --strict`,
//   from the host) passes, the dashboard and the API answer, the token is enforced, the
//   exchange refuses an open HTTP side without a token, and a graceful stop keeps the data;
// - the compose stack, on PostgreSQL 15: the same, and the database holds what was done.
// Everything runs with host networking on free ports, every wait is bounded, and containers,
// the compose project and the volumes are removed when the test ends, pass or fail. Images
// are kept: a second run reuses the base images and the build's layer cache.
//
// Without docker, docker-compose, debootstrap or an engine it can start, the test is skipped
// with a notice, except with REQUIRE_DOCKER=1 (as .ci/run sets), which makes that a failure.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import pg from 'pg';
import { classicRequest } from '../../tools/client/classic-client.js';
import { FramedClient } from '../../tools/client/framed-client.js';
import { freePort } from '../../harness/ports.js';
import { findTools, get, must, OUT, ROOT, run, waitFor, type Tools } from './tools.js';

const found = findTools();
const missing = typeof found === 'string' ? found : null;
if (missing !== null && process.env.REQUIRE_DOCKER === '1') {
  throw new Error(`REQUIRE_DOCKER=1 but Docker cannot run here: ${missing}`);
}
if (missing !== null)
  console.log(`# Docker test skipped: ${missing} (REQUIRE_DOCKER=1 makes this a failure)`);

const MINUTE = 60_000;
const EXCHANGE_IMAGE = 'exchange-matching:docker-test';
const POSTGRES_IMAGE = 'exchange-postgres:15-local';
// Unique to this run: containers, volume and compose project never meet another run's.
const RUN_ID = `${process.pid}-${Date.now().toString(36)}`;
const TOKEN = randomBytes(16).toString('hex');

describe(
  'Docker: the image and the compose stack, on local Debian-made base images',
  { skip: missing ?? false },
  () => {
    const tools = found as Tools;
    const docker = (args: readonly string[], timeoutMs = MINUTE, log?: string) =>
      must(tools.docker, args, { timeoutMs, log, env: dockerEnv() });
    const state: { base?: string; image?: string } = {};
    const cleanups: Array<{ what: string; run: () => Promise<unknown> }> = [];
    /** Images this run replaced (the tag moved on): removed at the end when nothing uses them. */
    const replaced = new Set<string>();
    let startedEngine = false;

    before(async () => {
      rmSync(OUT, { recursive: true, force: true });
      if (!tools.engineRunning) {
        const started = await must('bash', ['docker/dockerd.sh', 'start'], {
          timeoutMs: 90_000,
          log: 'dockerd-start',
          env: dockerEnv(),
        });
        startedEngine = started.stdout.startsWith('started');
        console.log(`# dockerd: ${started.stdout.trim()}`);
      }
    });

    after(async () => {
      for (const cleanup of cleanups.reverse()) {
        const result = await cleanup.run().catch((error: unknown) => error);
        if (result instanceof Error)
          console.log(`# cleanup of ${cleanup.what} failed: ${result.message}`);
      }
      for (const id of replaced) {
        const tags = await run(tools.docker, ['image', 'inspect', '-f', '{{len .RepoTags}}', id], {
          timeoutMs: 30_000,
        });
        if (tags.stdout.trim() === '0') await run(tools.docker, ['rmi', id], { timeoutMs: MINUTE });
      }
      if (startedEngine) {
        await run('bash', ['docker/dockerd.sh', 'stop'], {
          timeoutMs: 60_000,
          log: 'dockerd-stop',
          env: dockerEnv(),
        });
      }
    });

    /** docker build, remembering the image the tag named before (removed at the end if unused). */
    async function build(tag: string, args: readonly string[], log: string, timeoutMs: number) {
      const before = await run(tools.docker, ['image', 'inspect', '-f', '{{.Id}}', tag], {
        timeoutMs: 30_000,
      });
      await docker(['build', '--network', 'host', '-t', tag, ...args], timeoutMs, log);
      const now = await docker(['image', 'inspect', '-f', '{{.Id}}', tag]);
      if (before.code === 0 && before.stdout.trim() !== now.stdout.trim())
        replaced.add(before.stdout.trim());
    }

    it(
      'makes the base images from Debian packages and the npm registry (cached)',
      { timeout: 20 * MINUTE },
      async (t) => {
        let started = Date.now();
        const made = await must('bash', ['docker/base-image.sh'], {
          timeoutMs: 15 * MINUTE,
          log: 'base-image',
          env: dockerEnv(),
        });
        const base = made.stdout.trim().split('\n').at(-1) ?? '';
        assert.match(base, /^exchange-base:bookworm-node20\.\d+\.\d+-[0-9a-f]{12}$/);
        t.diagnostic(`base image ${base}: ${seconds(started)}`);
        const inside = await docker([
          'run',
          '--rm',
          '--network',
          'host',
          base,
          'sh',
          '-c',
          'node --version && npm --version && id -u node && . /etc/os-release && echo "$VERSION_CODENAME"',
        ]);
        const [node, npm, uid, codename] = inside.stdout.trim().split('\n');
        assert.match(node ?? '', /^v20\./);
        assert.match(npm ?? '', /^\d+\.\d+\.\d+$/);
        assert.equal(uid, '1000');
        assert.equal(codename, 'bookworm');

        started = Date.now();
        await build(
          POSTGRES_IMAGE,
          ['--build-arg', `BASE_IMAGE=${base}`, 'docker/postgres'],
          'build-postgres',
          10 * MINUTE,
        );
        const version = await docker([
          'run',
          '--rm',
          '--network',
          'host',
          POSTGRES_IMAGE,
          'postgres',
          '--version',
        ]);
        assert.match(version.stdout, /\(PostgreSQL\) 15\./);
        t.diagnostic(`PostgreSQL image: ${seconds(started)}`);
        state.base = base;
      },
    );

    it(
      'builds the exchange image FROM the local base (--build-arg BASE_IMAGE)',
      { timeout: 20 * MINUTE },
      async (t) => {
        const base = prerequisite(t, state.base, 'the base image');
        if (base === undefined) return;
        const started = Date.now();
        await build(
          EXCHANGE_IMAGE,
          ['--build-arg', `BASE_IMAGE=${base}`, '.'],
          'build-exchange',
          15 * MINUTE,
        );
        t.diagnostic(`exchange image: ${seconds(started)}`);
        const config = await docker([
          'image',
          'inspect',
          '-f',
          '{{.Config.User}} {{json .Config.Entrypoint}}',
          EXCHANGE_IMAGE,
        ]);
        assert.equal(config.stdout.trim(), 'node ["./bin/exchange"]');
        // Built from the checkout, less what .dockerignore keeps out.
        const files = await docker([
          'run',
          '--rm',
          '--network',
          'host',
          '--entrypoint',
          'sh',
          EXCHANGE_IMAGE,
          '-c',
          'ls -a /app; ls /app/dist/web; ls /app/node_modules | grep -c . ; test ! -e /app/node_modules/typescript && echo pruned',
        ]);
        assert.match(files.stdout, /^index\.html$/m, 'the dashboard is built into the image');
        assert.match(files.stdout, /^pruned$/m, 'dev dependencies are pruned');
        const listed = files.stdout.split('\n');
        for (const absent of ['.git', 'test', 'test-output', 'bench', 'docker', '.env']) {
          assert.ok(!listed.includes(absent), `${absent} is not in the image`);
        }
        state.image = EXCHANGE_IMAGE;
      },
    );

    it(
      'runs the image on SQLite: the kit passes, the dashboard and API answer, the token holds, data survives a stop',
      { timeout: 10 * MINUTE },
      async (t) => {
        const image = prerequisite(t, state.image, 'the exchange image');
        if (image === undefined) return;

        // An HTTP side open beyond loopback without a token is refused at start.
        const open = await run(
          tools.docker,
          [
            'run',
            '--rm',
            '--network',
            'host',
            image,
            'serve',
            '--port',
            '0',
            '--framed-port',
            'off',
            '--http-port',
            '0',
            '--http-host',
            '0.0.0.0',
            '--db',
            'memory:',
          ],
          { timeoutMs: MINUTE, env: dockerEnv() },
        );
        assert.equal(open.code, 1, open.output);
        assert.match(open.output, /set --api-token \(or EXCHANGE_API_TOKEN\)/);

        const [port, framedPort, httpPort] = [await freePort(), await freePort(), await freePort()];
        const name = `exchange-test-${RUN_ID}`;
        const volume = `exchange-test-data-${RUN_ID}`;
        cleanups.push({
          what: `volume ${volume}`,
          run: () => run(tools.docker, ['volume', 'rm', '-f', volume], { timeoutMs: MINUTE }),
        });
        cleanups.push({
          what: `container ${name}`,
          run: () => run(tools.docker, ['rm', '-f', '-v', name], { timeoutMs: MINUTE }),
        });
        cleanups.push({
          what: `logs of ${name}`,
          run: () =>
            run(tools.docker, ['logs', name], { timeoutMs: 30_000, log: 'exchange-sqlite' }),
        });
        await docker(['volume', 'create', volume]);
        await docker([
          'run',
          '-d',
          '--name',
          name,
          '--network',
          'host',
          '-v',
          `${volume}:/app/data`,
          '-e',
          `EXCHANGE_API_TOKEN=${TOKEN}`,
          image,
          'serve',
          '--port',
          String(port),
          '--framed-port',
          String(framedPort),
          '--http-port',
          String(httpPort),
          '--http-host',
          '0.0.0.0',
        ]);
        const ready = () => waitUntilServing(name, port, httpPort);
        await ready();

        await passesTheKit(t, port);
        const account = await tradesAndAnswers(port, framedPort, httpPort);

        // SIGTERM: a graceful stop, exit 0; started again on the same volume, the state is back.
        const stopped = Date.now();
        await docker(['stop', '-t', '30', name]);
        const exit = await docker(['inspect', '-f', '{{.State.ExitCode}}', name]);
        assert.equal(exit.stdout.trim(), '0', 'the exchange exits 0 on docker stop');
        t.diagnostic(`docker stop: ${seconds(stopped)}`);
        await docker(['start', name]);
        await ready();
        await assertAccount(httpPort, account);
        const stored = await docker([
          'run',
          '--rm',
          '--network',
          'host',
          '-v',
          `${volume}:/data`,
          '--entrypoint',
          'ls',
          image,
          '-l',
          '/data',
        ]);
        assert.match(
          stored.stdout,
          /node\s+node\s+\d+ .* exchange\.db$/m,
          'the SQLite file is in the volume',
        );
      },
    );

    it(
      'runs the compose stack on PostgreSQL 15: the kit passes, the dashboard answers with its token',
      { timeout: 20 * MINUTE },
      async (t) => {
        const base = prerequisite(t, state.base, 'the base image');
        const image = prerequisite(t, state.image, 'the exchange image');
        if (base === undefined || image === undefined) return;
        const [pgPort, port, framedPort, httpPort] = [
          await freePort(),
          await freePort(),
          await freePort(),
          await freePort(),
        ];
        const password = randomBytes(12).toString('hex');
        const project = `exchange-test-${RUN_ID}`;
        const env = dockerEnv({
          COMPOSE_PROJECT_NAME: project,
          BASE_IMAGE: base,
          POSTGRES_IMAGE,
          EXCHANGE_IMAGE: image,
          POSTGRES_PORT: String(pgPort),
          POSTGRES_PASSWORD: password,
          EXCHANGE_PORT: String(port),
          EXCHANGE_FRAMED_PORT: String(framedPort),
          EXCHANGE_HTTP_PORT: String(httpPort),
          EXCHANGE_API_TOKEN: TOKEN,
        });
        const [composeCommand, ...composeArgs] = tools.compose;
        const compose = (args: readonly string[], timeoutMs = 2 * MINUTE, log = 'compose') =>
          must(
            composeCommand!,
            [...composeArgs, '-f', join(ROOT, 'docker-compose.yml'), '-p', project, ...args],
            { timeoutMs, env, log },
          );

        // The stack refuses to start without a token for the dashboard's open HTTP side.
        const withoutToken = { ...env };
        delete withoutToken.EXCHANGE_API_TOKEN;
        const refused = await run(
          composeCommand!,
          [...composeArgs, '-f', join(ROOT, 'docker-compose.yml'), '-p', project, 'config'],
          { timeoutMs: MINUTE, env: withoutToken },
        );
        assert.notEqual(refused.code, 0);
        assert.match(refused.output, /set EXCHANGE_API_TOKEN/);

        cleanups.push({
          what: `compose project ${project}`,
          run: () =>
            compose(['down', '--volumes', '--remove-orphans', '--timeout', '20'], 3 * MINUTE),
        });
        cleanups.push({
          what: `logs of ${project}`,
          run: () => compose(['logs', '--no-color'], MINUTE, 'compose-logs'),
        });
        const started = Date.now();
        await compose(['up', '-d', '--build'], 15 * MINUTE);
        const describeStack = async () =>
          (
            await run(
              composeCommand!,
              [
                ...composeArgs,
                '-f',
                join(ROOT, 'docker-compose.yml'),
                '-p',
                project,
                'logs',
                '--no-color',
                '--tail',
                '30',
              ],
              { timeoutMs: MINUTE, env },
            )
          ).output;
        await waitFor(
          'the compose stack serves',
          3 * MINUTE,
          async () => (await get(`http://127.0.0.1:${httpPort}/api/stats`)).status === 200,
          describeStack,
        );
        t.diagnostic(
          `compose up (build from the layer cache, PostgreSQL initialised): ${seconds(started)}`,
        );
        const logs = await compose(['logs', '--no-color', 'exchange']);
        assert.match(
          logs.output,
          /"store":"postgres:\/\/exchange@127\.0\.0\.1:\d+\/exchange/,
          'the exchange runs on the compose PostgreSQL',
        );
        assert.ok(!logs.output.includes(password), 'the database password is not logged');

        await passesTheKit(t, port);
        const account = await tradesAndAnswers(port, framedPort, httpPort);

        // The store of record is the compose PostgreSQL: the account is there, as acknowledged.
        const client = new pg.Client({
          host: '127.0.0.1',
          port: pgPort,
          user: 'exchange',
          password,
          database: 'exchange',
          connectionTimeoutMillis: 10_000,
        });
        await client.connect();
        try {
          const rows = await client.query(
            'SELECT balance = 950 AS ok FROM accounts WHERE id = $1',
            [account.id],
          );
          assert.deepEqual(rows.rows, [{ ok: true }]);
        } finally {
          await client.end();
        }
        // A graceful stop of the exchange, then it starts again from PostgreSQL.
        await compose(['stop', '--timeout', '30', 'exchange']);
        const id = (await compose(['ps', '-q', 'exchange'])).stdout.trim();
        assert.equal(
          (await docker(['inspect', '-f', '{{.State.ExitCode}}', id])).stdout.trim(),
          '0',
        );
        await compose(['start', 'exchange']);
        await waitFor(
          'the exchange serves again',
          MINUTE,
          async () => (await get(`http://127.0.0.1:${httpPort}/api/stats`)).status === 200,
          describeStack,
        );
        await assertAccount(httpPort, account);
      },
    );

    /** Until the container runs and both its classic port and its HTTP side answer (60 s). */
    async function waitUntilServing(
      container: string,
      port: number,
      httpPort: number,
    ): Promise<void> {
      await waitFor(
        `container ${container} serves`,
        60_000,
        async () => {
          const running = await run(
            tools.docker,
            ['inspect', '-f', '{{.State.Running}}', container],
            { timeoutMs: 30_000 },
          );
          if (running.stdout.trim() !== 'true')
            throw new Error(`container ${container} is not running`);
          return (
            (await get(`http://127.0.0.1:${httpPort}/api/stats`)).status === 200 &&
            (await classicRequest(port, '<create></create>', { timeoutMs: 5_000 })).includes(
              '<results',
            )
          );
        },
        async () =>
          (await run(tools.docker, ['logs', '--tail', '30', container], { timeoutMs: 30_000 }))
            .output,
      );
    }
  },
);

interface Account {
  readonly id: string;
  readonly symbol: string;
}

/** `exchange check --strict` from the host against the classic port: every check passes. */
async function passesTheKit(t: TestContext, port: number): Promise<void> {
  const started = Date.now();
  const kit = await must(join(ROOT, 'bin/exchange'), ['check', `127.0.0.1:${port}`, '--strict'], {
    timeoutMs: 3 * MINUTE,
    log: `check-${port}`,
  });
  const summary = /^(\d+) checks: (\d+) passed, (\d+) failed, (\d+) warnings/m.exec(kit.stdout);
  assert.ok(summary, kit.output);
  assert.equal(summary[2], summary[1], kit.stdout);
  t.diagnostic(`exchange check --strict: ${summary[0]} (${seconds(started)})`);
}

/**
 * An account made and an order placed over XML (the classic and the framed port), then the
 * HTTP side: the dashboard's page, open stats, and the account endpoint behind the token.
 */
async function tradesAndAnswers(
  port: number,
  framedPort: number,
  httpPort: number,
): Promise<Account> {
  const id = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const symbol = `DKR${randomBytes(3).toString('hex').toUpperCase()}`;
  const created = await classicRequest(
    port,
    `<create><account id="${id}" balance="1000"/><symbol sym="${symbol}"><account id="${id}">100</account></symbol></create>`,
  );
  assert.match(created, new RegExp(`<created id="${id}"/>`));
  assert.match(created, new RegExp(`<created sym="${symbol}" id="${id}"/>`));
  const framed = await FramedClient.connect(framedPort);
  try {
    const opened = await framed.request(
      `<transactions id="${id}"><order sym="${symbol}" amount="10" limit="5"/></transactions>`,
    );
    assert.match(opened, /<opened sym="DKR[0-9A-F]+" amount="10" limit="5" id="\d+"\/>/);
  } finally {
    framed.close();
  }
  const page = await get(`http://127.0.0.1:${httpPort}/`);
  assert.equal(page.status, 200);
  assert.match(page.body, /<title>Exchange dashboard<\/title>/);
  const stats = await get(`http://127.0.0.1:${httpPort}/api/stats`);
  assert.equal(stats.status, 200);
  assert.equal(
    typeof (JSON.parse(stats.body) as { requests?: { total?: unknown } }).requests?.total,
    'number',
  );
  assert.equal(
    (await get(`http://127.0.0.1:${httpPort}/api/accounts/${id}`)).status,
    401,
    'no token: 401',
  );
  assert.equal(
    (
      await get(`http://127.0.0.1:${httpPort}/api/accounts/${id}`, {
        authorization: 'Bearer wrong',
      })
    ).status,
    401,
    'a wrong token: 401',
  );
  const account = { id, symbol };
  await assertAccount(httpPort, account);
  return account;
}

/** The account as tradesAndAnswers left it: 1000 less 50 reserved by one open buy. */
async function assertAccount(httpPort: number, account: Account): Promise<void> {
  const answer = await get(`http://127.0.0.1:${httpPort}/api/accounts/${account.id}`, {
    authorization: `Bearer ${TOKEN}`,
  });
  assert.equal(answer.status, 200, answer.body);
  const body = JSON.parse(answer.body) as {
    balance: string;
    reservedCash: string;
    openOrders: unknown[];
  };
  assert.equal(body.balance, '950');
  assert.equal(body.reservedCash, '50');
  assert.equal(body.openOrders.length, 1);
}

/** A missing earlier step skips this one (its own failure already says why). */
function prerequisite<T>(t: TestContext, value: T | undefined, what: string): T | undefined {
  if (value === undefined) t.skip(`${what} was not made`);
  return value;
}

/**
 * The environment for docker and compose: the classic builder (it needs no plugin), and compose
 * building through the same docker client as the test (first on PATH), so that its build
 * finds the layers of the test's own `docker build` in the cache.
 */
function dockerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const client =
    typeof found === 'string'
      ? {}
      : {
          DOCKER: found.docker,
          PATH: `${dirname(found.docker)}${delimiter}${process.env.PATH ?? ''}`,
        };
  return {
    ...process.env,
    ...client,
    DOCKER_BUILDKIT: '0',
    COMPOSE_DOCKER_CLI_BUILD: '1',
    ...extra,
  };
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}
