// An in-memory SnapshotStore with the same window contract as the file and DynamoDB stores:
// bench:alerts replays generated traces through the backtest path without touching disk, and it
// keeps every field of a snapshot as given (no serialization in between).
import type { RunRecord, SnapshotStore } from '../../app/ports.js';
import { runRecordOf, withRun } from '../../app/run-record.js';
import type { ClusterSnapshot, GroupSnapshot } from '../../core/types.js';

export class MemorySnapshotStore implements SnapshotStore {
  private readonly runs = new Map<string, RunRecord[]>();
  private readonly snapshots = new Map<string, Map<string, GroupSnapshot[]>>();

  async putSnapshot(snapshot: ClusterSnapshot): Promise<void> {
    const groups = this.snapshots.get(snapshot.cluster) ?? new Map<string, GroupSnapshot[]>();
    this.snapshots.set(snapshot.cluster, groups);
    for (const group of snapshot.groups) {
      // Idempotent on the timestamp, like the real stores: a retried run replaces its own snapshot.
      const list = (groups.get(group.group) ?? []).filter((s) => s.timestamp !== group.timestamp);
      list.push(group);
      list.sort((a, b) => a.timestamp - b.timestamp);
      groups.set(group.group, list);
    }
    this.runs.set(snapshot.cluster, withRun(this.runs.get(snapshot.cluster) ?? [], runRecordOf(snapshot)));
  }

  async readRuns(cluster: string): Promise<RunRecord[]> {
    return [...(this.runs.get(cluster) ?? [])];
  }

  async latestRun(cluster: string): Promise<RunRecord | null> {
    const runs = this.runs.get(cluster) ?? [];
    return runs[runs.length - 1] ?? null;
  }

  async readWindows(cluster: string, options: { limit: number; now: number; notBefore: number }): Promise<Map<string, GroupSnapshot[]>> {
    const windows = new Map<string, GroupSnapshot[]>();
    if (options.limit <= 0) return windows;
    const runs = (this.runs.get(cluster) ?? []).filter((r) => r.timestamp <= options.now && r.timestamp >= options.notBefore).slice(-options.limit);
    const times = new Set(runs.map((r) => r.timestamp));
    const groups = this.snapshots.get(cluster) ?? new Map<string, GroupSnapshot[]>();
    for (const group of [...new Set(runs.flatMap((r) => r.listedGroups))].sort()) {
      const snapshots = (groups.get(group) ?? []).filter((s) => times.has(s.timestamp));
      if (snapshots.length > 0) windows.set(group, snapshots);
    }
    return windows;
  }
}
