// Fuzzing the untrusted input path: random and mutated bytes through the framing decoder
// and the XML decoder (FUZZ_RUNS cases in all, default 100,000), then random streams over
// real TCP to both listeners. Nothing may throw or hang; every stream gets replies or a
// clean close, and the server goes on serving.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { classicRequest, frameRequest } from '../../tools/client/classic-client.js';
import { ERROR_MESSAGES } from '../../src/engine/errors.js';
import { decodeRequest } from '../../src/protocol/decode.js';
import { FrameDecoder, type FrameEvent } from '../../src/protocol/framing.js';
import { isCutShortXml } from '../../src/protocol/xml-tree.js';
import { startTestServer } from '../support/server.js';

const TOTAL_RUNS = Number(process.env.FUZZ_RUNS ?? 100_000);
/** The in-process properties share the runs; the TCP one is slower and takes a few hundred. */
const RUNS_EACH = Math.max(1, Math.floor(TOTAL_RUNS / 4));
const TCP_RUNS = Math.max(1, Math.min(300, Math.floor(TOTAL_RUNS / 300)));

const SEEDS = [
  '<create><account id="1" balance="1000"/><symbol sym="X"><account id="1">10</account></symbol></create>',
  '<transactions id="1"><order sym="X" amount="-5" limit="12.5"/><query id="1"/><cancel id="1"/></transactions>',
  '<?xml version="1.0" encoding="UTF-8"?>\n<transactions id="2"><order sym="X" amount="3" limit="1"/></transactions>',
];
const CODES = new Set(Object.keys(ERROR_MESSAGES));

/** A valid request, framed, then damaged: bytes flipped, inserted, deleted or cut. */
const mutatedStream = fc
  .tuple(
    fc.array(fc.constantFrom(...SEEDS), { minLength: 1, maxLength: 3 }),
    fc.array(
      fc.tuple(
        fc.constantFrom('flip', 'insert', 'delete'),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
      ),
      { maxLength: 6 },
    ),
  )
  .map(([docs, edits]) => {
    const bytes = [...Buffer.concat(docs.map((d) => frameRequest(d)))];
    for (const [kind, at, value] of edits) {
      const i = at % (bytes.length + 1);
      if (kind === 'insert') bytes.splice(i, 0, value);
      else if (i < bytes.length) {
        if (kind === 'flip') bytes[i] = value;
        else bytes.splice(i, 1);
      }
    }
    return Buffer.from(bytes);
  });

/** Bytes that look a little like requests: digits, newlines, XML punctuation, names. */
const xmlishBytes = fc
  .array(
    fc.constantFrom(
      '1',
      '9',
      '\n',
      '\r',
      ' ',
      '<',
      '>',
      '/',
      '=',
      '"',
      '&',
      '!',
      '?',
      'create',
      'order',
      'amp;',
      '\u00e9',
      '\uffff',
    ),
    { maxLength: 60 },
  )
  .map((parts) => Buffer.from(parts.join(''), 'utf8'));

/** Feeds a stream in the given pieces and checks every event is one the listeners handle. */
function decodeAll(stream: Buffer, cuts: readonly number[], maxBytes = 4096): FrameEvent[] {
  const decoder = new FrameDecoder(maxBytes, isCutShortXml);
  const events: FrameEvent[] = [];
  let from = 0;
  for (const cut of [
    ...cuts.map((c) => c % (stream.length + 1)).sort((a, b) => a - b),
    stream.length,
  ]) {
    if (cut < from) continue;
    events.push(...decoder.push(stream.subarray(from, cut)));
    from = cut;
    if (decoder.failed) break;
  }
  if (!decoder.failed) {
    if (decoder.waitingForQuiet) events.push(...decoder.expire());
    events.push(...decoder.end());
  }
  const firstError = events.findIndex((e) => e.type === 'error');
  // After an error the stream has no boundary left: nothing follows it.
  if (firstError >= 0) assert.equal(firstError, events.length - 1);
  for (const event of events) {
    if (event.type === 'error') assert.ok(CODES.has(event.error.code), event.error.code);
    else {
      assert.ok(event.body.length <= maxBytes);
      const decoded = decodeRequest(event.body);
      if (!decoded.ok) assert.ok(CODES.has(decoded.error.code), decoded.error.code);
    }
  }
  return events;
}

describe('fuzz: framing and XML decoding in process', () => {
  test(`random bytes, randomly split (${RUNS_EACH} cases)`, () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (raw, cuts) => {
          decodeAll(Buffer.from(raw), cuts);
        },
      ),
      { numRuns: RUNS_EACH },
    );
  });

  test(`request-like bytes, randomly split (${RUNS_EACH} cases)`, () => {
    fc.assert(
      fc.property(xmlishBytes, fc.array(fc.nat(), { maxLength: 8 }), (raw, cuts) => {
        decodeAll(raw, cuts);
      }),
      { numRuns: RUNS_EACH },
    );
  });

  test(`mutated valid requests, randomly split (${RUNS_EACH} cases)`, () => {
    fc.assert(
      fc.property(mutatedStream, fc.array(fc.nat(), { maxLength: 8 }), (stream, cuts) => {
        decodeAll(stream, cuts);
      }),
      { numRuns: RUNS_EACH },
    );
  });

  test(`mutated documents straight into the XML decoder (${RUNS_EACH} cases)`, () => {
    fc.assert(
      fc.property(mutatedStream, (stream) => {
        const decoded = decodeRequest(stream.subarray(stream.indexOf(0x0a) + 1));
        if (!decoded.ok) assert.ok(CODES.has(decoded.error.code));
      }),
      { numRuns: RUNS_EACH },
    );
  });
});

describe('fuzz: over TCP', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  before(async () => {
    server = await startTestServer({ quietMs: 50, requestTimeoutMs: 1000 });
  });
  after(() => server.stop());

  /** Sends the bytes, half-closes, and resolves with what came back before the close. */
  async function exchange(port: number, bytes: Buffer): Promise<string> {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {});
    await once(socket, 'connect');
    socket.end(bytes);
    const timer = setTimeout(() => socket.destroy(new Error('no close within 5 s')), 5000);
    await once(socket, 'close');
    clearTimeout(timer);
    assert.ok(
      !socket.errored || /ECONNRESET|EPIPE/.test(String(socket.errored)),
      String(socket.errored),
    );
    return Buffer.concat(chunks).toString('utf8');
  }

  test(`mutated streams to both listeners get replies or a clean close (${TCP_RUNS} cases each)`, async () => {
    await fc.assert(
      fc.asyncProperty(mutatedStream, async (stream) => {
        const classic = await exchange(server.port, stream);
        // Classic: nothing, or one reply document.
        if (classic !== '') assert.match(classic, /^<results(\/>|>\n[\s\S]*<\/results>)\n$/);
        const framed = await exchange(server.framedPort, stream);
        // Framed: whole framed replies only.
        const decoder = new FrameDecoder(1 << 20);
        const events = [...decoder.push(Buffer.from(framed)), ...decoder.end()];
        for (const e of events) assert.equal(e.type, 'request');
      }),
      { numRuns: TCP_RUNS },
    );
    // And the server still serves.
    assert.match(
      await classicRequest(server.port, '<create><account id="424242" balance="1"/></create>'),
      /<results>\n {2}<(created|error) id="424242"/,
    );
  });
});
