import { describe, expect, it } from 'vitest';
import { evaluateGroup } from '../../../functions/core/group.js';
import { clusterMetrics, evaluationMetrics, groupMetrics, METRIC, runMetrics, selectMetricGroups } from '../../../functions/core/metrics.js';
import { DEFAULT_POLICY, type Policy } from '../../../functions/core/policy.js';
import type { GroupVerdict } from '../../../functions/core/types.js';
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
  it('every value is finite and non-negative', () => {
    const all = evaluationMetrics({ cluster: 'demo', verdicts, policyFor: () => ({ ...DEFAULT_POLICY, partitionMetrics: true, groupMetrics: 'always' }), timestamp: 1 });
    expect(all.length).toBeGreaterThan(50);
    for (const m of all) expect(Number.isFinite(m.value) && m.value >= 0, `${m.name} ${JSON.stringify(m.dimensions)}`).toBe(true);
    const run = runMetrics({ cluster: 'c', stage: 'collector', durationMs: Number.NaN, failures: -1, groupFailures: Infinity, timestamp: 1 });
    for (const m of run) expect(Number.isFinite(m.value) && m.value >= 0).toBe(true);
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
  it('counts groups per status, zeros included', () => {
    // Under the default policy (allowedLag 0) the transactional scenario's steady lag of 1 is no evidence
    // of falling behind (§6.2), nor is the recreated topic's short window: OK. The rewind is reprocessing: WARNING.
    expect(clusterMetrics('demo', verdicts, 1).map((m) => [m.dimensions.Status, m.value])).toEqual([
      ['OK', 5],
      ['WARNING', 2],
      ['ERROR', 2],
    ]);
    expect(clusterMetrics('demo', [], 1).map((m) => m.value)).toEqual([0, 0, 0]);
  });
  it('publishes group metrics only for groups not OK or opted in (detail) and the top-N lagging (ranking)', () => {
    // Four groups are not OK; brand-new is OK (insufficient data) but has the largest offset lag (top 1);
    // the largest time lag (rewound) is already in. healthy, idle, recreated and transactional (OK) stay out.
    const selected = selectMetricGroups(verdicts, () => DEFAULT_POLICY, 1);
    expect(Object.fromEntries([...selected].sort())).toEqual({
      'brand-new': 'ranking',
      rewound: 'detail',
      slow: 'detail',
      stopped: 'detail',
      stuck: 'detail',
    });
    const always = selectMetricGroups(verdicts, (g) => ({ ...DEFAULT_POLICY, groupMetrics: g === 'healthy' ? 'always' : 'lagging' }), 0);
    expect(always.get('healthy')).toBe('detail');
    expect(always.has('idle')).toBe(false);
  });
  it('a ranking-tier group publishes only what the dashboard ranks by', () => {
    const all = evaluationMetrics({ cluster: 'demo', verdicts, policyFor: () => DEFAULT_POLICY, timestamp: 1, topN: 1 });
    expect(all.filter((m) => m.dimensions.Group === 'brand-new').map((m) => m.name)).toEqual([METRIC.MaxLag, METRIC.MaxTimeLagSeconds]);
    expect(all.some((m) => m.dimensions.Group === 'healthy')).toBe(false);
  });
});
