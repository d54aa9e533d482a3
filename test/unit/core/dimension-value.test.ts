// Kafka names as CloudWatch dimension values: CloudWatch rejects a whole PutMetricData call over one
// value that is not printable ASCII or is blank, so such names are escaped (collision-free) or skipped.
import { describe, expect, it } from 'vitest';
import { evaluateGroup } from '../../../functions/core/group.js';
import { dimensionValue, MAX_DIMENSION_VALUE_LENGTH } from '../../../functions/core/dimension-value.js';
import { evaluationMetrics, METRIC } from '../../../functions/core/metrics.js';
import { DEFAULT_POLICY } from '../../../functions/core/policy.js';
import type { GroupSnapshot, GroupVerdict } from '../../../functions/core/types.js';

const CASES: readonly { name: string; expected: string | null; why: string }[] = [
  { name: 'orders-service', expected: 'orders-service', why: 'printable ASCII without % is used as it is' },
  { name: 'team a/orders.v2_x', expected: 'team a/orders.v2_x', why: 'inner spaces and punctuation are valid ASCII' },
  { name: 'café', expected: 'caf%C3%A9', why: 'non-ASCII: UTF-8 bytes escaped' },
  { name: '   ', expected: '%20%20%20', why: 'blank: CloudWatch needs one non-blank character' },
  { name: '', expected: '%', why: 'the empty group id becomes a lone %, which no escape produces' },
  { name: 'tab\there', expected: 'tab%09here', why: 'control characters escaped' },
  { name: '50%', expected: '50%25', why: "a literal % is escaped so plain and escaped names can't collide" },
  { name: 'caf%C3%A9', expected: 'caf%25C3%25A9', why: 'a name that looks escaped does not collide with café' },
  { name: 'x'.repeat(MAX_DIMENSION_VALUE_LENGTH), expected: 'x'.repeat(MAX_DIMENSION_VALUE_LENGTH), why: 'exactly the limit fits' },
  { name: 'x'.repeat(MAX_DIMENSION_VALUE_LENGTH + 1), expected: null, why: 'over the limit: skipped (and counted)' },
  { name: 'é'.repeat(200), expected: null, why: 'escaping makes it longer than the limit: skipped' },
];

describe('dimensionValue', () => {
  it.each(CASES)('$why', ({ name, expected }) => {
    expect(dimensionValue(name)).toBe(expected);
  });
  it('never maps two different names to one value', () => {
    const values = CASES.map((c) => dimensionValue(c.name)).filter((v) => v !== null);
    expect(new Set(values).size).toBe(values.length);
  });
});

function verdictOf(group: string, topics: readonly string[]): GroupVerdict {
  const snapshots: GroupSnapshot[] = [0, 1, 2].map((i) => ({
    cluster: 'prod',
    group,
    timestamp: 60_000 * (i + 1),
    state: 'Stable',
    members: 1,
    partitions: topics.map((topic) => ({ topic, partition: 0, committedOffset: 10n, logEndOffset: 50n + BigInt(i * 10) })),
  }));
  return evaluateGroup({ cluster: 'prod', group, snapshots, policy: DEFAULT_POLICY, now: 240_000 });
}

describe('evaluation metrics with names CloudWatch cannot take', () => {
  it('escapes what it can, skips what it cannot, and counts the skipped names', () => {
    const tooLong = 'g'.repeat(MAX_DIMENSION_VALUE_LENGTH + 1);
    const verdicts = [verdictOf('zürich', ['orders', '   ']), verdictOf(tooLong, ['orders'])];
    // 'always': every group gets its detail metrics whatever its status.
    const always = { ...DEFAULT_POLICY, groupMetrics: 'always' as const };
    const metrics = evaluationMetrics({ cluster: 'prod', verdicts, policyFor: () => always, timestamp: 1 });
    const groups = new Set(metrics.map((m) => m.dimensions.Group).filter((g) => g !== undefined));
    expect([...groups]).toEqual(['z%C3%BCrich']);
    const topics = new Set(metrics.map((m) => m.dimensions.Topic).filter((t) => t !== undefined));
    expect([...topics].sort()).toEqual(['%20%20%20', 'orders']);
    expect(metrics.find((m) => m.name === METRIC.MetricNamesSkipped)).toMatchObject({ value: 1, dimensions: { Cluster: 'prod' } });
  });
  it('publishes no skipped-names counter when every name fits', () => {
    const always = { ...DEFAULT_POLICY, groupMetrics: 'always' as const };
    const metrics = evaluationMetrics({ cluster: 'prod', verdicts: [verdictOf('orders', ['a', 'b'])], policyFor: () => always, timestamp: 1 });
    expect(metrics.some((m) => m.dimensions.Topic === 'b')).toBe(true);
    expect(metrics.some((m) => m.name === METRIC.MetricNamesSkipped)).toBe(false);
  });
});
