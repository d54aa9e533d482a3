// The run record of a collection run, and a store's list of runs with one more: shared by the local
// stores (file and memory), which keep their runs as a list sorted oldest first. A run of one shard
// (cluster option `shards`) says which; a whole-cluster run says nothing, as before sharding.
import { isWholeCluster, WHOLE_CLUSTER, type Shard } from '../core/shard.js';
import { fromJson } from '../core/serialize.js';
import type { ClusterSnapshot } from '../core/types.js';
import type { RunRecord } from './ports.js';

export function runRecordOf(snapshot: ClusterSnapshot): RunRecord {
  const shard = shardOfRun(snapshot);
  return {
    cluster: snapshot.cluster,
    timestamp: snapshot.timestamp,
    listedGroups: [...snapshot.listedGroups],
    failedGroups: snapshot.failures.map((f) => f.group),
    ...(isWholeCluster(shard) ? {} : { shard }),
  };
}

/** The shard a run or read covers: the whole cluster unless it names one. */
export function shardOfRun(scope: { readonly shard?: Shard | undefined }): Shard {
  return scope.shard ?? WHOLE_CLUSTER;
}

/** `runs` with `run` in its place, oldest first; a retried run (same timestamp) replaces itself. */
export function withRun(runs: readonly RunRecord[], run: RunRecord): RunRecord[] {
  return [...runs.filter((r) => r.timestamp !== run.timestamp), run].sort((a, b) => a.timestamp - b.timestamp);
}

/** The one decoder of a stored run record (file and DynamoDB stores), from its fields as the store
 * kept them; throws InputError naming the field under `where`. */
export function runRecordFromStored(stored: Readonly<Partial<Record<'cluster' | 'timestamp' | 'listedGroups' | 'failedGroups', unknown>>>, where: string): RunRecord {
  return {
    cluster: fromJson.text(stored.cluster, `${where}.cluster`),
    timestamp: fromJson.time(stored.timestamp, `${where}.timestamp`),
    listedGroups: fromJson.strings(stored.listedGroups, `${where}.listedGroups`),
    failedGroups: fromJson.strings(stored.failedGroups, `${where}.failedGroups`),
  };
}
