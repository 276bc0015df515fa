// A wall clock that jumps backwards (an NTP step, a VM resumed) must not make the exchange's
// time run backwards: execution times stay monotonic, and priority is by arrival anyway.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FramedClient } from '../../tools/client/framed-client.js';
import { startTestServer } from '../support/server.js';

test('execution and cancel times never run backwards when the wall clock does', async () => {
  const times = [2_000_000_000, 1_000_000_000, 1_500_000_000];
  let now = times[0]!;
  const server = await startTestServer({ clock: () => now });
  try {
    const client = await FramedClient.connect(server.framedPort);
    await client.request(
      '<create><account id="1" balance="1000"/><account id="2" balance="0"/>' +
        '<symbol sym="X"><account id="2">10</account></symbol></create>',
    );
    await client.request(
      '<transactions id="2"><order sym="X" amount="-5" limit="1"/></transactions>',
    );
    now = times[1]!; // a step back of 1e9 seconds
    await client.request(
      '<transactions id="1"><order sym="X" amount="2" limit="1"/></transactions>',
    );
    now = times[2]!;
    const canceled = await client.request('<transactions id="2"><cancel id="1"/></transactions>');
    const stamps = [...canceled.matchAll(/time="(\d+)"/g)].map((m) => Number(m[1]));
    assert.equal(stamps.length, 2, canceled);
    // Both the execution (at the jump back) and the cancel carry the latest time seen.
    assert.deepEqual(stamps, [2_000_000_000, 2_000_000_000]);
    client.close();
  } finally {
    await server.stop();
  }
});
