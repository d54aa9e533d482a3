// CloudWatchMetricsSink against moto: PutMetricData read back with ListMetrics and GetMetricData,
// batching, and values CloudWatch must never get (NaN, infinite, negative) dropped with a warning.
import { GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { batchMetricData, CloudWatchMetricsSink, MAX_METRICS_PER_CALL } from '../../functions/adapters/cloudwatch/cloudwatch-sink.js';
import type { MetricDatum } from '../../functions/core/metrics.js';
import { meteredCloudWatch } from '../support/aws-meters.js';
import { RecordingLogger } from '../unit/app-fakes.js';
import { awsClients } from './aws-clients.js';

const clients = awsClients(inject('motoEndpoint'));
const now = Date.now() - 60_000;

/** moto keeps every namespace for the whole run: each test writes to its own. */
const freshNamespace = () => `LagwatchCwTest-${randomUUID().slice(0, 8)}`;
/** moto's GetMetricData matches on name and dimensions but not on the namespace, so another file's
 * `MaxLag{Cluster=prod,Group=billing}` would be read back too: this file's cluster is its own. */
const cluster = `cw-test-${randomUUID().slice(0, 8)}`;

/** Every metric CloudWatch holds in `namespace`, as "name|dimension=value,...", sorted. */
async function listMetrics(namespace: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await clients.cloudwatch.send(new ListMetricsCommand({ Namespace: namespace, NextToken: token }));
    for (const m of page.Metrics ?? []) {
      out.push(`${m.MetricName}|${(m.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).sort().join(',')}`);
    }
    token = page.NextToken;
  } while (token !== undefined);
  return out.sort();
}

function datum(name: string, group: string, value: number): MetricDatum {
  return { name, dimensions: { Cluster: cluster, Group: group }, value, unit: 'Count', timestamp: now };
}

describe('CloudWatchMetricsSink', () => {
  it('publishes metrics that GetMetricData reads back, and drops NaN, infinite and negative values with a warning', async () => {
    const logger = new RecordingLogger();
    const namespace = freshNamespace();
    const sink = new CloudWatchMetricsSink(clients.cloudwatch, { namespace, logger });
    await sink.put([datum('MaxLag', 'billing', 12345), datum('MaxLag', 'bad-nan', Number.NaN), datum('MaxLag', 'bad-neg', -1), datum('MaxLag', 'bad-inf', Infinity)]);
    expect(logger.at('warn').map((w) => (w.fields?.dimensions as Record<string, string>).Group)).toEqual(['bad-nan', 'bad-neg', 'bad-inf']);
    // Only the valid metric exists in CloudWatch.
    expect(await listMetrics(namespace)).toEqual([`MaxLag|Cluster=${cluster},Group=billing`]);

    const query = (id: string, group: string) => ({
      Id: id,
      MetricStat: {
        Metric: { Namespace: namespace, MetricName: 'MaxLag', Dimensions: [{ Name: 'Cluster', Value: cluster }, { Name: 'Group', Value: group }] },
        Period: 60,
        Stat: 'Maximum',
      },
    });
    const result = await clients.cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(now - 10 * 60_000),
        EndTime: new Date(now + 10 * 60_000),
        MetricDataQueries: [query('billing', 'billing'), query('nan', 'bad-nan')],
      }),
    );
    const byId = Object.fromEntries((result.MetricDataResults ?? []).map((r) => [r.Id, r.Values]));
    expect(byId.billing).toEqual([12345]);
    expect(byId.nan ?? []).toEqual([]);
  });

  it('sends 2,500 metrics in three calls of at most 1,000', async () => {
    const namespace = freshNamespace();
    const cloudwatch = meteredCloudWatch(clients.cloudwatch);
    const sink = new CloudWatchMetricsSink(cloudwatch.client, { namespace, logger: new RecordingLogger() });
    await sink.put(Array.from({ length: 2500 }, (_, i) => datum('TotalLag', `g-${i}`, i)));
    expect(cloudwatch.calls).toBe(3);
    // Every metric of every call arrived.
    expect(await listMetrics(namespace)).toEqual(Array.from({ length: 2500 }, (_, i) => `TotalLag|Cluster=${cluster},Group=g-${i}`).sort());
  });

  it('splits by size as well as by count', () => {
    const long = 'x'.repeat(1000);
    const data = Array.from({ length: 900 }, (_, i) => ({ MetricName: 'M', Dimensions: [{ Name: 'Group', Value: `${long}${i}` }], Value: 1 }));
    const batches = batchMetricData(data);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.every((b) => b.length <= MAX_METRICS_PER_CALL && JSON.stringify(b).length < 1_000_000)).toBe(true);
  });
});
