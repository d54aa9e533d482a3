// Group and topic names CloudWatch would reject, through the real sink to moto and read back with
// ListMetrics: escaped names arrive under their documented form, and the rest of the batch arrives too.
import { ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { describe, expect, inject, it } from 'vitest';
import { CloudWatchMetricsSink } from '../../functions/adapters/cloudwatch/cloudwatch-sink.js';
import { evaluateGroup } from '../../functions/core/group.js';
import { evaluationMetrics } from '../../functions/core/metrics.js';
import { DEFAULT_POLICY } from '../../functions/core/policy.js';
import type { GroupSnapshot } from '../../functions/core/types.js';
import { RecordingLogger } from '../unit/app-fakes.js';
import { awsClients } from './aws-clients.js';

const clients = awsClients(inject('motoEndpoint'));
const NAMESPACE = 'LagwatchNamesTest';
const now = Date.now() - 60_000;

function verdictOf(group: string, topics: readonly string[]) {
  const snapshots: GroupSnapshot[] = [3, 2, 1].map((ago, i) => ({
    cluster: 'prod',
    group,
    timestamp: now - ago * 60_000,
    state: 'Stable',
    members: 1,
    partitions: topics.map((topic) => ({ topic, partition: 0, committedOffset: 10n, logEndOffset: 50n + BigInt(i * 10) })),
  }));
  return evaluateGroup({ cluster: 'prod', group, snapshots, policy: DEFAULT_POLICY, now });
}

describe('metric dimension values from hostile Kafka names (moto)', () => {
  it('publishes a non-ASCII group and a blank topic under their escaped forms, next to ordinary names', async () => {
    const verdicts = [verdictOf('zürich-orders', ['payments', '  ']), verdictOf('billing', ['invoices', 'refunds'])];
    const always = { ...DEFAULT_POLICY, groupMetrics: 'always' as const };
    const metrics = evaluationMetrics({ cluster: 'prod', verdicts, policyFor: () => always, timestamp: now });
    const logger = new RecordingLogger();
    await new CloudWatchMetricsSink(clients.cloudwatch, { namespace: NAMESPACE, logger }).put(metrics);
    expect(logger.at('warn')).toEqual([]);

    const listed = await clients.cloudwatch.send(new ListMetricsCommand({ Namespace: NAMESPACE, MetricName: 'MaxLag' }));
    const seen = (listed.Metrics ?? []).map((m) =>
      Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name, d.Value])),
    );
    const pairs = seen.map((d) => `${d.Group}|${d.Topic ?? ''}`).sort();
    expect(pairs).toEqual(['billing|', 'billing|invoices', 'billing|refunds', 'z%C3%BCrich-orders|', 'z%C3%BCrich-orders|%20%20', 'z%C3%BCrich-orders|payments']);
  });
});
