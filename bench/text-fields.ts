// The per-field text work of every order: its numbers parsed (the hand scan of short plain
// numbers against the general pattern parse it falls back to), and its echoed attributes
// escaped for the reply. Texts are the mixed flow's; the two parses alternate within each
// round; medians of the rounds, ns per call.
//   node --import tsx bench/text-fields.ts [rounds]

import { PRICE_SCALE, parseDecimal, parseDecimalText } from '../src/decimal/fixed.js';
import { escapeXml } from '../src/protocol/encode.js';
import { MixedFlow } from '../tools/load/mixed-flow.js';
import { median } from './stats.js';

const ROUNDS = Number(process.argv[2] ?? 9);
const CALLS = 2_000_000;

const flow = new MixedFlow({ accounts: 100, symbols: 4, seed: 7 });
const texts: string[] = [];
const echoed: string[] = [];
while (texts.length < 4096) {
  const step = flow.next();
  if (step.kind !== 'order') continue;
  texts.push(String(step.amount), String(step.limit));
  echoed.push(step.sym, String(step.amount), String(step.limit));
}
const mask = 4095;

let sink = 0n;
function nsPerCall(parse: typeof parseDecimal): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) {
    const parsed = parse(texts[i & mask]!, PRICE_SCALE);
    if (parsed.ok) sink += parsed.value;
  }
  return Number(process.hrtime.bigint() - started) / CALLS;
}

let length = 0;
function escapeNsPerCall(): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) length += escapeXml(echoed[i % echoed.length]!).length;
  return Number(process.hrtime.bigint() - started) / CALLS;
}

const scan: number[] = [];
const pattern: number[] = [];
const escape: number[] = [];
for (let round = 0; round < ROUNDS + 1; round++) {
  const first = round % 2 === 0;
  const a = nsPerCall(first ? parseDecimal : parseDecimalText);
  const b = nsPerCall(first ? parseDecimalText : parseDecimal);
  const e = escapeNsPerCall();
  if (round === 0) continue; // warm-up
  scan.push(first ? a : b);
  pattern.push(first ? b : a);
  escape.push(e);
}
const f = (n: number): string => n.toFixed(1);
console.log(`parseDecimal (hand scan first): ${f(median(scan))} ns a number`);
console.log(`parseDecimalText (pattern):     ${f(median(pattern))} ns a number`);
console.log(`escapeXml of an echoed value:   ${f(median(escape))} ns`);
if (sink === 0n || length === 0) console.log('(nothing parsed)');
