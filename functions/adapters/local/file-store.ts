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
// The folder (marker, lock, atomic I/O) is store-folder.ts; the two stores in it are
// file-snapshot-store.ts and file-alert-store.ts. This is the one object local mode opens.
import type { ClusterSnapshot, GroupSnapshot } from '../../core/types.js';
import type { AlertRecord, AlertStateStore, RunRecord, SnapshotStore } from '../../app/ports.js';
import { FileAlertStore } from './file-alert-store.js';
import { FileSnapshotStore, type FileSnapshotStoreOptions } from './file-snapshot-store.js';
import { StoreFolder } from './store-folder.js';

export interface FileStoreOptions extends FileSnapshotStoreOptions {
  /** Open for reading only (backtest): no lock, no format file written, writes refused. */
  readonly readOnly?: boolean;
}

export class FileStore implements SnapshotStore, AlertStateStore {
  private readonly snapshots: FileSnapshotStore;
  private readonly alerts: FileAlertStore;

  private constructor(
    private readonly folder: StoreFolder,
    options: FileStoreOptions,
  ) {
    this.snapshots = new FileSnapshotStore(folder, options);
    this.alerts = new FileAlertStore(folder);
  }

  /**
   * Opens (creating if needed) the store in `dataDir`. A writable store takes `dataDir/lock`, so two
   * lagwatch processes never write the same files; `reset` deletes everything first.
   */
  static async open(dataDir: string, options: FileStoreOptions & { reset?: boolean } = {}): Promise<FileStore> {
    return new FileStore(await StoreFolder.open(dataDir, options), options);
  }

  get dataDir(): string {
    return this.folder.dataDir;
  }

  /** Releases the lock. The files stay: the next start continues the window. */
  close(): Promise<void> {
    return this.folder.close();
  }

  /** Reads every file once, so a corrupt store fails at startup (naming the file) rather than mid-run. */
  async verify(): Promise<void> {
    for (const cluster of await this.listClusters()) {
      await this.readRuns(cluster);
      await this.list(cluster);
      for (const group of await this.listGroups(cluster)) await this.readHistory(cluster, group);
    }
  }

  putSnapshot(snapshot: ClusterSnapshot): Promise<void> {
    return this.snapshots.putSnapshot(snapshot);
  }

  /** Every run record kept for the cluster, oldest first. */
  readRuns(cluster: string): Promise<RunRecord[]> {
    return this.snapshots.readRuns(cluster);
  }

  latestRun(cluster: string): Promise<RunRecord | null> {
    return this.snapshots.latestRun(cluster);
  }

  readWindows(cluster: string, options: { limit: number; now: number; notBefore: number }): Promise<Map<string, GroupSnapshot[]>> {
    return this.snapshots.readWindows(cluster, options);
  }

  /** Every snapshot kept for one group, oldest first (backtest). */
  readHistory(cluster: string, group: string): Promise<GroupSnapshot[]> {
    return this.snapshots.readHistory(cluster, group);
  }

  listClusters(): Promise<string[]> {
    return this.snapshots.listClusters();
  }

  listGroups(cluster: string): Promise<string[]> {
    return this.snapshots.listGroups(cluster);
  }

  list(cluster: string): Promise<AlertRecord[]> {
    return this.alerts.list(cluster);
  }

  write(next: AlertRecord, expectedRevision: number | null): Promise<boolean> {
    return this.alerts.write(next, expectedRevision);
  }
}
