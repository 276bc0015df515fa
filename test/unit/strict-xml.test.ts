import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseStrictXml } from '../../src/protocol/strict-xml.js';
import { DEFAULT_XML_LIMITS, type XmlLimits } from '../../src/protocol/xml-tree.js';
import { differential, documentBytes, limits } from '../../bench/xml-differential-cases.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

/** Which parser decided `doc`, after checking that both paths agree on it. */
const decidedBy = (doc: string, within: XmlLimits = DEFAULT_XML_LIMITS): string =>
  differential(bytes(doc), within);

describe('the strict XML parser', () => {
  test('decides the documents clients send, with the tree saxes builds', () => {
    const documents = [
      '<create><account id="1" balance="1000"/></create>',
      '<?xml version="1.0" encoding="UTF-8"?>\n<create>\n  <account id="123456" balance="1000"/>\n  <symbol sym="SPY">\n    <account id="123456">100000</account>\n  </symbol>\n</create>\n',
      "<transactions id='1'><order sym='SPY' amount='-100' limit='145.67'/></transactions>",
      '<transactions id="1">\r\n  <order sym="SPY" amount="100" limit="1" type="stop" stop="2" tif="IOC" stp="cancel-newest"/>\r\n  <query id="17" />\r\n  <cancel id="18"></cancel>\r\n  <amend id="3" amount="5"/>\r\n</transactions>\r\n',
      '<create><symbol sym="A&amp;B"><account id="&#49;">\t1.5 &#x41;&lt;</account></symbol></create>',
      '<create><account id="1" balance="caf\u00e9 \u{1F600}"/></create>',
      "<?xml version='1.0' standalone='yes' ?><create/>",
      '\uFEFF<create/>',
    ];
    for (const doc of documents) assert.equal(decidedBy(doc), 'strict', doc);
  });

  test('normalises line ends and attribute white space as saxes does', () => {
    const root = parseStrictXml('<a x="1\r\n2\t3\n4\r5">b\r\nc\rd\r\r\ne</a>', DEFAULT_XML_LIMITS);
    assert.ok(root !== undefined);
    assert.equal(root.attributes.x, '1 2 3 4 5');
    assert.equal(root.text, 'b\nc\nd\n\ne');
    assert.equal(Object.getPrototypeOf(root.attributes), null);
    for (const doc of [
      '<a x="1\r\n2\t3\n4\r5">b\r\nc\rd\r\r\ne</a>',
      '<a x="&#13;&#9;">&#13;</a>',
    ]) {
      assert.equal(decidedBy(doc), 'strict', doc);
    }
  });

  test('leaves to saxes whatever it is not sure of', () => {
    const documents = [
      '',
      '   ',
      '<!-- hi --><create/>',
      '<create><!-- hi --></create>',
      '<create><![CDATA[x]]></create>',
      '<?pi x?><create/>',
      '<!DOCTYPE create><create/>',
      '<?xml version="1.1"?><create/>',
      ' <?xml version="1.0"?><create/>',
      '<?xml version="1.0" standalone="no" encoding="UTF-8"?><create/>',
      // The decoder drops one byte order mark; saxes skips a second.
      '\uFEFF\uFEFF<create/>',
      '<caf\u00e9/>',
      '<create a="1" a="2"/>',
      '<create a="1"b="2"/>',
      '<create a=1/>',
      '<create a="<"/>',
      '<create>&foo;</create>',
      '<create>&#X41;</create>',
      '<create>&#0;</create>',
      '<create>]]></create>',
      '<create>\u0001</create>',
      '<create>\uFFFE</create>',
      '<create>',
      '<create></created>',
      '<create/><create/>',
      '<create/>x',
      'x<create/>',
      '<create/ >',
      '</ create>',
    ];
    for (const doc of documents) assert.notEqual(decidedBy(doc), 'strict', JSON.stringify(doc));
  });

  test('leaves to saxes a document over any limit', () => {
    const tight = (over: Partial<XmlLimits>): XmlLimits => ({ ...DEFAULT_XML_LIMITS, ...over });
    const doc = '<transactions id="12"><order sym="SPY"/><query id="1"/></transactions>';
    assert.equal(
      decidedBy(doc, tight({ maxDepth: 2, maxElements: 3, maxAttributeLength: 3 })),
      'strict',
    );
    assert.equal(decidedBy(doc, tight({ maxDepth: 1 })), 'saxesRefused');
    assert.equal(decidedBy(doc, tight({ maxElements: 2 })), 'saxesRefused');
    assert.equal(decidedBy(doc, tight({ maxAttributeLength: 2 })), 'saxesRefused');
  });

  test('answers as saxes does on generated and broken documents', () => {
    const counts = { strict: 0, saxesAccepted: 0, saxesRefused: 0 };
    fc.assert(
      fc.property(documentBytes, limits, (body, within) => {
        counts[differential(body, within)]++;
      }),
      { numRuns: 20_000 },
    );
    // The generator must keep exercising both paths for the comparison to mean anything.
    assert.ok(counts.strict > 4_000, JSON.stringify(counts));
    assert.ok(counts.saxesRefused > 4_000, JSON.stringify(counts));
  });
});
