// The local SnapshotStore: one JSON file per group in the store folder, the group's snapshots oldest
// first (core/serialize.ts), and the cluster's run records in runs.json.
import { join } from 'node:path';
import { fromJson, groupSnapshotFromJson, groupSnapshotToJson } from '../../core/serialize.js';
import type { ClusterSnapshot, GroupSnapshot } from '../../core/types.js';
import type { RunRecord, SnapshotStore } from '../../app/ports.js';
import { runRecordFromStored, runRecordOf, withRun } from '../../app/run-record.js';
import { decodeName, encodeName, isRecord, type StoreFolder } from './store-folder.js';

export interface FileSnapshotStoreOptions {
  /** Snapshots kept per group (older ones are dropped on write). */
  readonly maxSnapshotsPerGroup?: number;
  /** Run records kept per cluster. */
  readonly maxRuns?: number;
}

const DEFAULT_MAX_SNAPSHOTS = 2880;
const DEFAULT_MAX_RUNS = 2880;

export class FileSnapshotStore implements SnapshotStore {
  private readonly maxSnapshots: number;
  private readonly maxRuns: number;
  /** Snapshot files already read, by path: this process is the only writer (see the lock). */
  private readonly cache = new Map<string, GroupSnapshot[]>();

  constructor(
    private readonly folder: StoreFolder,
    options: FileSnapshotStoreOptions = {},
  ) {
    this.maxSnapshots = options.maxSnapshotsPerGroup ?? DEFAULT_MAX_SNAPSHOTS;
    this.maxRuns = options.maxRuns ?? DEFAULT_MAX_RUNS;
  }

  private snapshotFile(cluster: string, group: string): string {
    return join(this.folder.clusterDir(cluster), 'snapshots', `${encodeName(group)}.json`);
  }

  private async loadSnapshots(cluster: string, group: string): Promise<GroupSnapshot[]> {
    const path = this.snapshotFile(cluster, group);
    const cached = this.cache.get(path);
    if (cached) return cached;
    const value = await this.folder.readJson(path);
    let snapshots: GroupSnapshot[] = [];
    if (value !== undefined) {
      if (!isRecord(value) || !Array.isArray(value.snapshots)) throw this.folder.corrupt(path, 'expected { snapshots: [...] }');
      const list = value.snapshots as unknown[];
      try {
        snapshots = list.map((s, i) => groupSnapshotFromJson(s, `snapshots[${i}]`));
      } catch (error) {
        throw this.folder.corrupt(path, error instanceof Error ? error.message : String(error), error);
      }
      for (const s of snapshots) {
        if (s.cluster !== cluster || s.group !== group) throw this.folder.corrupt(path, `holds a snapshot of ${s.cluster}/${s.group}`);
      }
    }
    this.cache.set(path, snapshots);
    return snapshots;
  }

  async putSnapshot(snapshot: ClusterSnapshot): Promise<void> {
    this.folder.assertWritable();
    for (const group of snapshot.groups) {
      const path = this.snapshotFile(group.cluster, group.group);
      await this.folder.mutex.run(path, async () => {
        const existing = await this.loadSnapshots(group.cluster, group.group);
        // Idempotent on the timestamp: a retried run replaces its own snapshot.
        const next = existing.filter((s) => s.timestamp !== group.timestamp);
        next.push(group);
        next.sort((a, b) => a.timestamp - b.timestamp);
        const kept = next.slice(-this.maxSnapshots);
        await this.folder.writeJson(path, { cluster: group.cluster, group: group.group, snapshots: kept.map(groupSnapshotToJson) });
        this.cache.set(path, kept);
      });
    }
    // The run record last: a run with a record is complete.
    const runsPath = join(this.folder.clusterDir(snapshot.cluster), 'runs.json');
    await this.folder.mutex.run(runsPath, async () => {
      const runs = withRun(await this.readRuns(snapshot.cluster), runRecordOf(snapshot));
      await this.folder.writeJson(runsPath, { runs: runs.slice(-this.maxRuns) });
    });
  }

  /** Every run record kept for the cluster, oldest first. */
  async readRuns(cluster: string): Promise<RunRecord[]> {
    const path = join(this.folder.clusterDir(cluster), 'runs.json');
    const value = await this.folder.readJson(path);
    if (value === undefined) return [];
    if (!isRecord(value) || !Array.isArray(value.runs)) throw this.folder.corrupt(path, 'expected { runs: [...] }');
    try {
      return (value.runs as unknown[]).map((r, i) => runRecordFromStored(fromJson.object(r, `runs[${i}]`), `runs[${i}]`));
    } catch (error) {
      throw this.folder.corrupt(path, error instanceof Error ? error.message : String(error), error);
    }
  }

  async latestRun(cluster: string): Promise<RunRecord | null> {
    const runs = await this.readRuns(cluster);
    return runs[runs.length - 1] ?? null;
  }

  async readWindows(cluster: string, options: { limit: number; now: number; notBefore: number }): Promise<Map<string, GroupSnapshot[]>> {
    const windows = new Map<string, GroupSnapshot[]>();
    if (options.limit <= 0) return windows;
    const runs = (await this.readRuns(cluster)).filter((r) => r.timestamp <= options.now && r.timestamp >= options.notBefore).slice(-options.limit);
    const oldest = runs[0];
    if (oldest === undefined) return windows;
    const times = new Set(runs.map((r) => r.timestamp));
    const groups = new Set(runs.flatMap((r) => r.listedGroups));
    for (const group of [...groups].sort()) {
      const snapshots = (await this.loadSnapshots(cluster, group)).filter((s) => times.has(s.timestamp));
      if (snapshots.length > 0) windows.set(group, snapshots);
    }
    return windows;
  }

  /** Every snapshot kept for one group, oldest first (backtest). */
  async readHistory(cluster: string, group: string): Promise<GroupSnapshot[]> {
    return [...(await this.loadSnapshots(cluster, group))];
  }

  async listClusters(): Promise<string[]> {
    return (await this.folder.listDir(join(this.folder.dataDir, 'clusters'))).map(decodeName).sort();
  }

  async listGroups(cluster: string): Promise<string[]> {
    const files = await this.folder.listDir(join(this.folder.clusterDir(cluster), 'snapshots'));
    return files
      .filter((f) => f.endsWith('.json'))
      .map((f) => decodeName(f.slice(0, -'.json'.length)))
      .sort();
  }
}
