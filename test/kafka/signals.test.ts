// The §6.1 signals on the real broker: exact time lag from the record at the committed offset, log
// start moved by retention past a stopped consumer, retention.ms, member assignments, and signals
// that cannot be read (old timestamps, a codec kafkajs cannot decode) flagged while the run goes on.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { createKafkaCollector } from '../../functions/adapters/kafka/kafka-collector.js';
import { evaluateGroup } from '../../functions/core/group.js';
import { DEFAULT_POLICY } from '../../functions/core/policy.js';
import type { ClusterSnapshot, GroupSnapshot } from '../../functions/core/types.js';
import { runKafkaTool } from '../../functions/local/kafka-jars.js';
import { commit, createTopicWithMessages, testCluster, testKafka, uniqueName } from '../support/kafka-fixtures.js';

const bootstrap = inject('kafkaBootstrap');
const libsDir = inject('kafkaLibsDir');
const version = inject('kafkaVersion');

let kafka: Kafka;
let admin: Admin;
let javaDir: string;
const consumers: Consumer[] = [];

beforeAll(async () => {
  kafka = testKafka(bootstrap);
  admin = kafka.admin();
  await admin.connect();
  javaDir = await mkdtemp(join(tmpdir(), 'lagwatch-signals-'));
});

afterAll(async () => {
  for (const c of consumers) await c.disconnect().catch(() => {});
  await admin.disconnect();
  await rm(javaDir, { recursive: true, force: true });
});

/** An empty topic (leaders awaited), with topic configs. */
async function createTopic(topic: string, partitions: number, configEntries: { name: string; value: string }[] = []): Promise<void> {
  await createTopicWithMessages(kafka, admin, topic, new Array<number>(partitions).fill(0), configEntries);
}

/** Writes one message per timestamp to partition 0, each with that CreateTime. */
async function produceAt(topic: string, timestamps: readonly number[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({ topic, messages: timestamps.map((ts, i) => ({ partition: 0, value: `m${i}`, timestamp: String(ts) })) });
  } finally {
    await producer.disconnect();
  }
}

async function collect(prefix: string, at: number): Promise<ClusterSnapshot> {
  const collector = createKafkaCollector(testCluster(bootstrap, { groups: { allow: [`${prefix}-*`] } }));
  try {
    return await collector.collect(at);
  } finally {
    await collector.close();
  }
}

function groupOf(snapshot: ClusterSnapshot, name: string): GroupSnapshot {
  const found = snapshot.groups.find((g) => g.group === name);
  if (!found) throw new Error(`group ${name} missing; failures: ${JSON.stringify(snapshot.failures)}`);
  return found;
}

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe(`signals on Kafka ${version}`, () => {
  it('gives the exact time lag of the oldest unconsumed message after a real consumer stopped', async () => {
    const prefix = uniqueName('exact');
    const topic = `${prefix}-orders`;
    const group = `${prefix}-app`;
    await createTopic(topic, 1, [{ name: 'retention.ms', value: '86400000' }]);
    // Ten messages 10 s apart, the newest 30 s old: reading the wrong record is off by ≥ 10 s.
    const base = Date.now() - 120_000;
    const stamps = Array.from({ length: 10 }, (_, i) => base + i * 10_000);
    await produceAt(topic, stamps.slice(0, 4));
    const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 500 });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ autoCommitThreshold: 1, eachMessage: async () => {} });
    await waitFor(
      'the consumer to commit offset 4',
      async () => (await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0]?.partitions[0]?.offset,
      (offset) => offset === '4',
    );
    await consumer.disconnect();
    await produceAt(topic, stamps.slice(4));

    const snapshot = await collect(prefix, Date.now());
    const now = Date.now();
    const g = groupOf(snapshot, group);
    expect(g.state).toBe('Empty');
    expect(g.assignments).toBeNull(); // no members: nothing assigned, not a missing signal
    expect(g.partitions).toEqual([
      { topic, partition: 0, committedOffset: 4n, logEndOffset: 10n, logStartOffset: 0n, retentionMs: 86_400_000, committedRecordTimestamp: stamps[4] },
    ]);
    const verdict = evaluateGroup({ cluster: 'test', group, snapshots: [g], policy: DEFAULT_POLICY, now });
    const timeLag = verdict.partitions[0]?.timeLag;
    expect(timeLag?.kind).toBe('exact');
    const trueAge = (now - (stamps[4] ?? 0)) / 1000;
    expect(Math.abs((timeLag?.seconds ?? 0) - trueAge)).toBeLessThanOrEqual(1);
  });

  it('reports each member’s assigned partitions for a Stable group', async () => {
    const prefix = uniqueName('assign');
    const topic = `${prefix}-t`;
    const group = `${prefix}-live`;
    await createTopic(topic, 3);
    const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 500 });
    consumers.push(consumer);
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async () => {} });
    await joined;
    await consumer.commitOffsets([{ topic, partition: 0, offset: '0' }]);
    // GROUP_JOIN can come before SyncGroup completes (CompletingRebalance): assignments are
    // only known once the group is Stable.
    const g = await waitFor(
      'the group to be Stable',
      async () => groupOf(await collect(prefix, 1), group),
      (s) => s.state === 'Stable',
    );
    await consumer.disconnect();
    expect(g.state).toBe('Stable');
    expect(g.members).toBe(1);
    expect(g.assignments).toEqual({ [topic]: [0, 1, 2] });
    expect(g.partitions.flatMap((p) => p.missingSignals ?? [])).toEqual([]);
  });

  it('shows committed < log start once retention deleted what a stopped group never read', async () => {
    const prefix = uniqueName('retain');
    const topic = `${prefix}-short`;
    const group = `${prefix}-stopped`;
    // The broker checks retention every second (test/support/kafka-setup.ts); segments roll after 1 s.
    await createTopic(topic, 1, [
      { name: 'retention.ms', value: '3000' },
      { name: 'segment.ms', value: '1000' },
    ]);
    const now = Date.now();
    await produceAt(topic, [now, now, now, now, now]);
    await commit(admin, group, topic, { 0: 2 });
    await waitFor(
      'retention to move the log start past the committed offset',
      async () => (await admin.fetchTopicOffsets(topic))[0]?.low,
      (low) => low !== undefined && BigInt(low) > 2n,
    );
    const snapshot = await collect(prefix, Date.now());
    const p = groupOf(snapshot, group).partitions[0];
    expect(p?.committedOffset).toBe(2n);
    expect(p?.retentionMs).toBe(3000);
    expect(p?.logStartOffset).toBeGreaterThan(2n);
    expect(p?.logEndOffset).toBe(5n);
    expect(p?.missingSignals ?? []).not.toContain('log-start');
  });

  it('flags a record timestamp of -1 and falls back to the interpolated time lag', async () => {
    const prefix = uniqueName('nots');
    const topic = `${prefix}-t`;
    const group = `${prefix}-g`;
    await createTopic(topic, 1);
    await produceAt(topic, [Date.now(), -1, Date.now()]);
    await commit(admin, group, topic, { 0: 1 });
    const first = groupOf(await collect(prefix, Date.now() - 60_000), group);
    const second = groupOf(await collect(prefix, Date.now()), group);
    for (const p of [first.partitions[0], second.partitions[0]]) {
      expect(p?.committedRecordTimestamp).toBeNull();
      expect(p?.missingSignals).toContain('record-timestamp');
      expect(p?.logEndOffset).toBe(3n); // the lag itself is still read: never 0
    }
    const verdict = evaluateGroup({ cluster: 'test', group, snapshots: [first, second], policy: DEFAULT_POLICY, now: second.timestamp });
    expect(verdict.partitions[0]?.lag).toBe(2n);
    expect(['interpolated', 'lower-bound']).toContain(verdict.partitions[0]?.timeLag.kind);
  });

  it('flags a record kafkajs cannot decode (LZ4) and keeps the rest of the run', async () => {
    const prefix = uniqueName('lz4');
    const packed = `${prefix}-packed`;
    const plain = `${prefix}-plain`;
    const group = `${prefix}-g`;
    await createTopic(packed, 1);
    await createTopic(plain, 1);
    const source = join(javaDir, 'ProduceCompressed.java');
    await writeFile(
      source,
      `import java.util.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.serialization.StringSerializer;
public class ProduceCompressed {
  public static void main(String[] a) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", a[0]);
    p.put("compression.type", "lz4");
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      for (int i = 0; i < 3; i++) producer.send(new ProducerRecord<>(a[1], 0, null, "m" + i)).get();
    }
  }
}
`,
    );
    const produced = await runKafkaTool(libsDir, source, [bootstrap, packed]);
    expect(produced.code, produced.stderr).toBe(0);
    const stamp = Date.now() - 5_000;
    await produceAt(plain, [stamp, stamp]);
    await commit(admin, group, packed, { 0: 1 });
    await commit(admin, group, plain, { 0: 0 });
    const snapshot = await collect(prefix, Date.now());
    expect(snapshot.failures).toEqual([]);
    const g = groupOf(snapshot, group);
    const p = g.partitions.find((x) => x.topic === packed);
    expect(p).toMatchObject({ committedOffset: 1n, logEndOffset: 3n, logStartOffset: 0n, committedRecordTimestamp: null, missingSignals: ['record-timestamp'] });
    expect(g.partitions.find((x) => x.topic === plain)).toMatchObject({ committedOffset: 0n, logEndOffset: 2n, committedRecordTimestamp: stamp });
  });
});
