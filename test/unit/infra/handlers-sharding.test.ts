// The handlers' side of sharding: the schedule input names the shard (and must match the config's
// count), a run record's key names it back to the evaluator, and the evaluator judges only runs of
// the shard count it was deployed with.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { keys } from '../../../functions/adapters/dynamodb/table.js';
import { evaluatorFromEnv, jsonLogger } from '../../../functions/composition.js';
import { ENV } from '../../../functions/config/env.js';
import { InputError } from '../../../functions/core/errors.js';
import type { Shard } from '../../../functions/core/shard.js';
import { runArrival, scheduledRun } from '../../../functions/handlers/events.js';
import { invokeEvaluator } from '../../support/evaluator-handler.js';
import { runRecord, runRecordWithKey } from '../../support/lambda-events.js';

const TIME = '2026-11-21T10:05:00Z';
const AT = Date.UTC(2026, 10, 21, 10, 5);

const evaluatorEnv = {
  [ENV.policyConfig]: JSON.stringify({}),
  [ENV.tableName]: 'lagwatch-test',
  [ENV.alertTopicArn]: 'arn:aws:sns:eu-west-1:123456789012:alerts',
  [ENV.metricsNamespace]: 'Lagwatch',
  [ENV.snapshotIntervalMs]: '60000',
  [ENV.snapshotRetentionMs]: '86400000',
  [ENV.clusterNames]: 'prod,big',
  [ENV.clusterShards]: JSON.stringify({ big: 2 }),
};

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('scheduledRun with shards', () => {
  it('reads the shard of a sharded cluster’s schedule', () => {
    expect(scheduledRun({ cluster: 'big', scheduledTime: TIME, shard: { index: 1, count: 2 } }, 'big', 2)).toEqual({
      cluster: 'big',
      scheduledAt: AT,
      shard: { index: 1, count: 2 },
    });
  });

  it.each([
    { reason: 'no shard for a sharded cluster', shard: undefined, shards: 2, message: /no shard, but the cluster config has shards: 2/ },
    { reason: 'a schedule of another shard count', shard: { index: 1, count: 3 }, shards: 2, message: /shard 1of3 is of 3 shards, but the cluster config has shards: 2/ },
    { reason: 'a shard for an unsharded cluster', shard: { index: 0, count: 2 }, shards: 1, message: /is of 2 shards, but the cluster config has shards: 1/ },
    { reason: 'an index past the count', shard: { index: 2, count: 2 }, shards: 2, message: /shard \{"index":2,"count":2\} is not valid/ },
    { reason: 'a shard that is not an object', shard: '1of2', shards: 2, message: /no shard, but the cluster config has shards: 2/ },
  ])('refuses $reason, naming the cluster', ({ shard, shards, message }) => {
    const event = { cluster: 'big', scheduledTime: TIME, ...(shard === undefined ? {} : { shard }) };
    expect(() => scheduledRun(event, 'big', shards)).toThrow(InputError);
    expect(() => scheduledRun(event, 'big', shards)).toThrow(message);
    expect(() => scheduledRun(event, 'big', shards)).toThrow(/collector event of cluster "big"/);
  });
});

describe('runArrival with shards', () => {
  it.each([
    { pk: keys.runPk('big', { index: 1, count: 2 }), shard: { index: 1, count: 2 }, reason: 'a shard’s run record' },
    { pk: keys.runPk('a#b', { index: 0, count: 4 }), shard: { index: 0, count: 4 }, reason: 'a # inside the cluster name is encoded, so the shard suffix is unambiguous' },
  ])('reads $reason', ({ pk, shard }) => {
    expect(runArrival(runRecordWithKey(pk, 5))?.shard).toEqual(shard);
  });

  it('names no shard for the whole cluster’s run record (the key it always had)', () => {
    expect(keys.runPk('prod')).toBe('R#prod');
    expect(runArrival(runRecordWithKey('R#prod', 5))).toEqual({ cluster: 'prod', timestamp: 5, sequenceNumber: '1' });
  });

  it.each([
    { pk: 'R#big#2of2', reason: 'index past the count' },
    { pk: 'R#big#1of2#x', reason: 'more after the shard' },
    { pk: 'R#big#one', reason: 'not a shard label' },
    { pk: 'R#big#0of1', reason: 'the whole cluster written as a shard (its key has no suffix)' },
  ])('ignores $pk ($reason)', ({ pk }) => {
    expect(runArrival(runRecordWithKey(pk, 5))).toBeNull();
  });
});

describe('evaluator wiring with shards', () => {
  it('knows each cluster’s shard count, 1 for the others', () => {
    const app = evaluatorFromEnv(evaluatorEnv, jsonLogger(() => {}));
    expect([app.shardsOf('big'), app.shardsOf('prod'), app.shardsOf('toString')]).toEqual([2, 1, 1]);
  });

  it.each([
    { value: '{"big": 0}', reason: 'a count below 1' },
    { value: '{"big": "2"}', reason: 'a string count' },
    { value: '[2]', reason: 'not an object' },
    { value: '{nope', reason: 'not JSON' },
  ])('names the variable on $reason', ({ value }) => {
    expect(() => evaluatorFromEnv({ ...evaluatorEnv, [ENV.clusterShards]: value }, jsonLogger(() => {}))).toThrow(`config ${ENV.clusterShards}:`);
  });

  const handlerLines = (records: DynamoDBRecord[]) => invokeEvaluator(evaluatorEnv, records, { unreachableAws: true });

  it('skips a run record of another shard count (a collector still on the old count), without reading the store', async () => {
    const old: Shard = { index: 1, count: 3 };
    const { result, entries } = await handlerLines([runRecord('big', Date.now(), '9', old), runRecord('prod', Date.now(), '10', { index: 0, count: 2 })]);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(entries.filter((e) => e.level === 'WARN' && String(e.message).includes('another shard count'))).toEqual([
      expect.objectContaining({ cluster: 'big', shard: '1of3', shards: 2 }),
      expect.objectContaining({ cluster: 'prod', shard: '0of2', shards: 1 }),
    ]);
    expect(entries.filter((e) => e.level === 'ERROR')).toEqual([]);
  });

  it('evaluates each shard of a batch on its own (and the stream retries the shard that failed)', async () => {
    const now = Date.now();
    const { result, entries } = await handlerLines([
      runRecord('big', now, '11', { index: 0, count: 2 }),
      runRecord('big', now, '12', { index: 1, count: 2 }),
    ]);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '11' }, { itemIdentifier: '12' }] });
    expect(entries.filter((e) => e.message === 'evaluation failed; the stream retries it').map((e) => e.shard)).toEqual(['0of2', '1of2']);
  });
});
