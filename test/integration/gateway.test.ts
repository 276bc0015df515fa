// Gateways + one engine over a real TCP link on loopback: the same replies as the
// single-process server, one market across gateways, and an engine that goes away and
// comes back. The link's encoding and framing on their own.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { classicRequest } from '../../tools/client/classic-client.js';
import { FramedClient } from '../../tools/client/framed-client.js';
import {
  decodeRequest,
  decodeResult,
  encodeRequest,
  encodeResult,
} from '../../src/gateway/codec.js';
import { encodeFrame, FrameReader } from '../../src/gateway/frames.js';
import { silentLogger } from '../../src/app/log.js';
import { decodeRequest as decodeXml } from '../../src/protocol/decode.js';
import { DEFAULT_XML_LIMITS } from '../../src/protocol/xml-tree.js';
import { startGateway, type RunningGateway } from '../../src/gateway/gateway.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { bigResult } from '../../src/engine/big-rows.js';
import { startTestServer } from '../support/server.js';

const NOW = 1_700_000_000;

/** An engine with no client listeners, only the link, and `count` gateways in front. */
async function cluster(count: number, linkPort = 0) {
  const engine = await startTestServer({
    clock: () => NOW,
    port: null,
    framedPort: null,
    link: { host: '127.0.0.1', port: linkPort },
    store: new MemoryStore(),
  });
  const gateways: RunningGateway[] = [];
  for (let i = 0; i < count; i++) {
    gateways.push(
      await startGateway({
        log: silentLogger,
        host: '127.0.0.1',
        port: 0,
        framedPort: 0,
        engines: [{ host: '127.0.0.1', port: engine.linkPort! }],
      }),
    );
  }
  return {
    engine,
    gateways,
    stop: async () => {
      await Promise.all(gateways.map((g) => g.stop()));
      await engine.stop();
    },
  };
}

const SCRIPT = [
  '<create><account id="1" balance="100000"/><account id="2" balance="100000"/><symbol sym="X"><account id="1">1000</account><account id="2">1000</account></symbol><account id="1" balance="5"/></create>',
  '<transactions id="1"><order sym="X" amount="300" limit="125"/><order sym="X" amount="-100" limit="130"/><order sym="X" amount="200" limit="127"/></transactions>',
  '<transactions id="2"><order sym="X" amount="-500" limit="128"/><order sym="X" amount="-200" limit="140"/><order sym="X" amount="400" limit="125"/></transactions>',
  '<transactions id="2"><order sym="X" amount="-400" limit="124"/><query id="1"/><query id="7"/><cancel id="1"/><cancel id="3"/><query id="99"/></transactions>',
  '<transactions id="1"><order sym="X" amount="1.5" limit="0"/><order sym="NOPE" amount="1" limit="1"/><cancel id="1"/></transactions>',
  // The extensions (docs/extensions.md): order terms, a waiting stop, amends and their history.
  '<transactions id="1"><order sym="X" amount="50" limit="129" tif="IOC"/><order sym="X" amount="5" type="market"/>' +
    '<order sym="X" amount="10" limit="150" stop="135"/><order sym="X" amount="-10" limit="125" stp="cancel-both"/>' +
    '<order sym="X" amount="1" limit="1" tif="FOK"/><amend id="2" amount="60"/><amend id="2" limit="131"/>' +
    '<amend id="9" amount="1"/><amend id="2" amount="61"/><order sym="X" amount="1" tif="ioc" limit="1"/>' +
    '<query id="7"/><query id="8"/><query id="9"/><query id="2"/><cancel id="9"/></transactions>',
];

describe('gateways and one engine', () => {
  test("every reply is byte for byte the single-process server's", async () => {
    const single = await startTestServer({ clock: () => NOW });
    const linked = await cluster(1);
    after(() => Promise.all([single.stop(), linked.stop()]));
    for (const xml of SCRIPT) {
      const direct = await classicRequest(single.port, xml);
      const through = await classicRequest(linked.gateways[0]!.port!, xml);
      assert.equal(through, direct);
    }
  });

  test('two gateways share one market: orders sent through one fill orders sent through the other', async () => {
    const { gateways, stop } = await cluster(2);
    after(stop);
    const [a, b] = gateways as [RunningGateway, RunningGateway];
    await classicRequest(
      a.port!,
      '<create><account id="1" balance="1000"/><account id="2" balance="0"/><symbol sym="X"><account id="2">10</account></symbol></create>',
    );
    const framed = await FramedClient.connect(b.framedPort!);
    const sell = await framed.request(
      '<transactions id="2"><order sym="X" amount="-10" limit="5"/></transactions>',
    );
    assert.match(sell, /<opened sym="X" amount="-10" limit="5" id="1"\/>/);
    const buy = await classicRequest(
      a.port!,
      '<transactions id="1"><order sym="X" amount="10" limit="7"/><query id="1"/></transactions>',
    );
    assert.match(buy, /<opened sym="X" amount="10" limit="7" id="2"\/>/);
    assert.match(buy, /<status id="1">\s*<executed shares="10" price="5" time="1700000000"\/>/);
    framed.close();
  });

  test('while the engine is away requests are refused as not executed; then the link comes back', async () => {
    const first = await cluster(1);
    const gateway = first.gateways[0]!;
    const linkPort = first.engine.linkPort!;
    await classicRequest(gateway.port!, '<create><account id="1" balance="10"/></create>');
    await first.engine.stop();
    const refused = await classicRequest(
      gateway.port!,
      '<transactions id="1"><query id="1"/></transactions>',
    );
    assert.match(
      refused,
      /<error>The matching engine is unavailable: the request was not executed; retry later<\/error>/,
    );

    // A new engine on the same link port (a fresh, empty store): the gateway finds it.
    const second = await startTestServer({
      clock: () => NOW,
      port: null,
      framedPort: null,
      link: { host: '127.0.0.1', port: linkPort },
    });
    after(async () => {
      await gateway.stop();
      await second.stop();
    });
    const deadline = Date.now() + 10_000;
    while (!gateway.link.connected && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const served = await classicRequest(
      gateway.port!,
      '<create><account id="1" balance="10"/></create>',
    );
    assert.match(served, /<created id="1"\/>/);
  });
});

describe('link encoding', () => {
  test('requests and results survive encode → JSON → decode unchanged', async () => {
    const engine = await startTestServer({ clock: () => NOW });
    after(() => engine.stop());
    for (const xml of SCRIPT) {
      const decoded = decodeXml(Buffer.from(xml), DEFAULT_XML_LIMITS);
      assert.ok(decoded.ok);
      const request = decoded.request;
      assert.deepEqual(decodeRequest(JSON.parse(JSON.stringify(encodeRequest(request)))), request);
      const results = await engine.sequencer.submit(request);
      const wire = JSON.parse(JSON.stringify(results.map(encodeResult))) as unknown[];
      const back = wire.map((w) => decodeResult(w as never));
      // Amounts come back as bigints, where the column engine's are safe integers in doubles:
      // the same values, so the same wire again.
      assert.deepEqual(JSON.parse(JSON.stringify(back.map(encodeResult))), wire);
      assert.deepEqual(back.map(bigResult), results.map(bigResult));
    }
  });

  test('frames read back whole at every split, and byte by byte', () => {
    const messages = [['R', 1, ['t', '1', []]], ['A', 2, 'STORE_UNAVAILABLE'], ['R']];
    const bytes = Buffer.concat(messages.map((m) => encodeFrame(m)));
    for (let cut = 0; cut <= bytes.length; cut++) {
      const reader = new FrameReader();
      const got = [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut))];
      assert.deepEqual(got, messages);
    }
    const reader = new FrameReader();
    const got = [];
    for (const byte of bytes) got.push(...reader.push(Buffer.from([byte])));
    assert.deepEqual(got, messages);
  });

  test('an absurd frame length is refused, not buffered', () => {
    const reader = new FrameReader();
    assert.throws(() => reader.push(Buffer.from([0xff, 0xff, 0xff, 0xff])), /too large/);
  });
});
