// The Lambda handlers and the composition root: environment read once with the bad variable named,
// events read defensively, and the handler paths that need no AWS. Each handler invoked against moto
// (a published alert, a stored failure metric, a Slack post): test/aws/handlers.test.ts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { keys, TABLE } from '../../../functions/adapters/dynamodb/table.js';
import { collectorFromEnv, evaluatorFromEnv, jsonLogger } from '../../../functions/composition.js';
import { slackForwarderFromEnv } from '../../../functions/forwarder-composition.js';
import { ENV } from '../../../functions/config/env.js';
import { ConfigError, InputError } from '../../../functions/core/errors.js';
import { runArrival, scheduledRun } from '../../../functions/handlers/events.js';
import { resolveConfigPath } from '../../../infra/build-app.js';
import { invokeEvaluator } from '../../support/evaluator-handler.js';
import { runRecord } from '../../support/lambda-events.js';

const silent = jsonLogger(() => {});

const collectorEnv = {
  [ENV.clusterConfig]: JSON.stringify({ name: 'prod', brokers: ['127.0.0.1:1'] }),
  [ENV.tableName]: 'lagwatch-test',
  [ENV.metricsNamespace]: 'Lagwatch',
  [ENV.snapshotIntervalMs]: '60000',
  [ENV.snapshotRetentionMs]: '86400000',
};
const evaluatorEnv = {
  [ENV.policyConfig]: JSON.stringify({ defaults: { windowSize: 5 } }),
  [ENV.tableName]: 'lagwatch-test',
  [ENV.alertTopicArn]: 'arn:aws:sns:eu-west-1:123456789012:alerts',
  [ENV.metricsNamespace]: 'Lagwatch',
  [ENV.snapshotIntervalMs]: '60000',
  [ENV.snapshotRetentionMs]: '86400000',
  [ENV.clusterNames]: 'prod,analytics',
  [ENV.dashboardUrl]: JSON.stringify({ prod: 'https://console.example/prod' }),
};

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('events', () => {
  it('reads the scheduled time as the snapshot id', () => {
    expect(scheduledRun({ cluster: 'prod', scheduledTime: '2026-11-21T10:05:00Z' }, 'prod')).toEqual({
      cluster: 'prod',
      scheduledAt: Date.UTC(2026, 10, 21, 10, 5),
    });
  });

  it.each([
    ['another cluster', { cluster: 'other', scheduledTime: '2026-11-21T10:05:00Z' }, /not this collector's cluster "prod"/],
    ['an unfilled placeholder', { cluster: 'prod', scheduledTime: '<aws.scheduler.scheduled-time>' }, /not an ISO-8601 time/],
    ['no event at all', undefined, /cluster undefined/],
  ])('rejects %s naming the field', (_reason, event, message) => {
    expect(() => scheduledRun(event, 'prod')).toThrow(InputError);
    expect(() => scheduledRun(event, 'prod')).toThrow(message);
  });

  it('recognizes run records by the store’s own keys, including encoded cluster names', () => {
    expect(runArrival(runRecord('prod', 1_700_000_000_000, '42'))).toEqual({ cluster: 'prod', timestamp: 1_700_000_000_000, sequenceNumber: '42' });
    expect(runArrival(runRecord('a#b c', 5))?.cluster).toBe('a#b c');
    const snapshot: DynamoDBRecord = {
      dynamodb: { Keys: { [TABLE.partitionKey]: { S: keys.snapshotPk('prod') }, [TABLE.sortKey]: { S: keys.snapshotSk(5, 0) } } },
    };
    expect(runArrival(snapshot)).toBeNull();
    expect(runArrival({ dynamodb: { Keys: { [TABLE.partitionKey]: { S: 'R#prod' }, [TABLE.sortKey]: { S: 'x' } } } })).toBeNull();
  });
});

describe('composition root', () => {
  it('builds the collector from the environment', () => {
    const app = collectorFromEnv(collectorEnv, silent);
    expect(app.cluster).toMatchObject({ name: 'prod', brokers: ['127.0.0.1:1'] });
  });

  it.each([
    [ENV.clusterConfig, { ...collectorEnv, [ENV.clusterConfig]: undefined }, /is not set/],
    [ENV.clusterConfig, { ...collectorEnv, [ENV.clusterConfig]: '{nope' }, /not valid JSON/],
    [ENV.snapshotRetentionMs, { ...collectorEnv, [ENV.snapshotRetentionMs]: '-5' }, /positive integer/],
  ])('names %s when the collector environment is wrong', (name, env, message) => {
    expect(() => collectorFromEnv(env, silent)).toThrow(expect.objectContaining({ key: name, message: expect.stringMatching(message) }));
  });

  it('names the key inside a bad cluster config', () => {
    const env = { ...collectorEnv, [ENV.clusterConfig]: JSON.stringify({ name: 'prod', brokers: ['no-port'] }) };
    expect(() => collectorFromEnv(env, silent)).toThrow(expect.objectContaining({ key: `${ENV.clusterConfig}.brokers[0]` }));
  });

  it('builds the evaluator with every cluster and each cluster’s dashboard URL', () => {
    const app = evaluatorFromEnv(evaluatorEnv, silent);
    expect([...app.clusters]).toEqual(['prod', 'analytics']);
    expect(app.policy.defaults.windowSize).toBe(5);
    expect(app.depsFor('prod').dashboardUrl).toBe('https://console.example/prod');
    expect(app.depsFor('analytics').dashboardUrl).toBeNull();
    expect(app.depsFor('prod').snapshotIntervalMs).toBe(60_000);
  });

  it('names the policy key when the evaluator policy is wrong', () => {
    const env = { ...evaluatorEnv, [ENV.policyConfig]: JSON.stringify({ defaults: { windowSize: 1 } }) };
    expect(() => evaluatorFromEnv(env, silent)).toThrow(expect.objectContaining({ key: `${ENV.policyConfig}.defaults.windowSize` }));
    expect(() => evaluatorFromEnv({ ...evaluatorEnv, [ENV.alertTopicArn]: '' }, silent)).toThrow(ConfigError);
  });

  it('needs the Slack secret ARN for the forwarder', () => {
    expect(() => slackForwarderFromEnv({})).toThrow(expect.objectContaining({ key: ENV.slackWebhookSecretArn }));
  });

  it('logs one JSON line per entry, bigints as strings', () => {
    const lines: string[] = [];
    jsonLogger((l) => lines.push(l)).warn('lagging', { lag: 12345678901234567890n });
    expect(JSON.parse(lines[0]!)).toEqual({ level: 'warn', message: 'lagging', lag: '12345678901234567890' });
  });
});

describe('handler modules at cold start, without AWS', () => {
  it('evaluator: ignores non-run records and clusters it does not handle, without touching AWS', async () => {
    const snapshotRecord: DynamoDBRecord = {
      dynamodb: { Keys: { [TABLE.partitionKey]: { S: keys.snapshotPk('prod') }, [TABLE.sortKey]: { S: keys.snapshotSk(5, 0) } } },
    };
    const { result, entries } = await invokeEvaluator(evaluatorEnv, [snapshotRecord, runRecord('elsewhere', 5)]);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(entries).toContainEqual(expect.objectContaining({ level: 'WARN', service: 'lagwatch-evaluator', cluster: 'elsewhere' }));
  });

  it('evaluator: reports the run record as a batch failure when the evaluation fails', async () => {
    // The store read fails fast, and the stream must retry that record.
    const { result, entries } = await invokeEvaluator(evaluatorEnv, [runRecord('prod', Date.now(), '7'), runRecord('prod', Date.now(), '8')], { unreachableAws: true });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '7' }] });
    expect(entries).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'evaluation failed; the stream retries it', cluster: 'prod' }));
  });

  it('collector: rejects an event meant for another cluster before connecting', async () => {
    for (const [k, v] of Object.entries(collectorEnv)) vi.stubEnv(k, v);
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    const { handler } = await import('../../../functions/handlers/collector.js');
    // (vi.resetModules gives the handler its own copy of the error classes: match by name.)
    await expect(handler({ cluster: 'other', scheduledTime: '2026-11-21T10:05:00Z' })).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('not this collector\'s cluster "prod"'),
    });
  });

  it('collector: fails at cold start naming the missing variable', async () => {
    for (const [k, v] of Object.entries(collectorEnv)) if (k !== ENV.tableName) vi.stubEnv(k, v);
    vi.stubEnv(ENV.tableName, '');
    await expect(import('../../../functions/handlers/collector.js')).rejects.toThrow(`config ${ENV.tableName}: is not set`);
  });
});

describe('which config cdk synth reads', () => {
  it('prefers the explicit file, then lagwatch.config.json, then falls back to the example', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lagwatch-cfgpath-'));
    expect(resolveConfigPath(undefined, dir)).toEqual({ path: join(dir, 'lagwatch.config.example.json'), fallback: true });
    writeFileSync(join(dir, 'lagwatch.config.json'), '{}');
    expect(resolveConfigPath(undefined, dir)).toEqual({ path: join(dir, 'lagwatch.config.json'), fallback: false });
    expect(resolveConfigPath('other.json', dir)).toEqual({ path: join(dir, 'other.json'), fallback: false });
  });
});
