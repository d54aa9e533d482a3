// The collector Lambda's (and local mode's) one job: read a snapshot of the cluster at the scheduled
// time, store it, and report how the run went. A cluster that cannot be read stores nothing.
import { errorSummary } from '../core/errors.js';
import type { GroupFailure } from '../core/types.js';
import { runMetrics } from '../core/metrics.js';
import type { Logger, MetricsSink, OffsetCollector, SnapshotStore } from './ports.js';

export interface CollectDeps {
  readonly collector: OffsetCollector;
  readonly store: SnapshotStore;
  readonly metrics: MetricsSink;
  readonly logger: Logger;
  readonly clock: () => number;
}

export interface CollectionResult {
  readonly cluster: string;
  /** The scheduled time: the snapshot id. */
  readonly timestamp: number;
  /** Groups read and stored. */
  readonly groups: number;
  /** Groups listed but not read (their previous snapshots stay; the evaluator does not call them gone). */
  readonly failures: readonly GroupFailure[];
  readonly durationMs: number;
}

export async function runCollection(
  deps: CollectDeps,
  input: { cluster: string; scheduledAt: number },
): Promise<CollectionResult> {
  const { cluster, scheduledAt } = input;
  const started = deps.clock();
  const putRunMetrics = async (fields: { failures: number; groupFailures: number; snapshotsWritten: number }): Promise<void> => {
    try {
      await deps.metrics.put(
        runMetrics({ cluster, stage: 'collector', durationMs: deps.clock() - started, timestamp: scheduledAt, ...fields }),
      );
    } catch (error) {
      deps.logger.error('could not publish collector metrics', { cluster, error: errorSummary(error) });
    }
  };

  let snapshot;
  try {
    snapshot = await deps.collector.collect(scheduledAt);
    await deps.store.putSnapshot(snapshot);
  } catch (error) {
    // Nothing (complete) stored: without a run record the evaluator ignores any partial writes.
    deps.logger.error('collection failed', { cluster, scheduledAt, error: errorSummary(error) });
    await putRunMetrics({ failures: 1, groupFailures: 0, snapshotsWritten: 0 });
    throw error;
  }
  for (const failure of snapshot.failures) {
    deps.logger.warn('group could not be read', { cluster, group: failure.group, error: failure.error });
  }
  await putRunMetrics({ failures: 0, groupFailures: snapshot.failures.length, snapshotsWritten: 1 });
  const durationMs = deps.clock() - started;
  deps.logger.info('collection stored', { cluster, scheduledAt, groups: snapshot.groups.length, failures: snapshot.failures.length, durationMs });
  return { cluster, timestamp: scheduledAt, groups: snapshot.groups.length, failures: snapshot.failures, durationMs };
}
