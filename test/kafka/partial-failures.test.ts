// Partial failures on the real broker (issue 12, bad input): error codes injected by a TCP proxy in
// front of it (test/support/kafka-fault-proxy.ts), a coordinator that moves. (A topic deleted
// mid-run: test/kafka/collector.test.ts.) The run records exactly which groups failed and why; nothing partial is judged, and a
// signal that cannot be read is flagged without failing the group.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Admin, Kafka } from 'kafkajs';
import { createKafkaCollector } from '../../functions/adapters/kafka/kafka-collector.js';
import type { ClusterSnapshot } from '../../functions/core/types.js';
import { startFaultProxy, type FaultProxy } from '../support/kafka-fault-proxy.js';
import { commit, createTopicWithMessages, testCluster, testKafka, uniqueName } from '../support/kafka-fixtures.js';

const bootstrap = inject('kafkaBootstrap');
const version = inject('kafkaVersion');

const NOT_LEADER_FOR_PARTITION = 6;
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const NOT_COORDINATOR = 16;
const TOPIC_AUTHORIZATION_FAILED = 29;

let kafka: Kafka;
let admin: Admin;
let proxy: FaultProxy;

beforeAll(async () => {
  kafka = testKafka(bootstrap);
  admin = kafka.admin();
  await admin.connect();
  proxy = await startFaultProxy(bootstrap);
});

afterAll(async () => {
  await proxy.close();
  await admin.disconnect();
});

describe(`partial failures on Kafka ${version}`, () => {
  const prefix = uniqueName('pf');
  const name = (s: string): string => `${prefix}-${s}`;
  let snapshot: ClusterSnapshot;

  beforeAll(async () => {
    for (const t of ['a', 'b', 'c', 'd']) await createTopicWithMessages(kafka, admin, name(t), [6, 6]);
    await commit(admin, name('g-a'), name('a'), { 0: 1, 1: 2 });
    await commit(admin, name('g-b'), name('b'), { 0: 1, 1: 1 });
    await commit(admin, name('g-ab'), name('a'), { 0: 3 });
    await commit(admin, name('g-ab'), name('b'), { 0: 3 });
    await commit(admin, name('g-moved'), name('a'), { 0: 5, 1: 5 });
    await commit(admin, name('g-stuck'), name('a'), { 0: 4 });
    await commit(admin, name('g-c'), name('c'), { 0: 2, 1: 6 });
    await commit(admin, name('g-d'), name('d'), { 0: 0 });
    proxy.rules.listOffsets = new Map([
      [name('b'), NOT_LEADER_FOR_PARTITION],
      // As if d were deleted between the Metadata read and ListOffsets: a failure, not "deleted".
      [name('d'), UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    proxy.rules.offsetFetch = new Map([
      [name('g-moved'), { code: NOT_COORDINATOR, times: 1 }],
      [name('g-stuck'), { code: NOT_COORDINATOR, times: Number.POSITIVE_INFINITY }],
    ]);
    proxy.rules.describeConfigs = new Map([[name('c'), TOPIC_AUTHORIZATION_FAILED]]);
    proxy.rules.fetch = new Map([[name('c'), TOPIC_AUTHORIZATION_FAILED]]);
    const collector = createKafkaCollector(testCluster(proxy.bootstrap, { groups: { allow: [`${prefix}-*`] } }));
    try {
      snapshot = await collector.collect(1_700_000_000_000);
    } finally {
      await collector.close();
    }
  });

  it('lists every group, read or failed', () => {
    expect(snapshot.listedGroups).toEqual(['g-a', 'g-ab', 'g-b', 'g-c', 'g-d', 'g-moved', 'g-stuck'].map(name));
    expect(snapshot.groups.map((g) => g.group)).toEqual(['g-a', 'g-c', 'g-moved'].map(name));
  });

  it('fails exactly the groups reading a topic whose offsets could not be read, or whose OffsetFetch failed, and says why', () => {
    expect([...snapshot.failures].sort((x, y) => (x.group < y.group ? -1 : 1))).toEqual([
      { group: name('g-ab'), error: `topic ${name('b')}: ListOffsets on broker 1 answered NOT_LEADER_FOR_PARTITION for partitions 0, 1` },
      { group: name('g-b'), error: `topic ${name('b')}: ListOffsets on broker 1 answered NOT_LEADER_FOR_PARTITION for partitions 0, 1` },
      { group: name('g-d'), error: `topic ${name('d')}: ListOffsets on broker 1 answered UNKNOWN_TOPIC_OR_PARTITION for partitions 0, 1` },
      { group: name('g-stuck'), error: 'OffsetFetch on broker 1 answered NOT_COORDINATOR_FOR_GROUP' },
    ]);
  });

  it('reads a group whose coordinator moved once, after one FindCoordinator', () => {
    const g = snapshot.groups.find((x) => x.group === name('g-moved'));
    expect(g?.partitions.map((p) => [p.partition, p.committedOffset, p.logEndOffset])).toEqual([
      [0, 5n, 6n],
      [1, 5n, 6n],
    ]);
    expect(proxy.seen.get('FindCoordinator')).toBeGreaterThanOrEqual(2); // g-moved and g-stuck
  });

  it('keeps the healthy groups whole, with their signals', () => {
    const g = snapshot.groups.find((x) => x.group === name('g-a'));
    expect(g?.partitions).toMatchObject([
      { partition: 0, committedOffset: 1n, logEndOffset: 6n, logStartOffset: 0n },
      { partition: 1, committedOffset: 2n, logEndOffset: 6n, logStartOffset: 0n },
    ]);
    for (const p of g?.partitions ?? []) {
      expect(p.missingSignals).toBeUndefined();
      expect(typeof p.committedRecordTimestamp).toBe('number');
    }
  });

  it('flags retention and record timestamp when configs cannot be described and the record cannot be fetched, without failing the group', () => {
    const g = snapshot.groups.find((x) => x.group === name('g-c'));
    expect(g?.partitions).toEqual([
      { topic: name('c'), partition: 0, committedOffset: 2n, logEndOffset: 6n, logStartOffset: 0n, retentionMs: null, committedRecordTimestamp: null, missingSignals: ['retention', 'record-timestamp'] },
      { topic: name('c'), partition: 1, committedOffset: 6n, logEndOffset: 6n, logStartOffset: 0n, retentionMs: null, missingSignals: ['retention'] },
    ]);
  });
});
