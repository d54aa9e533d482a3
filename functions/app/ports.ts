// The small interfaces the application layer needs from the outside world. Adapters (Kafka,
// DynamoDB, SNS, CloudWatch, local files, console) implement them; only the composition root
// (functions/composition.ts) and the local CLI build concrete ones.
import type { ClusterSnapshot, GroupSnapshot } from '../core/types.js';
import type { AlertState, Notification } from '../core/alert.js';
import type { MetricDatum } from '../core/metrics.js';

/** Reads one snapshot of a cluster's consumer groups. Implemented with kafkajs today. */
export interface OffsetCollector {
  /** `timestamp` is the scheduled time of the run (the snapshot id). Throws a CollectorError when
   * the cluster cannot be read at all; per-group failures are returned in `failures`. */
  collect(timestamp: number): Promise<ClusterSnapshot>;
  close(): Promise<void>;
}

/** A finished collection run: which groups were present, so the evaluator can tell "gone" from "failed". */
export interface RunRecord {
  readonly cluster: string;
  readonly timestamp: number;
  /** Groups listed by the cluster (read or failed). */
  readonly listedGroups: readonly string[];
  readonly failedGroups: readonly string[];
}

export interface SnapshotStore {
  /** Writes every group snapshot, then the run record (so a run with a record is complete).
   * Idempotent on (cluster, timestamp): a retried run overwrites itself. */
  putSnapshot(snapshot: ClusterSnapshot): Promise<void>;
  /** The newest complete run of a cluster, or null. */
  latestRun(cluster: string): Promise<RunRecord | null>;
  /** Every group's snapshots from the newest `limit` complete runs (runs with a record) with
   * `notBefore` <= timestamp <= `now`, by group name, each list oldest first. A group absent from
   * those runs has no entry. Never trusts TTL: anything older than `notBefore` is ignored. */
  readWindows(cluster: string, options: { limit: number; now: number; notBefore: number }): Promise<Map<string, GroupSnapshot[]>>;
  /** The same read as readWindows, but each group's snapshots are decoded only when asked for, so
   * a large cluster's windows never sit in memory as objects all at once. Stores that keep runs
   * packed (DynamoDB) implement it; for the others the evaluator wraps readWindows. */
  openWindows?(cluster: string, options: { limit: number; now: number; notBefore: number }): Promise<WindowSet>;
}

/** Every group's window from one store read. */
export interface WindowSet {
  /** Groups with at least one snapshot in the read. */
  readonly groups: ReadonlySet<string>;
  /** The group's snapshots, oldest first ([] when none). Ask once per group: the set may let go of
   * a group's data once it was taken (that is what keeps a large evaluation's memory flat). */
  take(group: string): GroupSnapshot[];
}

/** Per-group alert state with optimistic concurrency on `version`. */
export interface AlertStateStore {
  list(cluster: string): Promise<AlertState[]>;
  /** Writes `next` only if the stored version is still `expectedVersion` (null: no item yet).
   * Returns false when another writer won. */
  put(next: AlertState, expectedVersion: number | null): Promise<boolean>;
  /** Removes the state only if its version is still `expectedVersion`; false when another writer won. */
  remove(cluster: string, group: string, expectedVersion: number): Promise<boolean>;
}

export interface Notifier {
  /** Throws when the message could not be handed over; the caller then keeps the old state so
   * the message goes out on the next run. */
  publish(notification: Notification): Promise<void>;
}

export interface MetricsSink {
  put(metrics: readonly MetricDatum[]): Promise<void>;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
