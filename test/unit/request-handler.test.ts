// The request handler both listeners share: one body in, one reply document out, on every
// path a request can take (answered, unreadable, refused by a failure, failed by a bug, or
// with no true reply at all), and what it counts in its listener's metrics.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import type { Request, Result } from '../../src/engine/commands.js';
import { exchangeError, type ExchangeError } from '../../src/engine/errors.js';
import { OutcomeUnknown, Overloaded } from '../../src/errors/failures.js';
import type { ListenerMetrics } from '../../src/metrics/listener-metrics.js';
import { encodeRequestError, encodeResults } from '../../src/protocol/encode.js';
import { DEFAULT_XML_LIMITS } from '../../src/protocol/xml-tree.js';
import { createRequestHandler, type Submit } from '../../src/server/request-handler.js';

const QUERY = Buffer.from('<transactions id="1"><query id="7"/></transactions>');
const ANSWER: Result[] = [{ kind: 'error', echo: [['id', '7']], error: exchangeError('INTERNAL') }];

/** What the handler reported to its listener's metrics. */
type Counted =
  | { readonly answered: Request; readonly results: readonly Result[] }
  | { readonly refused: string };

/** A handler over `submit`; the lines it logged at error level; what it counted. */
function handlerOver(submit: Submit): {
  handle: (body: Buffer) => Promise<string>;
  logged: string[];
  counted: Counted[];
} {
  const logged: string[] = [];
  const counted: Counted[] = [];
  const log = pino({ level: 'error' }, { write: (line: string) => void logged.push(line) });
  const metrics = {
    answered: (_: unknown, answered: Request, results: readonly Result[]) =>
      void counted.push({ answered, results }),
    refused: (_: unknown, error: ExchangeError) => void counted.push({ refused: error.code }),
  } as unknown as ListenerMetrics;
  const handler = createRequestHandler(submit, DEFAULT_XML_LIMITS, log, {
    metrics,
    listener: 'classic',
  });
  // A handler never throws: whatever happens is a reply or a rejection.
  const handle = (body: Buffer): Promise<string> => {
    try {
      return handler(body);
    } catch (error) {
      assert.fail(`the handler threw instead of rejecting: ${String(error)}`);
    }
  };
  return { handle, logged, counted };
}

/** A submit that rejects with `failure()`, and one that throws it before returning a promise. */
function failingBothWays(failure: () => Error): Submit[] {
  return [
    () => Promise.reject(failure()),
    () => {
      throw failure();
    },
  ];
}

test('a request is decoded, submitted, answered with its results and counted', async () => {
  const submitted: Request[] = [];
  const { handle, counted } = handlerOver((request) => {
    submitted.push(request);
    return Promise.resolve(ANSWER);
  });
  assert.equal(await handle(QUERY), encodeResults(ANSWER));
  assert.equal(submitted.length, 1);
  const [request] = submitted;
  assert.equal(request?.kind, 'transactions');
  assert.equal(request.account, '1');
  assert.deepEqual(
    request.children.map((c) => c.kind),
    ['query'],
  );
  assert.deepEqual(counted, [{ answered: request, results: ANSWER }]);
});

test('a document that cannot be read is refused and counted, and nothing is submitted', async () => {
  let submits = 0;
  const { handle, counted } = handlerOver(() => {
    submits++;
    return Promise.resolve([]);
  });
  const reply = await handle(Buffer.from('<transactions id="1"><query id="7"></transactions>'));
  assert.match(reply, /^<results>\n {2}<error>.+<\/error>\n<\/results>\n$/);
  assert.equal(submits, 0);
  assert.match(reply, /Malformed XML/);
  assert.deepEqual(counted, [{ refused: 'MALFORMED_XML' }]);
});

test('a failure with an answer of its own is answered with it, thrown or rejected', async () => {
  for (const submit of failingBothWays(() => new Overloaded())) {
    const { handle, logged, counted } = handlerOver(submit);
    assert.equal(await handle(QUERY), encodeRequestError(exchangeError('OVERLOADED')));
    assert.deepEqual(logged, []);
    assert.deepEqual(counted, [{ refused: 'OVERLOADED' }]);
  }
});

test('a failure no reply can be true of rejects, so the listener closes the connection', async () => {
  for (const submit of failingBothWays(() => new OutcomeUnknown())) {
    const { handle, counted } = handlerOver(submit);
    await assert.rejects(handle(QUERY), OutcomeUnknown);
    assert.deepEqual(counted, []);
  }
});

test('anything else is answered INTERNAL and logged with the request', async () => {
  for (const submit of [
    ...failingBothWays(() => new Error('a bug')),
    // Results the encoder cannot read fail after the submit, and are answered the same.
    (): Promise<Result[]> => Promise.resolve(null as unknown as Result[]),
  ]) {
    const { handle, logged, counted } = handlerOver(submit);
    assert.equal(await handle(QUERY), encodeRequestError(exchangeError('INTERNAL')));
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, /request failed/);
    assert.match(logged[0]!, /<query id=\\"7\\"\/>/);
    assert.deepEqual(counted, [{ refused: 'INTERNAL' }]);
  }
});
