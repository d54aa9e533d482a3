// A cluster with `shards: 3` in the stack: one schedule per shard on one collector function, the
// evaluator told the shard count, the dashboard adding the shards' per-status counts, and the
// "not running" alarms expecting one data point per shard. The unsharded cluster next to it stays
// as it was. cfn-lint runs on the sharded template too.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parseAppConfig } from '../../../functions/config/app-config.js';
import { ENV } from '../../../functions/config/env.js';
import { METRIC, METRICS_NAMESPACE } from '../../../functions/core/metrics.js';
import { buildLagwatchApp } from '../../../infra/build-app.js';
import { cfnLint, unexplained } from './cfn-lint.js';
import { exampleConfig } from './fixtures.js';

vi.setConfig({ testTimeout: 180_000 });
type Resource = { Type: string; Properties: Record<string, any> };

function synth(json: Record<string, any>) {
  const { stack } = buildLagwatchApp({ config: parseAppConfig(json), code: 'inline-stub' });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
    stack.resolve((construct.node.defaultChild as { logicalId: string }).logicalId) as string;
  return { stack, template, resources, logicalId, ofType: (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type) };
}

const json = exampleConfig();
json.clusters[1].shards = 3; // analytics
const sharded = synth(json);
const plain = synth(exampleConfig());
const work = mkdtempSync(join(tmpdir(), 'lagwatch-sharding-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const evaluatorEnv = (s: typeof sharded) =>
  s.resources[s.logicalId(s.stack.evaluator.function.function)]!.Properties.Environment.Variables as Record<string, unknown>;

describe('sharded cluster: schedules', () => {
  it('has one schedule per shard on the one collector function, each input naming its shard', () => {
    const inputs = sharded.ofType('AWS::Scheduler::Schedule').map(([, s]) => ({
      input: JSON.parse(s.Properties.Target.Input),
      arn: s.Properties.Target.Arn,
      rate: s.Properties.ScheduleExpression,
    }));
    const analytics = inputs.filter((i) => i.input.cluster === 'analytics');
    expect(analytics.map((i) => i.input)).toEqual(
      [0, 1, 2].map((index) => ({ cluster: 'analytics', scheduledTime: '<aws.scheduler.scheduled-time>', shard: { index, count: 3 } })),
    );
    const fn = { 'Fn::GetAtt': [sharded.logicalId(sharded.stack.collectors.get('analytics')!.function.function), 'Arn'] };
    for (const i of analytics) expect([i.arn, i.rate]).toEqual([fn, 'rate(1 minute)']);
    // The unsharded cluster keeps its single schedule with the input it always had.
    expect(inputs.filter((i) => i.input.cluster === 'prod-msk').map((i) => i.input)).toEqual([
      { cluster: 'prod-msk', scheduledTime: '<aws.scheduler.scheduled-time>' },
    ]);
    expect(sharded.ofType('AWS::Lambda::Function').filter(([, f]) => String(f.Properties.Description).startsWith('lagwatch collector'))).toHaveLength(2);
  });

  it('keeps shard 0 on the logical id of the unsharded schedule, so changing shards updates it in place', () => {
    const id = (s: typeof sharded) => s.logicalId(s.stack.collectors.get('analytics')!.schedule);
    expect(id(sharded)).toBe(id(plain));
  });
});

describe('sharded cluster: evaluator', () => {
  it('is told the shard count of each sharded cluster; nothing is added when no cluster is sharded', () => {
    expect(JSON.parse(String(evaluatorEnv(sharded)[ENV.clusterShards]))).toEqual({ analytics: 3 });
    expect(evaluatorEnv(plain)[ENV.clusterShards]).toBeUndefined();
  });

  it('sizes memory from one shard’s share of the cluster’s partitions', () => {
    const big = exampleConfig();
    big.clusters[1].expectedPartitions = 200_000;
    big.clusters[1].shards = 4; // 50,000 per invocation
    const memory = (s: typeof sharded) => s.resources[s.logicalId(s.stack.evaluator.function.function)]!.Properties.MemorySize;
    expect(memory(synth(big))).toBe(512);
    delete big.clusters[1].shards;
    expect(memory(synth(big))).toBe(704);
  });
});

describe('sharded cluster: dashboard', () => {
  const widgets = (cluster: string): any[] => {
    const body = sharded.resources[sharded.logicalId(sharded.stack.dashboards.get(cluster)!.dashboard)]!.Properties.DashboardBody;
    const joined = body['Fn::Join'][1] as unknown[];
    return JSON.parse(joined.map((part) => (typeof part === 'string' ? part : 'REF')).join('')).widgets;
  };
  const groupsByStatus = (cluster: string): any[] => widgets(cluster).find((w) => w.properties.title === 'Groups by status').properties.metrics;

  it('adds the shards’ per-status counts: each shard’s Maximum, filled forward, summed', () => {
    const metrics = groupsByStatus('analytics');
    const expressions = metrics.filter((m) => m.length === 1 || typeof m[0] === 'object').map((m) => m[0]);
    expect(expressions.map((e) => [e.label, e.expression])).toEqual(
      ['OK', 'WARNING', 'ERROR'].map((status) => {
        const ids = [0, 1, 2].map((i) => `${status.toLowerCase()}${i}`);
        return [status, ids.map((id) => `FILL(${id}, REPEAT)`).join(' + ')];
      }),
    );
    const perShard = metrics.filter((m) => m[0] === METRICS_NAMESPACE);
    expect(perShard).toHaveLength(9);
    for (const status of ['OK', 'WARNING', 'ERROR']) {
      for (const index of [0, 1, 2]) {
        const m = perShard.find((x) => x.includes(`${index}of3`) && x.includes(status))!;
        expect(m.slice(0, 8)).toEqual([METRICS_NAMESPACE, METRIC.Groups, 'Cluster', 'analytics', 'Shard', `${index}of3`, 'Status', status]);
        expect(m[8]).toMatchObject({ stat: 'Maximum', visible: false, id: `${status.toLowerCase()}${index}` });
      }
    }
  });

  it('leaves the unsharded cluster’s graph on the plain per-status metric', () => {
    expect(groupsByStatus('prod-msk').map((m) => m.slice(0, 6))).toEqual(
      ['OK', 'WARNING', 'ERROR'].map((status) => [METRICS_NAMESPACE, METRIC.Groups, 'Cluster', 'prod-msk', 'Status', status]),
    );
  });
});

describe('sharded cluster: alarms', () => {
  const threshold = (metric: string, cluster: string) =>
    sharded
      .ofType('AWS::CloudWatch::Alarm')
      .filter(([, a]) => a.Properties.MetricName === metric && a.Properties.Dimensions?.[0]?.Value === cluster)
      .map(([, a]) => ({ threshold: a.Properties.Threshold, missing: a.Properties.TreatMissingData, description: a.Properties.AlarmDescription }));

  it('expects one snapshot and one evaluation per shard per interval, so one silent shard trips them', () => {
    for (const metric of [METRIC.SnapshotsWritten, METRIC.EvaluatorDurationMs]) {
      const [analytics] = threshold(metric, 'analytics');
      expect(analytics).toMatchObject({ threshold: 3, missing: 'breaching' });
      expect(analytics!.description).toMatch(/fewer than 3 .* \(one per shard\) in each of the last 3 intervals: a shard is silent/);
      expect(threshold(metric, 'prod-msk')).toMatchObject([{ threshold: 1, missing: 'breaching' }]);
    }
  });
});

describe('sharded cluster: cfn-lint', () => {
  it('finds no error and no unexplained warning in the sharded template', async () => {
    const path = join(work, 'sharded.template.json');
    writeFileSync(path, JSON.stringify(sharded.template.toJSON()));
    expect(unexplained(await cfnLint(path))).toEqual([]);
  });
});
