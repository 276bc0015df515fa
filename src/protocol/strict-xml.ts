// A hand-written parser for the small, plain documents clients actually send, tried before
// saxes because decoding is a large part of what a request costs. It only ever accepts: on
// anything it is not certain saxes would accept with the very same tree (comments, CDATA,
// processing instructions, a DOCTYPE, odd entities, non-ASCII names, a limit reached, any
// error at all) it answers undefined and the caller runs saxes, so every refusal and its
// message still come from saxes. test/unit/strict-xml.test.ts and bench/xml-differential.ts
// hold it to that against saxes.

import type { XmlElement, XmlLimits } from './xml-tree.js';

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const DQUOTE = 0x22;
const HASH = 0x23;
const AMP = 0x26;
const SQUOTE = 0x27;
const SLASH = 0x2f;
const SEMICOLON = 0x3b;
const LT = 0x3c;
const EQ = 0x3d;
const GT = 0x3e;
const QUESTION = 0x3f;
const CLOSE_BRACKET = 0x5d;

const NAME_START = 1;
const NAME_CHAR = 2;

// Only ASCII names are taken: the full XML name classes are saxes's business.
const nameClass = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_:]/.test(ch)) nameClass[c] = NAME_START | NAME_CHAR;
  else if (/[0-9.-]/.test(ch)) nameClass[c] = NAME_CHAR;
}

const isNameStart = (c: number): boolean => c < 128 && (nameClass[c]! & NAME_START) !== 0;
const isNameChar = (c: number): boolean => c < 128 && (nameClass[c]! & NAME_CHAR) !== 0;
const isSpace = (c: number): boolean => c === SPACE || c === LF || c === TAB || c === CR;

// The protocol's names come back as the same constant strings each time: no new string per
// element or attribute, and attribute keys V8 has already internalised.
const KNOWN_NAMES = [
  ...['create', 'account', 'symbol', 'transactions', 'order', 'query', 'cancel', 'amend'],
  ...['id', 'balance', 'sym', 'amount', 'limit', 'type', 'stop', 'tif', 'stp'],
];
const knownNames: (string[] | undefined)[] = [];
for (const name of KNOWN_NAMES) {
  (knownNames[(name.length << 7) | name.charCodeAt(0)] ??= []).push(name);
}

/** The name from `start` to `end` (ASCII name characters, `start` < `end`). */
function nameAt(src: string, start: number, end: number): string {
  const known =
    end - start < 16 ? knownNames[((end - start) << 7) | src.charCodeAt(start)] : undefined;
  if (known !== undefined) {
    for (const name of known) if (src.startsWith(name, start)) return name;
  }
  return src.slice(start, end);
}

interface Element {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** The children of every element without any: most elements are leaves. */
const NO_CHILDREN = Object.freeze([]) as unknown as XmlElement[];

/** Where the last helper stopped: a module variable rather than a tuple per call. */
let at = 0;

function skipSpace(src: string, i: number): number {
  while (isSpace(src.charCodeAt(i))) i++;
  return i;
}

/**
 * Whether a character outside ASCII at `i` is one XML 1.0 allows (saxes refuses U+FFFE,
 * U+FFFF and lone surrogates); a surrogate pair counts as one, `at` is set past it.
 */
function wideCharOk(src: string, i: number, c: number): boolean {
  at = i + 1;
  if (c < 0xd800) return true;
  if (c <= 0xdbff) {
    const low = src.charCodeAt(i + 1);
    if (!(low >= 0xdc00 && low <= 0xdfff)) return false;
    at = i + 2;
    return true;
  }
  return c >= 0xe000 && c <= 0xfffd;
}

function predefined(name: string): string | undefined {
  switch (name) {
    case 'lt':
      return '<';
    case 'gt':
      return '>';
    case 'amp':
      return '&';
    case 'quot':
      return '"';
    case 'apos':
      return "'";
    default:
      return undefined;
  }
}

/**
 * The text of the reference starting with `&` at `i`, `at` set past its `;`; undefined for
 * anything but the five predefined entities and a character reference to an XML 1.0 char.
 */
function reference(src: string, i: number): string | undefined {
  if (src.charCodeAt(i + 1) !== HASH) {
    const end = src.indexOf(';', i + 1);
    if (end < 0 || end - i > 5) return undefined;
    at = end + 1;
    return predefined(src.slice(i + 1, end));
  }
  // saxes takes a lowercase x only; the digits may be any case.
  const hex = src.charCodeAt(i + 2) === 0x78;
  let j = hex ? i + 3 : i + 2;
  const first = j;
  let code = 0;
  for (;;) {
    const c = src.charCodeAt(j);
    let digit: number;
    if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
    else if (hex && c >= 0x61 && c <= 0x66) digit = c - 0x57;
    else if (hex && c >= 0x41 && c <= 0x46) digit = c - 0x37;
    else break;
    code = code * (hex ? 16 : 10) + digit;
    if (code > 0x10ffff) return undefined;
    j++;
  }
  if (j === first || src.charCodeAt(j) !== SEMICOLON) return undefined;
  const isChar =
    code === TAB ||
    code === LF ||
    code === CR ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    code >= 0x10000;
  if (!isChar) return undefined;
  at = j + 1;
  return String.fromCodePoint(code);
}

/**
 * The value of the attribute whose opening quote is at `i`, normalised as saxes does (each
 * tab, line feed, carriage return or CR LF pair becomes one space, references replaced);
 * `at` set past the closing quote.
 */
function attributeValue(src: string, i: number, quote: number): string | undefined {
  let start = i + 1;
  let j = start;
  let value = '';
  const n = src.length;
  while (j < n) {
    const c = src.charCodeAt(j);
    if (c === quote) {
      at = j + 1;
      return start === i + 1 ? src.slice(start, j) : value + src.slice(start, j);
    }
    if (c >= SPACE && c < 0x7f) {
      if (c === LT) return undefined;
      if (c === AMP) {
        const text = reference(src, j);
        if (text === undefined) return undefined;
        value += src.slice(start, j) + text;
        j = start = at;
      } else j++;
    } else if (c === TAB || c === LF || c === CR) {
      value += src.slice(start, j) + ' ';
      j += c === CR && src.charCodeAt(j + 1) === LF ? 2 : 1;
      start = j;
    } else if (c >= 0x7f) {
      if (!wideCharOk(src, j, c)) return undefined;
      j = at;
    } else return undefined;
  }
  return undefined;
}

/**
 * Character data from `i` to the next `<`, line ends normalised to `\n` and references
 * replaced; `at` set at that `<`. Undefined at the end of the document (an unclosed element)
 * or on anything saxes would refuse or that is not plain text.
 */
function textRun(src: string, i: number): string | undefined {
  let start = i;
  let j = i;
  let text = '';
  const n = src.length;
  while (j < n) {
    const c = src.charCodeAt(j);
    if (c === LT) {
      at = j;
      return start === i ? src.slice(i, j) : text + src.slice(start, j);
    }
    if (c >= SPACE && c < 0x7f) {
      if (c === AMP) {
        const ref = reference(src, j);
        if (ref === undefined) return undefined;
        text += src.slice(start, j) + ref;
        j = start = at;
      } else if (
        c === GT &&
        src.charCodeAt(j - 1) === CLOSE_BRACKET &&
        src.charCodeAt(j - 2) === CLOSE_BRACKET
      ) {
        return undefined;
      } else j++;
    } else if (c === CR) {
      text += src.slice(start, j) + '\n';
      j += src.charCodeAt(j + 1) === LF ? 2 : 1;
      start = j;
    } else if (c === LF || c === TAB) {
      j++;
    } else if (c >= 0x7f) {
      if (!wideCharOk(src, j, c)) return undefined;
      j = at;
    } else return undefined;
  }
  return undefined;
}

function quoted(src: string, i: number, value: RegExp): boolean {
  const q = src.charCodeAt(i);
  if (q !== DQUOTE && q !== SQUOTE) return false;
  const end = src.indexOf(q === DQUOTE ? '"' : "'", i + 1);
  if (end < 0 || !value.test(src.slice(i + 1, end))) return false;
  at = end + 1;
  return true;
}

/** `name` S* `=` S* starting at `i`, `at` set after it. */
function pseudoAttribute(src: string, i: number, name: string): boolean {
  if (!src.startsWith(name, i)) return false;
  const j = skipSpace(src, i + name.length);
  if (src.charCodeAt(j) !== EQ) return false;
  at = skipSpace(src, j + 1);
  return true;
}

const DECLARATION_REST: ReadonlyArray<readonly [string, RegExp]> = [
  ['encoding', /^[A-Za-z][A-Za-z0-9._-]*$/],
  ['standalone', /^(?:yes|no)$/],
];

/**
 * Past a leading `<?xml version="1.0" [encoding=".."] [standalone=".."]?>`, or -1. Any other
 * version would switch saxes to XML 1.1's rules for characters and line ends.
 */
function declarationEnd(src: string): number {
  if (!isSpace(src.charCodeAt(5))) return -1;
  let i = skipSpace(src, 6);
  if (!pseudoAttribute(src, i, 'version') || !quoted(src, at, /^1\.0$/)) return -1;
  for (const [name, value] of DECLARATION_REST) {
    // Each is optional; a miss leaves `at` before the white space for the next to try.
    const j = skipSpace(src, at);
    if (j === at) break;
    if (pseudoAttribute(src, j, name) && !quoted(src, at, value)) return -1;
  }
  i = skipSpace(src, at);
  return src.charCodeAt(i) === QUESTION && src.charCodeAt(i + 1) === GT ? i + 2 : -1;
}

const COMMON_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/**
 * The tree saxes would build from `src` (the decoded body) within `limits`, or undefined
 * when this parser is not sure of it.
 */
export function parseStrictXml(src: string, limits: XmlLimits): XmlElement | undefined {
  let i = 0;
  if (src.startsWith(COMMON_DECLARATION)) i = COMMON_DECLARATION.length;
  else if (src.startsWith('<?xml')) {
    i = declarationEnd(src);
    if (i < 0) return undefined;
  }
  i = skipSpace(src, i);
  if (src.charCodeAt(i) !== LT) return undefined;

  const stack: Element[] = [];
  let root: Element | undefined;
  let elements = 0;
  const { maxDepth, maxElements, maxAttributeLength } = limits;

  // Each turn starts at a `<` inside or opening the root.
  for (;;) {
    let c = src.charCodeAt(i + 1);
    if (c === SLASH) {
      const open = stack.pop();
      if (open === undefined || !src.startsWith(open.name, i + 2)) return undefined;
      i = skipSpace(src, i + 2 + open.name.length);
      if (src.charCodeAt(i) !== GT) return undefined;
      i++;
      if (stack.length === 0) break;
    } else {
      if (!isNameStart(c)) return undefined;
      let j = i + 2;
      while (isNameChar(src.charCodeAt(j))) j++;
      if (++elements > maxElements || stack.length >= maxDepth) return undefined;
      const element: Element = {
        name: nameAt(src, i + 1, j),
        attributes: Object.create(null) as Record<string, string>,
        children: NO_CHILDREN,
        text: '',
      };
      let selfClosing = false;
      for (;;) {
        c = src.charCodeAt(j);
        if (c === GT) {
          j++;
          break;
        }
        if (c === SLASH) {
          if (src.charCodeAt(j + 1) !== GT) return undefined;
          j += 2;
          selfClosing = true;
          break;
        }
        // saxes wants white space before every attribute.
        if (!isSpace(c)) return undefined;
        j = skipSpace(src, j + 1);
        c = src.charCodeAt(j);
        if (c === GT || c === SLASH) continue;
        if (!isNameStart(c)) return undefined;
        const nameStart = j;
        j++;
        while (isNameChar(src.charCodeAt(j))) j++;
        const name = nameAt(src, nameStart, j);
        j = skipSpace(src, j);
        if (src.charCodeAt(j) !== EQ) return undefined;
        j = skipSpace(src, j + 1);
        const quote = src.charCodeAt(j);
        if (quote !== DQUOTE && quote !== SQUOTE) return undefined;
        const value = attributeValue(src, j, quote);
        if (
          value === undefined ||
          value.length > maxAttributeLength ||
          element.attributes[name] !== undefined
        ) {
          return undefined;
        }
        element.attributes[name] = value;
        j = at;
      }
      const parent = stack[stack.length - 1];
      if (parent === undefined) root = element;
      else if (parent.children === NO_CHILDREN) parent.children = [element];
      else parent.children.push(element);
      i = j;
      if (selfClosing) {
        if (parent === undefined) break;
      } else stack.push(element);
    }
    // Text up to the next tag, kept by the element it is directly inside.
    const text = textRun(src, i);
    if (text === undefined) return undefined;
    if (text.length !== 0) stack[stack.length - 1]!.text += text;
    i = at;
  }
  // Only white space may follow the root.
  return skipSpace(src, i) === src.length ? root : undefined;
}
