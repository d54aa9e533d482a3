// The alert lifecycle per group as a pure state transition (evaluation.md §4).
import { buildNotification } from './alert-message.js';
import { severityRank } from './group.js';
import type { Policy } from './policy.js';
import type { GroupStatus, GroupVerdict } from './types.js';

export const AlertKind = {
  Open: 'open',
  Repeat: 'repeat',
  Resolve: 'resolve',
  Gone: 'gone',
} as const;
export type AlertKind = (typeof AlertKind)[keyof typeof AlertKind];

/** An open incident for one group. No state stored = no open incident. */
export interface AlertState {
  readonly cluster: string;
  readonly group: string;
  /** The group status last notified (WARNING or ERROR). */
  readonly status: GroupStatus;
  readonly incidentId: string;
  readonly team: string;
  /** When the incident opened (ms). */
  readonly since: number;
  /** When the last message for it was sent (ms). */
  readonly lastNotified: number;
  /** Optimistic-concurrency version, incremented by every write. */
  readonly version: number;
}

export interface NotificationPartition {
  readonly topic: string;
  readonly partition: number;
  readonly status: string;
  /** Decimal string; null for "no commits". */
  readonly lag: string | null;
  readonly timeLagSeconds: number;
}

/** One message to send, already shaped for a person. */
export interface Notification {
  readonly kind: AlertKind;
  readonly cluster: string;
  readonly group: string;
  readonly team: string;
  /** OK for resolve / gone messages. */
  readonly severity: Extract<GroupStatus, 'OK' | 'WARNING' | 'ERROR'>;
  readonly incidentId: string;
  readonly at: number;
  /** At most 100 characters (SNS email subject limit). */
  readonly subject: string;
  /** Plain-text body: what happened, the worst partitions, what it means, what to check. */
  readonly text: string;
  readonly worstPartitions: readonly NotificationPartition[];
  readonly dashboardUrl: string | null;
}

export interface AlertDecisionInput {
  readonly previous: AlertState | null;
  /** null (or NOTFOUND) when the group is gone. */
  readonly verdict: GroupVerdict | null;
  readonly policy: Policy;
  readonly now: number;
  readonly dashboardUrl: string | null;
}

export interface AlertDecision {
  /** The message to send, or null. */
  readonly notification: Notification | null;
  /** The state to store: `previous` itself (same object) when nothing changes; a new version to
   * write; or null — with a previous state, that means remove it. */
  readonly next: AlertState | null;
}

/** Does this verdict call for an open incident under the policy? */
function isAlerting(verdict: GroupVerdict, policy: Policy): boolean {
  return !policy.mute && severityRank(verdict.status) >= severityRank(policy.alertSeverity);
}

/**
 * One alert transition per group: open when the status reaches the policy's severity, repeat at most
 * every repeatInterval while it stays bad (or at once when the status changes), resolve once when it
 * is fine again (or muted), and close with "group gone" when the group disappeared.
 */
export function decideAlert(input: AlertDecisionInput): AlertDecision {
  const { previous, policy, now, dashboardUrl } = input;
  const verdict = input.verdict?.status === 'NOTFOUND' ? null : input.verdict;
  type Incident = Pick<AlertState, 'cluster' | 'group' | 'team' | 'incidentId' | 'since'>;
  const message = (kind: AlertKind, incident: Incident, extra: { resolveReason?: string; previousStatus?: GroupStatus } = {}) =>
    buildNotification({ kind, ...incident, now, verdict, dashboardUrl, ...extra });

  if (previous === null) {
    if (verdict === null || !isAlerting(verdict, policy)) return { notification: null, next: null };
    const opened = {
      cluster: verdict.cluster,
      group: verdict.group,
      team: policy.team,
      incidentId: `${verdict.cluster}/${verdict.group}/${now}`,
      since: now,
    };
    return {
      notification: message('open', opened),
      next: { ...opened, status: verdict.status, lastNotified: now, version: 1 },
    };
  }
  if (verdict === null) return { notification: message('gone', previous), next: null };
  if (!isAlerting(verdict, policy)) {
    const resolveReason = policy.mute ? 'muted by policy' : `${verdict.status} again`;
    return { notification: message('resolve', previous, { resolveReason }), next: null };
  }
  const changed = verdict.status !== previous.status;
  if (!changed && now - previous.lastNotified < policy.repeatIntervalMs) return { notification: null, next: previous };
  return {
    notification: message('repeat', previous, changed ? { previousStatus: previous.status } : {}),
    next: { ...previous, status: verdict.status, team: policy.team, lastNotified: now, version: previous.version + 1 },
  };
}
