// Turns an alert transition into words a person on call can act on.
import type { AlertKind, Notification, NotificationPartition } from './notification.js';
import { formatCount, formatDuration, formatTimeLag } from './format.js';
import { severityRank, groupSeverity } from './group.js';
import type { GroupStatus, GroupVerdict, PartitionStatus, PartitionVerdict } from './types.js';

const SUBJECT_MAX = 99;
const WORST_SHOWN = 5;

const MEANING: Record<Exclude<PartitionStatus, 'OK'>, { means: string; check: string }> = {
  STOPPED: {
    means: 'the group has not committed for longer than the window covers and has no active members: its consumers are gone.',
    check: 'Is the consumer deployment running? Look for crashes, scaled-to-zero deployments or failed rollouts.',
  },
  STALLED: {
    means: 'consumers are in the group but the committed offset does not move while messages wait.',
    check: 'Look for a poison record, a blocked downstream call or a deadlock in the consumer; check its logs and thread dumps.',
  },
  REWIND: {
    means: 'the committed offset went backwards and has not come back: messages are being re-read.',
    check: 'Was the group reset on purpose (kafka-consumer-groups --reset-offsets)? Check for auto.offset.reset after an offset expiry.',
  },
  WARNING: {
    means: 'the consumer is committing but its lag has not decreased across the window: it is falling behind.',
    check: 'Compare the produce rate with the consume rate; scale consumers (up to the partition count) or look for slow processing.',
  },
  ERROR: {
    means: 'lagwatch found a problem Burrow cannot see (see the rule).',
    check: 'See the rule below.',
  },
};

/** What each lagwatch rule means and what to do (evaluation.md §6.2): the page says why. */
export const RULE_ADVICE: Readonly<Record<string, { means: string; check: string }>> = {
  'data-loss': {
    means: 'the committed offset is below the log start: retention deleted messages before this group read them.',
    check: 'Those messages are gone from Kafka: replay them from the source if you can. Then fix the backlog (scale or restart the consumer) and consider a longer retention.ms.',
  },
  'retention-risk': {
    means: 'the oldest unread message is close to the topic retention: it will be deleted unread.',
    check: 'Speed the consumer up now (scale up to the partition count, fix slow processing) or raise the topic retention.ms.',
  },
  'beyond-log-end': {
    means: 'the committed offset is past the log end: the topic was recreated or truncated, and the group has not reset.',
    check: 'Reset the group (kafka-consumer-groups --reset-offsets --to-earliest or --to-latest) and restart its consumers; until then it reads nothing.',
  },
  'consumers-gone': {
    means: 'the group has no members while messages wait: its consumers are gone.',
    check: 'Is the consumer deployment running? Look for crashes, scaled-to-zero deployments or failed rollouts. If it was decommissioned on purpose, mute the group in the policy.',
  },
  'no-progress': {
    means: 'consumers are in the group but the committed offset has not moved while messages wait.',
    check: 'Look for a poison record, a blocked downstream call or a deadlock in the consumer; check its logs and thread dumps.',
  },
  'falling-behind': {
    means: 'the consumer commits, but the oldest unread message keeps getting older: it consumes slower than producers write.',
    check: 'Compare the produce rate with the consume rate; scale consumers (up to the partition count) or look for slow processing.',
  },
  'time-lag-over-limit': {
    means: 'the consumer is falling behind and its oldest unread message is older than maxTimeLagSeconds.',
    check: 'Scale the consumer or fix its slow processing now; the backlog keeps growing.',
  },
  reprocessing: {
    means: 'the committed offset went back and the consumer is re-reading (deliberate reset, or restart from an old offset).',
    check: 'If the reset was deliberate, nothing to do: the alert resolves when it has read past where it was. If not, look for auto.offset.reset after an offset expiry.',
  },
  'rewind-loop': {
    means: 'the committed offset keeps going back (or stopped while re-reading): the consumer is likely in a crash loop.',
    check: 'Check the consumer logs for a crash on a record it re-reads after every restart; skip or fix that record.',
  },
  'catching-up': {
    means: 'the incident is not over: the consumer has not caught up yet (its oldest unread message is still old).',
    check: 'Nothing new: watch that the lag keeps shrinking. The alert resolves when it has caught up.',
  },
  stale: {
    means: 'lagwatch has had no fresh snapshots since a collection gap: the previous status is kept, not read as OK.',
    check: 'Check the collector (its errors alarm and logs); the verdict updates with the next full window.',
  },
};

function adviceFor(rule: string, status: PartitionStatus): { means: string; check: string } {
  return RULE_ADVICE[rule] ?? MEANING[status === 'OK' ? 'WARNING' : status];
}

const STATUS_ORDER: readonly Exclude<PartitionStatus, 'OK'>[] = ['STOPPED', 'STALLED', 'REWIND', 'ERROR', 'WARNING'];

function byWorst(a: PartitionVerdict, b: PartitionVerdict): number {
  const rank = severityRank(groupSeverity(b.status)) - severityRank(groupSeverity(a.status));
  if (rank !== 0) return rank;
  const la = a.lag ?? -1n;
  const lb = b.lag ?? -1n;
  return la === lb ? 0 : la < lb ? 1 : -1;
}

/** SNS subjects must be ASCII, without line breaks, under 100 characters. */
function asciiSubject(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length <= SUBJECT_MAX ? clean : `${clean.slice(0, SUBJECT_MAX - 3)}...`;
}

function statusCounts(verdict: GroupVerdict): string {
  const parts: string[] = [];
  for (const status of STATUS_ORDER) {
    const n = verdict.partitions.filter((p) => p.status === status).length;
    if (n > 0) parts.push(`${n} partition${n === 1 ? '' : 's'} ${status}`);
  }
  return parts.join(', ');
}

function worstPartitions(verdict: GroupVerdict | null): NotificationPartition[] {
  if (verdict === null) return [];
  return verdict.partitions
    .filter((p) => p.status !== 'OK')
    .sort(byWorst)
    .slice(0, WORST_SHOWN)
    .map((p) => ({
      topic: p.topic,
      partition: p.partition,
      status: p.status,
      lag: p.lag === null ? null : p.lag.toString(10),
      timeLagSeconds: p.timeLag.seconds,
      rule: p.rule,
    }));
}

function lagSummary(verdict: GroupVerdict): string {
  const behind = verdict.maxTimeLag.kind === 'none' ? '' : ` (${formatTimeLag(verdict.maxTimeLag)} behind)`;
  return `lag ${formatCount(verdict.totalLag)}${behind}`;
}

const where = (p: PartitionVerdict): string => `${p.topic}[${p.partition}]`;
const oldest = (p: { timeLag: PartitionVerdict['timeLag'] }): string => `oldest ${formatTimeLag(p.timeLag)} old`;
const waitingCount = (lag: bigint | null): string => `${lag === null ? 'unknown' : formatCount(lag)} messages waiting`;

/** One line, with numbers, saying what happened: the first thing a person on call reads. */
export function headline(verdict: GroupVerdict, limits: { maxTimeLagSeconds?: number } = {}): string {
  const worst = [...verdict.partitions].filter((p) => p.status !== 'OK').sort(byWorst)[0];
  const who = `${verdict.group} on ${verdict.cluster}`;
  if (verdict.stale === true) return `${who}: no fresh snapshots since a collection gap, holding ${verdict.status}`;
  if (worst === undefined) return `${who}: OK`;
  const more = verdict.partitions.filter((p) => p.status !== 'OK').length - 1;
  const others = more > 0 ? ` (+${more} more partition${more === 1 ? '' : 's'})` : '';
  switch (worst.rule) {
    case 'consumers-gone':
      return `${who}: no members for ${formatDuration(verdict.emptyForSeconds ?? 0)}, ${waitingCount(verdict.totalLag)}, oldest ${formatTimeLag(verdict.maxTimeLag)} old`;
    case 'data-loss':
      return `${where(worst)}: ${formatCount(worst.deletedUnread ?? 0n)} messages deleted by retention before this group read them${others}`;
    case 'retention-risk':
      return `${where(worst)} will lose unread data in ~${formatDuration(worst.retentionLeftSeconds ?? 0)} (${oldest(worst)})${others}`;
    case 'beyond-log-end':
      return `${where(worst)}: committed offset ${worst.committedOffset ?? '?'} is beyond the log end ${worst.logEndOffset ?? '?'} (topic recreated or truncated)${others}`;
    case 'no-progress':
      return `${where(worst)}: no progress for ${formatDuration(worst.stuckForSeconds ?? 0)} with members in the group, ${waitingCount(worst.lag)}, ${oldest(worst)}${others}`;
    case 'falling-behind':
      return `${where(worst)}: falling behind, ${waitingCount(worst.lag)}, ${oldest(worst)} and growing${others}`;
    case 'time-lag-over-limit':
      return `${where(worst)}: ${oldest(worst)}, over the ${formatDuration(limits.maxTimeLagSeconds ?? 0)} limit and still falling behind${others}`;
    case 'reprocessing':
      return `${where(worst)}: re-reading after an offset reset, ${waitingCount(worst.lag)}, ${oldest(worst)}${others}`;
    case 'rewind-loop':
      return `${where(worst)}: committed offset keeps going back (restart loop?), ${waitingCount(worst.lag)}${others}`;
    case 'catching-up':
      return `${where(worst)}: still catching up, ${waitingCount(worst.lag)}, ${oldest(worst)}${others}`;
    default:
      return `${statusCounts(verdict) || verdict.status}, ${lagSummary(verdict)}`;
  }
}

export interface MessageInput {
  readonly kind: AlertKind;
  readonly cluster: string;
  readonly group: string;
  readonly team: string;
  readonly incidentId: string;
  /** When the incident opened. */
  readonly since: number;
  readonly now: number;
  /** null when the group is gone. */
  readonly verdict: GroupVerdict | null;
  readonly dashboardUrl: string | null;
  /** Why an open incident ended when the group is not OK (e.g. muted). */
  readonly resolveReason?: string;
  /** Set on a repeat caused by a status change (WARNING → ERROR, ERROR → WARNING). */
  readonly previousStatus?: GroupStatus;
  /** For the time-lag-over-limit wording. */
  readonly maxTimeLagSeconds?: number;
}

function subjectOf(input: MessageInput): string {
  const { kind, group, cluster, verdict } = input;
  const where = `${group} on ${cluster}`;
  if (kind === 'gone') return `[GONE] ${where}: group no longer exists, alert closed`;
  if (kind === 'resolve' || verdict === null) {
    return `[RESOLVED] ${where}: ${input.resolveReason ?? 'OK again'} after ${formatDuration((input.now - input.since) / 1000)}`;
  }
  const still = kind === 'repeat' && input.previousStatus === undefined ? 'still ' : '';
  const line = headline(verdict, { maxTimeLagSeconds: input.maxTimeLagSeconds });
  // The headline names the group for group-wide rules; otherwise say whose partition it is.
  const text = line.startsWith(where) ? line.slice(where.length + 2) : line;
  return `[${verdict.status}] ${where}: ${still}${verdict.rule ?? ''}${verdict.rule ? ': ' : ''}${text}`;
}

function textOf(input: MessageInput, worst: readonly NotificationPartition[]): string {
  const { verdict, cluster, group } = input;
  const lines: string[] = [];
  const opened = new Date(input.since).toISOString();
  if (input.kind === 'gone') {
    lines.push(`Consumer group ${group} on cluster ${cluster} no longer exists (deleted, or its offsets expired).`);
    lines.push(`The alert open since ${opened} is closed. No further messages will be sent for it.`);
  } else if (input.kind === 'resolve' || verdict === null) {
    lines.push(`Consumer group ${group} on cluster ${cluster}: ${input.resolveReason ?? 'OK again'}.`);
    lines.push(`The alert open since ${opened} is resolved after ${formatDuration((input.now - input.since) / 1000)}.`);
  } else {
    const how =
      input.previousStatus !== undefined
        ? ` (was ${input.previousStatus}); incident open since ${opened}`
        : input.kind === 'repeat'
          ? `, still, since ${opened}`
          : ` since ${opened}`;
    lines.push(`Consumer group ${group} on cluster ${cluster} is ${verdict.status}${how}.`);
    lines.push(`${verdict.rule ?? verdict.status}: ${headline(verdict, { maxTimeLagSeconds: input.maxTimeLagSeconds })}.`);
    lines.push(
      `Total lag ${formatCount(verdict.totalLag)} messages; oldest unconsumed message ${formatTimeLag(verdict.maxTimeLag)} old` +
        (verdict.maxTimeLag.kind === 'lower-bound' ? ' (at least: older than the kept history)' : '') +
        '.',
    );
    lines.push(`Group state ${verdict.state}, ${verdict.members ?? 'unknown'} member(s).`);
    if (worst.length > 0) {
      lines.push('', 'Worst partitions:');
      for (const p of worst) {
        lines.push(
          `  ${p.topic}[${p.partition}]  ${p.status}  lag ${p.lag === null ? 'unknown' : formatCount(BigInt(p.lag))}  ${formatDuration(p.timeLagSeconds)} behind${p.rule ? `  (${p.rule})` : ''}`,
        );
      }
    }
    // One explanation per rule that put a partition in this state, worst first.
    const rules = new Map<string, PartitionStatus>();
    if (verdict.stale === true) rules.set('stale', 'WARNING');
    for (const p of [...verdict.partitions].filter((q) => q.status !== 'OK').sort(byWorst)) if (!rules.has(p.rule)) rules.set(p.rule, p.status);
    if (rules.size > 0) {
      lines.push('', 'What it means and what to check:');
      for (const [rule, status] of rules) {
        const advice = adviceFor(rule, status);
        lines.push(`  ${status}: ${advice.means} [rule ${rule}]`, `    Check: ${advice.check}`);
      }
    }
  }
  if (input.dashboardUrl) lines.push('', `Dashboard: ${input.dashboardUrl}`);
  lines.push('', `Incident ${input.incidentId}, team ${input.team}.`);
  return lines.join('\n');
}

export function buildNotification(input: MessageInput): Notification {
  const worst = input.kind === 'open' || input.kind === 'repeat' ? worstPartitions(input.verdict) : [];
  const severity = input.kind === 'open' || input.kind === 'repeat' ? input.verdict?.status : 'OK';
  return {
    kind: input.kind,
    cluster: input.cluster,
    group: input.group,
    team: input.team,
    severity: severity === 'WARNING' || severity === 'ERROR' ? severity : 'OK',
    incidentId: input.incidentId,
    at: input.now,
    subject: asciiSubject(subjectOf(input)),
    text: textOf(input, worst),
    worstPartitions: worst,
    dashboardUrl: input.dashboardUrl,
    rule: input.kind === 'open' || input.kind === 'repeat' ? (input.verdict?.rule ?? null) : null,
  };
}
