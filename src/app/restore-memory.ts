// What a restore leaves behind, given back before the server listens.
//
// The server runs with large semi-spaces (bin/exchange: --max-semi-space-size=64) for its
// throughput under load. A restore builds every open order, and nearly all of them survive,
// so the young generation grows to its maximum on the way. V8 keeps both semi-spaces
// committed after that, and the pages the restore wrote stay resident: an idle server
// allocates nothing, so no collection comes, and an ordinary full collection does not shrink
// the young generation anyway. A memory-reducing collection does: it frees the restore's
// garbage (PostgreSQL's pages of order text among it), shrinks the semi-spaces to their
// minimum and uncommits the rest; under load the young generation grows back to its maximum
// within seconds. Node asks V8 for one through the inspector protocol's
// HeapProfiler.collectGarbage, here on an in-process session (no port is opened). Its other
// ways, heap snapshots and v8.queryObjects, build a heap profile of every object besides.

import { Session } from 'node:inspector/promises';
import v8 from 'node:v8';

/**
 * Young generation committed (MiB) above which a restore is worth a memory-reducing
 * collection: V8's default semi-spaces (16 MiB each) never hold more, so a server started
 * without large ones, or whose restore was small, starts as it would without this.
 */
const YOUNG_MIB_WORTH_RELEASING = 32;

function youngCommittedMiB(): number {
  let bytes = 0;
  for (const space of v8.getHeapSpaceStatistics()) {
    if (space.space_name === 'new_space' || space.space_name === 'new_large_object_space') {
      bytes += space.space_size;
    }
  }
  return bytes / (1024 * 1024);
}

/**
 * After a restore: one memory-reducing collection when the restore grew the young
 * generation past V8's default, none otherwise. Resolves with whether it ran; a Node
 * without the inspector, or a collection that fails, leaves the memory as it was.
 */
export async function releaseRestoreMemory(): Promise<boolean> {
  if (!process.features.inspector || youngCommittedMiB() <= YOUNG_MIB_WORTH_RELEASING) {
    return false;
  }
  const session = new Session();
  try {
    session.connect();
    await session.post('HeapProfiler.collectGarbage');
    return true;
  } catch {
    return false;
  } finally {
    session.disconnect();
  }
}
