import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  FrameDecoder,
  DEFAULT_MAX_REQUEST_BYTES,
  type FrameEvent,
} from '../../src/protocol/framing.js';

// ---------------------------------------------------------------------------------------------
// Helpers

/** A comparable view of an event: request bodies as hex (exact bytes), errors by code + text. */
type Seen = { type: 'request'; body: string } | { type: 'error'; code: string; message: string };

function seen(events: readonly FrameEvent[]): Seen[] {
  return events.map((e) =>
    e.type === 'request'
      ? { type: 'request', body: e.body.toString('hex') }
      : { type: 'error', code: e.error.code, message: e.error.message },
  );
}

function hex(text: string | Buffer): string {
  return (typeof text === 'string' ? Buffer.from(text, 'utf8') : text).toString('hex');
}

function req(body: string | Buffer): Seen {
  return { type: 'request', body: hex(body) };
}

/** A length line (byte count) and the body. */
function frame(body: string | Buffer, lineEnd = '\n'): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return Buffer.concat([Buffer.from(`${bytes.length}${lineEnd}`, 'ascii'), bytes]);
}

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

interface Run {
  /** Events from push() calls. */
  pushed: Seen[];
  /** Events from the final end(), if asked for. */
  ended: Seen[];
  decoder: FrameDecoder;
}

/** Feeds `stream` cut at the given (sorted, in-range) positions; then end() if asked. */
function feed(
  stream: Buffer,
  cuts: readonly number[],
  opts: { end?: boolean; max?: number } = {},
): Run {
  const decoder = new FrameDecoder(opts.max ?? DEFAULT_MAX_REQUEST_BYTES);
  const pushed: FrameEvent[] = [];
  let from = 0;
  for (const cut of [...cuts, stream.length]) {
    // Copies, so that no test can pass by the decoder holding on to one shared buffer.
    pushed.push(...decoder.push(Buffer.from(stream.subarray(from, cut))));
    from = cut;
  }
  const ended = opts.end === true ? decoder.end() : [];
  return { pushed: seen(pushed), ended: seen(ended), decoder };
}

function byteByByte(stream: Buffer, opts: { end?: boolean; max?: number } = {}): Run {
  const cuts: number[] = [];
  for (let i = 1; i < stream.length; i++) cuts.push(i);
  return feed(stream, cuts, opts);
}

/** Every way of cutting a stream once, plus byte-by-byte feeding, gives `expected`. */
function assertSplitInvariant(
  stream: Buffer,
  expected: Seen[],
  opts: { end?: boolean; max?: number } = {},
): void {
  const all = (r: Run): Seen[] => [...r.pushed, ...r.ended];
  for (let k = 0; k <= stream.length; k++) {
    assert.deepEqual(all(feed(stream, [k], opts)), expected, `split at byte ${k}`);
  }
  assert.deepEqual(all(byteByByte(stream, opts)), expected, 'byte by byte');
  // Also with an empty chunk in the middle.
  const mid = Math.floor(stream.length / 2);
  assert.deepEqual(all(feed(stream, [mid, mid], opts)), expected, 'with an empty chunk');
}

const CREATE = '<create><account id="123456" balance="1000"/></create>';
const TRANSACTIONS =
  '<transactions id="123456">\n  <order sym="SPY" amount="100" limit="12.5"/>\n  <query id="1"/>\n</transactions>';
const SYMBOL =
  '<?xml version="1.0" encoding="UTF-8"?>\n<create>\n  <symbol sym="SPY">\n    <account id="123456">100000</account>\n  </symbol>\n</create>\n';
// Multi-byte UTF-8: the length line counts bytes, not UTF-16 code units or characters.
const UTF8 =
  '<create><!-- prix: 12,50 € · naïve · 😀 · 日本 --><account id="7" balance="3"/></create>';

// ---------------------------------------------------------------------------------------------

describe('FrameDecoder: valid streams, split anywhere', () => {
  test('the multi-byte fixture really is longer in bytes than in characters', () => {
    assert.ok(Buffer.byteLength(UTF8) > UTF8.length);
    assert.ok(Buffer.byteLength(UTF8) > [...UTF8].length);
  });

  const cases: { name: string; stream: Buffer; bodies: (string | Buffer)[] }[] = [
    { name: 'one request', stream: frame(CREATE), bodies: [CREATE] },
    {
      name: 'several requests back to back',
      stream: Buffer.concat([frame(CREATE), frame(TRANSACTIONS), frame(SYMBOL), frame(CREATE)]),
      bodies: [CREATE, TRANSACTIONS, SYMBOL, CREATE],
    },
    {
      name: '\\r\\n line ends',
      stream: Buffer.concat([frame(CREATE, '\r\n'), frame(TRANSACTIONS, '\r\n')]),
      bodies: [CREATE, TRANSACTIONS],
    },
    {
      name: 'spaces and tabs after the digits',
      stream: Buffer.concat([frame(CREATE, ' \t \r\n'), frame(CREATE, '\t\n')]),
      bodies: [CREATE, CREATE],
    },
    {
      name: 'blank lines before and between requests',
      stream: Buffer.concat([
        bytes('\n\r\n\n'),
        frame(CREATE),
        bytes('\n'),
        frame(TRANSACTIONS, '\r\n'),
        bytes('\r\n\r\n\n'),
        frame(CREATE),
        bytes('\n\n'),
      ]),
      bodies: [CREATE, TRANSACTIONS, CREATE],
    },
    { name: 'length 0', stream: bytes('0\n'), bodies: [''] },
    {
      name: 'length 0 between other requests',
      stream: Buffer.concat([frame(CREATE), bytes('0\n'), bytes('0\r\n'), frame(CREATE)]),
      bodies: [CREATE, '', '', CREATE],
    },
    {
      name: 'leading zeros in the length',
      stream: Buffer.concat([bytes(`000${Buffer.byteLength(CREATE)}\n`), bytes(CREATE)]),
      bodies: [CREATE],
    },
    { name: 'UTF-8 multi-byte body', stream: frame(UTF8), bodies: [UTF8] },
    {
      name: 'UTF-8 bodies back to back',
      stream: Buffer.concat([frame(UTF8), frame(UTF8, '\r\n'), frame(CREATE)]),
      bodies: [UTF8, UTF8, CREATE],
    },
    {
      name: 'white space after the root counted in the length is part of the body',
      stream: Buffer.concat([frame(CREATE + '\r\n\n'), frame(CREATE)]),
      bodies: [CREATE + '\r\n\n', CREATE],
    },
    {
      name: 'self-closing roots and trailing comments',
      stream: Buffer.concat([frame('<create/>'), frame('<transactions id="1"/><!-- bye -->')]),
      bodies: ['<create/>', '<transactions id="1"/><!-- bye -->'],
    },
  ];

  for (const c of cases) {
    test(c.name, () => {
      const expected = c.bodies.map(req);
      assertSplitInvariant(c.stream, expected, { end: true });
      // Afterwards the decoder is idle, not waiting, not failed, and end() is clean.
      const run = feed(c.stream, []);
      assert.equal(run.decoder.idle, true);
      assert.equal(run.decoder.waitingForQuiet, false);
      assert.equal(run.decoder.failed, false);
      assert.deepEqual(run.decoder.end(), []);
      assert.deepEqual(run.decoder.expire(), []);
    });
  }

  test('a body exactly at the configured maximum is accepted', () => {
    const body = '<create>' + ' '.repeat(100 - 17) + '</create>';
    assert.equal(Buffer.byteLength(body), 100);
    assertSplitInvariant(frame(body), [req(body)], { end: true, max: 100 });
  });

  test('a request is emitted as soon as its last byte arrives (no end() needed)', () => {
    const d = new FrameDecoder();
    const stream = frame(CREATE);
    assert.deepEqual(d.push(stream.subarray(0, stream.length - 1)), []);
    assert.deepEqual(seen(d.push(stream.subarray(stream.length - 1))), [req(CREATE)]);
  });

  test('pushing an empty chunk does nothing', () => {
    const d = new FrameDecoder();
    assert.deepEqual(d.push(Buffer.alloc(0)), []);
    assert.equal(d.idle, true);
  });
});

// ---------------------------------------------------------------------------------------------

describe('FrameDecoder: broken length lines', () => {
  function only(stream: string | Buffer, opts: { end?: boolean; max?: number } = {}): Seen[] {
    const b = typeof stream === 'string' ? bytes(stream) : stream;
    const run = feed(b, [], opts);
    return [...run.pushed, ...run.ended];
  }

  function assertOneError(events: Seen[], code: string, ...mentions: string[]): void {
    assert.equal(events.length, 1, JSON.stringify(events));
    const e = events[0]!;
    assert.equal(e.type, 'error');
    if (e.type !== 'error') return;
    assert.equal(e.code, code);
    for (const m of mentions)
      assert.ok(e.message.includes(m), `${JSON.stringify(e.message)} mentions ${m}`);
  }

  test('letters instead of digits', () => {
    assertOneError(only('abc\n<create/>'), 'BAD_LENGTH_LINE', "'a'");
  });

  test('a letter after digits', () => {
    assertOneError(only('12a\n<create/>'), 'BAD_LENGTH_LINE', "'a'");
  });

  test('a sign before the digits', () => {
    assertOneError(only('-5\n<c/>'), 'BAD_LENGTH_LINE', "'-'");
    assertOneError(only('+5\n<c/>'), 'BAD_LENGTH_LINE', "'+'");
  });

  test('a decimal point or a space inside the number', () => {
    assertOneError(only('9.0\n<create/>'), 'BAD_LENGTH_LINE', "'.'");
    assertOneError(only('1 2\n<create/>'), 'BAD_LENGTH_LINE', "'2'");
  });

  test('a carriage return not followed by a newline', () => {
    assertOneError(only('9\r<create/>'), 'BAD_LENGTH_LINE', "'<'");
  });

  test('a control byte is described by its hex value', () => {
    assertOneError(only(Buffer.from([0x39, 0x00, 0x0a])), 'BAD_LENGTH_LINE', '0x00');
    assertOneError(only(Buffer.from([0xff])), 'BAD_LENGTH_LINE', '0xff');
  });

  test('XML sent without a length line', () => {
    assertOneError(
      only('<create><account id="1" balance="1"/></create>'),
      'BAD_LENGTH_LINE',
      "'<'",
    );
    assertOneError(only('<?xml version="1.0"?><create/>'), 'BAD_LENGTH_LINE', "'<'");
  });

  test('a huge length line is refused with REQUEST_TOO_LARGE before any body byte', () => {
    const d = new FrameDecoder();
    const events = seen(d.push(bytes('10000000000\n')));
    assertOneError(events, 'REQUEST_TOO_LARGE', String(DEFAULT_MAX_REQUEST_BYTES));
    assert.equal(d.failed, true);
    // The body that follows is never looked at.
    assert.deepEqual(d.push(bytes('<create/>')), []);
    assert.deepEqual(d.end(), []);
    // The refusal comes while the digits are still arriving, no newline needed.
    const d2 = new FrameDecoder();
    const early: FrameEvent[] = [];
    for (const c of '10000000000') early.push(...d2.push(bytes(c)));
    assertOneError(seen(early), 'REQUEST_TOO_LARGE');
  });

  test('a length over the configured maximum', () => {
    assertOneError(only('101\n' + 'x'.repeat(101), { max: 100 }), 'REQUEST_TOO_LARGE', '100');
    assertOneError(only('1048577\n'), 'REQUEST_TOO_LARGE', '1048576');
    // The boundary itself is fine.
    const ok = feed(bytes('1048576\n'), []);
    assert.deepEqual(ok.pushed, []);
    assert.equal(ok.decoder.failed, false);
  });

  test('endless digits are refused after a bounded number of bytes', () => {
    for (const digit of ['0', '9']) {
      const d = new FrameDecoder(Number.MAX_SAFE_INTEGER);
      let fedBytes = 0;
      let events: FrameEvent[] = [];
      while (events.length === 0 && fedBytes < 1000) {
        events = d.push(bytes(digit));
        fedBytes++;
      }
      // With no practical size limit, nines overflow any limit; zeros are a line of more
      // digits than any sane length has.
      assertOneError(seen(events), digit === '9' ? 'REQUEST_TOO_LARGE' : 'BAD_LENGTH_LINE');
      assert.ok(fedBytes <= 17, `refused after ${fedBytes} '${digit}' digits`);
    }
    // Same in one big chunk.
    assertOneError(only('0'.repeat(100_000)), 'BAD_LENGTH_LINE');
  });

  test('the connection closes inside the length line', () => {
    assertOneError(only('12', { end: true }), 'BAD_LENGTH_LINE', 'closed');
    assertOneError(only('12  ', { end: true }), 'BAD_LENGTH_LINE');
    assertOneError(only('12\r', { end: true }), 'BAD_LENGTH_LINE');
  });

  test('junk after the body: the next length line is invalid', () => {
    const events = only(Buffer.concat([frame('<create/>'), bytes('junk')]));
    assert.equal(events.length, 2);
    assert.deepEqual(events[0], req('<create/>'));
    assert.equal(events[1]!.type, 'error');
    assert.equal(events[1]!.type === 'error' && events[1]!.code, 'BAD_LENGTH_LINE');
    assert.ok(events[1]!.type === 'error' && events[1]!.message.includes("'j'"));
  });
});

// ---------------------------------------------------------------------------------------------

describe('FrameDecoder: truncated bodies', () => {
  test('end() inside the body names how many of how many bytes arrived', () => {
    const d = new FrameDecoder();
    assert.deepEqual(d.push(bytes('20\n<create><acc')), []);
    assert.equal(d.waitingForQuiet, false, 'the root has not closed: nothing to time out');
    assert.equal(d.idle, false);
    const events = seen(d.end());
    assert.equal(events.length, 1);
    const e = events[0]!;
    assert.ok(e.type === 'error');
    assert.equal(e.code, 'TRUNCATED_REQUEST');
    assert.ok(e.message.includes('12 of 20'), e.message);
  });

  test('end() right after the length line', () => {
    const d = new FrameDecoder();
    assert.deepEqual(d.push(bytes('5\r\n')), []);
    const ended = seen(d.end());
    assert.equal(ended.length, 1);
    assert.ok(ended[0]!.type === 'error' && ended[0]!.code === 'TRUNCATED_REQUEST');
    assert.ok(ended[0]!.type === 'error' && ended[0]!.message.includes('0 of 5'));
  });

  test('a truncated multi-byte body counts bytes', () => {
    const body = bytes(UTF8);
    const d = new FrameDecoder();
    // Cut in the middle of the euro sign.
    const cut = body.indexOf(bytes('€')) + 1;
    d.push(Buffer.concat([bytes(`${body.length}\n`), body.subarray(0, cut)]));
    const ended = seen(d.end());
    assert.ok(ended[0]!.type === 'error' && ended[0]!.code === 'TRUNCATED_REQUEST');
    assert.ok(
      ended[0]!.type === 'error' && ended[0]!.message.includes(`${cut} of ${body.length}`),
      JSON.stringify(ended),
    );
  });

  test('a complete request then a truncated one: the first still counts', () => {
    const run = feed(Buffer.concat([frame(CREATE), bytes('30\n<create>')]), [], { end: true });
    assert.deepEqual(run.pushed, [req(CREATE)]);
    assert.equal(run.ended.length, 1);
    assert.ok(run.ended[0]!.type === 'error' && run.ended[0]!.code === 'TRUNCATED_REQUEST');
  });
});

// ---------------------------------------------------------------------------------------------

describe('FrameDecoder: a length line that disagrees with the XML', () => {
  function mismatch(events: Seen[], ...mentions: string[]): void {
    assert.equal(events.length, 1, JSON.stringify(events));
    const e = events[0]!;
    assert.ok(e.type === 'error', JSON.stringify(e));
    assert.equal(e.code, 'LENGTH_MISMATCH');
    for (const m of mentions)
      assert.ok(e.message.includes(m), `${JSON.stringify(e.message)} mentions ${m}`);
  }

  test('declared shorter: the error names both lengths once the root closes', () => {
    const doc = '<create></create>'; // 17 bytes
    const d = new FrameDecoder();
    const events = seen(d.push(bytes(`10\n${doc}`)));
    mismatch(events, '10 bytes', '17 bytes');
    assert.equal(d.failed, true);
    // Same at every split; no end() needed.
    assertSplitInvariant(bytes(`10\n${doc}`), events);
  });

  test('declared shorter, multi-byte: both lengths are byte counts', () => {
    const body = bytes(UTF8);
    const stream = Buffer.concat([bytes(`${body.length - 10}\n`), body]);
    const events = feed(stream, []).pushed;
    mismatch(events, `${body.length - 10} bytes`, `${body.length} bytes`);
    assertSplitInvariant(stream, events);
  });

  test('declared shorter: the next request is never produced', () => {
    const stream = Buffer.concat([bytes('10\n<create></create>'), frame(CREATE)]);
    const run = feed(stream, [], { end: true });
    mismatch([...run.pushed, ...run.ended], '10', '17');
  });

  test('declared shorter and the document never closes: expire() names both lengths', () => {
    const d = new FrameDecoder();
    assert.deepEqual(d.push(bytes('10\n<create><account id="1"')), []);
    assert.equal(d.waitingForQuiet, true, 'overran its length: the quiet timer must run');
    assert.equal(d.idle, false);
    mismatch(seen(d.expire()), '10 bytes', '23 bytes arrived');
    assert.equal(d.failed, true);
    assert.equal(d.waitingForQuiet, false);
  });

  test('declared shorter and the document never closes: end() names both lengths', () => {
    const stream = bytes('10\n<create><account id="1"');
    const run = feed(stream, [], { end: true });
    assert.deepEqual(run.pushed, []);
    mismatch(run.ended, '10 bytes', '23 bytes arrived');
    assertSplitInvariant(stream, run.ended, { end: true });
  });

  test('declared shorter and the document goes on past the maximum', () => {
    const stream = bytes('10\n<create>' + '<account id="1" balance="1"/>'.repeat(10));
    const d = new FrameDecoder(64);
    const events = seen(d.push(stream));
    mismatch(events, '10 bytes', '64');
    // Byte by byte the error comes as soon as the maximum is passed.
    const run = byteByByte(stream, { max: 64 });
    assert.equal(run.pushed.length, 1);
    assert.ok(run.pushed[0]!.type === 'error' && run.pushed[0]!.code === 'LENGTH_MISMATCH');
  });

  test('declared shorter: the declared bytes cover only the XML declaration', () => {
    // A common hand-written-client bug: the length of the first line only. The declared
    // bytes end inside the document (in its prolog, before the root), so PROTOCOL.md asks
    // for one LENGTH_MISMATCH naming both lengths, not a request plus a framing error.
    const decl = '<?xml version="1.0" encoding="UTF-8"?>';
    const doc = `${decl}\n<create><account id="1" balance="1"/></create>`;
    const stream = bytes(`${Buffer.byteLength(decl)}\n${doc}`);
    const run = feed(stream, [], { end: true });
    mismatch(
      [...run.pushed, ...run.ended],
      `${Buffer.byteLength(decl)} bytes`,
      `${Buffer.byteLength(doc)} bytes`,
    );
  });

  test('declared shorter: the declared bytes end inside a comment before the root', () => {
    const doc = '<!-- a long comment --><create/>';
    const stream = bytes(`10\n${doc}`);
    const run = feed(stream, [], { end: true });
    mismatch([...run.pushed, ...run.ended], '10 bytes', `${doc.length} bytes`);
  });

  test('declared longer: waitingForQuiet once the root closed, expire() names both lengths', () => {
    const d = new FrameDecoder();
    assert.deepEqual(d.push(bytes('20\n<create')), []);
    assert.equal(d.waitingForQuiet, false);
    assert.deepEqual(d.push(bytes('/>')), []);
    assert.equal(d.waitingForQuiet, true);
    assert.equal(d.idle, false);
    mismatch(seen(d.expire()), '20 bytes', '9 bytes');
    assert.equal(d.waitingForQuiet, false);
    assert.equal(d.failed, true);
  });

  test('declared longer: end() names both lengths', () => {
    const stream = bytes('60\n<create><account id="1" balance="1"/></create>');
    const run = feed(stream, [], { end: true });
    assert.deepEqual(run.pushed, []);
    mismatch(run.ended, '60 bytes', '46 bytes');
    assertSplitInvariant(stream, run.ended, { end: true });
  });

  test('declared longer with a multi-byte document: the actual length is in bytes', () => {
    const body = bytes(UTF8);
    const d = new FrameDecoder();
    d.push(Buffer.concat([bytes(`${body.length + 5}\n`), body]));
    assert.equal(d.waitingForQuiet, true);
    mismatch(seen(d.expire()), `${body.length + 5} bytes`, `${body.length} bytes`);
  });

  test('declared longer, then the missing bytes (trailing white space) arrive: a request after all', () => {
    const d = new FrameDecoder();
    d.push(bytes('11\n<create/>'));
    assert.equal(d.waitingForQuiet, true);
    assert.deepEqual(seen(d.push(bytes('\r\n'))), [req('<create/>\r\n')]);
    assert.equal(d.waitingForQuiet, false);
    assert.equal(d.idle, true);
  });

  test('expire() when nothing is pending, or the root is still open, changes nothing', () => {
    const d = new FrameDecoder();
    assert.deepEqual(d.expire(), []);
    assert.equal(d.idle, true);
    d.push(bytes('6'));
    assert.deepEqual(d.expire(), [], 'inside the length line');
    d.push(bytes('0\n<create><account id="1"'));
    assert.equal(d.waitingForQuiet, false);
    assert.deepEqual(d.expire(), [], 'inside the body, root still open');
    assert.equal(d.failed, false);
    // The request still completes normally afterwards.
    const body = '<create><account id="1" balance="1"/></create>' + ' '.repeat(14);
    assert.equal(Buffer.byteLength(body), 60);
    assert.deepEqual(seen(d.push(bytes(body.slice(23)))), [req(body)]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('FrameDecoder: failure is final', () => {
  const broken: { name: string; stream: Buffer; settle: 'push' | 'end' | 'expire' }[] = [
    { name: 'bad length line', stream: bytes('x\n'), settle: 'push' },
    { name: 'too large', stream: bytes('99999999999\n'), settle: 'push' },
    { name: 'declared shorter', stream: bytes('10\n<create></create>'), settle: 'push' },
    { name: 'declared longer, expired', stream: bytes('20\n<create/>'), settle: 'expire' },
    { name: 'declared longer, ended', stream: bytes('20\n<create/>'), settle: 'end' },
    { name: 'truncated, ended', stream: bytes('20\n<cre'), settle: 'end' },
  ];
  for (const b of broken) {
    test(`after ${b.name}: no event ever again`, () => {
      const d = new FrameDecoder();
      const first = d.push(b.stream);
      const settled =
        b.settle === 'push'
          ? first
          : b.settle === 'end'
            ? [...first, ...d.end()]
            : [...first, ...d.expire()];
      assert.equal(settled.length, 1);
      assert.equal(settled[0]!.type, 'error');
      assert.equal(d.failed, true);
      assert.equal(d.idle, false, 'a failed decoder is not idle');
      assert.equal(d.waitingForQuiet, false);
      assert.deepEqual(d.push(frame(CREATE)), []);
      assert.deepEqual(d.push(bytes('\n\n0\n')), []);
      assert.deepEqual(d.push(Buffer.alloc(0)), []);
      assert.deepEqual(d.expire(), []);
      assert.deepEqual(d.end(), []);
      assert.deepEqual(d.end(), []);
      assert.deepEqual(d.push(frame(CREATE)), []);
      assert.equal(d.failed, true);
    });
  }

  test('an error in the middle of a chunk drops the rest of the chunk', () => {
    const stream = Buffer.concat([frame(CREATE), bytes('zz\n'), frame(CREATE)]);
    const events = seen(new FrameDecoder().push(stream));
    assert.equal(events.length, 2);
    assert.deepEqual(events[0], req(CREATE));
    assert.ok(events[1]!.type === 'error' && events[1]!.code === 'BAD_LENGTH_LINE');
  });

  test('broken streams give the same events at every split', () => {
    const streams = [
      bytes('abc\n<create/>'),
      bytes('12a\n'),
      bytes('<create/>'),
      bytes('10000000000\n<create/>'),
      Buffer.concat([frame(CREATE), bytes('junk')]),
      bytes('10\n<create></create>'),
      bytes('10\n<create><account id="1"'),
      bytes('60\n<create><account id="1" balance="1"/></create>'),
      bytes('20\n<create><acc'),
      Buffer.concat([frame(UTF8), bytes(`5\n${UTF8}`)]),
    ];
    for (const stream of streams) {
      const run = feed(stream, [], { end: true });
      assertSplitInvariant(stream, [...run.pushed, ...run.ended], { end: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('FrameDecoder: idle', () => {
  test('idle exactly when nothing of a next request has arrived', () => {
    const d = new FrameDecoder();
    assert.equal(d.idle, true, 'new');
    d.push(bytes('\n\r\n \t'));
    assert.equal(d.idle, true, 'blank lines and white space only');
    assert.deepEqual(d.end(), [], 'a close after blank lines is clean');

    const e = new FrameDecoder();
    const length = String(Buffer.byteLength(CREATE));
    e.push(bytes(length.slice(0, 1)));
    assert.equal(e.idle, false, 'inside the length line');
    e.push(bytes(length.slice(1) + '\r'));
    assert.equal(e.idle, false, 'after the carriage return');
    e.push(bytes('\n'));
    assert.equal(e.idle, false, 'length line done, no body byte yet');
    e.push(bytes(CREATE.slice(0, 10)));
    assert.equal(e.idle, false, 'inside the body');
    const events = seen(e.push(bytes(CREATE.slice(10))));
    assert.deepEqual(events, [req(CREATE)]);
    assert.equal(e.idle, true, 'after a whole request');
    e.push(bytes('0\n'));
    assert.equal(e.idle, true, 'after an empty request');
  });

  test('not idle while overrunning or waiting for quiet', () => {
    const a = new FrameDecoder();
    a.push(bytes('20\n<create/>'));
    assert.equal(a.waitingForQuiet, true);
    assert.equal(a.idle, false);
    const b = new FrameDecoder();
    b.push(bytes('5\n<create>'));
    assert.equal(b.waitingForQuiet, true);
    assert.equal(b.idle, false);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

/** Escapes text for an attribute value quoted with `quote`, or for character data. */
function esc(text: string, quote: '"' | "'" | null): string {
  let out = text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  if (quote === null) out = out.replace(/>/g, '&gt;');
  else out = out.split(quote).join(quote === '"' ? '&quot;' : '&apos;');
  return out;
}

const anyText = fc.string({ unit: 'grapheme', maxLength: 12 });
const nameArb = fc.constantFrom('create', 'transactions', 'account', 'symbol', 'order', 'x', 'A1');

const attrArb = fc
  .tuple(
    fc.constantFrom('id', 'sym', 'amount', 'limit', 'balance'),
    anyText,
    fc.constantFrom('"', "'"),
  )
  .map(([n, v, q]) => ` ${n}=${q}${esc(v + ' >/ ', q as '"' | "'")}${q}`);

const miscArb = fc.oneof(
  anyText.map((t) => esc(t, null)),
  anyText.map((t) => `<!-- ${t.replace(/-/g, '_')} -->`),
  anyText.map((t) => `<![CDATA[${t.replace(/]/g, ')')}</x> ]]>`),
  anyText.map((t) => `<?pi ${t.replace(/\?/g, '.')} > ?>`),
);

const { element } = fc.letrec<{ element: string }>((tie) => ({
  element: fc
    .tuple(
      nameArb,
      fc.array(attrArb, { maxLength: 3 }),
      fc.array(fc.oneof({ depthSize: 'small' }, miscArb, tie('element')), { maxLength: 4 }),
      fc.boolean(),
    )
    .map(([name, attrs, children, selfClose]) => {
      const a =
        [...new Set(attrs.map((s) => s.split('=')[0]!))].length === attrs.length
          ? attrs.join('')
          : '';
      if (selfClose && children.length === 0) return `<${name}${a}/>`;
      return `<${name}${a}>${children.join('')}</${name}>`;
    }),
}));

const documentArb = fc
  .tuple(
    fc.constantFrom('', '<?xml version="1.0" encoding="UTF-8"?>\n', '<?xml version="1.0"?>'),
    fc.constantFrom('', '<!-- prologue -->', '\n'),
    element,
    fc.constantFrom('', '\n', '\r\n', '<!-- after -->\n'),
  )
  .map(([decl, pre, root, post]) => decl + pre + root + post);

const requestArb = fc.tuple(
  documentArb,
  fc.constantFrom('\n', '\r\n', ' \n', '\t\r\n'),
  fc.constantFrom('', '\n', '\r\n', '\n\n'),
);

describe('FrameDecoder: properties', () => {
  test('valid requests, concatenated and split at random points, decode to the same bodies', () => {
    fc.assert(
      fc.property(
        fc.array(requestArb, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (requests, rawCuts) => {
          const stream = Buffer.concat(
            requests.map(([doc, lineEnd, blank]) =>
              Buffer.concat([bytes(blank), frame(doc, lineEnd)]),
            ),
          );
          const cuts = [...new Set(rawCuts.map((c) => c % (stream.length + 1)))].sort(
            (x, y) => x - y,
          );
          const run = feed(stream, cuts, { end: true });
          assert.deepEqual(
            [...run.pushed, ...run.ended],
            requests.map(([doc]) => req(doc)),
          );
          assert.equal(run.decoder.idle, true);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('valid requests fed byte by byte decode to the same bodies', () => {
    fc.assert(
      fc.property(fc.array(requestArb, { minLength: 1, maxLength: 3 }), (requests) => {
        const stream = Buffer.concat(
          requests.map(([doc, lineEnd, blank]) =>
            Buffer.concat([bytes(blank), frame(doc, lineEnd)]),
          ),
        );
        const run = byteByByte(stream, { end: true });
        assert.deepEqual(
          [...run.pushed, ...run.ended],
          requests.map(([doc]) => req(doc)),
        );
      }),
      { numRuns: 100 },
    );
  });

  // Bytes that steer the decoder into its interesting states more often than uniform bytes do.
  const interesting = fc.constantFrom(
    ...[...'0123456789\n\r \t<>/"\'!-?[]=ax'].map((c) => c.charCodeAt(0)),
    0x00,
    0xe2,
    0x82,
    0xac,
    0xff,
  );
  const streamArb = fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    fc.array(interesting, { maxLength: 200 }).map((a) => Uint8Array.from(a)),
    fc
      .tuple(fc.array(requestArb, { maxLength: 3 }), fc.uint8Array({ maxLength: 20 }), fc.nat())
      .map(([reqs, junk, at]) => {
        const good = Buffer.concat(reqs.map(([doc, lineEnd]) => frame(doc, lineEnd)));
        const pos = good.length === 0 ? 0 : at % good.length;
        return Uint8Array.from(Buffer.concat([good.subarray(0, pos), junk, good.subarray(pos)]));
      }),
  );

  test('arbitrary bytes never throw and give only request/error events, nothing after an error', () => {
    fc.assert(
      fc.property(
        streamArb,
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.constantFrom(16, 100, DEFAULT_MAX_REQUEST_BYTES),
        fc.constantFrom('end', 'expire', 'none'),
        (data, rawCuts, max, settle) => {
          const stream = Buffer.from(data);
          const cuts = [...new Set(rawCuts.map((c) => c % (stream.length + 1)))].sort(
            (x, y) => x - y,
          );
          const d = new FrameDecoder(max);
          const events: FrameEvent[] = [];
          let from = 0;
          for (const cut of [...cuts, stream.length]) {
            events.push(...d.push(stream.subarray(from, cut)));
            from = cut;
          }
          if (settle === 'end') events.push(...d.end());
          if (settle === 'expire') events.push(...d.expire());
          events.push(...d.end(), ...d.expire());
          const errors = events.filter((e) => e.type === 'error').length;
          for (const e of events) assert.ok(e.type === 'request' || e.type === 'error');
          assert.ok(errors <= 1, 'at most one error');
          if (errors === 1) {
            assert.equal(events[events.length - 1]!.type, 'error', 'the error is the last event');
            assert.equal(d.failed, true);
          }
          for (const e of events) {
            if (e.type === 'request') assert.ok(e.body.length <= max);
            else assert.equal(typeof e.error.message, 'string');
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  test('arbitrary bytes give the same events however they are split', () => {
    fc.assert(
      fc.property(streamArb, fc.array(fc.nat(), { maxLength: 10 }), (data, rawCuts) => {
        const stream = Buffer.from(data);
        const cuts = [...new Set(rawCuts.map((c) => c % (stream.length + 1)))].sort(
          (x, y) => x - y,
        );
        const whole = feed(stream, [], { end: true });
        const split = feed(stream, cuts, { end: true });
        assert.deepEqual([...split.pushed, ...split.ended], [...whole.pushed, ...whole.ended]);
      }),
      { numRuns: 500 },
    );
  });
});
