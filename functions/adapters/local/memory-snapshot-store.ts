// An in-memory SnapshotStore with the same window contract as the file and DynamoDB stores:
// bench:alerts replays generated traces through the backtest path without touching disk, and it
// keeps every field of a snapshot as given (no serialization in between). Like DynamoDB it keeps each
// shard's runs apart (ShardScope), so the app tests of sharded evaluation run on it.
import type { RunRecord, ShardScope, SnapshotStore } from '../../app/ports.js';
import { runRecordOf, shardOfRun, withRun } from '../../app/run-record.js';
import { shardLabel } from '../../core/shard.js';
import type { ClusterSnapshot, GroupSnapshot } from '../../core/types.js';

/** One key per (cluster, shard): runs of different shards or shard counts never mix. */
function runsKey(cluster: string, scope: ShardScope): string {
  return `${cluster}\u0000${shardLabel(shardOfRun(scope))}`;
}

export class MemorySnapshotStore implements SnapshotStore {
  private readonly runs = new Map<string, RunRecord[]>();
  private readonly snapshots = new Map<string, Map<string, GroupSnapshot[]>>();

  async putSnapshot(snapshot: ClusterSnapshot): Promise<void> {
    const key = runsKey(snapshot.cluster, snapshot);
    const groups = this.snapshots.get(key) ?? new Map<string, GroupSnapshot[]>();
    this.snapshots.set(key, groups);
    for (const group of snapshot.groups) {
      // Idempotent on the timestamp, like the real stores: a retried run replaces its own snapshot.
      const list = (groups.get(group.group) ?? []).filter((s) => s.timestamp !== group.timestamp);
      list.push(group);
      list.sort((a, b) => a.timestamp - b.timestamp);
      groups.set(group.group, list);
    }
    this.runs.set(key, withRun(this.runs.get(key) ?? [], runRecordOf(snapshot)));
  }

  async readRuns(cluster: string, scope: ShardScope = {}): Promise<RunRecord[]> {
    return [...(this.runs.get(runsKey(cluster, scope)) ?? [])];
  }

  async latestRun(cluster: string, scope: ShardScope = {}): Promise<RunRecord | null> {
    const runs = this.runs.get(runsKey(cluster, scope)) ?? [];
    return runs[runs.length - 1] ?? null;
  }

  async readWindows(cluster: string, options: { limit: number; now: number; notBefore: number } & ShardScope): Promise<Map<string, GroupSnapshot[]>> {
    const windows = new Map<string, GroupSnapshot[]>();
    if (options.limit <= 0) return windows;
    const key = runsKey(cluster, options);
    const runs = (this.runs.get(key) ?? []).filter((r) => r.timestamp <= options.now && r.timestamp >= options.notBefore).slice(-options.limit);
    const times = new Set(runs.map((r) => r.timestamp));
    const groups = this.snapshots.get(key) ?? new Map<string, GroupSnapshot[]>();
    for (const group of [...new Set(runs.flatMap((r) => r.listedGroups))].sort()) {
      const snapshots = (groups.get(group) ?? []).filter((s) => times.has(s.timestamp));
      if (snapshots.length > 0) windows.set(group, snapshots);
    }
    return windows;
  }
}
