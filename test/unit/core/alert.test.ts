import { describe, expect, it } from 'vitest';
import { decideAlert, type AlertState } from '../../../functions/core/alert.js';
import { DEFAULT_POLICY, type Policy } from '../../../functions/core/policy.js';
import type { GroupStatus, GroupVerdict, PartitionStatus } from '../../../functions/core/types.js';
import { groupVerdict, partitionVerdict } from '../../support/verdicts.js';

const HOUR = 3_600_000;
function verdict(status: GroupStatus, partitionStatus: PartitionStatus = 'OK', lag = 12_345n): GroupVerdict {
  const timeLag = { seconds: 250, kind: 'interpolated' as const };
  return groupVerdict({
    cluster: 'prod',
    group: 'payments-consumer',
    status,
    state: 'Empty',
    members: 0,
    totalLag: lag,
    maxLag: { topic: 'orders', partition: 0, lag },
    maxTimeLag: timeLag,
    partitions: [0, 1].map((partition) =>
      partitionVerdict({ partition, status: partitionStatus, logEndOffset: 10n + lag, lag: partition === 0 ? lag : 0n, timeLag }),
    ),
  });
}
const policy: Policy = { ...DEFAULT_POLICY, team: 'payments', repeatIntervalMs: HOUR };
const open: AlertState = { cluster: 'prod', group: 'payments-consumer', status: 'ERROR', incidentId: 'prod/payments-consumer/0', team: 'payments', since: 0, lastNotified: 0, version: 3 };

describe('alert transitions', () => {
  it('opens when the status reaches the alert severity', () => {
    const d = decideAlert({ previous: null, verdict: verdict('ERROR', 'STOPPED'), policy, now: 1000, dashboardUrl: null });
    expect(d.notification?.kind).toBe('open');
    expect(d.next).toMatchObject({ status: 'ERROR', since: 1000, lastNotified: 1000, version: 1, team: 'payments' });
  });
  it('does not open below the alert severity (WARNING under an ERROR policy)', () => {
    expect(decideAlert({ previous: null, verdict: verdict('WARNING', 'WARNING'), policy: { ...policy, alertSeverity: 'ERROR' }, now: 1, dashboardUrl: null })).toEqual({ notification: null, next: null });
  });
  it('opens on WARNING by default (§6.3: default alertSeverity is WARNING)', () => {
    expect(DEFAULT_POLICY.alertSeverity).toBe('WARNING');
    expect(decideAlert({ previous: null, verdict: verdict('WARNING', 'WARNING'), policy, now: 1, dashboardUrl: null }).notification).toMatchObject({ kind: 'open', page: true, severity: 'WARNING' });
  });
  it('opens on WARNING when the policy says so', () => {
    const d = decideAlert({ previous: null, verdict: verdict('WARNING', 'WARNING'), policy: { ...policy, alertSeverity: 'WARNING' }, now: 1, dashboardUrl: null });
    expect(d.notification?.severity).toBe('WARNING');
  });
  it('a muted group never opens', () => {
    expect(decideAlert({ previous: null, verdict: verdict('ERROR', 'STOPPED'), policy: { ...policy, mute: true }, now: 1, dashboardUrl: null }).notification).toBeNull();
  });
  it('stays quiet before repeatInterval, keeping the same state object (nothing to write)', () => {
    const d = decideAlert({ previous: open, verdict: verdict('ERROR', 'STOPPED'), policy, now: HOUR - 1, dashboardUrl: null });
    expect(d.notification).toBeNull();
    expect(d.next).toBe(open);
  });
  it('repeats at exactly repeatInterval', () => {
    const d = decideAlert({ previous: open, verdict: verdict('ERROR', 'STOPPED'), policy, now: HOUR, dashboardUrl: null });
    expect(d.notification?.kind).toBe('repeat');
    expect(d.notification?.subject).toContain('still');
    expect(d.next).toMatchObject({ lastNotified: HOUR, version: 4, since: 0, incidentId: open.incidentId });
  });
  it('de-escalation inside an open incident (ERROR → WARNING) sends nothing and keeps the state (§6.3)', () => {
    const d = decideAlert({ previous: open, verdict: verdict('WARNING', 'WARNING'), policy, now: 5, dashboardUrl: null });
    expect(d).toEqual({ notification: null, next: open });
  });
  it('the next reminder after a de-escalation says it (was ERROR), and is not a page', () => {
    const d = decideAlert({ previous: open, verdict: verdict('WARNING', 'WARNING'), policy, now: HOUR, dashboardUrl: null });
    expect(d.notification).toMatchObject({ kind: 'repeat', page: false, severity: 'WARNING' });
    expect(d.notification?.text).toContain('was ERROR');
    // The stored status stays the worst paged, so going back up to ERROR is no new page.
    expect(d.next).toMatchObject({ status: 'ERROR', lastNotified: HOUR });
  });
  it('an escalation WARNING → ERROR is a page, sent at once, not as "still"', () => {
    const warning = { ...open, status: 'WARNING' as const };
    const d = decideAlert({ previous: warning, verdict: verdict('ERROR', 'STOPPED'), policy, now: 5, dashboardUrl: null });
    expect(d.notification).toMatchObject({ kind: 'repeat', page: true, severity: 'ERROR' });
    expect(d.notification?.subject).not.toContain('still');
    expect(d.notification?.text).toContain('was WARNING');
    expect(d.next).toMatchObject({ status: 'ERROR', version: 4 });
  });
  it('back up to ERROR after a silent de-escalation is no second page', () => {
    expect(decideAlert({ previous: open, verdict: verdict('ERROR', 'STOPPED'), policy, now: 7, dashboardUrl: null })).toEqual({ notification: null, next: open });
  });
  it('a stale verdict (hold when blind) never resolves, reminds or escalates: state kept, nothing sent', () => {
    const stale = { ...verdict('ERROR', 'STOPPED'), stale: true };
    expect(decideAlert({ previous: open, verdict: stale, policy, now: 2 * HOUR, dashboardUrl: null })).toEqual({ notification: null, next: open });
    expect(decideAlert({ previous: null, verdict: stale, policy, now: 1, dashboardUrl: null })).toEqual({ notification: null, next: null });
  });
  it('every notification carries a severity and says whether it is a page', () => {
    const opened = decideAlert({ previous: null, verdict: verdict('ERROR', 'STOPPED'), policy, now: 1, dashboardUrl: null }).notification!;
    const resolved = decideAlert({ previous: open, verdict: verdict('OK'), policy, now: 1, dashboardUrl: null }).notification!;
    expect([opened.severity, opened.page, resolved.severity, resolved.page]).toEqual(['ERROR', true, 'OK', false]);
  });
  it('every message of an incident carries its worst paged severity (what email subscriptions filter on)', () => {
    const warning: AlertState = { ...open, status: 'WARNING' };
    const cases: { why: string; previous: AlertState | null; verdict: GroupVerdict | null; now: number; kind: string; incidentSeverity: string }[] = [
      { why: 'an incident opened at WARNING', previous: null, verdict: verdict('WARNING', 'WARNING'), now: 1, kind: 'open', incidentSeverity: 'WARNING' },
      { why: 'an incident opened at ERROR', previous: null, verdict: verdict('ERROR', 'STOPPED'), now: 1, kind: 'open', incidentSeverity: 'ERROR' },
      { why: 'the escalation of a WARNING incident is ERROR', previous: warning, verdict: verdict('ERROR', 'STOPPED'), now: 1, kind: 'repeat', incidentSeverity: 'ERROR' },
      { why: 'a reminder of an incident that stayed WARNING', previous: warning, verdict: verdict('WARNING', 'WARNING'), now: HOUR, kind: 'repeat', incidentSeverity: 'WARNING' },
      { why: 'a reminder after a de-escalation keeps the worst paged (ERROR)', previous: open, verdict: verdict('WARNING', 'WARNING'), now: HOUR, kind: 'repeat', incidentSeverity: 'ERROR' },
      { why: 'the resolve of an incident that stayed WARNING', previous: warning, verdict: verdict('OK'), now: 5, kind: 'resolve', incidentSeverity: 'WARNING' },
      { why: 'the resolve of an incident that reached ERROR', previous: open, verdict: verdict('OK'), now: 5, kind: 'resolve', incidentSeverity: 'ERROR' },
      { why: '"gone" of an incident that stayed WARNING', previous: warning, verdict: null, now: 5, kind: 'gone', incidentSeverity: 'WARNING' },
    ];
    for (const c of cases) {
      const d = decideAlert({ previous: c.previous, verdict: c.verdict, policy, now: c.now, dashboardUrl: null });
      expect({ kind: d.notification?.kind, incidentSeverity: d.notification?.incidentSeverity }, c.why).toEqual({ kind: c.kind, incidentSeverity: c.incidentSeverity });
    }
  });
  it('resolves once when the group is OK again, removing the state', () => {
    const d = decideAlert({ previous: open, verdict: verdict('OK'), policy, now: 10 * 60_000, dashboardUrl: null });
    expect(d.notification).toMatchObject({ kind: 'resolve', severity: 'OK' });
    expect(d.notification?.subject).toBe('[RESOLVED] payments-consumer on prod: OK again after 10m');
    expect(d.next).toBeNull();
  });
  it('resolves only on a judged OK: ERROR → WARNING under an ERROR policy keeps the incident open (§6.3)', () => {
    const errorOnly = { ...policy, alertSeverity: 'ERROR' as const };
    expect(decideAlert({ previous: open, verdict: verdict('WARNING', 'WARNING'), policy: errorOnly, now: 5, dashboardUrl: null })).toEqual({ notification: null, next: open });
    expect(decideAlert({ previous: open, verdict: verdict('OK'), policy: errorOnly, now: 5, dashboardUrl: null }).notification?.kind).toBe('resolve');
  });
  it('resolves with a reason when the group is muted while open', () => {
    const d = decideAlert({ previous: open, verdict: verdict('ERROR', 'STOPPED'), policy: { ...policy, mute: true }, now: 5, dashboardUrl: null });
    expect(d.notification?.subject).toContain('muted by policy');
  });
  it.each([
    ['a group that disappeared (null verdict)', null],
    ['a NOTFOUND verdict', { ...verdict('OK'), status: 'NOTFOUND' as const }],
  ])('ends the alert with "group gone" for %s', (_reason, v) => {
    const d = decideAlert({ previous: open, verdict: v, policy, now: 5, dashboardUrl: null });
    expect(d.notification?.kind).toBe('gone');
    expect(d.notification?.subject).toBe('[GONE] payments-consumer on prod: group no longer exists, alert closed');
    expect(d.next).toBeNull();
  });
  it('nothing for a gone group without an open alert', () => {
    expect(decideAlert({ previous: null, verdict: null, policy, now: 5, dashboardUrl: null })).toEqual({ notification: null, next: null });
  });
});

describe('alert messages', () => {
  const d = decideAlert({ previous: null, verdict: verdict('ERROR', 'STOPPED'), policy, now: 1000, dashboardUrl: 'https://console.aws.amazon.com/cloudwatch/dash' });
  it('has a subject a person can act on', () => {
    expect(d.notification?.subject).toBe('[ERROR] payments-consumer on prod: 2 partitions STOPPED, lag 12,345 (4m 10s behind)');
  });
  it('has a body with the worst partitions, the meaning, what to check and the dashboard', () => {
    const text = d.notification!.text;
    expect(text).toContain('orders[0]  STOPPED  lag 12,345');
    expect(text).toMatch(/STOPPED: .*consumers are gone/);
    expect(text).toContain('Check:');
    expect(text).toContain('Dashboard: https://console.aws.amazon.com/cloudwatch/dash');
    expect(d.notification!.worstPartitions[0]).toEqual({ topic: 'orders', partition: 0, status: 'STOPPED', lag: '12345', timeLagSeconds: 250, rule: 'x' });
  });
  it('keeps SNS subjects ASCII and under 100 characters', () => {
    const long = { ...verdict('ERROR', 'STOPPED'), group: `zahlungs-verbraucher-ü-${'x'.repeat(200)}` };
    const subject = decideAlert({ previous: null, verdict: long, policy, now: 1, dashboardUrl: null }).notification!.subject;
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject.endsWith('...')).toBe(true);
  });
});
