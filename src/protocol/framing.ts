// The request framing as a state machine over bytes: a line with the body's byte length,
// then exactly that many bytes of XML. Any fragmentation is fine. It does no I/O and reads
// no clock: the connection tells it when the peer half-closed (`end`) or went quiet
// (`expire`), and it says when such a quiet period matters (`waitingForQuiet`).

import { exchangeError, type ExchangeError } from '../engine/errors.js';
import { XmlBoundaryScanner } from './xml-boundary.js';

export type FrameEvent =
  | { readonly type: 'request'; readonly body: Buffer }
  /** The stream cannot go on: reply with this error (if possible) and close. */
  | { readonly type: 'error'; readonly error: ExchangeError };

export const DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;
/** Digits in a length line beyond which it cannot be a sane length whatever the limit. */
const MAX_LENGTH_DIGITS = 16;

const enum State {
  /** Before the first digit; blank lines between requests are skipped. */
  LengthStart,
  LengthDigits,
  /** Spaces or tabs after the digits, before the line end. */
  LengthTrailer,
  LengthCr,
  Body,
  /** The declared bytes ended inside the document: measuring how long it really is. */
  Overrun,
  Failed,
}

const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;

function describeByte(c: number): string {
  if (c >= 0x21 && c <= 0x7e) return `'${String.fromCharCode(c)}'`;
  return `byte 0x${c.toString(16).padStart(2, '0')}`;
}

export class FrameDecoder {
  private state = State.LengthStart;
  private declared = 0;
  private digits = 0;
  private received = 0;
  private parts: Buffer[] = [];
  private scanner = new XmlBoundaryScanner();
  /** Body offset just past the root element's end, once the scanner saw it. */
  private rootEnd = -1;

  /**
   * @param isCutShort asked when the declared bytes end inside the document: true if those
   *   bytes are a well-formed start of a longer document (then the length line is wrong and
   *   the decoder reads on to measure the document), false if they are broken XML anyway
   *   (then the body is passed on as a request, for the XML parser to reject).
   */
  constructor(
    readonly maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES,
    private readonly isCutShort: (body: Buffer) => boolean = () => true,
  ) {}

  /** Nothing of a next request has arrived: a close here is a clean one. */
  get idle(): boolean {
    return this.state === State.LengthStart;
  }

  get failed(): boolean {
    return this.state === State.Failed;
  }

  /**
   * Whether the decoder is holding a document that looks finished (or overran its length)
   * and only more bytes, a half-close or a quiet period can settle it. The connection arms
   * its quiet timer while this is true.
   */
  get waitingForQuiet(): boolean {
    return (this.state === State.Body && this.rootEnd >= 0) || this.state === State.Overrun;
  }

  push(chunk: Buffer): FrameEvent[] {
    const events: FrameEvent[] = [];
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      switch (this.state) {
        case State.Failed:
          return events;
        case State.LengthStart:
        case State.LengthDigits:
        case State.LengthTrailer:
        case State.LengthCr: {
          const c = chunk[i++]!;
          const error = this.lengthByte(c);
          if (error !== null) return this.fail(events, error);
          if ((this.state as State) === State.Body && this.declared === 0) {
            // An empty body is complete the moment its length line ends.
            const event = this.finishBody();
            if (event !== null) events.push(event);
          }
          break;
        }
        case State.Body: {
          const take = Math.min(n - i, this.declared - this.received);
          this.consumeBody(chunk, i, i + take);
          i += take;
          if (this.received === this.declared) {
            const event = this.finishBody();
            if (event !== null) {
              if (event.type === 'error') return this.fail(events, event.error);
              events.push(event);
            }
          }
          break;
        }
        case State.Overrun: {
          const end = this.scanner.scan(chunk, i, n);
          if (end >= 0) {
            const actual = this.received + (end - i);
            return this.fail(events, this.mismatch(`the XML document is ${actual} bytes`));
          }
          this.received += n - i;
          i = n;
          if (this.received > this.maxRequestBytes) {
            return this.fail(
              events,
              this.mismatch(`the XML document goes on past ${this.maxRequestBytes} bytes`),
            );
          }
          break;
        }
      }
    }
    return events;
  }

  /** The peer half-closed: whatever is pending is settled now. */
  end(): FrameEvent[] {
    switch (this.state) {
      case State.LengthStart:
      case State.Failed:
        return [];
      case State.LengthDigits:
      case State.LengthTrailer:
      case State.LengthCr:
        return this.fail(
          [],
          exchangeError('BAD_LENGTH_LINE', 'the connection closed inside the length line'),
        );
      case State.Body:
        if (this.rootEnd >= 0) return this.fail([], this.shortBodyError());
        return this.fail(
          [],
          exchangeError(
            'TRUNCATED_REQUEST',
            `${this.received} of ${this.declared} declared bytes arrived`,
          ),
        );
      case State.Overrun:
        return this.fail([], this.overrunError());
    }
  }

  /** The connection was quiet for the grace period while `waitingForQuiet` was true. */
  expire(): FrameEvent[] {
    if (this.state === State.Body && this.rootEnd >= 0) return this.fail([], this.shortBodyError());
    if (this.state === State.Overrun) return this.fail([], this.overrunError());
    return [];
  }

  private lengthByte(c: number): ExchangeError | null {
    switch (this.state) {
      case State.LengthStart:
        if (c === CR || c === LF || c === SPACE || c === TAB) return null;
        this.state = State.LengthDigits;
        return this.lengthByte(c);
      case State.LengthDigits:
        if (c >= 0x30 && c <= 0x39) {
          this.declared = this.declared * 10 + (c - 0x30);
          this.digits++;
          if (this.digits > MAX_LENGTH_DIGITS) {
            return exchangeError('BAD_LENGTH_LINE', `more than ${MAX_LENGTH_DIGITS} digits`);
          }
          if (this.declared > this.maxRequestBytes) {
            return exchangeError(
              'REQUEST_TOO_LARGE',
              `the length line declares more than the limit of ${this.maxRequestBytes} bytes`,
            );
          }
          return null;
        }
        if (this.digits === 0) {
          return exchangeError(
            'BAD_LENGTH_LINE',
            `expected the byte length of the XML as decimal digits and a newline, got ${describeByte(c)}`,
          );
        }
        this.state = State.LengthTrailer;
        return this.lengthByte(c);
      case State.LengthTrailer:
        if (c === SPACE || c === TAB) return null;
        if (c === CR) {
          this.state = State.LengthCr;
          return null;
        }
        if (c === LF) return this.startBody();
        return exchangeError('BAD_LENGTH_LINE', `unexpected ${describeByte(c)} after the length`);
      case State.LengthCr:
        if (c === LF) return this.startBody();
        return exchangeError(
          'BAD_LENGTH_LINE',
          `expected a newline after the carriage return, got ${describeByte(c)}`,
        );
      default:
        return null;
    }
  }

  private startBody(): null {
    this.state = State.Body;
    this.received = 0;
    this.parts = [];
    this.scanner = new XmlBoundaryScanner();
    this.rootEnd = -1;
    return null;
  }

  private consumeBody(chunk: Buffer, start: number, end: number): void {
    if (start === end) return;
    if (this.rootEnd < 0) {
      const closed = this.scanner.scan(chunk, start, end);
      if (closed >= 0) this.rootEnd = this.received + (closed - start);
    }
    this.parts.push(start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end));
    this.received += end - start;
  }

  private finishBody(): FrameEvent | null {
    const body =
      this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.received);
    this.parts = [];
    if (this.rootEnd < 0 && this.scanner.insideDocument && this.isCutShort(body)) {
      // The declared bytes end inside the document: read on to learn its real length.
      this.state = State.Overrun;
      return null;
    }
    this.reset();
    return { type: 'request', body };
  }

  private reset(): void {
    this.state = State.LengthStart;
    this.declared = 0;
    this.digits = 0;
    this.received = 0;
    this.rootEnd = -1;
  }

  private mismatch(actual: string): ExchangeError {
    return exchangeError(
      'LENGTH_MISMATCH',
      `the length line says ${this.declared} bytes but ${actual}`,
    );
  }

  private shortBodyError(): ExchangeError {
    return this.mismatch(`the XML document ends after ${this.rootEnd} bytes`);
  }

  private overrunError(): ExchangeError {
    return this.mismatch(
      `the XML document does not end within them (${this.received} bytes arrived)`,
    );
  }

  private fail(events: FrameEvent[], error: ExchangeError): FrameEvent[] {
    this.state = State.Failed;
    this.parts = [];
    events.push({ type: 'error', error });
    return events;
  }
}
