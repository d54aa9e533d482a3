// The kafkajs collector against a real broker, checked partition by partition against Kafka's own
// ConsumerGroupCommand --describe (same Kafka version as the broker).
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { createKafkaCollector } from '../../functions/adapters/kafka/kafka-collector.js';
import { CollectorError } from '../../functions/core/errors.js';
import { lagOf } from '../../functions/core/offsets.js';
import type { ClusterSnapshot, GroupSnapshot } from '../../functions/core/types.js';
import { startKafkaBroker } from '../../functions/local/kafka-broker.js';
import { runKafkaTool } from '../../functions/local/kafka-jars.js';
import { startFaultProxy, type FaultProxy } from '../support/kafka-fault-proxy.js';
import { commit, createTopicWithMessages, testCluster, testKafka, uniqueName } from '../support/kafka-fixtures.js';
import { describeGroupsWithKafka } from '../support/kafka-tools.js';

const bootstrap = inject('kafkaBootstrap');
const libsDir = inject('kafkaLibsDir');
const version = inject('kafkaVersion');

let kafka: Kafka;
let admin: Admin;
const consumers: Consumer[] = [];

beforeAll(async () => {
  kafka = testKafka(bootstrap);
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  for (const c of consumers) await c.disconnect();
  await admin.disconnect();
});

function group(snapshot: ClusterSnapshot, name: string): GroupSnapshot {
  const found = snapshot.groups.find((g) => g.group === name);
  if (!found) throw new Error(`group ${name} missing; failures: ${JSON.stringify(snapshot.failures)}`);
  return found;
}

/** A kafkajs consumer that joins `groupId` and commits only what the test tells it to. */
async function liveConsumer(groupId: string, topic: string): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 });
  consumers.push(consumer);
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ autoCommit: false, eachMessage: async () => {} });
  await joined;
  return consumer;
}

describe(`kafkajs collector on Kafka ${version}`, () => {
  const prefix = uniqueName('lag');
  const orders = `${prefix}-orders`;
  const payments = `${prefix}-payments`;
  const emptyGroup = `${prefix}-empty`;
  const liveGroup = `${prefix}-live`;
  let snapshot: ClusterSnapshot;

  beforeAll(async () => {
    await createTopicWithMessages(kafka, admin, orders, [10, 20, 30]);
    await createTopicWithMessages(kafka, admin, payments, [7, 0]);
    // An empty group: committed offsets, no members; it never committed on orders/2.
    await commit(admin, emptyGroup, orders, { 0: 4, 1: 20 });
    await commit(admin, emptyGroup, payments, { 0: 7, 1: 0 });
    // A live group with one member that committed on two of three partitions.
    const consumer = await liveConsumer(liveGroup, orders);
    await consumer.commitOffsets([
      { topic: orders, partition: 0, offset: '3' },
      { topic: orders, partition: 1, offset: '15' },
    ]);
    const collector = createKafkaCollector(testCluster(bootstrap, { groups: { allow: [`${prefix}-*`] } }));
    snapshot = await collector.collect(1_700_000_000_000);
    await collector.close();
  });

  it('stamps the snapshot with the time it is given and lists only allowed groups', () => {
    expect(snapshot.timestamp).toBe(1_700_000_000_000);
    expect(snapshot.cluster).toBe('test');
    expect(snapshot.listedGroups).toEqual([emptyGroup, liveGroup]);
    expect(snapshot.failures).toEqual([]);
    for (const g of snapshot.groups) expect(g.timestamp).toBe(1_700_000_000_000);
  });

  it('matches ConsumerGroupCommand --describe partition by partition', async () => {
    const oracle = await describeGroupsWithKafka(libsDir, bootstrap, [emptyGroup, liveGroup]);
    expect(oracle.length).toBeGreaterThanOrEqual(6);
    for (const row of oracle) {
      const p = group(snapshot, row.group).partitions.find((x) => x.topic === row.topic && x.partition === row.partition);
      expect(p, `${row.group} ${row.topic}/${row.partition}`).toBeDefined();
      expect(p?.committedOffset?.toString() ?? null).toBe(row.committedOffset);
      expect(p?.logEndOffset?.toString() ?? null).toBe(row.logEndOffset);
      expect(lagOf(p?.committedOffset ?? null, p?.logEndOffset ?? null)?.toString() ?? null).toBe(row.lag);
    }
    // Every committed partition lagwatch reports is one Kafka reports too.
    const committed = snapshot.groups.flatMap((g) =>
      g.partitions.filter((p) => p.committedOffset !== null).map((p) => `${g.group} ${p.topic}/${p.partition}`),
    );
    const oracleKeys = oracle.filter((r) => r.committedOffset !== null).map((r) => `${r.group} ${r.topic}/${r.partition}`);
    expect(committed.sort()).toEqual(oracleKeys.sort());
  });

  it('reports an empty group as Empty with no members and its exact offsets', () => {
    const g = group(snapshot, emptyGroup);
    expect(g.state).toBe('Empty');
    expect(g.members).toBe(0);
    expect(g.partitions.map((p) => [p.topic, p.partition, p.committedOffset, p.logEndOffset])).toEqual([
      [orders, 0, 4n, 10n],
      [orders, 1, 20n, 20n],
      [orders, 2, null, 30n],
      [payments, 0, 7n, 7n],
      [payments, 1, 0n, 0n],
    ]);
  });

  it('reports a group with a member as Stable with its member count', () => {
    const g = group(snapshot, liveGroup);
    expect(g.state).toBe('Stable');
    expect(g.members).toBe(1);
  });

  it('keeps a partition the group never committed on with committedOffset null, never lag 0', () => {
    const p2 = group(snapshot, liveGroup).partitions.find((p) => p.partition === 2);
    expect(p2).toMatchObject({ topic: orders, partition: 2, committedOffset: null, logEndOffset: 30n });
    expect(p2).not.toHaveProperty('committedRecordTimestamp');
    expect(lagOf(p2?.committedOffset ?? null, p2?.logEndOffset ?? null)).toBeNull();
  });

  it('applies deny patterns over allow patterns', async () => {
    const collector = createKafkaCollector(
      testCluster(bootstrap, { groups: { allow: [`${prefix}-*`], deny: ['/-live$/'] } }),
    );
    const s = await collector.collect(1);
    await collector.close();
    expect(s.listedGroups).toEqual([emptyGroup]);
  });
});

/** Runs `step` once, while the collector's first Metadata request after its committed offsets (an
 * OffsetFetch) is held at the proxy: after the committed offsets are read, before the topics are. */
function betweenOffsetsAndTopics(proxy: FaultProxy, step: () => Promise<void>): { readonly ran: boolean } {
  let offsetsRead = false;
  let ran = false;
  proxy.rules.before = async (api) => {
    if (api === 'OffsetFetch') offsetsRead = true;
    if (api !== 'Metadata' || !offsetsRead || ran) return;
    ran = true;
    await step();
  };
  return {
    get ran() {
      return ran;
    },
  };
}

describe('a topic deleted during collection', () => {
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy(bootstrap);
  });
  afterAll(async () => {
    await proxy.close();
  });

  it('records an unknown log end for it, keeps the other topics, and the next run still works', async () => {
    const prefix = uniqueName('del');
    const doomed = `${prefix}-doomed`;
    const kept = `${prefix}-kept`;
    const g = `${prefix}-group`;
    await createTopicWithMessages(kafka, admin, doomed, [5, 5]);
    await createTopicWithMessages(kafka, admin, kept, [8]);
    await commit(admin, g, doomed, { 0: 1, 1: 2 });
    await commit(admin, g, kept, { 0: 3 });
    // Warm the reused client with the doomed topic in its metadata first (the harder case). The held
    // Metadata request waits for the deletion: a long request timeout, so holding it is no timeout.
    const cluster = testCluster(proxy.bootstrap, { groups: { allow: [`${prefix}-*`] }, requestTimeoutMs: 60_000 });
    const warm = createKafkaCollector(cluster);
    expect((await warm.collect(1)).groups).toHaveLength(1);

    const deletion = betweenOffsetsAndTopics(proxy, async () => {
      await admin.deleteTopics({ topics: [doomed], timeout: 10_000 });
      // DeleteTopics returns once the controller took it; the broker's metadata may list the topic a
      // moment longer (seconds on a loaded machine). Release the held request only once it is gone.
      await vi.waitFor(async () => expect(await admin.listTopics()).not.toContain(doomed), { timeout: 30_000, interval: 200 });
    });
    const collector = createKafkaCollector(cluster);
    const s = await collector.collect(2);
    expect(deletion.ran).toBe(true);
    // Missing from Metadata = deleted: not a failure; its log end is unknown, never lag 0.
    expect(s.failures).toEqual([]);
    const snap = group(s, g);
    expect(snap.partitions.filter((p) => p.topic === doomed).map((p) => [p.committedOffset, p.logEndOffset])).toEqual([
      [1n, null],
      [2n, null],
    ]);
    expect(snap.partitions.find((p) => p.topic === kept)).toMatchObject({ committedOffset: 3n, logEndOffset: 8n });
    const next = await collector.collect(3);
    expect(group(next, g).partitions.find((p) => p.topic === kept)).toMatchObject({ committedOffset: 3n, logEndOffset: 8n });
    await collector.close();
  });
});

describe('the broker stopped mid-collection', () => {
  it('fails the run with a CollectorError naming the cluster and broker instead of a partial snapshot', async () => {
    const broker = await startKafkaBroker({ version, cacheDir: inject('kafkaCacheDir') });
    try {
      const privateKafka = testKafka(broker.bootstrap);
      const privateAdmin = privateKafka.admin();
      await privateAdmin.connect();
      await createTopicWithMessages(privateKafka, privateAdmin, 'events', [3, 3]);
      await commit(privateAdmin, 'stop-me', 'events', { 0: 1, 1: 1 });
      await privateAdmin.disconnect();

      const proxy = await startFaultProxy(broker.bootstrap);
      const stop = betweenOffsetsAndTopics(proxy, () => broker.stop());
      const collector = createKafkaCollector(
        testCluster(proxy.bootstrap, { name: 'private', connectionTimeoutMs: 1000, requestTimeoutMs: 3000 }),
      );
      const error = await collector.collect(1).then(
        () => null,
        (e: unknown) => e,
      );
      await collector.close();
      await proxy.close();
      expect(stop.ran).toBe(true);
      expect(error).toBeInstanceOf(CollectorError);
      expect((error as Error).message).toContain("cluster 'private'");
      expect((error as Error).message).toContain(proxy.bootstrap);
    } finally {
      await broker.stop();
    }
  });
});

describe('SASL/SCRAM listener', () => {
  const scramBootstrap = inject('kafkaScramBootstrap');
  const username = inject('kafkaScramUsername');
  const password = inject('kafkaScramPassword');

  it.each(['scram-sha-256', 'scram-sha-512'] as const)('reads groups with the right %s credentials', async (mechanism) => {
    const g = uniqueName('scram');
    const topic = `${g}-t`;
    await createTopicWithMessages(kafka, admin, topic, [4]);
    await commit(admin, g, topic, { 0: 1 });
    const collector = createKafkaCollector(
      testCluster(scramBootstrap, { name: 'scram', sasl: { mechanism, username, passwordEnv: 'SCRAM_PW' }, groups: { allow: [g] } }),
      { env: { SCRAM_PW: password } },
    );
    const s = await collector.collect(5);
    await collector.close();
    expect(group(s, g).partitions).toMatchObject([{ topic, partition: 0, committedOffset: 1n, logEndOffset: 4n, logStartOffset: 0n }]);
  });

  it('gives a clear authentication error naming the cluster for a wrong password', async () => {
    const collector = createKafkaCollector(
      testCluster(scramBootstrap, {
        name: 'scram-wrong',
        sasl: { mechanism: 'scram-sha-256', username, passwordEnv: 'SCRAM_PW' },
      }),
      { env: { SCRAM_PW: 'not-the-password' } },
    );
    const error = await collector.collect(1).then(
      () => null,
      (e: unknown) => e,
    );
    await collector.close();
    expect(error).toBeInstanceOf(CollectorError);
    expect((error as Error).message).toMatch(/cluster 'scram-wrong'.*authentication failed as user 'lagwatch'/);
  });
});

describe.skipIf(!version.startsWith('4.'))('Kafka 4 consumer-protocol group (KIP-848)', () => {
  it('still appears with its offsets; its state is best effort', async () => {
    const g = uniqueName('kip848');
    const topic = `${g}-t`;
    await createTopicWithMessages(kafka, admin, topic, [10]);
    const consumed = await runKafkaTool(libsDir, 'org.apache.kafka.tools.consumer.ConsoleConsumer', [
      '--bootstrap-server', bootstrap, '--topic', topic, '--group', g, '--from-beginning', '--max-messages', '4',
      '--consumer-property', 'group.protocol=consumer', '--consumer-property', 'enable.auto.commit=true',
    ]);
    expect(consumed.code, consumed.stderr).toBe(0);
    const collector = createKafkaCollector(testCluster(bootstrap, { groups: { allow: [g] } }));
    const s = await collector.collect(7);
    await collector.close();
    expect(s.failures).toEqual([]);
    const snap = group(s, g);
    expect(snap.partitions).toHaveLength(1);
    expect(snap.partitions[0]).toMatchObject({ topic, partition: 0, logEndOffset: 10n });
    expect(snap.partitions[0]?.committedOffset).toBeGreaterThanOrEqual(4n);
    const oracle = await describeGroupsWithKafka(libsDir, bootstrap, [g]);
    expect(oracle.map((r) => r.committedOffset)).toEqual([snap.partitions[0]?.committedOffset?.toString()]);
  });
});
