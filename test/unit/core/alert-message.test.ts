// Messages say what happened and what to do, with numbers and the rule name (issue 9 item 3).
import { describe, expect, it } from 'vitest';
import { buildNotification, headline } from '../../../functions/core/alert-message.js';
import type { GroupVerdict, PartitionVerdict } from '../../../functions/core/types.js';
import { groupVerdict, partitionVerdict } from '../../support/verdicts.js';

const verdictWith = (rule: string, p: Partial<PartitionVerdict>, v: Partial<Omit<GroupVerdict, 'partitions'>> = {}): GroupVerdict =>
  groupVerdict({ cluster: 'prod', group: 'orders-service', status: 'ERROR', rule, partitions: [partitionVerdict({ status: 'ERROR', rule, ...p })], ...v });

describe('headline: what happened, with numbers', () => {
  it.each([
    [
      'consumers-gone: how long without members, how much waits, how old',
      verdictWith('consumers-gone', { status: 'STOPPED', lag: 4_210n }, { emptyForSeconds: 120, maxTimeLag: { seconds: 130, kind: 'exact' } }),
      'orders-service on prod: no members for 2m, 4,210 messages waiting, oldest 2m 10s old',
    ],
    ['data-loss: how many messages retention deleted unread', verdictWith('data-loss', { topic: 'payments', partition: 3, deletedUnread: 12_400n }), 'payments[3]: 12,400 messages deleted by retention before this group read them'],
    [
      'retention-risk: how long until unread data is deleted',
      verdictWith('retention-risk', { topic: 'analytics', partition: 0, retentionLeftSeconds: 840, timeLag: { seconds: 3_360, kind: 'exact' } }),
      'analytics[0] will lose unread data in ~14m (oldest 56m old)',
    ],
    [
      'no-progress: how long stuck with members',
      verdictWith('no-progress', { status: 'STALLED', stuckForSeconds: 240, lag: 35n, timeLag: { seconds: 250, kind: 'exact' } }),
      'orders[0]: no progress for 4m with members in the group, 35 messages waiting, oldest 4m 10s old',
    ],
    [
      'falling-behind: counts more partitions',
      groupVerdict({
        cluster: 'prod',
        group: 'orders-service',
        status: 'WARNING',
        rule: 'falling-behind',
        partitions: [0, 1].map((partition) => partitionVerdict({ partition, status: 'WARNING', rule: 'falling-behind', lag: 900n, timeLag: { seconds: 95, kind: 'interpolated' } })),
      }),
      'orders[0]: falling behind, 900 messages waiting, oldest 1m 35s old and growing (+1 more partition)',
    ],
    ['stale: says it is holding, not OK', verdictWith('stale', { status: 'STOPPED' }, { stale: true }), 'orders-service on prod: no fresh snapshots since a collection gap, holding ERROR'],
  ] as const)('%s', (_reason, verdict, text) => {
    expect(headline(verdict)).toBe(text);
  });
});

describe('notification: rule name in subject, body says what to do', () => {
  const n = buildNotification({
    kind: 'open',
    cluster: 'prod',
    group: 'orders-service',
    team: 'orders',
    incidentId: 'i',
    since: 0,
    now: 0,
    verdict: verdictWith('consumers-gone', { status: 'STOPPED', lag: 4_210n }, { emptyForSeconds: 120, maxTimeLag: { seconds: 130, kind: 'exact' } }),
    dashboardUrl: null,
  });
  it('subject: severity, group, rule, headline (cut at the SNS limit; the body has it whole)', () => {
    expect(n.subject).toMatch(/^\[ERROR\] orders-service on prod: consumers-gone: no members for 2m, 4,210 messages waiting/);
    expect(n.subject.length).toBeLessThan(100);
    expect(n.rule).toBe('consumers-gone');
  });
  it('body: the rule, its meaning and what to do (mute a planned decommission)', () => {
    expect(n.text).toContain('consumers-gone: orders-service on prod: no members for 2m, 4,210 messages waiting, oldest 2m 10s old.');
    expect(n.text).toMatch(/STOPPED: the group has no members while messages wait.*\[rule consumers-gone\]/);
    expect(n.text).toContain('mute the group in the policy');
    expect(n.worstPartitions[0]).toMatchObject({ rule: 'consumers-gone', status: 'STOPPED' });
  });
});
