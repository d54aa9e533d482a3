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
  it('per group and per (group, topic): MaxLag, TotalLag, MaxTimeLagSeconds, Status', () => {
    const m = groupMetrics(byGroup('slow'), DEFAULT_POLICY);
    const names = (dims: number) => m.filter((x) => Object.keys(x.dimensions).length === dims).map((x) => x.name);
    expect(names(2)).toEqual([METRIC.MaxLag, METRIC.TotalLag, METRIC.MaxTimeLagSeconds, METRIC.Status]);
    expect(names(3)).toEqual([METRIC.MaxLag, METRIC.TotalLag, METRIC.MaxTimeLagSeconds, METRIC.Status]);
    expect(m.find((x) => x.name === METRIC.Status && !x.dimensions.Topic)?.value).toBe(1);
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
  it('counts groups per status, zeros included', () => {
    // Under the default policy (allowedLag 0) the transactional scenario's steady lag of 1 is a WARNING.
    expect(clusterMetrics('demo', verdicts, 1).map((m) => [m.dimensions.Status, m.value])).toEqual([
      ['OK', 3],
      ['WARNING', 3],
      ['ERROR', 3],
    ]);
    expect(clusterMetrics('demo', [], 1).map((m) => m.value)).toEqual([0, 0, 0]);
  });
  it('publishes per-group metrics only for groups not OK, the top-N lagging, or opted in (cost)', () => {
    // Six groups are not OK; brand-new is OK (insufficient data) but has the largest offset lag (top 1);
    // the largest time lag (rewound) is already in. healthy and idle stay out.
    const selected = selectMetricGroups(verdicts, () => DEFAULT_POLICY, 1);
    expect([...selected].sort()).toEqual(['brand-new', 'recreated', 'rewound', 'slow', 'stopped', 'stuck', 'transactional']);
    const always = selectMetricGroups(verdicts, (g) => ({ ...DEFAULT_POLICY, groupMetrics: g === 'healthy' ? 'always' : 'lagging' }), 0);
    expect(always.has('healthy')).toBe(true);
    expect(always.has('idle')).toBe(false);
  });
});
