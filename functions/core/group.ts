// A group's verdict from its snapshot series: windows per partition, Burrow's rules, lagwatch's
// refinements (§3 membership, §4 minimumSnapshots, time lag, recreated topics), then the roll-up.
import { InputError } from './errors.js';
import { lagOf } from './offsets.js';
import { evaluatePartition } from './partition-rules.js';
import type { Policy } from './policy.js';
import { timeLag } from './time-lag.js';
import type {
  GroupSnapshot,
  GroupState,
  GroupStatus,
  GroupVerdict,
  MaxLag,
  PartitionStatus,
  PartitionVerdict,
  TimeLag,
} from './types.js';
import { buildPartitionSeries, type PartitionSeries } from './window.js';

const GROUP_SEVERITY: Record<PartitionStatus, GroupStatus> = {
  OK: 'OK',
  WARNING: 'WARNING',
  STALLED: 'ERROR',
  STOPPED: 'ERROR',
  REWIND: 'ERROR',
};

const RANK: Record<GroupStatus, number> = { OK: 0, NOTFOUND: 0, WARNING: 1, ERROR: 2 };

/** STALLED, STOPPED and REWIND count as ERROR at group level. */
export function groupSeverity(status: PartitionStatus): GroupStatus {
  return GROUP_SEVERITY[status];
}

export function severityRank(status: GroupStatus): number {
  return RANK[status];
}

/** No active members (or nobody can tell): the consumers are gone rather than stuck. */
function consumersGone(state: GroupState): boolean {
  return state === 'Empty' || state === 'Dead' || state === 'Unknown';
}

const NO_TIME_LAG: TimeLag = { seconds: 0, kind: 'none' };

function partitionVerdict(series: PartitionSeries, newest: GroupSnapshot, policy: Policy, now: number): PartitionVerdict {
  const { latest } = series;
  const base = {
    topic: series.topic,
    partition: series.partition,
    committedOffset: latest.committedOffset,
    logEndOffset: latest.logEndOffset,
    topicRecreated: series.topicRecreated,
  };
  const lag = lagOf(latest.committedOffset, latest.logEndOffset);
  if (latest.committedOffset === null || lag === null) {
    // Never committed here (or the log end could not be read): lag unknown, never 0.
    return {
      ...base,
      status: 'OK',
      complete: 0,
      rule: latest.committedOffset === null ? 'no-commits' : 'log-end-unknown',
      lag: null,
      timeLag: { seconds: 0, kind: 'unknown' },
      insufficientData: false,
      noCommits: latest.committedOffset === null,
    };
  }
  const result = evaluatePartition({
    window: series.window,
    brokerOffsets: series.brokerOffsets,
    currentLag: lag,
    now,
    allowedLag: policy.allowedLag,
    windowSize: policy.windowSize,
    minimumComplete: policy.minimumComplete,
  });
  let { status, rule } = result;
  if (status === 'STOPPED' && !consumersGone(newest.state)) {
    // Polling can't tell "not committing" from "committing the same offset": members alive → stuck.
    status = 'STALLED';
    rule = 'stopped-with-members';
  }
  const insufficientData = series.snapshotsWithCommit < policy.minimumSnapshots;
  if (insufficientData) {
    status = 'OK';
    rule = 'insufficient-data';
  }
  return {
    ...base,
    status,
    complete: result.complete,
    rule,
    lag,
    timeLag:
      lag <= policy.allowedLag
        ? NO_TIME_LAG
        : timeLag({
            committedOffset: latest.committedOffset,
            history: series.logEndHistory,
            now,
            committedRecordTimestamp: latest.committedRecordTimestamp ?? null,
          }),
    insufficientData,
    noCommits: false,
  };
}

function validateSeries(cluster: string, group: string, snapshots: readonly GroupSnapshot[]): void {
  for (let i = 0; i < snapshots.length; i++) {
    const s = snapshots[i]!;
    if (s.cluster !== cluster || s.group !== group) {
      throw new InputError(`snapshots[${i}] belongs to ${s.cluster}/${s.group}, not ${cluster}/${group}`, {
        context: { index: i },
      });
    }
    if (i > 0 && s.timestamp <= snapshots[i - 1]!.timestamp) {
      throw new InputError(`snapshots[${i}].timestamp ${s.timestamp} is not after snapshots[${i - 1}]; give snapshots oldest first`, {
        context: { index: i, field: 'timestamp' },
      });
    }
  }
}

/** The verdict for a group nobody has seen (never seen, expired, deleted). */
export function notFoundVerdict(cluster: string, group: string, now: number): GroupVerdict {
  return {
    cluster,
    group,
    status: 'NOTFOUND',
    evaluatedAt: now,
    state: 'Unknown',
    members: null,
    complete: 0,
    totalLag: 0n,
    maxLag: null,
    maxTimeLag: NO_TIME_LAG,
    snapshots: 0,
    partitions: [],
  };
}

/**
 * Evaluates one group from its snapshots (oldest first). Only the newest `policy.windowSize`
 * snapshots are used. Throws InputError for a series that is out of order or mixes groups.
 */
export function evaluateGroup(input: {
  readonly cluster: string;
  readonly group: string;
  readonly snapshots: readonly GroupSnapshot[];
  readonly policy: Policy;
  readonly now: number;
}): GroupVerdict {
  const { cluster, group, policy, now } = input;
  validateSeries(cluster, group, input.snapshots);
  const snapshots = input.snapshots.slice(-policy.windowSize);
  const newest = snapshots[snapshots.length - 1];
  if (newest === undefined) return notFoundVerdict(cluster, group, now);

  const partitions = buildPartitionSeries(snapshots).map((s) => partitionVerdict(s, newest, policy, now));
  let status: GroupStatus = 'OK';
  let totalLag = 0n;
  let maxLag: MaxLag | null = null;
  let maxTimeLag: TimeLag = NO_TIME_LAG;
  let full = 0;
  for (const p of partitions) {
    const severity = groupSeverity(p.status);
    if (severityRank(severity) > severityRank(status)) status = severity;
    if (p.lag !== null) {
      totalLag += p.lag;
      // Strictly greater: ties keep the first in (topic, partition) order.
      if (maxLag === null || p.lag > maxLag.lag) maxLag = { topic: p.topic, partition: p.partition, lag: p.lag };
    }
    if (p.timeLag.seconds > maxTimeLag.seconds) maxTimeLag = p.timeLag;
    if (p.complete >= 1) full++;
  }
  return {
    cluster,
    group,
    status,
    evaluatedAt: now,
    state: newest.state,
    members: newest.members,
    complete: partitions.length === 0 ? 0 : full / partitions.length,
    totalLag,
    maxLag,
    maxTimeLag,
    snapshots: snapshots.length,
    partitions,
  };
}
