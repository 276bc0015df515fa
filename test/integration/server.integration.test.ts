// The real server on ephemeral ports, real TCP, both listeners.

import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { classicRequest, frameRequest, sendRaw } from '../../tools/client/classic-client.js';
import { FramedClient } from '../../tools/client/framed-client.js';
import { startTestServer } from '../support/server.js';

const NOW = 1_700_000_000;

type Server = Awaited<ReturnType<typeof startTestServer>>;

/** Writes `bytes` in the given fragments with a pause between them; resolves with the reply. */
function sendInFragments(
  port: number,
  fragments: Buffer[],
  pauseMs = 5,
  halfClose = false,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('connect', async () => {
      for (const f of fragments) {
        socket.write(f);
        await new Promise((r) => setTimeout(r, pauseMs));
      }
      if (halfClose) socket.end();
    });
  });
}

describe('classic listener', () => {
  let server: Server;
  before(async () => {
    server = await startTestServer({ clock: () => NOW, quietMs: 100 });
  });
  after(() => server.stop());

  test('the worked example of PROTOCOL.md, byte for byte', async () => {
    const port = server.port;
    assert.equal(
      await classicRequest(
        port,
        '<create><account id="1" balance="1000000"/><account id="2" balance="0"/>' +
          '<symbol sym="X"><account id="2">2000</account></symbol></create>',
      ),
      '<results>\n  <created id="1"/>\n  <created id="2"/>\n  <created sym="X" id="2"/>\n</results>\n',
    );
    const orders: [number, string, string][] = [
      [1, '300', '125'],
      [2, '-100', '130'],
      [1, '200', '127'],
      [2, '-500', '128'],
      [2, '-200', '140'],
      [1, '400', '125'],
    ];
    for (const [i, [account, amount, limit]] of orders.entries()) {
      const reply = await classicRequest(
        port,
        `<transactions id="${account}"><order sym="X" amount="${amount}" limit="${limit}"/></transactions>`,
      );
      assert.equal(
        reply,
        `<results>\n  <opened sym="X" amount="${amount}" limit="${limit}" id="${i + 1}"/>\n</results>\n`,
      );
    }
    const seventh = await classicRequest(
      port,
      '<transactions id="2"><order sym="X" amount="-400" limit="124"/>' +
        '<query id="7"/><query id="1"/><query id="3"/><query id="2"/></transactions>',
    );
    assert.equal(
      seventh,
      '<results>\n' +
        '  <opened sym="X" amount="-400" limit="124" id="7"/>\n' +
        `  <status id="7">\n    <executed shares="200" price="127" time="${NOW}"/>\n` +
        `    <executed shares="200" price="125" time="${NOW}"/>\n  </status>\n` +
        `  <status id="1">\n    <open shares="100"/>\n    <executed shares="200" price="125" time="${NOW}"/>\n  </status>\n` +
        `  <status id="3">\n    <executed shares="200" price="127" time="${NOW}"/>\n  </status>\n` +
        '  <status id="2">\n    <open shares="100"/>\n  </status>\n' +
        '</results>\n',
    );
    assert.equal(
      await classicRequest(
        port,
        '<transactions id="1"><cancel id="1"/><cancel id="1"/><cancel id="2"/></transactions>',
      ),
      '<results>\n' +
        `  <canceled id="1">\n    <canceled shares="100" time="${NOW}"/>\n` +
        `    <executed shares="200" price="125" time="${NOW}"/>\n  </canceled>\n` +
        '  <error id="1">Order has no open shares to cancel: it was already canceled</error>\n' +
        '  <error id="2">Order belongs to another account</error>\n' +
        '</results>\n',
    );
  });

  test('a request in many fragments, with \\r\\n, and a half-close after it', async () => {
    const xml = '<create><account id="77" balance="1.5"/></create>';
    const bytes = Buffer.from(`${Buffer.byteLength(xml)}\r\n${xml}`);
    const fragments = [...bytes].map((b) => Buffer.from([b]));
    const reply = await sendInFragments(server.port, fragments, 1, true);
    assert.equal(reply, '<results>\n  <created id="77"/>\n</results>\n');
  });

  test('empty create and transactions give an empty results', async () => {
    assert.equal(await classicRequest(server.port, '<create/>'), '<results/>\n');
    assert.equal(
      await classicRequest(server.port, '<transactions id="1"></transactions>'),
      '<results/>\n',
    );
  });

  test('malformed input gets an error reply and the connection is closed', async () => {
    assert.match(
      await sendRaw(server.port, 'hello\n'),
      /<results>\n {2}<error>Invalid length line[^<]*<\/error>/,
    );
    assert.match(
      await classicRequest(server.port, '<create><account id="1"></create>'),
      /<error>Malformed XML/,
    );
    assert.match(
      await classicRequest(server.port, '<create><account'),
      /<error>Length line does not match the XML document: the length line says 16 bytes but the XML document does not end within them/,
    );
    assert.match(await classicRequest(server.port, '<order/>'), /<error>Unknown request/);
    assert.match(await sendRaw(server.port, '99999999999\n'), /<error>Request too large/);
    assert.match(
      await classicRequest(server.port, '<!DOCTYPE x [<!ENTITY a "b">]><create/>'),
      /<error>DOCTYPE and entity declarations are not allowed<\/error>/,
    );
    // The server is still serving.
    assert.equal(await classicRequest(server.port, '<create/>'), '<results/>\n');
  });

  test('a length line longer than the document: error naming both lengths, nothing executed', async () => {
    const xml = '<create><account id="501" balance="1"/></create>';
    const reply = await sendRaw(server.port, `${xml.length + 10}\n${xml}`);
    assert.match(
      reply,
      new RegExp(
        `says ${xml.length + 10} bytes but the XML document ends after ${xml.length} bytes`,
      ),
    );
    assert.match(
      await classicRequest(server.port, '<create><account id="501" balance="1"/></create>'),
      /created id="501"/,
    );
  });

  test('a length line shorter than the document: error naming both lengths, nothing executed', async () => {
    const xml = '<create><account id="502" balance="1"/></create>';
    const reply = await sendRaw(server.port, `${xml.length - 10}\n${xml}`);
    assert.match(
      reply,
      new RegExp(`says ${xml.length - 10} bytes but the XML document is ${xml.length} bytes`),
    );
    assert.match(await classicRequest(server.port, xml), /created id="502"/);
  });

  test('a client that closes mid-body gets an error, not a hang', async () => {
    const reply = await sendInFragments(server.port, [Buffer.from('100\n<create>')], 1, true);
    assert.match(
      reply,
      /Connection closed before the whole request arrived: 8 of 100 declared bytes arrived/,
    );
  });
});

describe('framed listener', () => {
  let server: Server;
  before(async () => {
    server = await startTestServer({ clock: () => NOW });
  });
  after(() => server.stop());

  test('pipelined requests on one connection are answered in order', async () => {
    const client = await FramedClient.connect(server.framedPort);
    await client.request(
      '<create><account id="1" balance="100000"/><symbol sym="S"><account id="1">1000</account></symbol></create>',
    );
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        client.request(
          i % 2 === 0
            ? `<transactions id="1"><order sym="S" amount="-1" limit="${100 + i}"/></transactions>`
            : `<transactions id="1"><query id="${i}"/></transactions>`,
        ),
      ),
    );
    replies.forEach((reply, i) => {
      if (i % 2 === 0)
        assert.match(
          reply,
          new RegExp(`<opened sym="S" amount="-1" limit="${100 + i}" id="${i / 2 + 1}"/>`),
        );
      else
        assert.match(reply, new RegExp(`<status id="${i}">|<error id="${i}">Order does not exist`));
    });
    client.close();
  });

  test('replies are framed with their byte length', async () => {
    const raw = await new Promise<Buffer>((resolve, reject) => {
      const socket = connect({ port: server.framedPort, host: '127.0.0.1' });
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => {
        chunks.push(c);
        socket.end();
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(Buffer.concat(chunks)));
      socket.write(frameRequest('<create/>'));
    });
    assert.equal(raw.toString(), '11\n<results/>\n');
  });

  test('a framing error is answered, then the connection closes', async () => {
    const reply = await sendRaw(
      server.framedPort,
      Buffer.concat([frameRequest('<create/>'), Buffer.from('x\n')]),
    );
    assert.equal(reply, '11\n<results/>\n' + reply.slice(14));
    assert.match(reply.slice(14), /^\d+\n<results>\n {2}<error>Invalid length line/);
  });
});

describe('graceful stop', () => {
  test('requests in flight are answered, then the listeners close', async () => {
    const server = await startTestServer({ clock: () => NOW });
    const client = await FramedClient.connect(server.framedPort);
    const pending = Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        client.request(`<create><account id="${i}" balance="1"/></create>`),
      ),
    );
    await new Promise((r) => setTimeout(r, 5));
    await server.stop();
    const replies = await pending;
    const answered = replies.filter((r) => r.status === 'fulfilled');
    // Everything the server read before stopping was answered; nothing was answered falsely.
    for (const r of answered)
      assert.match((r as PromiseFulfilledResult<string>).value, /<created id="\d+"\/>/);
    assert.equal(answered.length, server.engine.accountCount);
    await assert.rejects(classicRequest(server.port, '<create/>'));
  });
});
