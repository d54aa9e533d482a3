// The Lambda events lagwatch receives, read defensively: a malformed event names what is wrong
// instead of failing somewhere deeper.
import type { DynamoDBRecord } from 'aws-lambda';
import { keys, TABLE } from '../adapters/dynamodb/table.js';
import { InputError } from '../core/errors.js';

/** What EventBridge Scheduler sends the collector (infra/constructs/collector.ts builds it). */
export function scheduledRun(event: unknown, expectedCluster: string): { cluster: string; scheduledAt: number } {
  const { cluster, scheduledTime } = (event ?? {}) as { cluster?: unknown; scheduledTime?: unknown };
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
  return { cluster: expectedCluster, scheduledAt };
}

/** A run record arriving on the table stream: which cluster finished a collection, and when. */
export interface RunArrival {
  readonly cluster: string;
  readonly timestamp: number;
  readonly sequenceNumber: string;
}

/** Reads a run record's keys (keys.runPk / keys.runSk); null for any other item. */
export function runArrival(record: DynamoDBRecord): RunArrival | null {
  const pk = record.dynamodb?.Keys?.[TABLE.partitionKey]?.S;
  const sk = record.dynamodb?.Keys?.[TABLE.sortKey]?.S;
  if (pk === undefined || sk === undefined || !pk.startsWith('R#')) return null;
  let cluster: string;
  try {
    cluster = decodeURIComponent(pk.slice(2));
  } catch {
    return null;
  }
  const timestamp = Number(sk);
  // Round trip through the store's own key functions, so a layout change cannot be misread.
  if (keys.runPk(cluster) !== pk || !Number.isSafeInteger(timestamp) || keys.runSk(timestamp) !== sk) return null;
  return { cluster, timestamp, sequenceNumber: record.dynamodb?.SequenceNumber ?? '' };
}
