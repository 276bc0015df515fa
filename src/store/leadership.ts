// Leadership over a shared store: which engine may write to it. Only one engine leads at a
// time; the others (standbys) wait. Leadership is an epoch number in the store, taken in the
// transaction that confirms it, and every commit checks that its epoch is still the current
// one, so an engine that lost leadership without knowing it (paused, cut off) cannot write.

/** The engine that leads the store, as the store records it. */
export interface LeaderRecord {
  readonly epoch: number;
  /** `host:pid` of the engine's process. */
  readonly holder: string | null;
  /** Milliseconds since its last commit or heartbeat. */
  readonly heartbeatAgeMs: number | null;
}

/** How an engine asks for leadership when its store is opened. */
export type LeadershipMode =
  /** Take it if nobody live holds it, else refuse to start (NotLeader). */
  | 'lead'
  /** Wait until nobody live holds it, then take it. */
  | 'standby';
