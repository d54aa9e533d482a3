// A file-backed SnapshotStore + AlertStateStore for local mode: one JSON file per group, rewritten
// atomically (temp file + rename) so Ctrl-C or a crash never leaves half a file behind.
//
// Layout under the data folder (default `.lagwatch/`):
//   store.json                                  format marker
//   lock                                        pid of the process writing (one writer at a time)
//   clusters/<cluster>/runs.json                the newest run records, oldest first
//   clusters/<cluster>/snapshots/<group>.json   { cluster, group, snapshots: [...] }, oldest first
//   clusters/<cluster>/alerts/<group>.json      the group's AlertRecord (open state and/or pending message)
// Names are percent-encoded (dots too) so any group name is one safe file name.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreError } from '../../core/errors.js';
import { alertStateFromJson, fromJson, groupSnapshotFromJson, groupSnapshotToJson } from '../../core/serialize.js';
import type { ClusterSnapshot, GroupSnapshot } from '../../core/types.js';
import { alertRecordFromStored, alertRecordOfState } from '../../app/alert-record.js';
import type { AlertRecord, AlertStateStore, RunRecord, SnapshotStore } from '../../app/ports.js';
import { runRecordFromStored, runRecordOf, withRun } from '../../app/run-record.js';
import { mayWrite } from './memory-alert-store.js';

export const STORE_FORMAT = 'lagwatch-local-store';
export const STORE_VERSION = 2;
/** Versions this lagwatch reads: 1 has no §6.1 signals (log start, retention, assignments); its
 * snapshots read as "signals not collected", and new snapshots are written beside them. */
const READABLE_STORE_VERSIONS: readonly unknown[] = [1, STORE_VERSION];

export interface FileStoreOptions {
  /** Snapshots kept per group (older ones are dropped on write). */
  readonly maxSnapshotsPerGroup?: number;
  /** Run records kept per cluster. */
  readonly maxRuns?: number;
  /** Open for reading only (backtest): no lock, no format file written, writes refused. */
  readonly readOnly?: boolean;
}

const DEFAULT_MAX_SNAPSHOTS = 2880;
const DEFAULT_MAX_RUNS = 2880;

export function encodeName(name: string): string {
  return encodeURIComponent(name).replace(/\./g, '%2E').replace(/\*/g, '%2A');
}

export function decodeName(file: string): string {
  return decodeURIComponent(file);
}

function resetHint(dataDir: string): string {
  return `delete ${dataDir} or run with --reset`;
}

/** Writes `data` to `path` atomically: a reader sees the old file or the new one, never a mix. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Serialises async work per key (one file = one key), so read-modify-write never interleaves. */
class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}

export class FileStore implements SnapshotStore, AlertStateStore {
  private readonly maxSnapshots: number;
  private readonly maxRuns: number;
  private readonly readOnly: boolean;
  private readonly mutex = new KeyedMutex();
  /** Snapshot files already read, by path: this process is the only writer (see the lock). */
  private readonly cache = new Map<string, GroupSnapshot[]>();
  private locked = false;

  private constructor(
    readonly dataDir: string,
    options: FileStoreOptions,
  ) {
    this.maxSnapshots = options.maxSnapshotsPerGroup ?? DEFAULT_MAX_SNAPSHOTS;
    this.maxRuns = options.maxRuns ?? DEFAULT_MAX_RUNS;
    this.readOnly = options.readOnly ?? false;
  }

  /**
   * Opens (creating if needed) the store in `dataDir`. A writable store takes `dataDir/lock`, so two
   * lagwatch processes never write the same files; `reset` deletes everything first.
   */
  static async open(dataDir: string, options: FileStoreOptions & { reset?: boolean } = {}): Promise<FileStore> {
    const store = new FileStore(dataDir, options);
    if (store.readOnly) {
      await store.checkFormat(false);
      return store;
    }
    if (options.reset) {
      await store.checkLockFree();
      await rm(dataDir, { recursive: true, force: true });
    }
    await mkdir(dataDir, { recursive: true });
    await store.acquireLock();
    try {
      await store.checkFormat(true);
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /** Releases the lock. The files stay: the next start continues the window. */
  async close(): Promise<void> {
    if (!this.locked) return;
    this.locked = false;
    process.off('exit', this.releaseLockOnExit);
    await rm(join(this.dataDir, 'lock'), { force: true });
  }

  private async checkFormat(create: boolean): Promise<void> {
    const path = join(this.dataDir, 'store.json');
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (!isNotFound(error)) throw this.ioError('read', path, error);
      if (!create) {
        throw new StoreError(`${this.dataDir} is not a lagwatch local store (no ${path}); pass the folder lagwatch start wrote (default .lagwatch/)`, {
          context: { file: path },
        });
      }
      await writeFileAtomic(path, `${JSON.stringify({ format: STORE_FORMAT, version: STORE_VERSION })}\n`);
      return;
    }
    let marker: unknown;
    try {
      marker = JSON.parse(text);
    } catch (error) {
      throw this.corrupt(path, 'not valid JSON', error);
    }
    if (!isRecord(marker) || marker.format !== STORE_FORMAT) throw this.corrupt(path, `not a ${STORE_FORMAT} marker`);
    if (!READABLE_STORE_VERSIONS.includes(marker.version)) {
      throw new StoreError(
        `${path}: store format version ${String(marker.version)} is not supported (this lagwatch reads versions ${READABLE_STORE_VERSIONS.join(' and ')}); ${resetHint(this.dataDir)}`,
        { context: { file: path } },
      );
    }
  }

  private async checkLockFree(): Promise<void> {
    const holder = await this.lockHolder();
    if (holder !== null) {
      throw new StoreError(`${this.dataDir} is in use by another lagwatch process (pid ${holder}); stop it first or use another --data-dir`, {
        context: { file: join(this.dataDir, 'lock') },
      });
    }
  }

  /** The pid in the lock file when that process is still alive, else null. */
  private async lockHolder(): Promise<number | null> {
    let text: string;
    try {
      text = await readFile(join(this.dataDir, 'lock'), 'utf8');
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    const pid = Number.parseInt(text.trim(), 10);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return null;
    try {
      process.kill(pid, 0);
      return pid;
    } catch (error) {
      // EPERM: alive but someone else's; ESRCH: gone (a crash left the lock behind).
      return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
    }
  }

  /** A forced exit (a second Ctrl-C) skips close(): drop the lock anyway, synchronously. */
  private readonly releaseLockOnExit = (): void => {
    rmSync(join(this.dataDir, 'lock'), { force: true });
  };

  private async acquireLock(): Promise<void> {
    const path = join(this.dataDir, 'lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await writeFile(path, `${process.pid}\n`, { flag: 'wx' });
        this.locked = true;
        process.on('exit', this.releaseLockOnExit);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw this.ioError('create', path, error);
      }
      await this.checkLockFree();
      await rm(path, { force: true }); // stale lock from a process that is gone
    }
    throw new StoreError(`could not take ${path}; another lagwatch may be starting on ${this.dataDir}`, { context: { file: path } });
  }

  private clusterDir(cluster: string): string {
    return join(this.dataDir, 'clusters', encodeName(cluster));
  }

  private snapshotFile(cluster: string, group: string): string {
    return join(this.clusterDir(cluster), 'snapshots', `${encodeName(group)}.json`);
  }

  private alertFile(cluster: string, group: string): string {
    return join(this.clusterDir(cluster), 'alerts', `${encodeName(group)}.json`);
  }

  private corrupt(path: string, reason: string, cause?: unknown): StoreError {
    return new StoreError(`local store file ${path} is corrupt (${reason}); ${resetHint(this.dataDir)}`, {
      cause,
      context: { file: path },
    });
  }

  private ioError(verb: string, path: string, cause: unknown): StoreError {
    const message = cause instanceof Error ? cause.message : String(cause);
    return new StoreError(`could not ${verb} ${path}: ${message}`, { cause, context: { file: path } });
  }

  private assertWritable(): void {
    if (this.readOnly) throw new StoreError(`${this.dataDir} was opened read-only`, { context: { file: this.dataDir } });
  }

  private async readJson(path: string): Promise<unknown> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw this.ioError('read', path, error);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw this.corrupt(path, 'not valid JSON', error);
    }
  }

  private async writeJson(path: string, value: unknown): Promise<void> {
    this.assertWritable();
    try {
      await mkdir(join(path, '..'), { recursive: true });
      await writeFileAtomic(path, `${JSON.stringify(value)}\n`);
    } catch (error) {
      throw this.ioError('write', path, error);
    }
  }

  private async loadSnapshots(cluster: string, group: string): Promise<GroupSnapshot[]> {
    const path = this.snapshotFile(cluster, group);
    const cached = this.cache.get(path);
    if (cached) return cached;
    const value = await this.readJson(path);
    let snapshots: GroupSnapshot[] = [];
    if (value !== undefined) {
      if (!isRecord(value) || !Array.isArray(value.snapshots)) throw this.corrupt(path, 'expected { snapshots: [...] }');
      const list = value.snapshots as unknown[];
      try {
        snapshots = list.map((s, i) => groupSnapshotFromJson(s, `snapshots[${i}]`));
      } catch (error) {
        throw this.corrupt(path, error instanceof Error ? error.message : String(error), error);
      }
      for (const s of snapshots) {
        if (s.cluster !== cluster || s.group !== group) throw this.corrupt(path, `holds a snapshot of ${s.cluster}/${s.group}`);
      }
    }
    this.cache.set(path, snapshots);
    return snapshots;
  }

  // ---------------------------------------------------------------------------------------------
  // SnapshotStore

  async putSnapshot(snapshot: ClusterSnapshot): Promise<void> {
    this.assertWritable();
    for (const group of snapshot.groups) {
      const path = this.snapshotFile(group.cluster, group.group);
      await this.mutex.run(path, async () => {
        const existing = await this.loadSnapshots(group.cluster, group.group);
        // Idempotent on the timestamp: a retried run replaces its own snapshot.
        const next = existing.filter((s) => s.timestamp !== group.timestamp);
        next.push(group);
        next.sort((a, b) => a.timestamp - b.timestamp);
        const kept = next.slice(-this.maxSnapshots);
        await this.writeJson(path, { cluster: group.cluster, group: group.group, snapshots: kept.map(groupSnapshotToJson) });
        this.cache.set(path, kept);
      });
    }
    // The run record last: a run with a record is complete.
    const runsPath = join(this.clusterDir(snapshot.cluster), 'runs.json');
    await this.mutex.run(runsPath, async () => {
      const runs = withRun(await this.readRuns(snapshot.cluster), runRecordOf(snapshot));
      await this.writeJson(runsPath, { runs: runs.slice(-this.maxRuns) });
    });
  }

  /** Every run record kept for the cluster, oldest first. */
  async readRuns(cluster: string): Promise<RunRecord[]> {
    const path = join(this.clusterDir(cluster), 'runs.json');
    const value = await this.readJson(path);
    if (value === undefined) return [];
    if (!isRecord(value) || !Array.isArray(value.runs)) throw this.corrupt(path, 'expected { runs: [...] }');
    try {
      return (value.runs as unknown[]).map((r, i) => runRecordFromStored(fromJson.object(r, `runs[${i}]`), `runs[${i}]`));
    } catch (error) {
      throw this.corrupt(path, error instanceof Error ? error.message : String(error), error);
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

  /** Reads every file once, so a corrupt store fails at startup (naming the file) rather than mid-run. */
  async verify(): Promise<void> {
    for (const cluster of await this.listClusters()) {
      await this.readRuns(cluster);
      await this.list(cluster);
      for (const group of await this.listGroups(cluster)) await this.loadSnapshots(cluster, group);
    }
  }

  async listClusters(): Promise<string[]> {
    return (await this.listDir(join(this.dataDir, 'clusters'))).map(decodeName).sort();
  }

  async listGroups(cluster: string): Promise<string[]> {
    const files = await this.listDir(join(this.clusterDir(cluster), 'snapshots'));
    return files
      .filter((f) => f.endsWith('.json'))
      .map((f) => decodeName(f.slice(0, -'.json'.length)))
      .sort();
  }

  private async listDir(path: string): Promise<string[]> {
    try {
      return await readdir(path);
    } catch (error) {
      if (isNotFound(error)) return [];
      throw this.ioError('list', path, error);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // AlertStateStore

  async list(cluster: string): Promise<AlertRecord[]> {
    const dir = join(this.clusterDir(cluster), 'alerts');
    const records: AlertRecord[] = [];
    for (const file of (await this.listDir(dir)).sort()) {
      if (!file.endsWith('.json')) continue; // leftover temp files from a crash
      const record = await this.readAlert(join(dir, file));
      if (record) records.push(record);
    }
    return records;
  }

  private async readAlert(path: string): Promise<AlertRecord | null> {
    const value = await this.readJson(path);
    if (value === undefined) return null;
    try {
      return alertRecordFromJson(value);
    } catch (error) {
      throw this.corrupt(path, error instanceof Error ? error.message : String(error), error);
    }
  }

  async write(next: AlertRecord, expectedRevision: number | null): Promise<boolean> {
    this.assertWritable();
    const path = this.alertFile(next.cluster, next.group);
    return this.mutex.run(path, async () => {
      if (!mayWrite(await this.readAlert(path), next, expectedRevision)) return false;
      // One writer (the lock): a closed record with nothing to send needs no tombstone here.
      if (next.state === null && next.pending === null) {
        try {
          await rm(path, { force: true });
        } catch (error) {
          throw this.ioError('delete', path, error);
        }
      } else {
        await this.writeJson(path, next);
      }
      return true;
    });
  }
}

/** An alert file: an AlertRecord, or (files written before the outbox) a bare open AlertState. */
function alertRecordFromJson(value: unknown): AlertRecord {
  const o = fromJson.object(value, 'alert');
  if (!('revision' in o)) return alertRecordOfState(alertStateFromJson(o, 'alert'));
  const { cluster, group, revision, runTimestamp, state, pending } = o;
  return alertRecordFromStored({ cluster: fromJson.text(cluster, 'alert.cluster'), group: fromJson.text(group, 'alert.group'), revision, runTimestamp, state, pending }, 'alert');
}
