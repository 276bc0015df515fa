// Request documents shaped like the protocol's, and broken copies of them, for holding the
// strict XML parser to saxes: test/unit/strict-xml.test.ts runs a few tens of thousands,
// bench/xml-differential.ts a million and more.

import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { parseStrictXml } from '../src/protocol/strict-xml.js';
import {
  DEFAULT_XML_LIMITS,
  parseXmlTree,
  parseXmlTreeWithSaxes,
  type XmlLimits,
} from '../src/protocol/xml-tree.js';

// Two families: clean documents, which the strict parser should take, with only what the
// protocol's clients send (and which saxes accepts); awkward ones, where every part may be
// something only saxes can judge. Mutations then break either.

const space = fc.constantFrom(
  '',
  '',
  ' ',
  '\n',
  '  ',
  '\n  ',
  '\n    ',
  '\t',
  '\r\n',
  '\r',
  ' \r\n ',
);
const someSpace = fc.constantFrom(' ', ' ', ' ', '\n', '\t', '\r\n', '\r', '  ', ' \n ');

const plainPiece = fc.constantFrom('1', '123456', '100', '-50', '145.67', 'SPY', 'BTC', 'T5asdf');
const cleanPiece = fc.oneof(
  { weight: 20, arbitrary: plainPiece },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '&amp;',
      '&lt;',
      '&gt;',
      '&quot;',
      '&apos;',
      '&#49;',
      '&#x41;',
      '&#x4a;',
      '&#9;',
      '&#13;',
      '&#x1F600;',
      '&#00065;',
    ),
  },
  { weight: 2, arbitrary: fc.constantFrom(' ', '\t', '\n', '\r\n', '\r', '\r\r\n', '\n\r') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '>',
      ']',
      ']>',
      '=',
      '/',
      'é',
      '😀',
      '\u0085',
      '\u2028',
      '\u007f',
      '?',
    ),
  },
);
const awkwardPiece = fc.oneof(
  { weight: 6, arbitrary: cleanPiece },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '&#X41;',
      '&#0;',
      '&#xD800;',
      '&#xFFFE;',
      '&#1114111;',
      '&#1114112;',
      '&#;',
      '&#x;',
      '&foo;',
      '&;',
      '&amp',
      '&',
      '&lt ;',
      '<',
      ']]>',
      '"',
      "'",
      '\uFFFE',
      '\u0001',
      '\uFEFF',
    ),
  },
);

const protocolName = fc.constantFrom(
  'create',
  'account',
  'symbol',
  'transactions',
  'order',
  'query',
  'cancel',
  'amend',
);
const awkwardName = fc.oneof(
  { weight: 6, arbitrary: protocolName },
  {
    weight: 1,
    arbitrary: fc.constantFrom('x', 'a:b', '_x', 'x-y.z', 'é', 'A1', ':x', 'xml', 'aé'),
  },
);
const protocolAttribute = fc.constantFrom(
  'id',
  'balance',
  'sym',
  'amount',
  'limit',
  'type',
  'tif',
  'stp',
);
const awkwardAttribute = fc.oneof(
  { weight: 6, arbitrary: protocolAttribute },
  {
    weight: 1,
    arbitrary: fc.constantFrom('x', 'a:b', '_x', 'x-y.z', 'xmlns', 'é', '__proto__', '1x'),
  },
);

interface Shape {
  readonly name: string;
  readonly attributes: readonly string[];
  readonly gaps: readonly string[];
  readonly content: readonly (Shape | string)[];
  readonly selfClosing: boolean;
  readonly closeSpace: string;
}

function shapes(awkward: boolean): fc.Arbitrary<Shape> {
  const value = fc
    .array(awkward ? awkwardPiece : cleanPiece, { maxLength: 4 })
    .map((parts) => parts.join(''));
  const equals = fc.oneof(
    { weight: 8, arbitrary: fc.constant('=') },
    { weight: 1, arbitrary: fc.constantFrom(' =', '= ', ' = ', '\n=\t') },
  );
  const attribute = (name: string): fc.Arbitrary<string> =>
    fc
      .tuple(equals, fc.constantFrom('"', '"', "'"), value)
      .map(([eq, q, raw]) => `${name}${eq}${q}${awkward ? raw : raw.split(q).join('')}${q}`);
  const attributes = awkward
    ? fc.array(awkwardAttribute.chain(attribute), { maxLength: 4 })
    : fc
        .uniqueArray(protocolAttribute, { maxLength: 4 })
        .chain((names) => fc.tuple(...names.map(attribute)));
  const textOrSpace = fc.oneof({ weight: 3, arbitrary: space }, { weight: 1, arbitrary: value });
  const text = awkward ? textOrSpace : textOrSpace.map((t) => t.replace(/[<&]/g, ''));
  return fc.letrec<{ element: Shape }>((tie) => ({
    element: fc.record({
      name: awkward ? awkwardName : protocolName,
      attributes,
      gaps: fc.array(someSpace, { minLength: 5, maxLength: 5 }),
      content: fc.array(
        fc.oneof(
          { weight: 1, arbitrary: text },
          { weight: 1, depthSize: 'small', arbitrary: tie('element') },
        ),
        { maxLength: 6, depthIdentifier: 'element' },
      ),
      selfClosing: fc.boolean(),
      closeSpace: fc.constantFrom('', '', '', ' ', '\n'),
    }),
  })).element;
}

function render(shape: Shape): string {
  let open = `<${shape.name}`;
  shape.attributes.forEach((a, i) => (open += `${shape.gaps[i] ?? ' '}${a}`));
  const content = shape.content.map((c) => (typeof c === 'string' ? c : render(c))).join('');
  if (shape.selfClosing && content === '') return `${open}${shape.gaps[4]}/>`;
  return `${open}>${content}</${shape.name}${shape.closeSpace}>`;
}

const cleanDeclaration = fc.constantFrom(
  '',
  '',
  '',
  '<?xml version="1.0"?>',
  '<?xml version="1.0" encoding="UTF-8"?>',
  "<?xml version='1.0' encoding='utf-8' standalone='yes'?>",
  '<?xml version="1.0" standalone="no" ?>',
  '<?xml  version = "1.0"\n?>',
  '<?xml version="1.0" encoding="ISO-8859-1"?>',
);
const awkwardDeclaration = fc.oneof(
  { weight: 2, arbitrary: cleanDeclaration },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '<?xml version="1.1"?>',
      '<?xml version="1.0"encoding="UTF-8"?>',
      '<?xml version="1.0" standalone="no" encoding="UTF-8"?>',
      '<?xml version="1.0" encoding="8bit"?>',
      '<?xml version="1.0" encoding="UTF-8" standalone="maybe"?>',
      '<?xml version="1.0" encoding="UTF-8" x="1"?>',
      '<?xml?>',
      '<?xml encoding="UTF-8"?>',
      '<?XML version="1.0"?>',
      '<?xml-stylesheet href="a"?>',
      ' <?xml version="1.0"?>',
      '<?xml version="1.0" ?',
      '<?xml version="1.0?>',
    ),
  },
);
const prolog = fc.constantFrom(
  '',
  '',
  '',
  '<!-- hi -->',
  '<?pi x?>',
  '<!DOCTYPE create>',
  '\uFEFF',
  'x',
);
const epilog = fc.constantFrom('', '', '', 'x', '<!-- bye -->', '<a/>', '&amp;', '\u00a0', '<');

function documents(awkward: boolean): fc.Arbitrary<string> {
  const nothing = fc.constant('');
  return fc
    .tuple(
      awkward ? awkwardDeclaration : cleanDeclaration,
      awkward ? prolog : nothing,
      space,
      shapes(awkward),
      space,
      awkward ? epilog : nothing,
    )
    .map(
      ([decl, pro, before, root, after, epi]) => decl + pro + before + render(root) + after + epi,
    );
}

/** A whole document, well-formed and of the protocol's shape, or awkward anywhere. */
export const documentText = fc.oneof(
  { weight: 3, arbitrary: documents(false) },
  { weight: 1, arbitrary: documents(true) },
);

const tokens = [
  '<!-- c -->',
  '<![CDATA[x]]>',
  '<!DOCTYPE a>',
  '<?pi x?>',
  '&amp;',
  '&#10;',
  '\r\n',
  'é',
  '"',
  "'",
  '<',
  '>',
  '/',
  '=',
  ' ',
  '</a>',
  '<b/>',
  '<order/>',
  '\uFEFF',
].map((t) => Buffer.from(t));

/** One random change to the bytes of a document. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('insertByte' as const), at: fc.nat(), byte: fc.nat(255) }),
  fc.record({
    kind: fc.constant('insertToken' as const),
    at: fc.nat(),
    token: fc.nat(tokens.length - 1),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), byte: fc.nat(255) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swapQuotes' as const) }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 20 }),
  }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(doc: Buffer, m: Mutation): Buffer {
  const at = doc.length === 0 ? 0 : m.kind === 'swapQuotes' ? 0 : m.at % (doc.length + 1);
  switch (m.kind) {
    case 'insertByte':
      return Buffer.concat([doc.subarray(0, at), Buffer.of(m.byte), doc.subarray(at)]);
    case 'insertToken':
      return Buffer.concat([doc.subarray(0, at), tokens[m.token]!, doc.subarray(at)]);
    case 'delete':
      return Buffer.concat([doc.subarray(0, at), doc.subarray(at + m.length)]);
    case 'replace': {
      const copy = Buffer.from(doc);
      if (at < copy.length) copy[at] = m.byte;
      return copy;
    }
    case 'truncate':
      return doc.subarray(0, at);
    case 'swapQuotes':
      return Buffer.from(
        doc.toString('latin1').replace(/["']/g, (q) => (q === '"' ? "'" : '"')),
        'latin1',
      );
    case 'duplicate':
      return Buffer.concat([doc.subarray(0, at + m.length), doc.subarray(at)]);
  }
}

/** A document's bytes, well-formed or after a few random changes. */
export const documentBytes = fc
  .tuple(
    documentText,
    fc.oneof(
      { weight: 2, arbitrary: fc.constant([]) },
      { weight: 3, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) },
    ),
  )
  .map(([text, mutations]) => mutations.reduce(mutate, Buffer.from(text, 'utf8')));

/**
 * Every single change of a few kinds at every position of `doc`: each token and each ASCII
 * byte inserted, each byte deleted, each byte replaced by each ASCII byte, and every prefix.
 */
export function* everySmallChange(doc: string): Generator<Buffer> {
  const bytes = Buffer.from(doc, 'utf8');
  const at = (i: number, insert: Uint8Array, skip: number): Buffer =>
    Buffer.concat([bytes.subarray(0, i), insert, bytes.subarray(i + skip)]);
  for (let i = 0; i <= bytes.length; i++) {
    yield bytes.subarray(0, i);
    for (const token of tokens) yield at(i, token, 0);
    for (let b = 0; b < 128; b++) {
      yield at(i, Buffer.of(b), 0);
      if (i < bytes.length) yield at(i, Buffer.of(b), 1);
    }
    if (i < bytes.length) yield at(i, Buffer.alloc(0), 1);
  }
}

/** Mostly the server's limits; sometimes ones small enough for the documents to reach. */
export const limits: fc.Arbitrary<XmlLimits> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(DEFAULT_XML_LIMITS) },
  {
    weight: 1,
    arbitrary: fc.record({
      maxDepth: fc.integer({ min: 1, max: 4 }),
      maxElements: fc.integer({ min: 1, max: 8 }),
      maxAttributeLength: fc.integer({ min: 0, max: 8 }),
    }),
  },
);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Asserts that parseXmlTree (strict parser, then saxes) answers `body` exactly as saxes alone
 * does, and that whatever the strict parser accepts saxes accepts with the same tree; says
 * which of the two decided (and, for saxes, whether it accepted).
 */
export function differential(
  body: Uint8Array,
  within: XmlLimits,
): 'strict' | 'saxesAccepted' | 'saxesRefused' {
  const expected = parseXmlTreeWithSaxes(body, within);
  // isDeepStrictEqual first: assert builds its message, which is slow, only on a difference.
  const actual = parseXmlTree(body, within);
  if (!isDeepStrictEqual(actual, expected)) assert.deepStrictEqual(actual, expected);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return 'saxesRefused';
  }
  const strict = parseStrictXml(text, within);
  if (strict === undefined) return expected.ok ? 'saxesAccepted' : 'saxesRefused';
  assert.ok(expected.ok, `the strict parser accepted what saxes refuses: ${JSON.stringify(text)}`);
  if (!isDeepStrictEqual(strict, expected.root)) assert.deepStrictEqual(strict, expected.root);
  return 'strict';
}
