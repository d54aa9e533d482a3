// The three Lambda handlers invoked as Lambda would, against moto: each module reads its environment
// at cold start and builds its own clients (AWS_ENDPOINT_URL points them at moto). The evaluator
// judges stored runs, publishes to SNS (a real HTTP subscriber) and writes alert state and metrics;
// the collector of an unreachable cluster stores no run and publishes its failure metric; the Slack
// forwarder reads its webhook from Secrets Manager and posts to a real HTTP receiver.
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { DynamoAlertStateStore } from '../../functions/adapters/dynamodb/alert-state-store.js';
import { DynamoSnapshotStore } from '../../functions/adapters/dynamodb/snapshot-store.js';
import { snapshotRetentionMs } from '../../functions/adapters/dynamodb/table.js';
import { ENV } from '../../functions/config/env.js';
import { METRIC } from '../../functions/core/metrics.js';
import { runRecord, snsEvent } from '../support/lambda-events.js';
import { clusterSnapshot, MINUTE, RecordingLogger, stuckGroup } from '../unit/app-fakes.js';
import { awsClients, freshTable } from './aws-clients.js';
import { startHttpReceiver, type HttpReceiver } from './http-receiver.js';

const endpoint = inject('motoEndpoint');
const clients = awsClients(endpoint);
let tableName = '';
let topicArn = '';
let inbox: HttpReceiver;
let slack: HttpReceiver;

beforeAll(async () => {
  tableName = await freshTable(clients.dynamodb);
  topicArn = (await clients.sns.send(new CreateTopicCommand({ Name: 'lagwatch-alerts-handlers-test' }))).TopicArn ?? '';
  inbox = await startHttpReceiver();
  await clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: inbox.url }));
  slack = await startHttpReceiver();
});
afterAll(async () => {
  await inbox.close();
  await slack.close();
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

/** What Lambda gives every function, here pointing the SDK at moto. */
function stubLambdaEnv(env: Record<string, string>): void {
  for (const [k, v] of Object.entries({
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    // Powertools Logger writes through the console; keep the test output readable.
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    ...env,
  })) {
    vi.stubEnv(k, v);
  }
}

/** The values CloudWatch holds for one cluster-level metric around `at`. */
async function clusterMetric(namespace: string, name: string, cluster: string, at: number): Promise<number[]> {
  const result = await clients.cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(at - 10 * MINUTE),
      EndTime: new Date(at + 10 * MINUTE),
      MetricDataQueries: [
        { Id: 'm', MetricStat: { Metric: { Namespace: namespace, MetricName: name, Dimensions: [{ Name: 'Cluster', Value: cluster }] }, Period: 60, Stat: 'Sum' } },
      ],
    }),
  );
  return result.MetricDataResults?.[0]?.Values ?? [];
}

describe('evaluator handler', () => {
  it('judges the cluster of a run record: the alert is published, its state stored, the run’s metrics sent', async () => {
    const namespace = `LagwatchHandlers-${randomUUID().slice(0, 8)}`;
    const now = Date.now();
    const last = now - (now % MINUTE);
    const store = new DynamoSnapshotStore(clients.doc, { tableName, retentionMs: snapshotRetentionMs(10, MINUTE), logger: new RecordingLogger() });
    for (let i = 4; i >= 0; i--) {
      const t = last - i * MINUTE;
      await store.putSnapshot(clusterSnapshot('prod', t, [stuckGroup('prod', 'billing', t)]));
    }
    stubLambdaEnv({
      [ENV.policyConfig]: JSON.stringify({ defaults: { team: 'payments' } }),
      [ENV.tableName]: tableName,
      [ENV.alertTopicArn]: topicArn,
      [ENV.metricsNamespace]: namespace,
      [ENV.snapshotIntervalMs]: String(MINUTE),
      [ENV.snapshotRetentionMs]: String(snapshotRetentionMs(10, MINUTE)),
      [ENV.clusterNames]: 'prod',
    });
    const { handler } = await import('../../functions/handlers/evaluator.js');

    await expect(handler({ Records: [runRecord('prod', last, '1')] })).resolves.toEqual({ batchItemFailures: [] });

    const [message] = await inbox.waitFor(1);
    const envelope = message?.json as { Subject: string; Message: string };
    expect(envelope.Subject).toMatch(/^\[ERROR\] billing on prod/);
    expect(JSON.parse(envelope.Message)).toMatchObject({ metadata: { additionalContext: { cluster: 'prod', group: 'billing', team: 'payments', kind: 'open' } } });
    const [record] = await new DynamoAlertStateStore(clients.doc, { tableName, logger: new RecordingLogger() }).list('prod');
    expect(record).toMatchObject({ group: 'billing', pending: null, runTimestamp: last, state: { status: 'ERROR' } });
    expect(await clusterMetric(namespace, METRIC.NotificationsSent, 'prod', now)).toEqual([1]);
  });
});

describe('collector handler', () => {
  it('a cluster that cannot be read: a CollectorError, no run stored, the failure metric in CloudWatch', async () => {
    const namespace = `LagwatchHandlers-${randomUUID().slice(0, 8)}`;
    stubLambdaEnv({
      [ENV.clusterConfig]: JSON.stringify({ name: 'down', brokers: ['127.0.0.1:1'], connectionTimeoutMs: 500, requestTimeoutMs: 1000 }),
      [ENV.tableName]: tableName,
      [ENV.metricsNamespace]: namespace,
      [ENV.snapshotIntervalMs]: String(MINUTE),
      [ENV.snapshotRetentionMs]: String(snapshotRetentionMs(10, MINUTE)),
    });
    const { handler } = await import('../../functions/handlers/collector.js');
    const scheduledAt = Date.now() - (Date.now() % MINUTE);

    // (vi.resetModules gives the handler its own copy of the error classes: match by name.)
    await expect(handler({ cluster: 'down', scheduledTime: new Date(scheduledAt).toISOString() })).rejects.toMatchObject({
      name: 'CollectorError',
      message: expect.stringContaining("cluster 'down'"),
    });
    const reader = new DynamoSnapshotStore(clients.doc, { tableName, retentionMs: MINUTE, logger: new RecordingLogger() });
    expect(await reader.latestRun('down')).toBeNull();
    expect(await clusterMetric(namespace, METRIC.CollectorFailures, 'down', scheduledAt)).toEqual([1]);
    expect(await clusterMetric(namespace, METRIC.SnapshotsWritten, 'down', scheduledAt)).toEqual([0]);
  });
});

describe('slack forwarder handler', () => {
  it('reads the webhook from its secret and posts each SNS record to it', async () => {
    const secret = await clients.secrets.send(
      new CreateSecretCommand({ Name: `slack-handler-${randomUUID().slice(0, 8)}`, SecretString: JSON.stringify({ webhookUrl: `${slack.url}/services/T/B/X` }) }),
    );
    stubLambdaEnv({ [ENV.slackWebhookSecretArn]: secret.ARN ?? '' });
    const { handler } = await import('../../functions/handlers/slack-forwarder.js');
    const event = snsEvent([{ subject: '[ERROR] billing on prod', message: 'billing is ERROR' }], topicArn);

    await expect(handler(event)).resolves.toEqual({ posted: 1 });
    const [post] = await slack.waitFor(1);
    expect(post?.path).toBe('/services/T/B/X');
    expect(post?.json).toMatchObject({ text: '[ERROR] billing on prod' });
  });
});
