import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { XmlBoundaryScanner } from '../../src/protocol/xml-boundary.js';
import { parseXmlTree } from '../../src/protocol/xml-tree.js';

// ---------------------------------------------------------------------------------------------
// Helpers

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

/** Scans `input` in one call; the offset just past the root's end, or -1. */
function scanWhole(input: Buffer): number {
  return new XmlBoundaryScanner().scan(input, 0, input.length);
}

/** Scans `input` in pieces cut at `cuts`, each piece its own buffer; absolute offset or -1. */
function scanPieces(input: Buffer, cuts: readonly number[]): number {
  const scanner = new XmlBoundaryScanner();
  let from = 0;
  let found = -1;
  for (const cut of [...cuts, input.length]) {
    const piece = Buffer.from(input.subarray(from, cut));
    const end = scanner.scan(piece, 0, piece.length);
    if (end >= 0 && found < 0) found = from + end;
    from = cut;
  }
  return found;
}

/** One byte at a time, through scan(chunk, i, i + 1) on the same chunk. */
function scanByteByByte(input: Buffer): number {
  const scanner = new XmlBoundaryScanner();
  for (let i = 0; i < input.length; i++) {
    const end = scanner.scan(input, i, i + 1);
    if (end >= 0) {
      assert.equal(end, i + 1);
      assert.equal(scanner.complete, true);
      return end;
    }
  }
  return -1;
}

/** The scanner finds the same end whole, byte by byte, and at every single split. */
function assertEnd(text: string, expected: number): void {
  const input = bytes(text);
  assert.equal(scanWhole(input), expected, `whole: ${text}`);
  assert.equal(scanByteByByte(input), expected, `byte by byte: ${text}`);
  const all: number[] = [];
  for (let i = 1; i < input.length; i++) all.push(i);
  assert.equal(scanPieces(input, all), expected, `one-byte buffers: ${text}`);
  for (let k = 0; k <= input.length; k++) {
    assert.equal(scanPieces(input, [k]), expected, `split at ${k}: ${text}`);
  }
}

/** `doc` is a complete document: its end is found exactly, even with bytes after it. */
function assertDocument(doc: string): void {
  const n = Buffer.byteLength(doc);
  assertEnd(doc, n);
  assertEnd(doc + '<junk attr=">">after</junk>\n', n);
}

/** `text` does not complete a document, and leaves the scanner inside it. */
function assertIncomplete(text: string): void {
  assertEnd(text, -1);
  const scanner = new XmlBoundaryScanner();
  const input = bytes(text);
  scanner.scan(input, 0, input.length);
  assert.equal(scanner.complete, false);
  assert.equal(scanner.insideDocument, true, `inside after ${JSON.stringify(text)}`);
}

// ---------------------------------------------------------------------------------------------

describe('XmlBoundaryScanner: roots', () => {
  test('self-closing roots', () => {
    assertDocument('<create/>');
    assertDocument('<create />');
    assertDocument('<transactions id="1"/>');
    assertDocument("<transactions id='1' />");
    assertDocument('<a\n  b="1"\n  c="2"\n/>');
  });

  test('an empty root with an end tag', () => {
    assertDocument('<create></create>');
    assertDocument('<create ></create >');
  });

  test('nested elements', () => {
    assertDocument('<a><b><c/></b><d></d><e x="1"><f/></e></a>');
    assertDocument(
      '<create>\n  <account id="123456" balance="1000"/>\n  <symbol sym="SPY">\n    <account id="123456">100000</account>\n  </symbol>\n</create>',
    );
    assertDocument('<a><a><a><a/></a></a></a>');
  });

  test('an inner self-closing element does not close the root', () => {
    assertIncomplete('<a><b/>');
    assertIncomplete('<a><b/><c></c>');
    assertEnd('<a><b/></a>', 11);
  });

  test('text with > and / is just text', () => {
    assertDocument('<a>1 > 0 / 2 -> x /></a>');
  });

  test('leading white space before the root', () => {
    assertDocument('\n\r\n  <create/>');
  });

  test('multi-byte UTF-8 in text and attributes: the offset counts bytes', () => {
    const doc = '<a x="€ 😀">naïve 日本</a>';
    assert.ok(Buffer.byteLength(doc) > doc.length);
    assertDocument(doc);
  });

  test('an unfinished root is reported as inside the document', () => {
    assertIncomplete('<');
    assertIncomplete('<create');
    assertIncomplete('<create>');
    assertIncomplete('<create><account id="1"');
    assertIncomplete('<create></create');
  });

  test('nothing yet, or white space only, is not inside a document', () => {
    for (const text of ['', ' ', '\r\n\t ']) {
      const scanner = new XmlBoundaryScanner();
      const input = bytes(text);
      assert.equal(scanner.scan(input, 0, input.length), -1);
      assert.equal(scanner.insideDocument, false);
      assert.equal(scanner.complete, false);
      assert.equal(scanner.rootSeen, false);
    }
  });
});

describe('XmlBoundaryScanner: quoted attributes', () => {
  test("double quotes containing '>' and '/'", () => {
    assertDocument('<a x="a>b/c"/>');
    assertDocument('<a x="/>"></a>');
    assertDocument('<a x=">"><b y="</a>"/></a>');
    assertIncomplete('<a x="/>">');
  });

  test("single quotes containing '>' and '/'", () => {
    assertDocument("<a x='a>b/c'/>");
    assertDocument("<a x='/>'></a>");
    assertDocument("<a x='>'><b y='</a>'/></a>");
    assertIncomplete("<a x='/>'>");
  });

  test('the other quote kind inside a quoted value', () => {
    assertDocument(`<a x="it's />" y='say "/>"'/>`);
    assertDocument(`<a x='"' y="'"><b/></a>`);
    assertIncomplete(`<a x="'/>'">`);
  });

  test("a value ending with '/' does not make the tag self-closing", () => {
    assertIncomplete('<a x="/">');
    assertIncomplete("<a x='/'>");
    assertEnd('<a x="/">text</a>', 17);
  });

  test('inside an open quote the scanner is inside the document', () => {
    assertIncomplete('<a x="');
    assertIncomplete('<a x="></a>');
    assertIncomplete("<a x='></a>");
  });
});

describe('XmlBoundaryScanner: comments, processing instructions, CDATA, declarations', () => {
  test('comments inside the root hide tags', () => {
    assertDocument('<a><!-- </a> <b/> --></a>');
    assertDocument('<a><!-- a - b - > c? </a> --></a>');
    assertDocument('<a><!----></a>');
  });

  test('a comment before the root is not the root', () => {
    assertDocument('<!-- <x/> --><a/>');
    assertDocument('<!-- </x> --><a><b/></a>');
    const scanner = new XmlBoundaryScanner();
    const input = bytes('<!-- <x/> -->');
    assert.equal(scanner.scan(input, 0, input.length), -1);
    assert.equal(scanner.rootSeen, false);
    assertIncomplete('<!-- <x/> ');
  });

  test('a comment whose text starts with ">" or "->" does not end there', () => {
    // XML: Comment ::= '<!--' ((Char - '-') | ('-' (Char - '-')))* '-->'. In "<!-->" and
    // "<!--->" the "--" is the opening one: the comment is still open after them.
    for (const doc of ['<a><!--> </a> --></a>', '<a><!---> </a> --></a>']) {
      assert.ok(parseXmlTree(bytes(doc)).ok, `the real parser accepts ${doc}`);
      assertDocument(doc);
    }
  });

  test('the XML declaration and processing instructions', () => {
    assertDocument('<?xml version="1.0" encoding="UTF-8"?><create/>');
    assertDocument('<?xml version="1.0"?>\n<create>\n</create>');
    assertDocument('<?pi <x/> ?><a/>');
    assertDocument('<a><?pi </a> > ?></a>');
    assertDocument('<a><?pi ? > ?></a>');
    const scanner = new XmlBoundaryScanner();
    const input = bytes('<?xml version="1.0"?>');
    assert.equal(scanner.scan(input, 0, input.length), -1);
    assert.equal(scanner.rootSeen, false);
    assertIncomplete('<?xml version="1.0"');
    assertIncomplete('<a><?pi </a>');
  });

  test("CDATA containing '</x>' and other markup", () => {
    assertDocument('<x><![CDATA[</x>]]></x>');
    assertDocument('<x><![CDATA[</x> <y/> <!-- ]] ]> ]]></x>');
    assertDocument('<x><![CDATA[]]></x>');
    assertIncomplete('<x><![CDATA[</x>');
    assertIncomplete('<x><![CDATA[</x>]]');
  });

  test('a DOCTYPE with an internal subset', () => {
    assertDocument('<!DOCTYPE a [<!ENTITY x "y"><!ELEMENT a ANY>]><a>&x;</a>');
    assertDocument('<!DOCTYPE a><a/>');
    assertIncomplete('<!DOCTYPE a [<!ENTITY x "y">');
  });

  test('rootSeen turns true at the root start tag', () => {
    const scanner = new XmlBoundaryScanner();
    const input = bytes('<?xml version="1.0"?><!-- c --><create>');
    let seenAt = -1;
    for (let i = 0; i < input.length; i++) {
      scanner.scan(input, i, i + 1);
      if (scanner.rootSeen && seenAt < 0) seenAt = i;
    }
    assert.equal(seenAt, input.indexOf(bytes('<create')) + 1);
  });
});

describe('XmlBoundaryScanner: positions and after the end', () => {
  test('scan(chunk, start, end) returns absolute offsets within the chunk', () => {
    const prefix = bytes('IGNORED<y/>');
    const doc = bytes('<a><b/></a>');
    const chunk = Buffer.concat([prefix, doc, bytes('<z/>')]);
    const scanner = new XmlBoundaryScanner();
    assert.equal(scanner.scan(chunk, prefix.length, prefix.length + 3), -1);
    assert.equal(scanner.scan(chunk, prefix.length + 3, chunk.length), prefix.length + doc.length);
  });

  test('an empty range changes nothing', () => {
    const scanner = new XmlBoundaryScanner();
    const input = bytes('<a>');
    assert.equal(scanner.scan(input, 0, 0), -1);
    assert.equal(scanner.insideDocument, false);
    assert.equal(scanner.scan(input, 0, 3), -1);
    assert.equal(scanner.scan(input, 3, 3), -1);
    assert.equal(scanner.insideDocument, true);
  });

  test('once complete, later bytes are ignored', () => {
    const scanner = new XmlBoundaryScanner();
    const input = bytes('<a/>');
    assert.equal(scanner.scan(input, 0, 4), 4);
    assert.equal(scanner.complete, true);
    assert.equal(scanner.insideDocument, false);
    const more = bytes('<b></b></a><c/>');
    assert.equal(scanner.scan(more, 0, more.length), -1);
    assert.equal(scanner.complete, true);
  });

  test('works on a plain Uint8Array', () => {
    const input = new TextEncoder().encode('<a>x</a>tail');
    assert.equal(new XmlBoundaryScanner().scan(input, 0, input.length), 8);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: generated well-formed documents (checked with the real parser) end exactly
// where they end, however they are fed.

function esc(text: string, quote: '"' | "'" | null): string {
  let out = text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  if (quote === null) out = out.replace(/>/g, '&gt;');
  else out = out.split(quote).join(quote === '"' ? '&quot;' : '&apos;');
  return out;
}

const anyText = fc.string({ unit: 'grapheme', maxLength: 10 });
const nameArb = fc.constantFrom('create', 'transactions', 'account', 'a', 'x', 'B2');
const attrArb = fc
  .tuple(fc.constantFrom('id', 'sym', 'amount', 'x'), anyText, fc.constantFrom<'"' | "'">('"', "'"))
  .map(([n, v, q]) => ({ name: n, text: ` ${n}=${q}${esc(`${v} >/ "'`, q)}${q}` }));
const miscArb = fc.oneof(
  anyText.map((t) => esc(t, null)),
  anyText.map((t) => `<!-- ${t.replace(/-/g, '_')} </x> -->`),
  anyText.map((t) => `<![CDATA[${t.replace(/]/g, ')')}</x> <y/> ]]>`),
  anyText.map((t) => `<?pi ${t.replace(/\?/g, '.')} </x> > ?>`),
);
const { element } = fc.letrec<{ element: string }>((tie) => ({
  element: fc
    .tuple(
      nameArb,
      fc.uniqueArray(attrArb, { maxLength: 3, selector: (a) => a.name }),
      fc.array(fc.oneof({ depthSize: 'small' }, miscArb, tie('element')), { maxLength: 4 }),
      fc.boolean(),
      fc.constantFrom('', ' ', '\n'),
    )
    .map(([name, attrs, children, selfClose, ws]) => {
      const a = attrs.map((x) => x.text).join('') + ws;
      if (selfClose && children.length === 0) return `<${name}${a}/>`;
      return `<${name}${a}>${children.join('')}</${name}${ws}>`;
    }),
}));
const documentArb = fc
  .tuple(
    fc.constantFrom('', '<?xml version="1.0" encoding="UTF-8"?>\n', '<?xml version="1.0"?>'),
    fc.constantFrom('', '<!-- <x> -->', '\n', '<?pi <x> ?>'),
    element,
  )
  .map(([decl, pre, root]) => decl + pre + root);

describe('XmlBoundaryScanner: properties', () => {
  test('generated documents are well-formed (the generator itself is sound)', () => {
    fc.assert(
      fc.property(documentArb, (doc) => {
        const tree = parseXmlTree(bytes(doc));
        assert.ok(tree.ok, `${tree.ok ? '' : tree.error.message}: ${doc}`);
      }),
      { numRuns: 300 },
    );
  });

  test('the end is found exactly, at any split, with anything after it', () => {
    fc.assert(
      fc.property(
        documentArb,
        fc.uint8Array({ maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (doc, tail, rawCuts) => {
          const docBytes = bytes(doc);
          const input = Buffer.concat([docBytes, tail]);
          const cuts = [...new Set(rawCuts.map((c) => c % (input.length + 1)))].sort(
            (x, y) => x - y,
          );
          assert.equal(scanPieces(input, cuts), docBytes.length);
          assert.equal(scanWhole(input), docBytes.length);
        },
      ),
      { numRuns: 500 },
    );
  });

  test('every proper prefix of a document is incomplete and inside it (once the root started)', () => {
    fc.assert(
      fc.property(documentArb, (doc) => {
        const input = bytes(doc);
        const scanner = new XmlBoundaryScanner();
        for (let i = 0; i < input.length - 1; i++) {
          assert.equal(scanner.scan(input, i, i + 1), -1);
          if (scanner.rootSeen) assert.equal(scanner.insideDocument, true);
        }
        assert.equal(scanner.scan(input, input.length - 1, input.length), input.length);
      }),
      { numRuns: 200 },
    );
  });

  test('arbitrary bytes never throw; a found end lies within the input', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        (data, rawCuts) => {
          const input = Buffer.from(data);
          const cuts = [...new Set(rawCuts.map((c) => c % (input.length + 1)))].sort(
            (x, y) => x - y,
          );
          const end = scanPieces(input, cuts);
          assert.ok(end === -1 || (end >= 1 && end <= input.length));
          assert.equal(end, scanWhole(input));
        },
      ),
      { numRuns: 500 },
    );
  });
});
