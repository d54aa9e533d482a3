// Small helpers that put real data on the test broker: topics, messages, committed offsets.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { parseClusterConfig, type ClusterConfig } from '../../functions/config/cluster.js';

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export function testKafka(bootstrap: string): Kafka {
  return new Kafka({ clientId: 'lagwatch-test', brokers: [bootstrap], logLevel: logLevel.NOTHING });
}

export function testCluster(bootstrap: string, overrides: Record<string, unknown> = {}): ClusterConfig {
  return parseClusterConfig({ name: 'test', brokers: [bootstrap], ...overrides });
}

/** Creates `topic` with `partitions` (and topic configs) and writes `counts[p]` messages to partition p. */
export async function createTopicWithMessages(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  counts: readonly number[],
  configEntries: readonly { name: string; value: string }[] = [],
): Promise<void> {
  // kafkajs's own waitForLeaders gives up early on Kafka 4.1 (UNKNOWN_TOPIC_OR_PARTITION while the
  // metadata propagates); poll until every partition has a leader instead.
  await admin.createTopics({ topics: [{ topic, numPartitions: counts.length, configEntries: [...configEntries] }], waitForLeaders: false });
  for (let attempt = 0; ; attempt++) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = topics[0]?.partitions ?? [];
      if (partitions.length === counts.length && partitions.every((p) => p.leader >= 0)) break;
    } catch (error) {
      if (attempt >= 50) throw error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // Idempotent: a retried send during leader election must not write the messages twice.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const messages = counts.flatMap((n, partition) => Array.from({ length: n }, (_, i) => ({ partition, value: `m${i}` })));
    if (messages.length > 0) await producer.send({ topic, messages });
  } finally {
    await producer.disconnect();
  }
}

export async function commit(admin: Admin, groupId: string, topic: string, offsets: Record<number, number>): Promise<void> {
  await admin.setOffsets({
    groupId,
    topic,
    partitions: Object.entries(offsets).map(([partition, offset]) => ({ partition: Number(partition), offset: String(offset) })),
  });
}
