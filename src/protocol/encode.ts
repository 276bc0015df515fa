// Results → the reply document. Echoed attributes are written as they were sent; numbers the
// exchange computed are written in plain decimal notation.

import { CASH_SCALE, PRICE_SCALE, SHARE_SCALE, formatDecimal } from '../decimal/fixed.js';
import { formatUnits, type Count } from '../decimal/units.js';
import type { Echo, OrderStatus, Result } from '../engine/commands.js';
import type { ExchangeError } from '../engine/errors.js';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\n': '&#10;',
  '\r': '&#13;',
  '\t': '&#9;',
};
const NEEDS_ESCAPE = /[&<>"'\n\r\t]/g;
/** By character code, the characters NEEDS_ESCAPE matches (all of them below '?'). */
const ESCAPED_CODES = new Uint8Array(0x3f);
for (const c of Object.keys(ESCAPES)) ESCAPED_CODES[c.charCodeAt(0)] = 1;

/** For attribute values. */
export function escapeXml(text: string): string {
  // Echoed values are nearly always plain: one look over them is cheaper than a replace.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x3f && ESCAPED_CODES[c] === 1) {
      return text.replace(NEEDS_ESCAPE, (m) => ESCAPES[m]!);
    }
  }
  return text;
}

/** For character data: quotes and white space need no escape there. */
export function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (c) => ESCAPES[c]!);
}

function attributes(echo: Echo): string {
  let out = '';
  for (const [name, value] of echo) out += ` ${name}="${escapeXml(value)}"`;
  return out;
}

// Statuses' shares and prices are bigints or, from the column engine, safe integers.
const shares = (value: Count): string => formatUnits(value, SHARE_SCALE);
const price = (value: Count): string => formatUnits(value, PRICE_SCALE);

const cash = (value: bigint): string => formatDecimal(value, CASH_SCALE);

function statusChildren(status: OrderStatus, withOpen: boolean): string {
  let out = '';
  if (withOpen && status.open > 0n) {
    const stop = status.stop === undefined ? '' : ` stop="${price(status.stop)}"`;
    out += `\n    <open shares="${shares(status.open)}"${stop}/>`;
  }
  if (status.canceled !== null) {
    out += `\n    <canceled shares="${shares(status.canceled.shares)}" time="${status.canceled.time}"/>`;
  }
  for (const fill of status.fills) {
    const fee = fill.fee === undefined ? '' : ` fee="${cash(fill.fee)}"`;
    out += `\n    <executed shares="${shares(fill.shares)}" price="${price(fill.price)}" time="${fill.time}"${fee}/>`;
  }
  for (const a of status.amendments ?? []) {
    out += `\n    <amended amount="${shares(a.open)}" limit="${price(a.limit)}" time="${a.time}"/>`;
  }
  return out;
}

function element(name: string, echo: Echo, body: string): string {
  return body === ''
    ? `<${name}${attributes(echo)}/>`
    : `<${name}${attributes(echo)}>${body}\n  </${name}>`;
}

export function encodeResult(result: Result): string {
  switch (result.kind) {
    case 'created':
      return `<created id="${escapeXml(result.id)}"/>`;
    case 'granted':
      return `<created sym="${escapeXml(result.sym)}" id="${escapeXml(result.id)}"/>`;
    case 'opened':
      return `<opened${attributes(result.echo)} id="${result.orderId}"/>`;
    case 'status':
      return element('status', result.echo, statusChildren(result.status, true));
    case 'canceled':
      return element('canceled', result.echo, statusChildren(result.status, false));
    case 'amended':
      return `<amended${attributes(result.echo)} amount="${shares(result.open)}" limit="${price(result.limit)}"/>`;
    case 'error':
      return `<error${attributes(result.echo)}>${escapeText(result.error.message)}</error>`;
    case 'archived':
      throw new Error('an archived result must be answered from the store before encoding');
  }
}

export function encodeResults(results: readonly Result[]): string {
  if (results.length === 0) return '<results/>\n';
  let out = '<results>';
  for (const result of results) out += '\n  ' + encodeResult(result);
  return out + '\n</results>\n';
}

/** The reply to a request that could not be read at all. */
export function encodeRequestError(error: ExchangeError): string {
  return `<results>\n  <error>${escapeText(error.message)}</error>\n</results>\n`;
}

/**
 * A reply as the framed listener sends it: its byte length on a line, then the document. Text,
 * not a Buffer: the socket encodes it once on its way out, with no copies in between.
 */
export function frameReply(xml: string): string {
  return `${Buffer.byteLength(xml, 'utf8')}\n${xml}`;
}
