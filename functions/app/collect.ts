// The collector Lambda's (and local mode's) one job: read a snapshot of the cluster at the scheduled
// time, store it, and report how the run went. A cluster that cannot be read stores nothing.
// A sharded cluster (`shards` > 1) runs this once per shard: each run reads and stores only its
// shard's groups, under its own run record. The collector's run metrics carry no shard: they are
// counters summed over the shards (and a duration, of which the dashboard shows the slowest).
import { errorSummary, InputError } from '../core/errors.js';
import { runMetrics } from '../core/metrics.js';
import { isWholeCluster, shardLabel, WHOLE_CLUSTER, type Shard } from '../core/shard.js';
import type { GroupFailure } from '../core/types.js';
import type { Logger, MetricsSink, OffsetCollector, SnapshotStore } from './ports.js';
import { shardOfRun } from './run-record.js';

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
  /** The shard collected; absent for the whole cluster. */
  readonly shard?: Shard;
}

export async function runCollection(
  deps: CollectDeps,
  input: { cluster: string; scheduledAt: number; shard?: Shard },
): Promise<CollectionResult> {
  const { cluster, scheduledAt } = input;
  const shard = input.shard ?? WHOLE_CLUSTER;
  const whole = isWholeCluster(shard);
  // In every log line of a sharded run, so a failing shard can be told from the others.
  const where = whole ? { cluster } : { cluster, shard: shardLabel(shard) };
  const started = deps.clock();
  const putRunMetrics = async (fields: { failures: number; groupFailures: number; snapshotsWritten: number }): Promise<void> => {
    try {
      await deps.metrics.put(
        runMetrics({ cluster, stage: 'collector', durationMs: deps.clock() - started, timestamp: scheduledAt, ...fields }),
      );
    } catch (error) {
      deps.logger.error('could not publish collector metrics', { ...where, error: errorSummary(error) });
    }
  };

  let snapshot;
  try {
    snapshot = whole ? await deps.collector.collect(scheduledAt) : await deps.collector.collect(scheduledAt, shard);
    const got = shardOfRun(snapshot);
    if (got.index !== shard.index || got.count !== shard.count) {
      // Never store one shard's groups as another's (or as the whole cluster's).
      throw new InputError(`cluster ${cluster}: the collector read shard ${shardLabel(got)} when asked for ${shardLabel(shard)}`);
    }
    await deps.store.putSnapshot(snapshot);
  } catch (error) {
    // Nothing (complete) stored: without a run record the evaluator ignores any partial writes.
    deps.logger.error('collection failed', { ...where, scheduledAt, error: errorSummary(error) });
    await putRunMetrics({ failures: 1, groupFailures: 0, snapshotsWritten: 0 });
    throw error;
  }
  for (const failure of snapshot.failures) {
    deps.logger.warn('group could not be read', { ...where, group: failure.group, error: failure.error });
  }
  await putRunMetrics({ failures: 0, groupFailures: snapshot.failures.length, snapshotsWritten: 1 });
  const durationMs = deps.clock() - started;
  deps.logger.info('collection stored', { ...where, scheduledAt, groups: snapshot.groups.length, failures: snapshot.failures.length, durationMs });
  return { cluster, timestamp: scheduledAt, groups: snapshot.groups.length, failures: snapshot.failures, durationMs, ...(whole ? {} : { shard }) };
}
