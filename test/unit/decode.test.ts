import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeRequest } from '../../src/protocol/decode.js';
import {
  encodeRequestError,
  encodeResult,
  encodeResults,
  escapeText,
  escapeXml,
  frameReply,
} from '../../src/protocol/encode.js';
import { DEFAULT_XML_LIMITS, parseXmlTree, type XmlLimits } from '../../src/protocol/xml-tree.js';
import { exchangeError, type ErrorCode } from '../../src/engine/errors.js';
import type {
  CreateChild,
  Request,
  Result,
  TransactionChild,
  OrderStatus,
} from '../../src/engine/commands.js';

/** The extension fields of an order that uses none. */
const PLAIN = { type: 'limit', tif: 'GTC', stop: null, stp: null } as const;

/** An order as the parser gives it: its amounts again as doubles (safe integers, else NaN). */
const withUnits = <T extends { amount: bigint; limit: bigint | null }>(order: T) => ({
  ...order,
  amountUnits: Number(order.amount),
  limitUnits: order.limit === null ? NaN : Number(order.limit),
});

// ---------------------------------------------------------------------------------------------
// Helpers

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

/** 10^8: shares and prices are held at 8 fractional digits, cash at 16. */
const U = 100_000_000n;
const CASH = U * U;

function decodeOk(xml: string | Uint8Array, limits?: XmlLimits): Request {
  const result = decodeRequest(typeof xml === 'string' ? bytes(xml) : xml, limits);
  assert.ok(result.ok, result.ok ? '' : `${result.error.code}: ${result.error.message}`);
  return result.request;
}

function decodeFails(xml: string | Uint8Array, code: ErrorCode, limits?: XmlLimits): string {
  const result = decodeRequest(typeof xml === 'string' ? bytes(xml) : xml, limits);
  assert.ok(!result.ok, `expected ${code}, decoded ${JSON.stringify(result, bigintJson)}`);
  assert.equal(result.error.code, code, result.error.message);
  return result.error.message;
}

function bigintJson(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}

function createChildren(inner: string): readonly CreateChild[] {
  const request = decodeOk(`<create>${inner}</create>`);
  assert.equal(request.kind, 'create');
  return request.kind === 'create' ? request.children : [];
}

function transactionChildren(inner: string, account = '123'): readonly TransactionChild[] {
  const request = decodeOk(`<transactions id="${account}">${inner}</transactions>`);
  assert.equal(request.kind, 'transactions');
  if (request.kind !== 'transactions') return [];
  assert.equal(request.account, account);
  return request.children;
}

/** Asserts an invalid child with this code (and echo, when given); returns its message. */
function assertInvalid(
  child: CreateChild | TransactionChild | undefined,
  code: ErrorCode,
  echo?: [string, string][],
): string {
  assert.ok(child !== undefined, 'the child exists');
  assert.equal(child.kind, 'invalid', JSON.stringify(child, bigintJson));
  if (child.kind !== 'invalid') return '';
  assert.equal(child.error.code, code, child.error.message);
  if (echo !== undefined) assert.deepEqual(child.echo, echo);
  return child.error.message;
}

// ---------------------------------------------------------------------------------------------

describe('decodeRequest: <create>', () => {
  test('the example from the protocol', () => {
    const children = createChildren(
      '\n  <account id="123456" balance="1000"/>\n  <symbol sym="SPY">\n    <account id="123456">100000</account>\n  </symbol>\n',
    );
    assert.deepEqual(children, [
      { kind: 'account', id: '123456', balance: 1000n * CASH },
      { kind: 'symbol', sym: 'SPY' },
      { kind: 'grant', sym: 'SPY', id: '123456', shares: 100000n * U },
    ]);
  });

  test('a symbol with several accounts: one grant each, in order', () => {
    const children = createChildren(
      '<symbol sym="T5asdf"><account id="3">1.5</account><account id="1">2</account><account id="2"> 0.00000001 </account></symbol>',
    );
    assert.deepEqual(children, [
      { kind: 'symbol', sym: 'T5asdf' },
      { kind: 'grant', sym: 'T5asdf', id: '3', shares: 150_000_000n },
      { kind: 'grant', sym: 'T5asdf', id: '1', shares: 2n * U },
      { kind: 'grant', sym: 'T5asdf', id: '2', shares: 1n },
    ]);
  });

  test('document order is preserved across accounts and symbols', () => {
    const children = createChildren(
      '<account id="1" balance="10"/><symbol sym="A"><account id="1">5</account></symbol>' +
        '<account id="2" balance="0.5"/><symbol sym="B"><account id="2">7</account><account id="1">8</account></symbol>' +
        '<account id="3" balance="0"/>',
    );
    assert.deepEqual(
      children.map((c) =>
        c.kind === 'invalid'
          ? 'invalid'
          : `${c.kind}:${'sym' in c ? c.sym : ''}:${'id' in c ? c.id : ''}`,
      ),
      [
        'account::1',
        'symbol:A:',
        'grant:A:1',
        'account::2',
        'symbol:B:',
        'grant:B:2',
        'grant:B:1',
        'account::3',
      ],
    );
    assert.deepEqual(children[3], { kind: 'account', id: '2', balance: CASH / 2n });
    assert.deepEqual(children[7], { kind: 'account', id: '3', balance: 0n });
  });

  test('a symbol without accounts: one error child echoing sym', () => {
    const children = createChildren('<symbol sym="SPY"/><account id="1" balance="1"/>');
    const invalid = children.filter((c) => c.kind === 'invalid');
    assert.equal(invalid.length, 1);
    assertInvalid(invalid[0], 'SYMBOL_WITHOUT_ACCOUNTS', [['sym', 'SPY']]);
    // The rest of the request is processed, after it.
    assert.deepEqual(children[children.length - 1], { kind: 'account', id: '1', balance: CASH });
    // No grant came from it.
    assert.equal(children.filter((c) => c.kind === 'grant').length, 0);
    // Same with white space only inside.
    const spaced = createChildren('<symbol sym="SPY">\n  \n</symbol>').filter(
      (c) => c.kind === 'invalid',
    );
    assert.equal(spaced.length, 1);
    assertInvalid(spaced[0], 'SYMBOL_WITHOUT_ACCOUNTS', [['sym', 'SPY']]);
  });

  test('an invalid symbol name: one error per account named, echoing sym and id', () => {
    const children = createChildren(
      '<symbol sym="S-P"><account id="1">5</account><account id="2">6</account></symbol><account id="9" balance="1"/>',
    );
    assert.equal(children.length, 3);
    assertInvalid(children[0], 'INVALID_SYMBOL', [
      ['sym', 'S-P'],
      ['id', '1'],
    ]);
    assertInvalid(children[1], 'INVALID_SYMBOL', [
      ['sym', 'S-P'],
      ['id', '2'],
    ]);
    assert.deepEqual(children[2], { kind: 'account', id: '9', balance: CASH });
  });

  test('an invalid symbol name with no accounts: one error echoing sym', () => {
    for (const sym of ['', 'S P', 'ÄBC', 'S&amp;P']) {
      const children = createChildren(`<symbol sym="${sym}"/>`);
      assert.equal(children.length, 1, sym);
      assertInvalid(children[0], 'INVALID_SYMBOL', [['sym', sym.replace('&amp;', '&')]]);
    }
  });

  test('missing attributes', () => {
    const children = createChildren(
      '<account balance="1"/><account id="1"/><account/><symbol><account id="1">1</account></symbol>' +
        '<symbol sym="X"><account>5</account></symbol>',
    );
    assert.ok(assertInvalid(children[0], 'MISSING_ATTRIBUTE', []).includes('id'));
    assert.ok(assertInvalid(children[1], 'MISSING_ATTRIBUTE', [['id', '1']]).includes('balance'));
    const both = assertInvalid(children[2], 'MISSING_ATTRIBUTE', []);
    assert.ok(both.includes('id') && both.includes('balance'));
    assert.ok(assertInvalid(children[3], 'MISSING_ATTRIBUTE').includes('sym'));
    assert.deepEqual(children[4], { kind: 'symbol', sym: 'X' });
    assert.ok(
      assertInvalid(children[5], 'MISSING_ATTRIBUTE', [
        ['sym', 'X'],
        ['id', ''],
      ]).includes('id'),
    );
    assert.equal(children.length, 6);
  });

  test('invalid account ids', () => {
    const children = createChildren(
      '<account id="12a" balance="1"/><account id="" balance="1"/><account id="-1" balance="1"/>' +
        '<symbol sym="X"><account id="x">5</account></symbol>',
    );
    assertInvalid(children[0], 'INVALID_ACCOUNT_ID', [['id', '12a']]);
    assertInvalid(children[1], 'INVALID_ACCOUNT_ID', [['id', '']]);
    assertInvalid(children[2], 'INVALID_ACCOUNT_ID', [['id', '-1']]);
    assertInvalid(children[4], 'INVALID_ACCOUNT_ID', [
      ['sym', 'X'],
      ['id', 'x'],
    ]);
  });

  test('a negative balance', () => {
    const children = createChildren(
      '<account id="1" balance="-1"/><account id="2" balance="-0.01"/>',
    );
    assertInvalid(children[0], 'NEGATIVE_BALANCE', [['id', '1']]);
    assertInvalid(children[1], 'NEGATIVE_BALANCE', [['id', '2']]);
  });

  test('negative shares', () => {
    const children = createChildren(
      '<symbol sym="X"><account id="1">-5</account><account id="2">3</account></symbol>',
    );
    assertInvalid(children[1], 'NEGATIVE_SHARES', [
      ['sym', 'X'],
      ['id', '1'],
    ]);
    assert.deepEqual(children[2], { kind: 'grant', sym: 'X', id: '2', shares: 3n * U });
  });

  test('too many fractional digits are rejected, never rounded', () => {
    const children = createChildren(
      '<account id="1" balance="1.123456789"/><symbol sym="X"><account id="1">0.000000001</account></symbol>',
    );
    assert.ok(
      assertInvalid(children[0], 'TOO_MANY_DECIMALS', [['id', '1']]).includes('1.123456789'),
    );
    assertInvalid(children[2], 'TOO_MANY_DECIMALS', [
      ['sym', 'X'],
      ['id', '1'],
    ]);
    // Trailing zeros are not extra precision.
    assert.deepEqual(createChildren('<account id="1" balance="1.1234567800"/>'), [
      { kind: 'account', id: '1', balance: 112345678n * U },
    ]);
  });

  test('exponent notation, Infinity, NaN and hex are not numbers', () => {
    for (const text of [
      '1e3',
      '1E3',
      '1e-3',
      'Infinity',
      '-Infinity',
      'NaN',
      '0x10',
      '1,5',
      '',
      '.',
      '+',
      '1 000',
    ]) {
      const children = createChildren(
        `<account id="1" balance="${text}"/><symbol sym="X"><account id="1">${text}</account></symbol>`,
      );
      assertInvalid(children[0], 'INVALID_NUMBER', [['id', '1']]);
      assertInvalid(children[2], 'INVALID_NUMBER', [
        ['sym', 'X'],
        ['id', '1'],
      ]);
    }
  });

  test('plain decimal forms are accepted', () => {
    const forms: [string, bigint][] = [
      ['125', 125n * U],
      ['+3.', 3n * U],
      ['.25', 25_000_000n],
      ['007', 7n * U],
      [' 12.5 ', 1_250_000_000n],
      ['-0', 0n],
      ['999999999999999', 999_999_999_999_999n * U],
    ];
    for (const [text, shares] of forms) {
      const children = createChildren(`<symbol sym="X"><account id="1">${text}</account></symbol>`);
      assert.deepEqual(children[1], { kind: 'grant', sym: 'X', id: '1', shares }, text);
    }
  });

  test('too large numbers are rejected, never wrapped', () => {
    const children = createChildren('<account id="1" balance="1234567890123456"/>');
    assertInvalid(children[0], 'NUMBER_TOO_LARGE', [['id', '1']]);
  });

  test('only ASCII white space around a number is tolerated', () => {
    // fixed.ts: "Surrounding ASCII whitespace is tolerated". A no-break space (U+00A0) or a
    // byte-order mark (U+FEFF) is not ASCII white space: the value is not a plain number.
    const children = createChildren(
      '<account id="1" balance="&#160;5"/><symbol sym="X"><account id="1">&#xFEFF;5</account></symbol>',
    );
    assertInvalid(children[0], 'INVALID_NUMBER', [['id', '1']]);
    assertInvalid(children[2], 'INVALID_NUMBER', [
      ['sym', 'X'],
      ['id', '1'],
    ]);
  });

  test('an unknown element inside <create> or <symbol>', () => {
    const children = createChildren(
      '<foo id="1"/><symbol sym="X"><bar/><account id="1">1</account></symbol>',
    );
    assert.ok(assertInvalid(children[0], 'UNKNOWN_ELEMENT', []).includes('<foo>'));
    assert.deepEqual(children[1], { kind: 'symbol', sym: 'X' });
    assert.ok(assertInvalid(children[2], 'UNKNOWN_ELEMENT').includes('<bar>'));
    assert.deepEqual(children[3], { kind: 'grant', sym: 'X', id: '1', shares: U });
  });

  test('share counts from entities and CDATA', () => {
    const children = createChildren(
      '<symbol sym="X"><account id="1">&#49;00</account><account id="2"><![CDATA[ 2.5 ]]></account></symbol>',
    );
    assert.deepEqual(children.slice(1), [
      { kind: 'grant', sym: 'X', id: '1', shares: 100n * U },
      { kind: 'grant', sym: 'X', id: '2', shares: 250_000_000n },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('decodeRequest: <transactions>', () => {
  test('order, query and cancel', () => {
    const children = transactionChildren(
      '\n  <order sym="SPY" amount="300" limit="125"/>\n  <order sym="SPY" amount="-100.5" limit="130.25"/>' +
        '\n  <query id="1"/>\n  <cancel id="2"/>\n',
    );
    assert.deepEqual(children, [
      withUnits({
        kind: 'order',
        ...PLAIN,
        sym: 'SPY',
        amount: 300n * U,
        limit: 125n * U,
        echo: [
          ['sym', 'SPY'],
          ['amount', '300'],
          ['limit', '125'],
        ],
      }),
      withUnits({
        kind: 'order',
        ...PLAIN,
        sym: 'SPY',
        amount: -10_050_000_000n,
        limit: 13_025_000_000n,
        echo: [
          ['sym', 'SPY'],
          ['amount', '-100.5'],
          ['limit', '130.25'],
        ],
      }),
      { kind: 'query', orderId: 1, echo: [['id', '1']] },
      { kind: 'cancel', orderId: 2, echo: [['id', '2']] },
    ]);
  });

  test('the echo keeps the attributes exactly as sent', () => {
    const children = transactionChildren(
      '<order limit="12.50" amount="+0300" sym="X"/><query id=" 7 "/>',
    );
    assert.deepEqual(
      children[0],
      withUnits({
        kind: 'order',
        ...PLAIN,
        sym: 'X',
        amount: 300n * U,
        limit: 1_250_000_000n,
        echo: [
          ['sym', 'X'],
          ['amount', '+0300'],
          ['limit', '12.50'],
        ],
      }),
    );
    assert.deepEqual(children[1], { kind: 'query', orderId: 7, echo: [['id', ' 7 ']] });
  });

  test('an unknown child element', () => {
    const children = transactionChildren('<buy sym="X" amount="1" limit="1"/><query id="1"/>');
    assert.ok(assertInvalid(children[0], 'UNKNOWN_ELEMENT', []).includes('<buy>'));
    assert.equal(children[1]!.kind, 'query');
  });

  test('amount 0 in any spelling', () => {
    for (const amount of ['0', '0.0', '-0', '+0.00000000', '.0']) {
      const children = transactionChildren(`<order sym="X" amount="${amount}" limit="1"/>`);
      assertInvalid(children[0], 'ZERO_AMOUNT', [
        ['sym', 'X'],
        ['amount', amount],
        ['limit', '1'],
      ]);
    }
  });

  test('a limit of zero or below', () => {
    for (const limit of ['0', '-1', '-0.01', '0.00000000']) {
      const children = transactionChildren(`<order sym="X" amount="5" limit="${limit}"/>`);
      assertInvalid(children[0], 'NON_POSITIVE_LIMIT', [
        ['sym', 'X'],
        ['amount', '5'],
        ['limit', limit],
      ]);
    }
  });

  test('non-numbers and too many decimals in amount and limit', () => {
    const cases: [string, string, ErrorCode][] = [
      ['1e3', '1', 'INVALID_NUMBER'],
      ['1', '1E3', 'INVALID_NUMBER'],
      ['Infinity', '1', 'INVALID_NUMBER'],
      ['1', 'Infinity', 'INVALID_NUMBER'],
      ['NaN', '1', 'INVALID_NUMBER'],
      ['1', 'NaN', 'INVALID_NUMBER'],
      ['-Infinity', '1', 'INVALID_NUMBER'],
      ['abc', '1', 'INVALID_NUMBER'],
      ['1.000000001', '1', 'TOO_MANY_DECIMALS'],
      ['1', '0.123456789', 'TOO_MANY_DECIMALS'],
      ['1000000000000000', '1', 'NUMBER_TOO_LARGE'],
    ];
    for (const [amount, limit, code] of cases) {
      const children = transactionChildren(`<order sym="X" amount="${amount}" limit="${limit}"/>`);
      assertInvalid(children[0], code, [
        ['sym', 'X'],
        ['amount', amount],
        ['limit', limit],
      ]);
    }
  });

  test('missing attributes of an order echo what was there', () => {
    const children = transactionChildren('<order/><order sym="X"/><order amount="1" limit="2"/>');
    const all = assertInvalid(children[0], 'MISSING_ATTRIBUTE', []);
    assert.ok(all.includes('sym') && all.includes('amount') && all.includes('limit'));
    const two = assertInvalid(children[1], 'MISSING_ATTRIBUTE', [['sym', 'X']]);
    assert.ok(two.includes('amount') && two.includes('limit') && !two.includes('sym'));
    assertInvalid(children[2], 'MISSING_ATTRIBUTE', [
      ['amount', '1'],
      ['limit', '2'],
    ]);
  });

  test('an invalid symbol in an order', () => {
    const children = transactionChildren('<order sym="S P" amount="1" limit="1"/>');
    assertInvalid(children[0], 'INVALID_SYMBOL', [
      ['sym', 'S P'],
      ['amount', '1'],
      ['limit', '1'],
    ]);
  });

  test('order ids', () => {
    const children = transactionChildren(
      '<query id="abc"/><cancel id="-3"/><query id="1.5"/><query id=""/><query/><cancel id="99999999999999999999"/>' +
        '<query id="0"/><cancel id="9007199254740991"/>',
    );
    assertInvalid(children[0], 'INVALID_ORDER_ID', [['id', 'abc']]);
    assertInvalid(children[1], 'INVALID_ORDER_ID', [['id', '-3']]);
    assertInvalid(children[2], 'INVALID_ORDER_ID', [['id', '1.5']]);
    assertInvalid(children[3], 'INVALID_ORDER_ID', [['id', '']]);
    assertInvalid(children[4], 'MISSING_ATTRIBUTE', []);
    // Ids never issued are unknown, not malformed.
    assertInvalid(children[5], 'ORDER_NOT_FOUND', [['id', '99999999999999999999']]);
    const zero = children[6];
    assert.ok(zero !== undefined && zero.kind === 'invalid', 'id 0 is never a valid order');
    assert.deepEqual(zero.echo, [['id', '0']]);
    assert.deepEqual(children[7], {
      kind: 'cancel',
      orderId: 9007199254740991,
      echo: [['id', '9007199254740991']],
    });
  });

  test('an account id is passed on as sent (the engine decides whether it exists)', () => {
    const request = decodeOk('<transactions><query id="1"/></transactions>');
    assert.ok(request.kind === 'transactions');
    assert.equal(request.account, '');
    const other = decodeOk('<transactions id="&#49;2"><query id="1"/></transactions>');
    assert.ok(other.kind === 'transactions');
    assert.equal(other.account, '12');
  });

  test('valid and invalid children keep document order', () => {
    const children = transactionChildren(
      '<order sym="X" amount="0" limit="1"/><query id="5"/><nope/><cancel id="6"/><order sym="Y" amount="-2" limit="3"/>',
    );
    assert.deepEqual(
      children.map((c) => c.kind),
      ['invalid', 'query', 'invalid', 'cancel', 'order'],
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('decodeRequest: whole-request outcomes', () => {
  test('empty <create/> and <transactions id="1"/> have no children', () => {
    assert.deepEqual(decodeOk('<create/>'), { kind: 'create', children: [] });
    assert.deepEqual(decodeOk('<create>\n  \n</create>'), { kind: 'create', children: [] });
    assert.deepEqual(decodeOk('<transactions id="1"/>'), {
      kind: 'transactions',
      account: '1',
      children: [],
    });
    assert.deepEqual(decodeOk('<transactions id="1">\r\n</transactions>'), {
      kind: 'transactions',
      account: '1',
      children: [],
    });
  });

  test('an XML declaration, comments and a byte-order mark are fine', () => {
    assert.deepEqual(decodeOk('<?xml version="1.0" encoding="UTF-8"?>\n<!-- hi --><create/>\n'), {
      kind: 'create',
      children: [],
    });
    assert.deepEqual(decodeOk('\uFEFF<create/>'), { kind: 'create', children: [] });
  });

  test('an unknown root', () => {
    assert.ok(decodeFails('<foo/>', 'UNKNOWN_ROOT').includes('<foo>'));
    decodeFails('<results/>', 'UNKNOWN_ROOT');
    decodeFails('<Create/>', 'UNKNOWN_ROOT');
  });

  test('malformed XML', () => {
    for (const xml of [
      '',
      '   ',
      'not xml',
      '<create>',
      '<create><account id="1" balance="1"></create>',
      '<create/><create/>',
      '<create/>junk',
      '<create a="1" a="2"/>',
      '<create a=1/>',
      '<create>&undefined;</create>',
      '<create>&amp</create>',
      '<create><![CDATA[</create>',
    ]) {
      decodeFails(xml, 'MALFORMED_XML');
    }
  });

  test('invalid UTF-8', () => {
    const cases = [
      Buffer.concat([bytes('<create><!-- '), Buffer.from([0xff]), bytes(' --></create>')]),
      Buffer.concat([bytes('<create/>'), Buffer.from([0xc0, 0xaf])]), // overlong '/'
      Buffer.concat([bytes('<create a="'), Buffer.from([0xed, 0xa0, 0x80]), bytes('"/>')]), // surrogate
      Buffer.concat([bytes('<create>'), Buffer.from([0xe2, 0x82]), bytes('</create>')]), // truncated €
    ];
    for (const body of cases) decodeFails(body, 'INVALID_UTF8');
  });

  test('DOCTYPE refused: billion laughs is never expanded', () => {
    const levels = ['<!ENTITY lol "lol">'];
    for (let i = 1; i <= 9; i++) {
      const ref = `&lol${i === 1 ? '' : i - 1};`;
      levels.push(`<!ENTITY lol${i} "${ref.repeat(10)}">`);
    }
    const xml = `<?xml version="1.0"?>\n<!DOCTYPE create [\n  ${levels.join('\n  ')}\n]>\n<create><symbol sym="&lol9;"><account id="1">1</account></symbol></create>`;
    const started = process.hrtime.bigint();
    const message = decodeFails(xml, 'DOCTYPE_FORBIDDEN');
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 500, `refused in ${ms} ms`);
    assert.ok(!message.includes('lollol'));
  });

  test('DOCTYPE refused: an external (XXE) entity is never resolved', () => {
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE create [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
      '<create><symbol sym="X"><account id="1">&xxe;</account></symbol></create>';
    const message = decodeFails(xxe, 'DOCTYPE_FORBIDDEN');
    assert.ok(!message.includes('root:'));
    decodeFails(
      '<!DOCTYPE transactions [<!ENTITY % p SYSTEM "http://127.0.0.1:1/evil.dtd"> %p;]><transactions id="1"/>',
      'DOCTYPE_FORBIDDEN',
    );
    decodeFails(
      '<!DOCTYPE create SYSTEM "http://127.0.0.1:1/x.dtd"><create/>',
      'DOCTYPE_FORBIDDEN',
    );
  });

  test('DOCTYPE refused even without declarations', () => {
    decodeFails('<!DOCTYPE create><create/>', 'DOCTYPE_FORBIDDEN');
  });

  test('depth cap', () => {
    const limits = { ...DEFAULT_XML_LIMITS, maxDepth: 3, maxElements: 100 };
    // create > symbol > account is 3 deep: allowed.
    const ok = decodeOk(
      '<create><symbol sym="X"><account id="1">1</account></symbol></create>',
      limits,
    );
    assert.equal(ok.kind, 'create');
    decodeFails(
      '<create><symbol sym="X"><account id="1"><x/></account></symbol></create>',
      'XML_TOO_COMPLEX',
      limits,
    );
    // The default cap stops a deep document quickly.
    const deep = '<create>' + '<a>'.repeat(10_000) + '</a>'.repeat(10_000) + '</create>';
    decodeFails(deep, 'XML_TOO_COMPLEX');
  });

  test('element-count cap', () => {
    const limits = { ...DEFAULT_XML_LIMITS, maxElements: 5 };
    const four = '<account id="1" balance="1"/>'.repeat(4);
    assert.equal(decodeOk(`<create>${four}</create>`, limits).kind, 'create');
    decodeFails(`<create>${four}<account id="2" balance="1"/></create>`, 'XML_TOO_COMPLEX', limits);
    decodeFails(
      `<transactions id="1">${'<query id="1"/>'.repeat(100)}</transactions>`,
      'XML_TOO_COMPLEX',
      limits,
    );
  });

  test('attribute length cap', () => {
    const limits = { ...DEFAULT_XML_LIMITS, maxAttributeLength: 8 };
    const order = (sym: string): string =>
      `<transactions id="1"><order sym="${sym}" amount="1" limit="1"/></transactions>`;
    assert.equal(decodeOk(order('ABCDEFGH'), limits).kind, 'transactions');
    const message = decodeFails(order('ABCDEFGHI'), 'ATTRIBUTE_TOO_LONG', limits);
    assert.match(message, /sym of <order> is over 8 characters/);
    // The default: a megabyte-long symbol is refused as such, not parsed on.
    decodeFails(order('A'.repeat(100_000)), 'ATTRIBUTE_TOO_LONG');
  });

  test('attribute values with entities are decoded', () => {
    const children = transactionChildren(
      '<order sym="S&amp;P" amount="&#49;0" limit="&#x31;.5"/><order sym="&#x41;&#66;C" amount="1" limit="&quot;2&quot;"/>' +
        '<query id="&lt;1&gt;"/>',
    );
    assertInvalid(children[0], 'INVALID_SYMBOL', [
      ['sym', 'S&P'],
      ['amount', '10'],
      ['limit', '1.5'],
    ]);
    assertInvalid(children[1], 'INVALID_NUMBER', [
      ['sym', 'ABC'],
      ['amount', '1'],
      ['limit', '"2"'],
    ]);
    assertInvalid(children[2], 'INVALID_ORDER_ID', [['id', '<1>']]);
    const ok = transactionChildren('<order sym="&#x41;" amount="&#x2D;2" limit="3&#46;5"/>');
    assert.deepEqual(
      ok[0],
      withUnits({
        kind: 'order',
        ...PLAIN,
        sym: 'A',
        amount: -2n * U,
        limit: 350_000_000n,
        echo: [
          ['sym', 'A'],
          ['amount', '-2'],
          ['limit', '3.5'],
        ],
      }),
    );
  });

  test('arbitrary bytes never throw', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.string({ maxLength: 100 }).map((s) => bytes(`<create>${s}</create>`)),
          fc
            .string({ maxLength: 100 })
            .map((s) =>
              bytes(`<transactions id="1"><order sym="X" amount="${s}" limit="1"/></transactions>`),
            ),
        ),
        (body) => {
          const result = decodeRequest(body);
          assert.equal(typeof result.ok, 'boolean');
        },
      ),
      { numRuns: 500 },
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('encodeResults and encodeRequestError', () => {
  const status = (s: Partial<OrderStatus>): OrderStatus => ({
    open: 0n,
    canceled: null,
    fills: [],
    ...s,
  });

  test('no children: <results/>', () => {
    assert.equal(encodeResults([]), '<results/>\n');
  });

  test('created, for an account and for a symbol grant', () => {
    assert.equal(
      encodeResults([
        { kind: 'created', id: '123456' },
        { kind: 'granted', sym: 'SPY', id: '123456' },
      ]),
      '<results>\n  <created id="123456"/>\n  <created sym="SPY" id="123456"/>\n</results>\n',
    );
  });

  test('opened echoes sym, amount and limit as sent', () => {
    assert.equal(
      encodeResult({
        kind: 'opened',
        echo: [
          ['sym', 'SPY'],
          ['amount', '+100.50'],
          ['limit', '12.50'],
        ],
        orderId: 7,
      }),
      '<opened sym="SPY" amount="+100.50" limit="12.50" id="7"/>',
    );
  });

  test('status: open, then executions oldest first, numbers in plain notation', () => {
    const text = encodeResult({
      kind: 'status',
      echo: [['id', '7']],
      status: status({
        open: 100n * U,
        fills: [
          { shares: 50n * U, price: 1_250_000_000n, time: 1_700_000_000 },
          { shares: 1n, price: 12_500_000_000n, time: 1_700_000_001 },
        ],
      }),
    });
    assert.equal(
      text,
      '<status id="7">\n    <open shares="100"/>\n    <executed shares="50" price="12.5" time="1700000000"/>\n' +
        '    <executed shares="0.00000001" price="125" time="1700000001"/>\n  </status>',
    );
  });

  test('status: canceled, and no open element when nothing is open', () => {
    assert.equal(
      encodeResult({
        kind: 'status',
        echo: [['id', '3']],
        status: status({
          canceled: { shares: 50_000_000n, time: 1_700_000_002 },
          fills: [{ shares: 2n * U, price: 10n * U, time: 1_700_000_000 }],
        }),
      }),
      '<status id="3">\n    <canceled shares="0.5" time="1700000002"/>\n    <executed shares="2" price="10" time="1700000000"/>\n  </status>',
    );
  });

  test('status with nothing to report is a self-closing element', () => {
    assert.equal(
      encodeResult({ kind: 'status', echo: [['id', '3']], status: status({}) }),
      '<status id="3"/>',
    );
  });

  test('canceled lists canceled and executions, never open', () => {
    assert.equal(
      encodeResult({
        kind: 'canceled',
        echo: [['id', '1']],
        status: status({
          open: 5n * U,
          canceled: { shares: 100n * U, time: 1_700_000_010 },
          fills: [{ shares: 200n * U, price: 125n * U, time: 1_700_000_005 }],
        }),
      }),
      '<canceled id="1">\n    <canceled shares="100" time="1700000010"/>\n    <executed shares="200" price="125" time="1700000005"/>\n  </canceled>',
    );
  });

  test('a whole reply with several kinds of children', () => {
    const results: Result[] = [
      {
        kind: 'opened',
        echo: [
          ['sym', 'X'],
          ['amount', '300'],
          ['limit', '125'],
        ],
        orderId: 1,
      },
      {
        kind: 'error',
        echo: [
          ['sym', 'X'],
          ['amount', '-5'],
          ['limit', '1'],
        ],
        error: exchangeError('INSUFFICIENT_SHARES'),
      },
      { kind: 'status', echo: [['id', '1']], status: status({ open: 300n * U }) },
    ];
    assert.equal(
      encodeResults(results),
      '<results>\n' +
        '  <opened sym="X" amount="300" limit="125" id="1"/>\n' +
        '  <error sym="X" amount="-5" limit="1">Insufficient shares</error>\n' +
        '  <status id="1">\n    <open shares="300"/>\n  </status>\n' +
        '</results>\n',
    );
  });

  test('error echoes escaped attributes and an escaped message', () => {
    const text = encodeResult({
      kind: 'error',
      echo: [
        ['sym', `S&P<>"'`],
        ['amount', '1\n2'],
        ['limit', '\t3\r'],
      ],
      error: exchangeError('INVALID_SYMBOL', 'sym="S&P<x>"'),
    });
    assert.equal(
      text,
      '<error sym="S&amp;P&lt;&gt;&quot;&apos;" amount="1&#10;2" limit="&#9;3&#13;">' +
        'Symbol must be one or more ASCII letters or digits: sym="S&amp;P&lt;x&gt;"</error>',
    );
  });

  test('created ids and grant symbols are escaped too', () => {
    assert.equal(encodeResult({ kind: 'created', id: 'a"&' }), '<created id="a&quot;&amp;"/>');
    assert.equal(
      encodeResult({ kind: 'granted', sym: '<', id: '1' }),
      '<created sym="&lt;" id="1"/>',
    );
  });

  test('an error with no echo', () => {
    assert.equal(
      encodeResults([
        { kind: 'error', echo: [], error: exchangeError('UNKNOWN_ELEMENT', '<foo> in <create>') },
      ]),
      '<results>\n  <error>Unknown element: &lt;foo&gt; in &lt;create&gt;</error>\n</results>\n',
    );
  });

  test('encodeRequestError', () => {
    assert.equal(
      encodeRequestError(exchangeError('MALFORMED_XML')),
      '<results>\n  <error>Malformed XML</error>\n</results>\n',
    );
    assert.equal(
      encodeRequestError(exchangeError('UNKNOWN_ROOT', '<foo>')),
      '<results>\n  <error>Unknown request: root element must be &lt;create&gt; or &lt;transactions&gt;: &lt;foo&gt;</error>\n</results>\n',
    );
  });

  test('numbers: no trailing zeros, no exponent', () => {
    const cases: [bigint, bigint, string, string][] = [
      [1_250_000_000n, 1_250_000_000n, '12.5', '12.5'],
      [100n * U, 125n * U, '100', '125'],
      [1n, 1n, '0.00000001', '0.00000001'],
      [10n ** 30n, 10n ** 22n, '10000000000000000000000', '100000000000000'],
      [123_456_789_012_345_678n, 10_000_000n, '1234567890.12345678', '0.1'],
    ];
    for (const [shares, price, sharesText, priceText] of cases) {
      const text = encodeResult({
        kind: 'status',
        echo: [['id', '1']],
        status: status({ fills: [{ shares, price, time: 1 }] }),
      });
      assert.ok(text.includes(`shares="${sharesText}" price="${priceText}"`), text);
      assert.ok(!/e[+-]?\d/i.test(text.replace(/executed|time|status/g, '')), text);
    }
  });

  test('escapeXml and escapeText', () => {
    assert.equal(escapeXml(`a&b<c>d"e'f`), 'a&amp;b&lt;c&gt;d&quot;e&apos;f');
    assert.equal(escapeText(`a&b<c>d"e'f\n`), `a&amp;b&lt;c&gt;d"e'f\n`);
    assert.equal(escapeXml('plain €'), 'plain €');
    assert.equal(escapeXml('a\tb\nc\rd?'), 'a&#9;b&#10;c&#13;d?');
    assert.equal(escapeXml('-100.5'), '-100.5');
  });

  test('echoed attributes survive a round trip through a real XML parser', () => {
    const xmlChar = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => xmlChar.test(s)),
        fc.string({ maxLength: 20 }).filter((s) => xmlChar.test(s)),
        (sym, amount) => {
          const reply = encodeResults([
            {
              kind: 'error',
              echo: [
                ['sym', sym],
                ['amount', amount],
              ],
              error: exchangeError('INVALID_SYMBOL', sym),
            },
          ]);
          const tree = parseXmlTree(bytes(reply));
          assert.ok(tree.ok, reply);
          const error = tree.root.children[0];
          assert.ok(error !== undefined);
          assert.equal(error.attributes.sym, sym);
          assert.equal(error.attributes.amount, amount);
          assert.equal(
            error.text,
            exchangeError('INVALID_SYMBOL', sym).message.replace(/\r\n?/g, '\n'),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('frameReply', () => {
  test('the length line counts UTF-8 bytes', () => {
    const xml =
      '<results>\n  <error>Symbol must be one or more ASCII letters or digits: sym="€😀"</error>\n</results>\n';
    const framed = Buffer.from(frameReply(xml), 'utf8');
    const newline = framed.indexOf(0x0a);
    const declared = Number(framed.subarray(0, newline).toString('ascii'));
    assert.equal(declared, Buffer.byteLength(xml, 'utf8'));
    assert.ok(declared > xml.length);
    assert.equal(framed.subarray(newline + 1).toString('utf8'), xml);
    assert.equal(framed.length, newline + 1 + declared);
  });

  test('exact framing of an empty reply', () => {
    assert.equal(frameReply('<results/>\n'), '11\n<results/>\n');
  });
});
