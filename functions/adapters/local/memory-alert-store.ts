// An in-memory AlertStateStore with the same optimistic-concurrency contract as the real ones:
// backtests replay alert decisions without touching any stored state.
import type { AlertState } from '../../core/alert.js';
import type { AlertStateStore } from '../../app/ports.js';

export class MemoryAlertStateStore implements AlertStateStore {
  private readonly states = new Map<string, AlertState>();

  private static key(cluster: string, group: string): string {
    return `${cluster}\u0000${group}`;
  }

  async list(cluster: string): Promise<AlertState[]> {
    return [...this.states.values()].filter((s) => s.cluster === cluster).sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
  }

  async put(next: AlertState, expectedVersion: number | null): Promise<boolean> {
    const key = MemoryAlertStateStore.key(next.cluster, next.group);
    if ((this.states.get(key)?.version ?? null) !== expectedVersion) return false;
    this.states.set(key, next);
    return true;
  }

  async remove(cluster: string, group: string, expectedVersion: number): Promise<boolean> {
    const key = MemoryAlertStateStore.key(cluster, group);
    if (this.states.get(key)?.version !== expectedVersion) return false;
    this.states.delete(key);
    return true;
  }
}
