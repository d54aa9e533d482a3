// The §6 verdict and alert lifecycle on a real broker: real kafkajs consumers, the real collector,
// the evaluator app exactly as it runs live (runEvaluation over an in-memory store and alert state).
// Snapshot timestamps are synthetic, 60 s apart (the collector takes the run's time as an argument),
// so "10 minutes of snapshots" takes seconds; everything else — groups, members, offsets — is real.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { createKafkaCollector } from '../../functions/adapters/kafka/kafka-collector.js';
import { MemoryAlertStateStore } from '../../functions/adapters/local/memory-alert-store.js';
import { MemorySnapshotStore } from '../../functions/adapters/local/memory-snapshot-store.js';
import type { OffsetCollector } from '../../functions/app/ports.js';
import { runCollection } from '../../functions/app/collect.js';
import { runEvaluation } from '../../functions/app/evaluate.js';
import { parsePolicyConfig } from '../../functions/config/policy.js';
import type { Notification } from '../../functions/core/notification.js';
import type { GroupVerdict } from '../../functions/core/types.js';
import { createTopicWithMessages, testCluster, testKafka, uniqueName } from '../support/kafka-fixtures.js';

const bootstrap = inject('kafkaBootstrap');
const version = inject('kafkaVersion');
const INTERVAL = 60_000;
const T0 = 1_767_225_600_000;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

let kafka: Kafka;
let admin: Admin;
let producer: Producer;
const consumers: Consumer[] = [];
const collectors: OffsetCollector[] = [];

beforeAll(async () => {
  kafka = testKafka(bootstrap);
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer();
  await producer.connect();
});

afterAll(async () => {
  for (const c of consumers) await c.disconnect().catch(() => undefined);
  for (const c of collectors) await c.close();
  await producer.disconnect();
  await admin.disconnect();
});

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function committed(groupId: string, topic: string): Promise<number> {
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return entry!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

async function logEnd(topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
}

async function produce(topic: string, n: number): Promise<void> {
  await producer.send({ topic, messages: Array.from({ length: n }, (_, i) => ({ partition: 0, value: `v${i}` })) });
}

/** A consumer that handles each message with `handle` and commits `commitAt(offset)` after it. */
async function consumer(groupId: string, topic: string, handle: (offset: number) => Promise<void>, commitAt = (offset: number) => offset + 1): Promise<Consumer> {
  const c = kafka.consumer({ groupId, sessionTimeout: 120_000, rebalanceTimeout: 120_000, heartbeatInterval: 1_000 });
  consumers.push(c);
  const joined = new Promise<void>((resolve) => c.on(c.events.GROUP_JOIN, () => resolve()));
  await c.connect();
  await c.subscribe({ topic, fromBeginning: true });
  await c.run({
    autoCommit: false,
    eachMessage: async ({ message, partition }) => {
      const offset = Number(message.offset);
      await handle(offset);
      await c.commitOffsets([{ topic, partition, offset: String(commitAt(offset)) }]);
    },
  });
  await joined;
  return c;
}

/** Collect + evaluate at synthetic times, one run per call, through the app functions. */
function pipeline(prefix: string) {
  const store = new MemorySnapshotStore();
  const alerts = new MemoryAlertStateStore();
  const sent: Notification[] = [];
  const collector = createKafkaCollector(testCluster(bootstrap, { groups: { allow: [`${prefix}-*`] } }));
  collectors.push(collector);
  const policy = parsePolicyConfig({}, 'policy', { snapshotIntervalMs: INTERVAL });
  let tick = 0;
  return {
    sent,
    async snapshot(group: string): Promise<GroupVerdict> {
      const now = T0 + tick++ * INTERVAL;
      await runCollection({ collector, store, metrics: { put: async () => undefined }, logger: silent, clock: () => now }, { cluster: 'test', scheduledAt: now });
      const result = await runEvaluation(
        { store, alerts, notifier: { publish: async (n) => void sent.push(n) }, metrics: { put: async () => undefined }, logger: silent, clock: () => now, policy, snapshotIntervalMs: INTERVAL, dashboardUrl: null },
        { cluster: 'test', now },
      );
      const verdict = result.verdicts.find((v) => v.group === group);
      if (!verdict) throw new Error(`no verdict for ${group}: ${JSON.stringify(result.failures)}`);
      return verdict;
    },
  };
}

/** Three healthy snapshots (the consumer caught up each time, verdict OK), then the consumer leaves. */
async function healthyThenLeave(p: ReturnType<typeof pipeline>, c: Consumer, group: string, topic: string, perSnapshot: number): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await produce(topic, perSnapshot);
    const end = await logEnd(topic);
    await until('the consumer to catch up', async () => (await committed(group, topic)) === end);
    expect((await p.snapshot(group)).status).toBe('OK');
  }
  await c.disconnect();
  await until('the group to be empty', async () => (await admin.describeGroups([group])).groups[0]?.state === 'Empty');
}

describe(`§6 verdicts on Kafka ${version}`, () => {
  it('a group that leaves while producers write turns STOPPED (consumers-gone) within two snapshots', async () => {
    const prefix = uniqueName('gone');
    const topic = `${prefix}-orders`;
    const group = `${prefix}-app`;
    await createTopicWithMessages(kafka, admin, topic, [20]);
    const c = await consumer(group, topic, async () => undefined);
    const p = pipeline(prefix);
    await healthyThenLeave(p, c, group, topic, 5);
    await produce(topic, 50);
    const first = await p.snapshot(group);
    await produce(topic, 50);
    const second = await p.snapshot(group);
    expect(first.partitions[0]!.rule).not.toBe('consumers-gone');
    expect(second).toMatchObject({ status: 'ERROR', rule: 'consumers-gone', state: 'Empty' });
    expect(second.partitions[0]).toMatchObject({ status: 'STOPPED', rule: 'consumers-gone' });
    expect(p.sent.map((n) => [n.kind, n.severity, n.page])).toEqual([['open', 'ERROR', true]]);
    expect(p.sent[0]!.subject).toContain('consumers-gone');
  });

  it('a member blocked on a record turns STALLED (no-progress) after stallAfterSeconds', async () => {
    const prefix = uniqueName('stuck');
    const topic = `${prefix}-orders`;
    const group = `${prefix}-app`;
    await createTopicWithMessages(kafka, admin, topic, [5]);
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    // Blocks on offset 3 (a "poison record") while staying in the group (long session timeout).
    await consumer(group, topic, async (offset) => (offset === 3 ? blocked : undefined));
    await until('the consumer to reach the poison record', async () => (await committed(group, topic)) === 3);
    const p = pipeline(prefix);
    const rules: string[] = [];
    for (let i = 0; i < 5; i++) {
      await produce(topic, 10);
      const v = await p.snapshot(group);
      rules.push(`${v.partitions[0]!.status}/${v.partitions[0]!.rule}`);
    }
    release();
    // t0..t2 unjudged or not yet stuck long enough; t3 is 180 s after the first snapshot showing offset 3.
    expect(rules.slice(0, 3).some((r) => r.includes('no-progress'))).toBe(false);
    expect(rules[3]).toBe('STALLED/no-progress');
    expect(p.sent.map((n) => [n.kind, n.severity])).toEqual([['open', 'ERROR']]);
  });

  it('a consumer that commits one record behind (steady lag 2) stays OK for 10 minutes of snapshots, no alert', async () => {
    const prefix = uniqueName('steady');
    const topic = `${prefix}-orders`;
    const group = `${prefix}-app`;
    await createTopicWithMessages(kafka, admin, topic, [10]);
    // Commits the offset of the record before the one it handled: always 2 behind the log end.
    await consumer(group, topic, async () => undefined, (offset) => Math.max(0, offset - 1));
    const p = pipeline(prefix);
    const seen: string[] = [];
    for (let i = 0; i < 11; i++) {
      await produce(topic, 3);
      const end = await logEnd(topic);
      await until('the consumer to commit 2 behind', async () => (await committed(group, topic)) === end - 2);
      const v = await p.snapshot(group);
      seen.push(`${v.status}/${v.partitions[0]!.lag}/${v.burrowStatus}`);
    }
    // Burrow's rule 6 calls a steady non-zero lag WARNING once judged; the verdict needs evidence.
    expect(seen.map((s) => s.split('/').slice(0, 2).join('/'))).toEqual(Array.from({ length: 11 }, () => 'OK/2'));
    expect(seen.at(-1)).toBe('OK/2/WARNING');
    expect(p.sent).toEqual([]);
  });

  it('an admin.setOffsets reset that the consumer re-reads gives one WARNING and one resolve, no ERROR', async () => {
    const prefix = uniqueName('reset');
    const topic = `${prefix}-orders`;
    const group = `${prefix}-app`;
    await createTopicWithMessages(kafka, admin, topic, [200]);
    // The consumer reads only what the test lets through, so a re-read spans several snapshots.
    let permits = Number.POSITIVE_INFINITY;
    let wake: () => void = () => undefined;
    const gate = async (): Promise<void> => {
      while (permits <= 0) await new Promise<void>((resolve) => (wake = resolve));
      permits--;
    };
    const allow = (n: number): void => {
      permits = n;
      wake();
    };
    let c = await consumer(group, topic, gate);
    const p = pipeline(prefix);
    // A deliberate reset between two snapshots: stop the consumer, rewind 150 records, start it again.
    await healthyThenLeave(p, c, group, topic, 2);
    const before = await committed(group, topic);
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: String(before - 150) }] });
    permits = 0;
    c = await consumer(group, topic, gate);
    const statuses: string[] = [];
    for (let i = 0; i < 10; i++) {
      const target = Math.min(await logEnd(topic), before - 150 + (i + 1) * 30);
      allow(target - (await committed(group, topic)));
      await until('the re-read to advance', async () => (await committed(group, topic)) >= target);
      const v = await p.snapshot(group);
      statuses.push(`${v.status}/${v.rule}`);
      if (v.status === 'OK' && (await committed(group, topic)) >= (await logEnd(topic))) break;
    }
    allow(Number.POSITIVE_INFINITY);
    expect(statuses).toContain('WARNING/reprocessing');
    expect(statuses.some((s) => s.startsWith('ERROR'))).toBe(false);
    expect(p.sent.map((n) => [n.kind, n.severity])).toEqual([
      ['open', 'WARNING'],
      ['resolve', 'OK'],
    ]);
  });
});
