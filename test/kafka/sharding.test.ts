// A cluster with `shards: 2` on the real broker: the real collector run once per shard (as the two
// schedules run it), each run reading offsets only for its shard's groups and storing its own run
// record; the evaluator judging each shard when its run lands. A stopped group pages once, from its
// shard; a group deleted in shard 1 is reported gone by shard 1 only; shard 0's alert is untouched.
// Groups are real (offsets committed with admin.setOffsets, no members: state Empty); snapshot times
// are synthetic, 60 s apart, so the minutes pass in seconds.
import type { Admin, Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafkaCollector } from '../../functions/adapters/kafka/kafka-collector.js';
import { MemoryAlertStateStore } from '../../functions/adapters/local/memory-alert-store.js';
import { MemorySnapshotStore } from '../../functions/adapters/local/memory-snapshot-store.js';
import { runCollection } from '../../functions/app/collect.js';
import { runEvaluation, type EvaluationResult } from '../../functions/app/evaluate.js';
import type { AlertRecord } from '../../functions/app/ports.js';
import { shardCount } from '../../functions/config/cluster.js';
import { parsePolicyConfig } from '../../functions/config/policy.js';
import type { Notification } from '../../functions/core/notification.js';
import { allShards, shardOf, type Shard } from '../../functions/core/shard.js';
import { commit, createTopicWithMessages, testCluster, testKafka, uniqueName } from '../support/kafka-fixtures.js';

const bootstrap = inject('kafkaBootstrap');
const version = inject('kafkaVersion');
const INTERVAL = 60_000;
const T0 = 1_767_225_600_000;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

let kafka: Kafka;
let admin: Admin;
let producer: Producer;

beforeAll(async () => {
  kafka = testKafka(bootstrap);
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer();
  await producer.connect();
});

afterAll(async () => {
  await producer.disconnect();
  await admin.disconnect();
});

/** `count` group names under `prefix` in each shard of 2 (the prefix is random, so they are picked by hash). */
function namesPerShard(prefix: string, count: number): string[][] {
  const byShard: string[][] = [[], []];
  for (let i = 0; byShard.some((list) => list.length < count); i++) {
    const name = `${prefix}-g${i}`;
    const list = byShard[shardOf(name, 2)]!;
    if (list.length < count) list.push(name);
  }
  return byShard;
}

describe(`shards: 2 on Kafka ${version}`, () => {
  it('splits the groups between the shard collectors, evaluates each shard on its own, and pages and reports gone per shard', async () => {
    const prefix = uniqueName('shard');
    const topic = `${prefix}-orders`;
    // The healthy groups read a topic nobody writes to any more: caught up, lag 0, OK throughout.
    const quiet = `${prefix}-quiet`;
    const [[stopped0, healthy0], [deleted1, healthy1]] = namesPerShard(prefix, 2) as [[string, string], [string, string]];
    await createTopicWithMessages(kafka, admin, topic, [10]);
    await createTopicWithMessages(kafka, admin, quiet, [10]);
    for (const g of [stopped0, deleted1]) await commit(admin, g, topic, { 0: 10 });
    for (const g of [healthy0, healthy1]) await commit(admin, g, quiet, { 0: 10 });

    const cluster = testCluster(bootstrap, { groups: { allow: [`${prefix}-*`] }, shards: 2 });
    const shards = allShards(shardCount(cluster));
    expect(shards).toHaveLength(2);
    const offsetFetches: string[] = [];
    const collector = createKafkaCollector(cluster, { onRequest: ({ apiName }) => apiName === 'OffsetFetch' && void offsetFetches.push(apiName) });
    const store = new MemorySnapshotStore();
    const alerts = new MemoryAlertStateStore();
    const sent: (Notification & { shard: string })[] = [];
    const policy = parsePolicyConfig({}, 'policy', { snapshotIntervalMs: INTERVAL });
    let tick = 0;

    /** One interval: both shards' collections (as their two schedules run them), then each shard's evaluation. */
    const interval = async (): Promise<Map<number, EvaluationResult>> => {
      const now = T0 + tick++ * INTERVAL;
      const results = new Map<number, EvaluationResult>();
      for (const shard of shards) {
        offsetFetches.length = 0;
        const collected = await runCollection(
          { collector, store, metrics: { put: async () => undefined }, logger: silent, clock: () => now },
          { cluster: cluster.name, scheduledAt: now, shard },
        );
        // Only its own groups were read: one OffsetFetch per group of the shard still there.
        expect(offsetFetches.length).toBe(collected.groups + collected.failures.length);
      }
      for (const shard of shards) {
        const notifier = { publish: async (n: Notification) => void sent.push({ ...n, shard: `${shard.index}` }) };
        const deps = { store, alerts, notifier, metrics: { put: async () => undefined }, logger: silent, clock: () => now, policy, snapshotIntervalMs: INTERVAL, dashboardUrl: null };
        results.set(shard.index, await runEvaluation(deps, { cluster: cluster.name, now, shard }));
      }
      return results;
    };
    /** Producers keep writing to the topic the two stopped groups no longer read. */
    const produce = async () => {
      await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ partition: 0, value: `v${i}` })) });
    };

    // Each shard's run record lists its two groups only, says which shard it is, and nothing failed.
    await interval();
    for (const [shard, mine] of [[shards[0]!, [stopped0, healthy0]], [shards[1]!, [deleted1, healthy1]]] as const) {
      const run = await store.latestRun(cluster.name, { shard });
      expect(run).toEqual({ cluster: cluster.name, timestamp: T0, listedGroups: [...mine].sort(), failedGroups: [], shard });
    }
    // No whole-cluster run is written for a sharded cluster.
    expect(await store.latestRun(cluster.name)).toBeNull();
    // Asked for no shard (local mode, one process), the same collector reads every group.
    expect([...(await collector.collect(T0 - INTERVAL)).listedGroups].sort()).toEqual([stopped0, healthy0, deleted1, healthy1].sort());

    // stopped0 (shard 0) and deleted1 (shard 1) have no consumers while messages arrive.
    let last = new Map<number, EvaluationResult>();
    for (let i = 0; i < 5; i++) {
      await produce();
      last = await interval();
    }
    // Each shard judged only its own groups.
    expect(last.get(0)!.verdicts.map((v) => [v.group, v.status]).sort()).toEqual([[healthy0, 'OK'], [stopped0, 'ERROR']].sort());
    expect(last.get(1)!.verdicts.map((v) => [v.group, v.status]).sort()).toEqual([[deleted1, 'ERROR'], [healthy1, 'OK']].sort());
    // One page each, from the shard the group is in.
    expect(sent.map((n) => [n.kind, n.group, n.shard])).toEqual([
      ['open', stopped0, '0'],
      ['open', deleted1, '1'],
    ]);

    // deleted1 is deleted. Shard 0's evaluations do not call it gone; shard 1's does, once; shard 0's
    // alert record is not touched by shard 1.
    await admin.deleteGroups([deleted1]);
    const stoppedRecord = (await alerts.list(cluster.name)).find((r) => r.group === stopped0) as AlertRecord;
    await produce();
    const after = await interval();
    expect(after.get(1)!.verdicts.map((v) => v.group)).toEqual([healthy1]);
    expect(sent.slice(2).map((n) => [n.kind, n.group, n.shard])).toEqual([['gone', deleted1, '1']]);
    const run1 = await store.latestRun(cluster.name, { shard: shards[1]! as Shard });
    expect(run1?.listedGroups).toEqual([healthy1]);
    const records = await alerts.list(cluster.name);
    expect(records.find((r) => r.group === stopped0)).toEqual(stoppedRecord);
    expect(records.filter((r) => r.state !== null).map((r) => r.group)).toEqual([stopped0]);
    await collector.close();
  });
});
