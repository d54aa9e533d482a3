// The small interfaces the application layer needs from the outside world. Adapters (Kafka,
// DynamoDB, SNS, CloudWatch, local files, console) implement them; only the composition root
// (functions/composition.ts) and the local CLI build concrete ones.
import type { Shard } from '../core/shard.js';
import type { ClusterSnapshot, GroupSnapshot } from '../core/types.js';
import type { AlertState } from '../core/alert.js';
import type { Notification } from '../core/notification.js';
import type { MetricDatum } from '../core/metrics.js';

/** Reads one snapshot of a cluster's consumer groups. Implemented with kafkajs today. */
export interface OffsetCollector {
  /** `timestamp` is the scheduled time of the run (the snapshot id). Throws a CollectorError when
   * the cluster cannot be read at all; per-group failures are returned in `failures`. With a
   * `shard` (not the whole cluster) it still lists every group but reads only the shard's, and the
   * snapshot carries the shard. */
  collect(timestamp: number, shard?: Shard): Promise<ClusterSnapshot>;
  close(): Promise<void>;
}

/** A finished collection run: which groups were present, so the evaluator can tell "gone" from "failed". */
export interface RunRecord {
  readonly cluster: string;
  readonly timestamp: number;
  /** Groups listed by the cluster (read or failed). */
  readonly listedGroups: readonly string[];
  readonly failedGroups: readonly string[];
  /** The shard the run covers (listed and failed groups are that shard's only); absent for the
   * whole cluster, so runs of unsharded clusters read and compare exactly as before sharding. */
  readonly shard?: Shard;
}

/** Which runs a read covers: one shard's (absent: the whole cluster's, `shards: 1`). A store keeps
 * each shard's runs apart, so a shard's evaluator never reads, or mistakes for its own, a run of
 * another shard or of another shard count. */
export interface ShardScope {
  readonly shard?: Shard;
}

/** Stores keep the runs of each shard apart (ShardScope); the local file store has no shards (local
 * mode collects a cluster as one run whatever its `shards`) and is never given a scope. */
export interface SnapshotStore {
  /** Writes every group snapshot, then the run record (so a run with a record is complete).
   * Idempotent on (cluster, timestamp): a retried run overwrites itself. */
  putSnapshot(snapshot: ClusterSnapshot): Promise<void>;
  /** The newest complete run of a cluster (of `shard`, when given), or null. */
  latestRun(cluster: string, scope?: ShardScope): Promise<RunRecord | null>;
  /** Every group's snapshots from the newest `limit` complete runs (runs with a record) with
   * `notBefore` <= timestamp <= `now`, by group name, each list oldest first. A group absent from
   * those runs has no entry. Never trusts TTL: anything older than `notBefore` is ignored. */
  readWindows(cluster: string, options: { limit: number; now: number; notBefore: number } & ShardScope): Promise<Map<string, GroupSnapshot[]>>;
  /** The same read as readWindows, but each group's snapshots are decoded only when asked for, so
   * a large cluster's windows never sit in memory as objects all at once. Stores that keep runs
   * packed (DynamoDB) implement it; for the others the evaluator wraps readWindows. */
  openWindows?(cluster: string, options: { limit: number; now: number; notBefore: number } & ShardScope): Promise<WindowSet>;
}

/** Every group's window from one store read. */
export interface WindowSet {
  /** Groups with at least one snapshot in the read. */
  readonly groups: ReadonlySet<string>;
  /** The group's snapshots, oldest first ([] when none). Ask once per group: the set may let go of
   * a group's data once it was taken (that is what keeps a large evaluation's memory flat). */
  take(group: string): GroupSnapshot[];
}

/**
 * One group's stored alert record. It outlives its incident: closing (resolve, gone) writes a
 * tombstone (`state` null) that keeps the revision and the run it was decided from, so a late or
 * concurrent evaluator holding an older read can neither reopen the incident nor resend an old
 * transition (its conditional write fails). Stores drop tombstones only long after any evaluator
 * could still be running (DynamoDB: TTL of ALERT_TOMBSTONE_TTL_MS; single-writer local stores: at once).
 */
export interface AlertRecord {
  readonly cluster: string;
  readonly group: string;
  /** The open incident; null for a tombstone (no open incident). */
  readonly state: AlertState | null;
  /** 1 for a new record, +1 on every write; the optimistic-concurrency token. */
  readonly revision: number;
  /** Timestamp of the collection run the stored transition was decided from. */
  readonly runTimestamp: number;
  /** Outbox: the message this transition must still send; null once it was handed to the notifier. */
  readonly pending: Notification | null;
}

/** How long a DynamoDB tombstone is kept: far beyond any evaluator's run (Lambda's 15-minute
 * maximum, the stream's 10-minute record age). */
export const ALERT_TOMBSTONE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Per-group alert records with optimistic concurrency on `revision`. */
export interface AlertStateStore {
  /** Every record of the cluster, tombstones included. */
  list(cluster: string): Promise<AlertRecord[]>;
  /**
   * Writes `next` only if the stored revision is still `expectedRevision` (null: no record yet) and
   * the stored record was not decided from a newer run than `next.runTimestamp`. Returns false when
   * another writer won; throws when the store cannot be reached.
   */
  write(next: AlertRecord, expectedRevision: number | null): Promise<boolean>;
}

export interface Notifier {
  /** Throws when the message could not be handed over; it then stays in the record's outbox and
   * goes out on the next run. */
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
