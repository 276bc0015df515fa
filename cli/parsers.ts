// Option parsers shared by the `exchange` subcommands: clear messages for bad values.

import { InvalidArgumentError } from 'commander';
import { parseDecimal } from '../src/decimal/fixed.js';
import { FEE_SCALE } from '../src/engine/fees.js';

// Commander turns a parser's null into '', so "off" stays a string until serve() reads it.
export function parsePort(value: string): number | 'off' {
  if (value === 'off') return 'off';
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new InvalidArgumentError('expected a port number 0-65535 (0 picks a free port) or "off"');
  }
  return port;
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError('expected a positive integer');
  }
  return n;
}

export function parseCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError('expected a whole number (0 or more)');
  }
  return n;
}

/** HOST:PORT, or PORT alone on 127.0.0.1 ([::1]:PORT for IPv6). */
export function parseAddress(value: string): { host: string; port: number } {
  const m = /^(?:(.+):)?(\d+)$/.exec(value);
  const port = Number(m?.[2]);
  if (m === null || port > 65535) {
    throw new InvalidArgumentError('expected HOST:PORT or PORT, e.g. 127.0.0.1:12345');
  }
  return { host: (m[1] ?? '127.0.0.1').replace(/^\[(.*)\]$/, '$1'), port };
}

/** HOST:PORT[,HOST:PORT...]: the engines a gateway may link to. */
export function parseAddressList(value: string): { host: string; port: number }[] {
  return value.split(',').map((part) => parseAddress(part.trim()));
}

/** A fee rate: a plain decimal fraction of the traded value, 0 up to (not including) 1. */
export function parseFeeRate(value: string): bigint {
  const parsed = parseDecimal(value, FEE_SCALE, 1);
  if (!parsed.ok || parsed.value < 0n || parsed.value >= 10n ** BigInt(FEE_SCALE)) {
    throw new InvalidArgumentError(
      `expected a fraction of the traded value from 0 up to 1, with at most ${FEE_SCALE} fractional digits, e.g. 0.001`,
    );
  }
  return parsed.value;
}
