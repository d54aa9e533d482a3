import { describe, expect, it } from 'vitest';
import { evaluateGroup } from '../../../functions/core/group.js';
import { selectMetricGroups } from '../../../functions/core/metric-selection.js';
import { clusterMetrics, evaluationMetrics, groupMetrics, METRIC, runMetrics } from '../../../functions/core/metrics.js';
import { DEFAULT_POLICY, type Policy } from '../../../functions/core/policy.js';
import type { GroupStatus, GroupVerdict } from '../../../functions/core/types.js';
import { loadScenarios } from '../../support/scenarios.js';

const verdicts: GroupVerdict[] = loadScenarios().map(({ document: d }) =>
  evaluateGroup({ cluster: 'demo', group: d.snapshots[0]!.group, snapshots: d.snapshots, policy: DEFAULT_POLICY, now: d.now }),
);
const byGroup = (g: string) => verdicts.find((v) => v.group === g)!;

describe('metrics', () => {
  const FOUR = [METRIC.MaxLag, METRIC.TotalLag, METRIC.MaxTimeLagSeconds, METRIC.Status];
  it('per group: MaxLag, TotalLag, MaxTimeLagSeconds, Status; per (group, topic) when it reads several topics', () => {
    const slow = byGroup('slow');
    const twoTopics: GroupVerdict = { ...slow, partitions: [...slow.partitions, { ...slow.partitions[0]!, topic: 'views', lag: 7n }] };
    const m = groupMetrics(twoTopics, DEFAULT_POLICY);
    const names = (dims: number) => m.filter((x) => Object.keys(x.dimensions).length === dims).map((x) => x.name);
    expect(names(2)).toEqual(FOUR);
    // By default only which topic holds the lag (MaxLag per topic); all four when the policy asks for every metric.
    expect(names(3)).toEqual([METRIC.MaxLag, METRIC.MaxLag]);
    expect(m.filter((x) => x.dimensions.Topic === 'views').map((x) => x.value)).toEqual([7]);
    const full = groupMetrics(twoTopics, { ...DEFAULT_POLICY, groupMetrics: 'always' });
    expect(full.filter((x) => x.dimensions.Topic === 'views').map((x) => [x.name, x.value])).toEqual([
      [METRIC.MaxLag, 7],
      [METRIC.TotalLag, 7],
      [METRIC.MaxTimeLagSeconds, slow.partitions[0]!.timeLag.seconds],
      [METRIC.Status, 1],
    ]);
    expect(m.find((x) => x.name === METRIC.Status && !x.dimensions.Topic)?.value).toBe(1);
  });
  it('a group reading one topic gets no per-topic copies of its group metrics', () => {
    expect(groupMetrics(byGroup('slow'), DEFAULT_POLICY).map((x) => x.name)).toEqual(FOUR);
  });
  it('Status is 0 OK, 1 WARNING, 2 ERROR', () => {
    const status = (g: string) => groupMetrics(byGroup(g), DEFAULT_POLICY).find((x) => x.name === METRIC.Status)!.value;
    expect([status('healthy'), status('slow'), status('stopped')]).toEqual([0, 1, 2]);
  });
  it('per-partition metrics only when the policy opts in', () => {
    const has = (p: Policy) => groupMetrics(byGroup('slow'), p).some((x) => x.name === METRIC.PartitionLag);
    expect(has(DEFAULT_POLICY)).toBe(false);
    expect(has({ ...DEFAULT_POLICY, partitionMetrics: true })).toBe(true);
  });
  it('every value is finite and non-negative, whatever the verdict holds', () => {
    // Offsets past 2^53 and time lags that are not finite must never reach CloudWatch as NaN or Infinity.
    const slow = byGroup('slow');
    const huge = 2n ** 70n;
    const partitions = slow.partitions.flatMap((p) => [
      { ...p, lag: huge, timeLag: { ...p.timeLag, seconds: Number.POSITIVE_INFINITY } },
      { ...p, topic: 'views', lag: huge, timeLag: { ...p.timeLag, seconds: Number.NaN } },
    ]);
    const hostile: GroupVerdict = { ...slow, totalLag: huge * 2n, maxLag: { topic: 'views', partition: 0, lag: huge }, maxTimeLag: { seconds: Number.NaN, kind: 'exact' }, partitions };
    const all = evaluationMetrics({ cluster: 'demo', verdicts: [hostile], policyFor: () => ({ ...DEFAULT_POLICY, partitionMetrics: true, groupMetrics: 'always' }), timestamp: 1 });
    // Every kind of group metric is in the list, so the check below covers each of them.
    expect(new Set(all.map((m) => m.name))).toEqual(
      new Set([METRIC.Groups, METRIC.MaxLag, METRIC.TotalLag, METRIC.MaxTimeLagSeconds, METRIC.Status, METRIC.PartitionLag, METRIC.PartitionTimeLagSeconds]),
    );
    for (const m of all) expect(Number.isFinite(m.value) && m.value >= 0, `${m.name} ${JSON.stringify(m.dimensions)}`).toBe(true);
    const run = runMetrics({ cluster: 'c', stage: 'collector', durationMs: Number.NaN, failures: -1, groupFailures: Infinity, timestamp: 1 });
    expect(run.map((m) => [m.name, m.value])).toEqual([
      [METRIC.CollectorDurationMs, 0],
      [METRIC.SnapshotsWritten, 0],
    ]);
  });
  it('run metrics: durations and SnapshotsWritten always, failure and notification counters only when non-zero', () => {
    const names = (input: Parameters<typeof runMetrics>[0]) => runMetrics(input).map((m) => [m.name, m.value]);
    expect(names({ cluster: 'c', stage: 'collector', durationMs: 5, failures: 0, groupFailures: 0, snapshotsWritten: 1, timestamp: 1 })).toEqual([
      [METRIC.CollectorDurationMs, 5],
      [METRIC.SnapshotsWritten, 1],
    ]);
    expect(names({ cluster: 'c', stage: 'collector', durationMs: 5, failures: 1, groupFailures: 2, snapshotsWritten: 0, timestamp: 1 })).toEqual([
      [METRIC.CollectorDurationMs, 5],
      [METRIC.SnapshotsWritten, 0],
      [METRIC.CollectorFailures, 1],
      [METRIC.CollectorGroupFailures, 2],
    ]);
    expect(names({ cluster: 'c', stage: 'evaluator', durationMs: 7, groupFailures: 0, notificationsSent: 2, timestamp: 1 })).toEqual([
      [METRIC.EvaluatorDurationMs, 7],
      [METRIC.NotificationsSent, 2],
    ]);
  });
  it('counts groups per status, zeros included; a group not found is not counted', () => {
    const as = (status: GroupStatus, group: string): GroupVerdict => ({ ...byGroup('slow'), group, status });
    const fleet = [as('OK', 'a'), as('ERROR', 'b'), as('OK', 'c'), as('NOTFOUND', 'd'), as('WARNING', 'e'), as('ERROR', 'f'), as('ERROR', 'g')];
    expect(clusterMetrics('demo', fleet, 1).map((m) => [m.dimensions.Status, m.value])).toEqual([
      ['OK', 2],
      ['WARNING', 1],
      ['ERROR', 3],
    ]);
    expect(clusterMetrics('demo', [as('OK', 'a')], 1).map((m) => [m.dimensions.Status, m.value])).toEqual([
      ['OK', 1],
      ['WARNING', 0],
      ['ERROR', 0],
    ]);
    expect(clusterMetrics('demo', [], 1).map((m) => m.value)).toEqual([0, 0, 0]);
  });
  it('group metrics read the roll-up of the verdict (core/group.ts), held status included', () => {
    // A stale verdict keeps its open incident's status while its partitions read better: Status follows the verdict.
    const held: GroupVerdict = { ...byGroup('slow'), status: 'ERROR', rule: 'stale', stale: true };
    const m = groupMetrics(held, DEFAULT_POLICY);
    expect(Object.fromEntries(m.map((x) => [x.name, x.value]))).toEqual({
      [METRIC.MaxLag]: Number(held.maxLag!.lag),
      [METRIC.TotalLag]: Number(held.totalLag),
      [METRIC.MaxTimeLagSeconds]: held.maxTimeLag.seconds,
      [METRIC.Status]: 2,
    });
  });
  // Scenario verdicts (status, max lag, time lag): brand-new OK 4,990 0 s; rewound WARNING 480 540 s;
  // slow WARNING 3,650 219 s; stopped ERROR 1,000 540 s; stuck ERROR 1,000 540 s; the rest OK with lag ≤ 20.
  const CASES: readonly { why: string; topN: number; maxGroups: number; always?: string; expected: Record<string, string>; capped: number }[] = [
    {
      why: 'the top 1 by offset lag (brand-new, OK) and by time lag (rewound, first of three at 540 s), then every group not OK',
      topN: 1,
      maxGroups: 50,
      expected: { 'brand-new': 'ranking', rewound: 'ranking', slow: 'ranking', stopped: 'ranking', stuck: 'ranking' },
      capped: 0,
    },
    {
      why: 'capped at 4: the top-N take 2, the ERRORs (stopped, stuck) come before the WARNING (slow), which is counted',
      topN: 1,
      maxGroups: 4,
      expected: { 'brand-new': 'ranking', rewound: 'ranking', stopped: 'ranking', stuck: 'ranking' },
      capped: 1,
    },
    {
      why: 'a cap below the top-N never drops the groups the dashboard ranks; every group not OK left is counted',
      topN: 1,
      maxGroups: 0,
      expected: { 'brand-new': 'ranking', rewound: 'ranking' },
      capped: 3,
    },
    {
      why: "a group whose policy says 'always' is detail whatever its status, and outside the cap",
      topN: 0,
      maxGroups: 1,
      always: 'healthy',
      expected: { healthy: 'detail', stopped: 'ranking' },
      capped: 3,
    },
  ];
  it.each(CASES)('selects groups: $why', ({ topN, maxGroups, always, expected, capped }) => {
    const policyFor = (g: string): Policy => ({ ...DEFAULT_POLICY, groupMetrics: g === always ? 'always' : 'lagging' });
    const selection = selectMetricGroups(verdicts, policyFor, { topN, maxGroups });
    expect(Object.fromEntries([...selection.tiers].sort())).toEqual(expected);
    expect(selection.capped).toBe(capped);
    const published = evaluationMetrics({ cluster: 'demo', verdicts, policyFor, timestamp: 1, topN, maxGroups });
    expect(published.filter((m) => m.name === METRIC.GroupMetricsCapped).map((m) => m.value)).toEqual(capped > 0 ? [capped] : []);
    expect(new Set(published.map((m) => m.dimensions.Group).filter((g) => g !== undefined))).toEqual(new Set(Object.keys(expected)));
  });
  it('a group not OK with partitionMetrics opted in is detail: its partitions are published', () => {
    const policyFor = (g: string): Policy => ({ ...DEFAULT_POLICY, partitionMetrics: g === 'slow' || g === 'healthy' });
    const selection = selectMetricGroups(verdicts, policyFor, { topN: 0, maxGroups: 50 });
    expect(selection.tiers.get('slow')).toBe('detail');
    const published = evaluationMetrics({ cluster: 'demo', verdicts, policyFor, timestamp: 1, topN: 0 });
    expect(published.filter((m) => m.dimensions.Group === 'slow' && m.name === METRIC.PartitionLag).length).toBe(byGroup('slow').partitions.length);
    // healthy is OK: partition metrics are for groups not OK unless groupMetrics is 'always'.
    expect(selection.tiers.has('healthy')).toBe(false);
  });
  it('a ranking-tier group publishes only what the dashboard ranks by, not OK or not', () => {
    const all = evaluationMetrics({ cluster: 'demo', verdicts, policyFor: () => DEFAULT_POLICY, timestamp: 1, topN: 1 });
    for (const group of ['brand-new', 'slow', 'stopped']) {
      expect(all.filter((m) => m.dimensions.Group === group).map((m) => m.name), group).toEqual([METRIC.MaxLag, METRIC.MaxTimeLagSeconds]);
    }
    expect(all.find((m) => m.dimensions.Group === 'slow' && m.name === METRIC.MaxLag)?.value).toBe(3650);
    expect(all.some((m) => m.dimensions.Group === 'healthy')).toBe(false);
  });
});
