// An in-memory AlertStateStore with the same contract as the real ones (revision and run-order
// conditions, tombstones kept): backtests replay alert decisions without touching any stored state.
import type { AlertRecord, AlertStateStore } from '../../app/ports.js';

/** The store contract's write condition, shared by the in-process stores. */
export function mayWrite(current: AlertRecord | null, next: AlertRecord, expectedRevision: number | null): boolean {
  if ((current?.revision ?? null) !== expectedRevision) return false;
  return current === null || current.runTimestamp <= next.runTimestamp;
}

export class MemoryAlertStateStore implements AlertStateStore {
  private readonly records = new Map<string, AlertRecord>();

  private static key(cluster: string, group: string): string {
    return `${cluster}\u0000${group}`;
  }

  async list(cluster: string): Promise<AlertRecord[]> {
    return [...this.records.values()].filter((r) => r.cluster === cluster).sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
  }

  async write(next: AlertRecord, expectedRevision: number | null): Promise<boolean> {
    const key = MemoryAlertStateStore.key(next.cluster, next.group);
    if (!mayWrite(this.records.get(key) ?? null, next, expectedRevision)) return false;
    this.records.set(key, next);
    return true;
  }
}
