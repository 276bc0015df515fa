// Parses one request document into a small element tree with saxes, a strict
// non-validating parser. No DTD is ever processed: a DOCTYPE is refused outright, so
// entity expansion (billion laughs) and external entities (XXE) cannot happen, and
// depth and element counts are capped before the tree can grow large. Plain documents are
// first tried by the faster strict parser, which only ever accepts; saxes decides the rest.

import { SaxesParser } from 'saxes';
import { exchangeError, type ExchangeError } from '../engine/errors.js';
import { parseStrictXml } from './strict-xml.js';

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** Concatenated character data directly inside this element. */
  text: string;
}

export interface XmlLimits {
  readonly maxDepth: number;
  readonly maxElements: number;
  /** Characters in one attribute value (ids, symbols and numbers are far shorter). */
  readonly maxAttributeLength: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = {
  maxDepth: 32,
  maxElements: 100_000,
  maxAttributeLength: 1024,
};

export type TreeResult = { ok: true; root: XmlElement } | { ok: false; error: ExchangeError };

class Refusal extends Error {
  constructor(readonly refusal: ExchangeError) {
    super(refusal.message);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Whether `body` is well-formed as far as it goes, so that only its end is missing: a
 * document cut short by a wrong length line, not a broken one.
 */
export function isCutShortXml(body: Uint8Array): boolean {
  const parser = new SaxesParser({ position: false, xmlns: false });
  let broken = false;
  parser.on('error', () => {
    broken = true;
  });
  try {
    parser.write(new TextDecoder('utf-8').decode(body));
  } catch {
    broken = true;
  }
  return !broken;
}

export function parseXmlTree(body: Uint8Array, limits: XmlLimits = DEFAULT_XML_LIMITS): TreeResult {
  const text = decodeUtf8(body);
  if (text === undefined) return { ok: false, error: exchangeError('INVALID_UTF8') };
  const root = parseStrictXml(text, limits);
  return root !== undefined ? { ok: true, root } : parseWithSaxes(text, limits);
}

/** parseXmlTree without the strict parser: what it must always agree with. */
export function parseXmlTreeWithSaxes(
  body: Uint8Array,
  limits: XmlLimits = DEFAULT_XML_LIMITS,
): TreeResult {
  const text = decodeUtf8(body);
  if (text === undefined) return { ok: false, error: exchangeError('INVALID_UTF8') };
  return parseWithSaxes(text, limits);
}

function decodeUtf8(body: Uint8Array): string | undefined {
  try {
    return utf8.decode(body);
  } catch {
    return undefined;
  }
}

function parseWithSaxes(text: string, limits: XmlLimits): TreeResult {
  const parser = new SaxesParser<{ position: false; xmlns: false }>({
    position: false,
    xmlns: false,
  });
  // Elements still open, their child lists still growing.
  const stack: (XmlElement & { children: XmlElement[] })[] = [];
  let root: XmlElement | null = null;
  let elements = 0;

  parser.on('doctype', () => {
    throw new Refusal(exchangeError('DOCTYPE_FORBIDDEN'));
  });
  parser.on('opentag', (tag) => {
    if (++elements > limits.maxElements || stack.length >= limits.maxDepth) {
      throw new Refusal(
        exchangeError(
          'XML_TOO_COMPLEX',
          `at most ${limits.maxElements} elements nested at most ${limits.maxDepth} deep`,
        ),
      );
    }
    for (const name in tag.attributes) {
      if (tag.attributes[name]!.length > limits.maxAttributeLength) {
        throw new Refusal(
          exchangeError(
            'ATTRIBUTE_TOO_LONG',
            `${name} of <${tag.name}> is over ${limits.maxAttributeLength} characters`,
          ),
        );
      }
    }
    const element = {
      name: tag.name,
      attributes: tag.attributes,
      children: [] as XmlElement[],
      text: '',
    };
    const parent = stack[stack.length - 1];
    if (parent === undefined) root = element;
    else parent.children.push(element);
    stack.push(element);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const onText = (data: string): void => {
    const current = stack[stack.length - 1];
    if (current !== undefined) current.text += data;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('error', (err) => {
    throw new Refusal(exchangeError('MALFORMED_XML', err.message));
  });

  try {
    parser.write(text).close();
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, error: err.refusal };
    throw err;
  }
  if (root === null)
    return { ok: false, error: exchangeError('MALFORMED_XML', 'the document has no root element') };
  return { ok: true, root };
}
