// XML request document → typed Request. Whole-request problems (bad XML, unknown root) are
// one error; problems of a single child become that child's error reply, in order.

import type { CreateChild, Request, TransactionChild } from '../engine/commands.js';
import { exchangeError, type ExchangeError } from '../engine/errors.js';
import {
  isSymbol,
  validateCreateAccount,
  validateAmend,
  validateGrant,
  validateOrder,
  validateOrderRef,
} from '../engine/validate.js';
import { parseXmlTree, type XmlElement, type XmlLimits, DEFAULT_XML_LIMITS } from './xml-tree.js';

export type DecodeResult = { ok: true; request: Request } | { ok: false; error: ExchangeError };

export function decodeRequest(
  body: Uint8Array,
  limits: XmlLimits = DEFAULT_XML_LIMITS,
): DecodeResult {
  const tree = parseXmlTree(body, limits);
  if (!tree.ok) return tree;
  const root = tree.root;
  switch (root.name) {
    case 'create':
      return {
        ok: true,
        request: { kind: 'create', children: root.children.flatMap(createChildren) },
      };
    case 'transactions':
      return {
        ok: true,
        request: {
          kind: 'transactions',
          account: root.attributes.id ?? '',
          children: root.children.map(transactionChild),
        },
      };
    default:
      return { ok: false, error: exchangeError('UNKNOWN_ROOT', `<${root.name}>`) };
  }
}

function unknownElement(element: XmlElement, where: string): CreateChild & TransactionChild {
  return {
    kind: 'invalid',
    echo: [],
    error: exchangeError('UNKNOWN_ELEMENT', `<${element.name}> in <${where}>`),
  };
}

function createChildren(element: XmlElement): CreateChild[] {
  const attrs = element.attributes;
  if (element.name === 'account') return [validateCreateAccount(attrs.id, attrs.balance)];
  if (element.name !== 'symbol') return [unknownElement(element, 'create')];

  const sym = attrs.sym;
  if (sym === undefined) {
    return [{ kind: 'invalid', echo: [], error: exchangeError('MISSING_ATTRIBUTE', 'sym') }];
  }
  if (!isSymbol(sym)) {
    // One reply per account named, or one for the element when it names none.
    const error = exchangeError('INVALID_SYMBOL', `sym="${sym}"`);
    const accounts = element.children.filter((c) => c.name === 'account');
    if (accounts.length === 0) return [{ kind: 'invalid', echo: [['sym', sym]], error }];
    return accounts.map((c) => ({
      kind: 'invalid',
      echo: [
        ['sym', sym],
        ['id', c.attributes.id ?? ''],
      ],
      error,
    }));
  }
  const children: CreateChild[] = [{ kind: 'symbol', sym }];
  for (const child of element.children) {
    if (child.name === 'account')
      children.push(validateGrant(sym, child.attributes.id, child.text));
    else children.push(unknownElement(child, 'symbol'));
  }
  if (children.length === 1) {
    children.push({
      kind: 'invalid',
      echo: [['sym', sym]],
      error: exchangeError('SYMBOL_WITHOUT_ACCOUNTS'),
    });
  }
  return children;
}

function transactionChild(element: XmlElement): TransactionChild {
  const attrs = element.attributes;
  switch (element.name) {
    case 'order':
      return validateOrder(attrs.sym, attrs.amount, attrs.limit, attrs);
    case 'amend':
      return validateAmend(attrs.id, attrs.amount, attrs.limit);
    case 'query':
      return validateOrderRef('query', attrs.id);
    case 'cancel':
      return validateOrderRef('cancel', attrs.id);
    default:
      return unknownElement(element, 'transactions');
  }
}
