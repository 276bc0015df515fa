// What a load run sends. A workload is a source of sessions: a session is a short script of
// requests that must go in order (a later one may use an id an earlier reply gave), and
// sessions run concurrently, one per lane. Workloads speak only the public protocol, so they
// drive any server of it.

/** Sends one request and resolves with the reply's XML; `isOrder` counts it as an order. */
export type Send = (xml: string, isOrder: boolean) => Promise<string>;

export type Session = (send: Send) => Promise<void>;

export interface Workload {
  /** Requests that prepare the server, sent one at a time before the clock starts. */
  setup(): Iterable<string>;
  /** The next session, or null when the workload has no more. */
  nextSession(): Session | null;
  /** After the run, checks on the server's state: one line per problem found. */
  verify?(send: Send): Promise<string[]>;
}

const OPENED = /<opened [^>]*\bid="(\d+)"/;

/** The order id of an `<opened>` reply, or null (an error or another reply). */
export function openedId(reply: string): number | null {
  const m = OPENED.exec(reply);
  return m === null ? null : Number(m[1]);
}

/** Whether a reply is a `<results>` document at all (else the request failed). */
export function isResultsReply(reply: string): boolean {
  return /^\s*(<\?xml[^>]*\?>\s*)?<results[\s>/]/.test(reply);
}
