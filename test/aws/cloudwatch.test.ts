// CloudWatchMetricsSink against moto: PutMetricData read back with GetMetricData, batching, and
// values CloudWatch must never get (NaN, infinite, negative) dropped with a warning.
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { describe, expect, inject, it } from 'vitest';
import { batchMetricData, CloudWatchMetricsSink, MAX_METRICS_PER_CALL } from '../../functions/adapters/cloudwatch/cloudwatch-sink.js';
import type { MetricDatum } from '../../functions/core/metrics.js';
import { RecordingLogger } from '../unit/app-fakes.js';
import { awsClients } from './aws-clients.js';

const clients = awsClients(inject('motoEndpoint'));
const now = Date.now() - 60_000;

function datum(name: string, group: string, value: number): MetricDatum {
  return { name, dimensions: { Cluster: 'prod', Group: group }, value, unit: 'Count', timestamp: now };
}

describe('CloudWatchMetricsSink', () => {
  it('publishes metrics that GetMetricData reads back, and drops NaN, infinite and negative values with a warning', async () => {
    const logger = new RecordingLogger();
    const sink = new CloudWatchMetricsSink(clients.cloudwatch, { namespace: 'LagwatchCwTest', logger });
    await sink.put([datum('MaxLag', 'billing', 12345), datum('MaxLag', 'bad-nan', Number.NaN), datum('MaxLag', 'bad-neg', -1), datum('MaxLag', 'bad-inf', Infinity)]);
    expect(logger.at('warn').map((w) => (w.fields?.dimensions as Record<string, string>).Group)).toEqual(['bad-nan', 'bad-neg', 'bad-inf']);
    expect(sink.calls).toBe(1);
    expect(sink.distinctMetrics.size).toBe(1);

    const query = (id: string, group: string) => ({
      Id: id,
      MetricStat: {
        Metric: { Namespace: 'LagwatchCwTest', MetricName: 'MaxLag', Dimensions: [{ Name: 'Cluster', Value: 'prod' }, { Name: 'Group', Value: group }] },
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
    const sink = new CloudWatchMetricsSink(clients.cloudwatch, { namespace: 'LagwatchCwTest', logger: new RecordingLogger() });
    await sink.put(Array.from({ length: 2500 }, (_, i) => datum('TotalLag', `g-${i}`, i)));
    expect(sink.calls).toBe(3);
    expect(sink.distinctMetrics.size).toBe(2500);
  });

  it('splits by size as well as by count', () => {
    const long = 'x'.repeat(1000);
    const data = Array.from({ length: 900 }, (_, i) => ({ MetricName: 'M', Dimensions: [{ Name: 'Group', Value: `${long}${i}` }], Value: 1 }));
    const batches = batchMetricData(data);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.every((b) => b.length <= MAX_METRICS_PER_CALL && JSON.stringify(b).length < 1_000_000)).toBe(true);
  });
});
