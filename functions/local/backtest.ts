// Replays stored history through a policy: at every stored run (oldest first) the evaluator runs
// exactly as it does live — runEvaluation over the history up to that run, with an in-memory alert
// state — and every message it would have sent is collected. Nothing stored is changed.
import { runEvaluation } from '../app/evaluate.js';
import type { Logger, Notifier, RunRecord, SnapshotStore } from '../app/ports.js';
import type { Notification } from '../core/notification.js';
import type { PolicyConfig } from '../core/policy.js';
import type { ClusterSnapshot, GroupSnapshot } from '../core/types.js';
import { MemoryAlertStateStore } from '../adapters/local/memory-alert-store.js';
import type { EvaluationResult } from '../app/evaluate.js';

/** What a backtest reads: every stored run, and the windows as of one (the FileStore; bench:alerts
 * replays generated traces from memory through the same path). */
export type HistoryStore = Pick<SnapshotStore, 'readWindows'> & { readRuns(cluster: string): Promise<RunRecord[]> };

export interface BacktestInput {
  readonly store: HistoryStore;
  readonly cluster: string;
  readonly policy: PolicyConfig;
  /** Snapshot interval (ms); inferred from the stored runs when null. */
  readonly intervalMs: number | null;
  /** Only runs in [from, to] are replayed (ms, inclusive). */
  readonly from?: number;
  readonly to?: number;
  readonly logger: Logger;
  /** Called with every run's evaluation, in order (verdicts included). */
  readonly onRun?: (result: EvaluationResult) => void;
}

export interface BacktestResult {
  readonly cluster: string;
  readonly runs: number;
  readonly from: number | null;
  readonly to: number | null;
  readonly intervalMs: number;
  /** Chronological. */
  readonly notifications: readonly Notification[];
  /** Groups that could not be evaluated at some run, with the first error. */
  readonly failures: readonly { readonly at: number; readonly group: string; readonly error: string }[];
}

/** The median gap between consecutive runs: robust to a few missed or extra runs. */
export function inferInterval(runs: readonly RunRecord[]): number | null {
  const gaps: number[] = [];
  for (let i = 1; i < runs.length; i++) gaps.push(runs[i]!.timestamp - runs[i - 1]!.timestamp);
  gaps.sort((a, b) => a - b);
  const median = gaps[Math.floor(gaps.length / 2)];
  return median !== undefined && median > 0 ? median : null;
}

/** The store as it was right after `run`: that run is the latest, and no later snapshot exists. */
function storeAsOf(store: HistoryStore, run: RunRecord): SnapshotStore {
  return {
    async putSnapshot(_: ClusterSnapshot): Promise<void> {
      throw new Error('backtest never writes snapshots');
    },
    async latestRun(): Promise<RunRecord | null> {
      return run;
    },
    async readWindows(cluster: string, options: { limit: number; now: number; notBefore: number }): Promise<Map<string, GroupSnapshot[]>> {
      return store.readWindows(cluster, { ...options, now: Math.min(options.now, run.timestamp) });
    },
  };
}

export async function runBacktest(input: BacktestInput): Promise<BacktestResult> {
  const allRuns = await input.store.readRuns(input.cluster);
  const runs = allRuns.filter((r) => (input.from === undefined || r.timestamp >= input.from) && (input.to === undefined || r.timestamp <= input.to));
  const intervalMs = input.intervalMs ?? inferInterval(allRuns) ?? 60_000;
  const alerts = new MemoryAlertStateStore();
  const notifications: Notification[] = [];
  const failures: { at: number; group: string; error: string }[] = [];
  const notifier: Notifier = {
    async publish(notification) {
      notifications.push(notification);
    },
  };
  for (const run of runs) {
    const result = await runEvaluation(
      {
        store: storeAsOf(input.store, run),
        alerts,
        notifier,
        metrics: { put: async () => undefined },
        logger: input.logger,
        clock: () => run.timestamp,
        policy: input.policy,
        snapshotIntervalMs: intervalMs,
        dashboardUrl: null,
      },
      { cluster: input.cluster, now: run.timestamp },
    );
    input.onRun?.(result);
    for (const f of result.failures) failures.push({ at: run.timestamp, group: f.group, error: f.error });
  }
  return {
    cluster: input.cluster,
    runs: runs.length,
    from: runs[0]?.timestamp ?? null,
    to: runs[runs.length - 1]?.timestamp ?? null,
    intervalMs,
    notifications,
    failures,
  };
}
