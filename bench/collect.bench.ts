// `npm run bench:collect`: one full snapshot of 1,000 groups × 10 partitions by lagwatch and by
// Kafka's ConsumerGroupCommand --describe --all-groups, on a fresh local broker. Prints a table;
// never fails on time. LAGWATCH_KAFKA_VERSION picks the broker; BENCH_GROUPS / BENCH_TOPICS resize it.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { createKafkaCollector } from '../functions/adapters/kafka/kafka-collector.js';
import { parseClusterConfig } from '../functions/config/cluster.js';
import { CONSUMER_GROUP_COMMAND, runKafkaTool, startKafkaBroker } from '../functions/local/kafka-broker.js';
import { parseDescribeOutput } from '../test/support/kafka-tools.js';

const GROUPS = Number(process.env['BENCH_GROUPS'] ?? 1000);
const TOPICS = Number(process.env['BENCH_TOPICS'] ?? 100);
const PARTITIONS = 10;

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

const SEED_JAVA = `
import java.util.*;
import java.util.concurrent.*;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;

public class SeedOffsets {
  public static void main(String[] a) throws Exception {
    int groups = Integer.parseInt(a[1]), topics = Integer.parseInt(a[2]), partitions = Integer.parseInt(a[3]);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, a[0]))) {
      List<KafkaFuture<Void>> pending = new ArrayList<>();
      for (int i = 0; i < groups; i++) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        String topic = String.format("bench-topic-%03d", i % topics);
        for (int p = 0; p < partitions; p++) offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata((i + p) % 20));
        pending.add(admin.alterConsumerGroupOffsets(String.format("bench-group-%04d", i), offsets).all());
      }
      for (KafkaFuture<Void> f : pending) f.get();
    }
  }
}
`;

const log = (m: string): void => void process.stderr.write(`[bench] ${m}\n`);

const broker = await startKafkaBroker({ onProgress: log });
try {
  const kafka = new Kafka({ clientId: 'bench-setup', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topics = Array.from({ length: TOPICS }, (_, i) => `bench-topic-${String(i).padStart(3, '0')}`);
  let t = Date.now();
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: PARTITIONS })), waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  await mapLimit(topics, 10, async (topic) => {
    const messages = Array.from({ length: PARTITIONS * 20 }, (_, i) => ({ partition: i % PARTITIONS, value: `m${i}` }));
    await producer.send({ topic, messages });
  });
  await producer.disconnect();
  log(`${TOPICS} topics × ${PARTITIONS} partitions created and filled in ${Date.now() - t} ms`);

  await admin.disconnect();
  // kafkajs's setOffsets joins each group with a consumer (seconds per group); Kafka's AdminClient
  // commits for an empty group in one OffsetCommit, so a single-file Java program seeds 1,000 fast.
  t = Date.now();
  const seedFile = join(broker.dir, 'SeedOffsets.java');
  await writeFile(seedFile, SEED_JAVA);
  const seeded = await runKafkaTool(broker.libsDir, seedFile, [broker.bootstrap, String(GROUPS), String(TOPICS), String(PARTITIONS)], {
    timeoutMs: 600_000,
  });
  if (seeded.code !== 0) throw new Error(`seeding offsets failed: ${seeded.stderr}`);
  log(`${GROUPS} groups committed in ${Date.now() - t} ms`);

  const cluster = parseClusterConfig({ name: 'bench', brokers: [broker.bootstrap] });
  const requests = new Map<string, number>();
  const collector = createKafkaCollector(cluster, {
    onRequest: ({ apiName }) => requests.set(apiName, (requests.get(apiName) ?? 0) + 1),
  });
  t = Date.now();
  const cold = await collector.collect(Date.now());
  const coldMs = Date.now() - t;
  const coldRequests = new Map(requests);
  requests.clear();
  t = Date.now();
  const warm = await collector.collect(Date.now());
  const warmMs = Date.now() - t;
  await collector.close();

  t = Date.now();
  const tool = await runKafkaTool(broker.libsDir, CONSUMER_GROUP_COMMAND, [
    '--bootstrap-server', broker.bootstrap, '--describe', '--all-groups',
  ], { timeoutMs: 600_000 });
  const toolMs = Date.now() - t;
  const toolRows = parseDescribeOutput(tool.stdout).length;

  const lagwatchRows = warm.groups.reduce((n, g) => n + g.partitions.filter((p) => p.committedOffset !== null).length, 0);
  const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
  const rows: [string, string, string, string][] = [
    ['lagwatch (cold client: connect + metadata)', `${coldMs}`, `${cold.groups.length}`, `${(total(coldRequests) / GROUPS).toFixed(2)}`],
    ['lagwatch (warm client, as in a warm Lambda)', `${warmMs}`, `${warm.groups.length}`, `${(total(requests) / GROUPS).toFixed(2)}`],
    ['ConsumerGroupCommand --describe --all-groups (incl. JVM start)', `${toolMs}`, `${toolRows / PARTITIONS}`, 'n/a'],
  ];
  const widths = [66, 10, 8, 13];
  const line = (c: readonly string[]): string => c.map((v, i) => (i === 0 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join(' | ');
  console.log(`\nKafka ${broker.version}: ${GROUPS} groups × ${PARTITIONS} partitions on ${TOPICS} topics (${lagwatchRows} committed partitions read by lagwatch, ${toolRows} rows from Kafka)`);
  console.log(line(['run', 'wall ms', 'groups', 'requests/grp']));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line(r));
  console.log(`\nratio lagwatch/Kafka tool: cold ${(coldMs / toolMs).toFixed(2)}, warm ${(warmMs / toolMs).toFixed(2)} (target ≤ 0.5 and < 3000 ms)`);
  const breakdown = (m: Map<string, number>): string => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${v}`).join(' ');
  console.log(`requests, cold run: ${breakdown(coldRequests)}`);
  console.log(`requests, warm run: ${breakdown(requests)}`);
  if (cold.failures.length + warm.failures.length > 0) console.log(`failures: ${JSON.stringify([...cold.failures, ...warm.failures].slice(0, 5))}`);
} finally {
  await broker.stop();
}
