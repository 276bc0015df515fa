// The request handler both listeners share: one body in, one reply document out, on every
// path a request can take (answered, unreadable, refused by a failure, failed by a bug, or
// with no true reply at all).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import type { Request, Result } from '../../src/engine/commands.js';
import { exchangeError } from '../../src/engine/errors.js';
import { OutcomeUnknown, Overloaded } from '../../src/errors/failures.js';
import { encodeRequestError, encodeResults } from '../../src/protocol/encode.js';
import { DEFAULT_XML_LIMITS } from '../../src/protocol/xml-tree.js';
import { createRequestHandler, type Submit } from '../../src/server/request-handler.js';

const QUERY = Buffer.from('<transactions id="1"><query id="7"/></transactions>');
const ANSWER: Result[] = [{ kind: 'error', echo: [['id', '7']], error: exchangeError('INTERNAL') }];

/** A handler over `submit`, and the lines it logged at error level. */
function handlerOver(submit: Submit): {
  handle: (body: Buffer) => Promise<string>;
  logged: string[];
} {
  const logged: string[] = [];
  const log = pino({ level: 'error' }, { write: (line: string) => void logged.push(line) });
  return { handle: createRequestHandler(submit, DEFAULT_XML_LIMITS, log), logged };
}

test('a request is decoded, submitted and answered with its results', async () => {
  const submitted: Request[] = [];
  const { handle } = handlerOver((request) => {
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
});

test('a document that cannot be read is refused without submitting anything', async () => {
  let submits = 0;
  const { handle } = handlerOver(() => {
    submits++;
    return Promise.resolve([]);
  });
  const reply = await handle(Buffer.from('<transactions id="1"><query id="7"></transactions>'));
  assert.match(reply, /^<results>\n {2}<error>.+<\/error>\n<\/results>\n$/);
  assert.equal(submits, 0);
});

test('a failure with an answer of its own is answered with it', async () => {
  const { handle, logged } = handlerOver(() => Promise.reject(new Overloaded()));
  assert.equal(await handle(QUERY), encodeRequestError(exchangeError('OVERLOADED')));
  assert.deepEqual(logged, []);
});

test('a failure no reply can be true of rejects, so the listener closes the connection', async () => {
  const { handle } = handlerOver(() => Promise.reject(new OutcomeUnknown()));
  await assert.rejects(handle(QUERY), OutcomeUnknown);
});

test('anything else is answered INTERNAL and logged with the request', async () => {
  for (const submit of [
    (): Promise<Result[]> => Promise.reject(new Error('a bug')),
    (): Promise<Result[]> => {
      throw new Error('a bug');
    },
    // Results the encoder cannot read fail after the submit, and are answered the same.
    (): Promise<Result[]> => Promise.resolve(null as unknown as Result[]),
  ]) {
    const { handle, logged } = handlerOver(submit);
    assert.equal(await handle(QUERY), encodeRequestError(exchangeError('INTERNAL')));
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, /request failed/);
    assert.match(logged[0]!, /<query id=\\"7\\"\/>/);
  }
});
