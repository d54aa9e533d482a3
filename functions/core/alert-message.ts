// Turns an alert transition into words a person on call can act on.
import type { AlertKind, Notification, NotificationPartition } from './alert.js';
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
};

const STATUS_ORDER: readonly Exclude<PartitionStatus, 'OK'>[] = ['STOPPED', 'STALLED', 'REWIND', 'WARNING'];

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
    }));
}

function lagSummary(verdict: GroupVerdict): string {
  const behind = verdict.maxTimeLag.kind === 'none' ? '' : ` (${formatTimeLag(verdict.maxTimeLag)} behind)`;
  return `lag ${formatCount(verdict.totalLag)}${behind}`;
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
}

function subjectOf(input: MessageInput): string {
  const { kind, group, cluster, verdict } = input;
  const where = `${group} on ${cluster}`;
  if (kind === 'gone') return `[GONE] ${where}: group no longer exists, alert closed`;
  if (kind === 'resolve' || verdict === null) {
    return `[RESOLVED] ${where}: ${input.resolveReason ?? 'OK again'} after ${formatDuration((input.now - input.since) / 1000)}`;
  }
  const counts = statusCounts(verdict);
  const still = kind === 'repeat' && input.previousStatus === undefined ? 'still ' : '';
  return `[${verdict.status}] ${where}: ${still}${counts || verdict.status}, ${lagSummary(verdict)}`;
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
          `  ${p.topic}[${p.partition}]  ${p.status}  lag ${p.lag === null ? 'unknown' : formatCount(BigInt(p.lag))}  ${formatDuration(p.timeLagSeconds)} behind`,
        );
      }
    }
    const seen = new Set(verdict.partitions.map((p) => p.status));
    const explained = STATUS_ORDER.filter((s) => seen.has(s));
    if (explained.length > 0) {
      lines.push('', 'What it means and what to check:');
      for (const status of explained) {
        lines.push(`  ${status}: ${MEANING[status].means}`, `    Check: ${MEANING[status].check}`);
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
  };
}
