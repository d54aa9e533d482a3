// A group's verdict from its snapshot series: windows per partition, Burrow's rules, lagwatch's
// refinements (§3 membership, §4 minimumSnapshots, time lag, recreated topics), the §6 verdict
// rules (functions/core/verdict-rules.ts), then the roll-up and hold-when-blind.
import { InputError } from './errors.js';
import { lagOf } from './offsets.js';
import { evaluatePartition } from './partition-rules.js';
import type { Policy } from './policy.js';
import type {
  GroupSnapshot,
  GroupStatus,
  GroupVerdict,
  MaxLag,
  PartitionStatus,
  PartitionVerdict,
  TimeLag,
} from './types.js';
import {
  currentTimeLag,
  emptySince,
  hasNoMembers,
  inferIntervalMs,
  isBlind,
  isNotAssigned,
  judgePartition,
} from './verdict-rules.js';
import type { VerdictRuleResult } from './verdict-context.js';
import { buildPartitionSeries, type PartitionSeries } from './window.js';

const GROUP_SEVERITY: Record<PartitionStatus, GroupStatus> = {
  OK: 'OK',
  WARNING: 'WARNING',
  STALLED: 'ERROR',
  STOPPED: 'ERROR',
  REWIND: 'ERROR',
  ERROR: 'ERROR',
};

const RANK: Record<GroupStatus, number> = { OK: 0, NOTFOUND: 0, WARNING: 1, ERROR: 2 };

/** STALLED, STOPPED, REWIND (and lagwatch's ERROR) count as ERROR at group level. */
export function groupSeverity(status: PartitionStatus): GroupStatus {
  return GROUP_SEVERITY[status];
}

export function severityRank(status: GroupStatus): number {
  return RANK[status];
}

const NO_TIME_LAG: TimeLag = { seconds: 0, kind: 'none' };
const NOT_ASSIGNED: VerdictRuleResult = { status: 'OK', rule: 'not-assigned' };
const INSUFFICIENT_DATA: VerdictRuleResult = { status: 'OK', rule: 'insufficient-data' };

/** The §2 roll-up of some partitions (a group's, or one topic's for the per-topic metrics). */
export interface RollUp {
  /** Worst severity, and the rule of the first partition at it ('ok' when all are OK). */
  readonly status: GroupStatus;
  readonly rule: string;
  readonly totalLag: bigint;
  readonly maxLag: MaxLag | null;
  readonly maxTimeLag: TimeLag;
}

export function rollUp(partitions: readonly PartitionVerdict[]): RollUp {
  let status: GroupStatus = 'OK';
  let rule = 'ok';
  let totalLag = 0n;
  let maxLag: MaxLag | null = null;
  let maxTimeLag: TimeLag = NO_TIME_LAG;
  for (const p of partitions) {
    const severity = groupSeverity(p.status);
    if (severityRank(severity) > severityRank(status)) {
      status = severity;
      rule = p.rule;
    }
    if (p.lag !== null) {
      totalLag += p.lag;
      // Strictly greater: ties keep the first in (topic, partition) order.
      if (maxLag === null || p.lag > maxLag.lag) maxLag = { topic: p.topic, partition: p.partition, lag: p.lag };
    }
    if (p.timeLag.seconds > maxTimeLag.seconds) maxTimeLag = p.timeLag;
  }
  return { status, rule, totalLag, maxLag, maxTimeLag };
}

interface GroupContext {
  readonly snapshots: readonly GroupSnapshot[];
  readonly newest: GroupSnapshot;
  readonly policy: Policy;
  readonly now: number;
  readonly intervalMs: number;
  readonly openIncident: GroupStatus | null;
}

// The verdict objects are written out field by field, in one fixed order, never spread: at 200,000
// partitions a spread-then-extend literal was the evaluator's single largest cost (each added key a
// shape transition on a copied object).
function partitionVerdict(series: PartitionSeries, group: GroupContext): PartitionVerdict {
  const { policy, now } = group;
  const { latest } = series;
  const lag = lagOf(latest.committedOffset, latest.logEndOffset);
  if (latest.committedOffset === null || lag === null) {
    // Never committed here (or the log end could not be read): lag unknown, never 0.
    const rule = latest.committedOffset === null ? 'no-commits' : 'log-end-unknown';
    return {
      topic: series.topic,
      partition: series.partition,
      committedOffset: latest.committedOffset,
      logEndOffset: latest.logEndOffset,
      topicRecreated: series.topicRecreated,
      status: 'OK',
      complete: 0,
      rule,
      lag: null,
      timeLag: { seconds: 0, kind: 'unknown' },
      insufficientData: false,
      noCommits: latest.committedOffset === null,
      burrowStatus: 'OK',
      burrowRule: rule,
    };
  }
  const burrow = evaluatePartition({
    window: series.window,
    brokerOffsets: series.brokerOffsets,
    currentLag: lag,
    now,
    allowedLag: policy.allowedLag,
    windowSize: policy.windowSize,
    minimumComplete: policy.minimumComplete,
  });
  const partitionTimeLag = lag <= policy.allowedLag ? NO_TIME_LAG : currentTimeLag(series, now);
  const insufficientData = series.snapshotsWithCommit < policy.minimumSnapshots;
  const notAssigned = isNotAssigned(group.newest, series.topic);
  let verdict: VerdictRuleResult;
  if (notAssigned) verdict = NOT_ASSIGNED;
  else if (insufficientData) verdict = INSUFFICIENT_DATA;
  else {
    verdict = judgePartition({
      series,
      snapshots: group.snapshots,
      policy,
      now,
      intervalMs: group.intervalMs,
      lag,
      timeLag: partitionTimeLag,
      burrow,
      openIncident: group.openIncident,
    });
  }
  return {
    topic: series.topic,
    partition: series.partition,
    committedOffset: latest.committedOffset,
    logEndOffset: latest.logEndOffset,
    topicRecreated: series.topicRecreated,
    status: verdict.status,
    complete: burrow.complete,
    rule: verdict.rule,
    lag,
    timeLag: partitionTimeLag,
    insufficientData,
    noCommits: false,
    burrowStatus: burrow.status,
    burrowRule: burrow.rule,
    notAssigned,
    deletedUnread: verdict.deletedUnread ?? null,
    retentionLeftSeconds: verdict.retentionLeftSeconds ?? null,
    stuckForSeconds: verdict.stuckForSeconds ?? null,
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
 * `intervalMs` is the deployment's snapshot interval (inferred from the spacing when not given);
 * `previous` is the group's open incident, if any (hold when blind, catching-up).
 */
export function evaluateGroup(input: {
  readonly cluster: string;
  readonly group: string;
  readonly snapshots: readonly GroupSnapshot[];
  readonly policy: Policy;
  readonly now: number;
  readonly intervalMs?: number;
  readonly previous?: { readonly status: GroupStatus } | null;
}): GroupVerdict {
  const { cluster, group, policy, now } = input;
  validateSeries(cluster, group, input.snapshots);
  const snapshots = input.snapshots.slice(-policy.windowSize);
  const newest = snapshots[snapshots.length - 1];
  if (newest === undefined) return notFoundVerdict(cluster, group, now);
  const intervalMs = input.intervalMs ?? inferIntervalMs(input.snapshots);
  const openIncident = input.previous?.status ?? null;

  const context: GroupContext = { snapshots, newest, policy, now, intervalMs, openIncident };
  const partitions = buildPartitionSeries(snapshots).map((s) => partitionVerdict(s, context));
  const { totalLag, maxLag, maxTimeLag, ...worst } = rollUp(partitions);
  let { status, rule } = worst;
  let burrowStatus: GroupStatus = 'OK';
  let full = 0;
  for (const p of partitions) {
    const burrow = groupSeverity(p.burrowStatus ?? p.status);
    if (severityRank(burrow) > severityRank(burrowStatus)) burrowStatus = burrow;
    if (p.complete >= 1) full++;
  }
  // Hold when blind: a window after a gap (or with nothing judged yet) never reads an open
  // incident as better than it was; only a judged verdict may lower it.
  // Nothing judged: partitions are there but every one lacks snapshots or a log end (the first runs
  // after an outage). A group with no partitions, or only "no commits", is judged as it is.
  const unjudged = (p: PartitionVerdict): boolean => p.insufficientData || p.rule === 'log-end-unknown';
  const nothingJudged = partitions.some(unjudged) && partitions.every((p) => unjudged(p) || p.noCommits || p.notAssigned === true);
  const blind = isBlind({ snapshots, now, intervalMs, minimumSnapshots: policy.minimumSnapshots, nothingJudged });
  const stale = openIncident !== null && blind && severityRank(status) < severityRank(openIncident);
  if (stale) {
    status = openIncident;
    rule = 'stale';
  }
  const since = hasNoMembers(newest) ? emptySince(snapshots, { emptyGraceSeconds: 0 }) : undefined;
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
    rule,
    burrowStatus,
    stale,
    emptyForSeconds: since === undefined ? null : Math.max(0, (now - since) / 1000),
  };
}
