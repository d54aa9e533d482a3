// The run record of a collection run, and a store's list of runs with one more: shared by the local
// stores (file and memory), which keep their runs as a list sorted oldest first.
import type { ClusterSnapshot } from '../core/types.js';
import type { RunRecord } from './ports.js';

export function runRecordOf(snapshot: ClusterSnapshot): RunRecord {
  return {
    cluster: snapshot.cluster,
    timestamp: snapshot.timestamp,
    listedGroups: [...snapshot.listedGroups],
    failedGroups: snapshot.failures.map((f) => f.group),
  };
}

/** `runs` with `run` in its place, oldest first; a retried run (same timestamp) replaces itself. */
export function withRun(runs: readonly RunRecord[], run: RunRecord): RunRecord[] {
  return [...runs.filter((r) => r.timestamp !== run.timestamp), run].sort((a, b) => a.timestamp - b.timestamp);
}
