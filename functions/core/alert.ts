// The alert lifecycle per group as a pure state transition (evaluation.md §4).
import { buildNotification } from './alert-message.js';
import { severityRank } from './group.js';
import type { Policy } from './policy.js';
import type { AlertKind, Notification } from './notification.js';
import type { GroupStatus, GroupVerdict } from './types.js';

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
  return !policy.mute && verdict.stale !== true && severityRank(verdict.status) >= severityRank(policy.alertSeverity);
}

/** OK from a judged window: the only verdict that may resolve an incident (§6.2 rule 7). */
export function isJudgedOk(verdict: GroupVerdict): boolean {
  return verdict.status === 'OK' && verdict.stale !== true;
}

/**
 * One alert transition per group (§6.3): one incident per group; a page is the opening message or
 * an escalation above the worst severity already paged; a de-escalation inside the incident sends
 * nothing (the next reminder or the resolve says it); a reminder at most every repeatInterval while
 * it stays bad; resolve only on a judged OK (never on a stale verdict) or when muted; close with
 * "group gone" when the group disappeared. The stored `status` is the worst severity paged.
 */
export function decideAlert(input: AlertDecisionInput): AlertDecision {
  const { previous, policy, now, dashboardUrl } = input;
  const verdict = input.verdict?.status === 'NOTFOUND' ? null : input.verdict;
  type Incident = Pick<AlertState, 'cluster' | 'group' | 'team' | 'incidentId' | 'since'>;
  const message = (kind: AlertKind, incident: Incident, extra: { resolveReason?: string; previousStatus?: GroupStatus; page?: boolean } = {}) => {
    const { page = false, ...rest } = extra;
    return { ...buildNotification({ kind, ...incident, now, verdict, dashboardUrl, maxTimeLagSeconds: policy.maxTimeLagSeconds, ...rest }), page };
  };

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
      notification: message('open', opened, { page: true }),
      next: { ...opened, status: verdict.status, lastNotified: now, version: 1 },
    };
  }
  if (verdict === null) return { notification: message('gone', previous), next: null };
  if (policy.mute) return { notification: message('resolve', previous, { resolveReason: 'muted by policy' }), next: null };
  // Blind: keep the incident as it is, say nothing (no resolve, no reminder from a stale window).
  if (verdict.stale === true) return { notification: null, next: previous };
  if (isJudgedOk(verdict)) return { notification: message('resolve', previous, { resolveReason: 'OK again' }), next: null };
  const escalated = severityRank(verdict.status) > severityRank(previous.status);
  if (escalated) {
    return {
      notification: message('repeat', previous, { previousStatus: previous.status, page: true }),
      next: { ...previous, status: verdict.status, team: policy.team, lastNotified: now, version: previous.version + 1 },
    };
  }
  if (now - previous.lastNotified < policy.repeatIntervalMs) return { notification: null, next: previous };
  const lower = verdict.status !== previous.status ? { previousStatus: previous.status } : {};
  return {
    notification: message('repeat', previous, lower),
    next: { ...previous, team: policy.team, lastNotified: now, version: previous.version + 1 },
  };
}
