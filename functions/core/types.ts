// The domain vocabulary shared by every layer. Times are epoch milliseconds; offsets and lags are
// bigint here and decimal strings at the storage/JSON boundary (see offsets.ts).
import type { Shard } from './shard.js';

export const PartitionStatus = {
  OK: 'OK',
  WARNING: 'WARNING',
  STALLED: 'STALLED',
  STOPPED: 'STOPPED',
  REWIND: 'REWIND',
  /** lagwatch's verdict only (never §2): a problem that is not a stop, stall or rewind, named by the
   * rule (data-loss, retention-risk, beyond-log-end, time-lag-over-limit). */
  ERROR: 'ERROR',
} as const;
export type PartitionStatus = (typeof PartitionStatus)[keyof typeof PartitionStatus];

export const GroupStatus = {
  OK: 'OK',
  WARNING: 'WARNING',
  ERROR: 'ERROR',
  NOTFOUND: 'NOTFOUND',
} as const;
export type GroupStatus = (typeof GroupStatus)[keyof typeof GroupStatus];

/** Consumer-group state as Kafka reports it; `Unknown` when DescribeGroups could not tell (best effort). */
export const GroupState = {
  Stable: 'Stable',
  Empty: 'Empty',
  Dead: 'Dead',
  PreparingRebalance: 'PreparingRebalance',
  CompletingRebalance: 'CompletingRebalance',
  Unknown: 'Unknown',
} as const;
export type GroupState = (typeof GroupState)[keyof typeof GroupState];

// ---------------------------------------------------------------------------------------------
// Burrow's partition input (evaluation.md §2)

/** One commit as Burrow sees it: the committed offset, when it was first seen, and the lag then. */
export interface WindowPoint {
  readonly offset: bigint;
  readonly timestamp: number;
  /** null when unknown (no log-end offset at that time). */
  readonly lag: bigint | null;
}

export interface PartitionWindowInput {
  /** Oldest first. */
  readonly window: readonly WindowPoint[];
  /** Log-end offsets read during the window, any order. */
  readonly brokerOffsets: readonly bigint[];
  readonly currentLag: bigint;
  readonly now: number;
  readonly allowedLag: bigint;
  /** Number of slots in a full window; defaults to the number of points (complete = 1). */
  readonly windowSize?: number;
  /** Share of the window that must hold points before it is judged (0 = always judge). */
  readonly minimumComplete?: number;
}

export interface PartitionRuleResult {
  readonly status: PartitionStatus;
  /** Share of the window's slots that hold points, 0..1. */
  readonly complete: number;
  /** Which rule decided, for explanations and tests (e.g. "caught-up-now", "stopped"). */
  readonly rule: string;
}

// ---------------------------------------------------------------------------------------------
// Snapshots (evaluation.md §3): what the collector reads, the store keeps and the evaluator reads.

export interface PartitionOffsets {
  readonly topic: string;
  readonly partition: number;
  /** null when the group never committed on this partition (Kafka returns -1): lag unknown, never 0. */
  readonly committedOffset: bigint | null;
  /** High watermark when read; null when it could not be read (topic deleted mid-collection). */
  readonly logEndOffset: bigint | null;
  /** Timestamp (ms) of the record at the committed offset, when the collector could read it. */
  readonly committedRecordTimestamp?: number | null;
  /** Log-start offset (ListOffsets earliest); absent or null when not read. A committed offset below
   * it means messages were deleted by retention before the group read them (evaluation.md §6.1). */
  readonly logStartOffset?: bigint | null;
  /** The topic's `retention.ms`; -1 is unlimited (Kafka's own value); absent or null when unknown. */
  readonly retentionMs?: number | null;
  /** Signals the collector tried to read for this partition and could not (ACLs, fetch error, a
   * record timestamp of -1): flagged so a missing signal is never read as lag 0 or data loss. */
  readonly missingSignals?: readonly MissingSignal[];
}

export const MissingSignal = {
  LogStart: 'log-start',
  RecordTimestamp: 'record-timestamp',
  Retention: 'retention',
  Assignments: 'assignments',
} as const;
export type MissingSignal = (typeof MissingSignal)[keyof typeof MissingSignal];

export interface GroupSnapshot {
  readonly cluster: string;
  readonly group: string;
  /** The scheduled time of the collection run (ms): the snapshot id, so a retried run overwrites itself. */
  readonly timestamp: number;
  readonly state: GroupState;
  /** Active member count; null when unknown. */
  readonly members: number | null;
  /** Topic -> partitions assigned to some member of the group (the union over members), sorted;
   * absent or null when unknown (no members, or the protocol cannot be described). */
  readonly assignments?: Readonly<Record<string, readonly number[]>> | null;
  /** Sorted by (topic, partition). */
  readonly partitions: readonly PartitionOffsets[];
}

export interface GroupFailure {
  readonly group: string;
  readonly error: string;
}

/** One collection run over one cluster. */
export interface ClusterSnapshot {
  readonly cluster: string;
  readonly timestamp: number;
  /** Groups read successfully. */
  readonly groups: readonly GroupSnapshot[];
  /** Groups that were listed but could not be read; their previous snapshots stay as they were. */
  readonly failures: readonly GroupFailure[];
  /** Every group listed by the cluster (after allow/deny filters), read or failed. */
  readonly listedGroups: readonly string[];
  /** The shard this run covers (cluster option `shards`); absent for the whole cluster. Then
   * groups, failures and listedGroups hold only that shard's groups. */
  readonly shard?: Shard;
}

// ---------------------------------------------------------------------------------------------
// Verdicts

export const TimeLagKind = {
  /** Caught up: no unconsumed message. */
  None: 'none',
  /** Read from the record timestamp at the committed offset. */
  Exact: 'exact',
  /** Interpolated over the log-end history. */
  Interpolated: 'interpolated',
  /** The message is older than the history: the true age is at least this. */
  LowerBound: 'lower-bound',
  /** Lag exists but nothing is known of when (no history): 0 reported, flagged. */
  Unknown: 'unknown',
} as const;
export type TimeLagKind = (typeof TimeLagKind)[keyof typeof TimeLagKind];

export interface TimeLag {
  /** Age of the oldest unconsumed message in seconds: finite and >= 0, always. */
  readonly seconds: number;
  readonly kind: TimeLagKind;
}

export interface PartitionVerdict {
  readonly topic: string;
  readonly partition: number;
  readonly status: PartitionStatus;
  readonly complete: number;
  readonly rule: string;
  readonly committedOffset: bigint | null;
  readonly logEndOffset: bigint | null;
  /** null when the group has no commit on the partition ("no commits") or the log end is unknown. */
  readonly lag: bigint | null;
  readonly timeLag: TimeLag;
  /** Fewer snapshots than minimumSnapshots: status forced to OK. */
  readonly insufficientData: boolean;
  readonly noCommits: boolean;
  /** Log-end offset far below the committed offset: the topic was deleted and recreated. */
  readonly topicRecreated: boolean;
  /** Burrow's status and rule for this window (§2 exactly, before membership and §6), for comparison. */
  readonly burrowStatus?: PartitionStatus;
  readonly burrowRule?: string;
  /** The group has members and none is assigned this topic: listed, not judged (rule not-assigned). */
  readonly notAssigned?: boolean;
  /** data-loss: messages deleted by retention before the group read them (log start − committed). */
  readonly deletedUnread?: bigint | null;
  /** retention-risk: seconds until the oldest unread message reaches the topic's retention. */
  readonly retentionLeftSeconds?: number | null;
  /** no-progress / rewind-loop: seconds the committed offset has stood still with messages waiting. */
  readonly stuckForSeconds?: number | null;
}

export interface MaxLag {
  readonly topic: string;
  readonly partition: number;
  readonly lag: bigint;
}

export interface GroupVerdict {
  readonly cluster: string;
  readonly group: string;
  readonly status: GroupStatus;
  readonly evaluatedAt: number;
  readonly state: GroupState;
  readonly members: number | null;
  /** Share of partitions whose window is full (0 when there are none). */
  readonly complete: number;
  readonly totalLag: bigint;
  readonly maxLag: MaxLag | null;
  /** Largest time lag over the partitions, with its kind. */
  readonly maxTimeLag: TimeLag;
  /** Number of snapshots the verdict was built from. */
  readonly snapshots: number;
  /** The rule of the worst partition ('ok' when all are OK; 'stale' when held, see `stale`). */
  readonly rule?: string;
  /** The group status Burrow's rules alone give (§2 roll-up), for comparison. */
  readonly burrowStatus?: GroupStatus;
  /** Hold when blind (§6.2 rule 7): after a collection gap the open incident's status is kept and
   * this is set; such a verdict never resolves an incident. */
  readonly stale?: boolean;
  /** consumers-gone: how long the group has had no members (seconds), when it has none now. */
  readonly emptyForSeconds?: number | null;
  /** Sorted by (topic, partition). */
  readonly partitions: readonly PartitionVerdict[];
}
