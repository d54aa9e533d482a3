// Between the two shapes of one window read: every group's snapshots as a map (readWindows), and
// decoded one group at a time (openWindows). The evaluator reads through openWindows; stores that
// have no cheaper way are wrapped.
import type { GroupSnapshot } from '../core/types.js';
import type { SnapshotStore, WindowSet } from './ports.js';

export function windowSetOf(windows: ReadonlyMap<string, GroupSnapshot[]>): WindowSet {
  return { groups: new Set(windows.keys()), take: (group) => windows.get(group) ?? [] };
}

export function materialize(set: WindowSet): Map<string, GroupSnapshot[]> {
  const windows = new Map<string, GroupSnapshot[]>();
  for (const group of set.groups) {
    const snapshots = set.take(group);
    if (snapshots.length > 0) windows.set(group, snapshots);
  }
  return windows;
}

/** The store's own per-group read, or its readWindows wrapped. */
export async function openWindows(
  store: SnapshotStore,
  cluster: string,
  options: { limit: number; now: number; notBefore: number },
): Promise<WindowSet> {
  return store.openWindows ? store.openWindows(cluster, options) : windowSetOf(await store.readWindows(cluster, options));
}
