// The local AlertStateStore: one JSON file per group in the store folder, holding the group's
// AlertRecord (open state and/or pending message). One writer (the folder's lock), so a closed
// record with nothing left to send is deleted at once instead of kept as a tombstone.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { alertStateFromJson, fromJson } from '../../core/serialize.js';
import { alertRecordFromStored, alertRecordOfState } from '../../app/alert-record.js';
import type { AlertRecord, AlertStateStore } from '../../app/ports.js';
import { mayWrite } from './memory-alert-store.js';
import { encodeName, type StoreFolder } from './store-folder.js';

export class FileAlertStore implements AlertStateStore {
  constructor(private readonly folder: StoreFolder) {}

  private alertFile(cluster: string, group: string): string {
    return join(this.folder.clusterDir(cluster), 'alerts', `${encodeName(group)}.json`);
  }

  async list(cluster: string): Promise<AlertRecord[]> {
    const dir = join(this.folder.clusterDir(cluster), 'alerts');
    const records: AlertRecord[] = [];
    for (const file of (await this.folder.listDir(dir)).sort()) {
      if (!file.endsWith('.json')) continue; // leftover temp files from a crash
      const record = await this.readAlert(join(dir, file));
      if (record) records.push(record);
    }
    return records;
  }

  private async readAlert(path: string): Promise<AlertRecord | null> {
    const value = await this.folder.readJson(path);
    if (value === undefined) return null;
    try {
      return alertRecordFromJson(value);
    } catch (error) {
      throw this.folder.corrupt(path, error instanceof Error ? error.message : String(error), error);
    }
  }

  async write(next: AlertRecord, expectedRevision: number | null): Promise<boolean> {
    this.folder.assertWritable();
    const path = this.alertFile(next.cluster, next.group);
    return this.folder.mutex.run(path, async () => {
      if (!mayWrite(await this.readAlert(path), next, expectedRevision)) return false;
      // One writer (the lock): a closed record with nothing to send needs no tombstone here.
      if (next.state === null && next.pending === null) {
        try {
          await rm(path, { force: true });
        } catch (error) {
          throw this.folder.ioError('delete', path, error);
        }
      } else {
        await this.folder.writeJson(path, next);
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
