// The Lambda events lagwatch receives, read defensively: a malformed event names what is wrong
// instead of failing somewhere deeper.
import type { DynamoDBRecord } from 'aws-lambda';
import { keys, parseRunPk, TABLE } from '../adapters/dynamodb/table.js';
import { InputError } from '../core/errors.js';
import { checkShard, isWholeCluster, shardLabel, WHOLE_CLUSTER, type Shard } from '../core/shard.js';

/** What EventBridge Scheduler sends the collector (infra/constructs/collector.ts builds it). A
 * sharded cluster (`shards` > 1) has one schedule per shard, each naming its shard; the shard
 * count must be the config's, so a schedule left from a deploy with another count is refused. */
export function scheduledRun(
  event: unknown,
  expectedCluster: string,
  expectedShards = 1,
): { cluster: string; scheduledAt: number; shard?: Shard } {
  const { cluster, scheduledTime, shard } = (event ?? {}) as { cluster?: unknown; scheduledTime?: unknown; shard?: unknown };
  if (cluster !== expectedCluster) {
    throw new InputError(
      `collector event: cluster ${JSON.stringify(cluster)} is not this collector's cluster "${expectedCluster}"; check the schedule's input`,
    );
  }
  const scheduledAt = typeof scheduledTime === 'string' ? Date.parse(scheduledTime) : Number.NaN;
  if (!Number.isFinite(scheduledAt)) {
    throw new InputError(
      `collector event: scheduledTime ${JSON.stringify(scheduledTime)} is not an ISO-8601 time (expected <aws.scheduler.scheduled-time>)`,
    );
  }
  const run = scheduleShard(shard, expectedCluster, expectedShards);
  return { cluster: expectedCluster, scheduledAt, ...(isWholeCluster(run) ? {} : { shard: run }) };
}

function scheduleShard(shard: unknown, cluster: string, expectedShards: number): Shard {
  if (shard === undefined && expectedShards === 1) return WHOLE_CLUSTER;
  const what = `collector event of cluster "${cluster}"`;
  if (shard === null || typeof shard !== 'object') {
    throw new InputError(
      `${what}: no shard, but the cluster config has shards: ${expectedShards}; the schedule is from a deploy with another shard count — redeploy`,
    );
  }
  const { index, count } = shard as { index?: unknown; count?: unknown };
  const checked = checkShard({ index: index as number, count: count as number }, what);
  if (checked.count !== expectedShards) {
    throw new InputError(
      `${what}: shard ${shardLabel(checked)} is of ${checked.count} shards, but the cluster config has shards: ${expectedShards}; ` +
        'the schedule is from a deploy with another shard count — redeploy',
    );
  }
  return checked;
}

/** A run record arriving on the table stream: which cluster (and shard) finished a collection, and when. */
export interface RunArrival {
  readonly cluster: string;
  readonly timestamp: number;
  readonly sequenceNumber: string;
  /** The shard the run covers (`R#<cluster>#1of4`); absent for the whole cluster (`R#<cluster>`). */
  readonly shard?: Shard;
}

/** Reads a run record's keys (keys.runPk / keys.runSk); null for any other item. */
export function runArrival(record: DynamoDBRecord): RunArrival | null {
  const pk = record.dynamodb?.Keys?.[TABLE.partitionKey]?.S;
  const sk = record.dynamodb?.Keys?.[TABLE.sortKey]?.S;
  const run = pk === undefined ? null : parseRunPk(pk);
  if (run === null || sk === undefined) return null;
  const { cluster, shard } = run;
  const timestamp = Number(sk);
  // Round trip through the store's own key functions, so a layout change cannot be misread.
  if (!Number.isSafeInteger(timestamp) || keys.runSk(timestamp) !== sk) return null;
  return { cluster, timestamp, sequenceNumber: record.dynamodb?.SequenceNumber ?? '', ...(isWholeCluster(shard) ? {} : { shard }) };
}
