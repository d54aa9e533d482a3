// `npm run bench:collect`: one full snapshot by lagwatch (cold client, warm client; with and without
// the §6.1 signal reads) and by Kafka's ConsumerGroupCommand --describe --all-groups, on a fresh
// local broker. Prints a table; never fails on time. Sizes by env: BENCH_GROUPS (default 1,000),
// BENCH_TOPICS (100), BENCH_PARTITIONS (10 per topic); each group commits on every partition of one
// topic. LAGWATCH_KAFKA_VERSION picks the broker. The collector runs in its own process
// (bench/collect-run.ts), so the peak RSS printed is its own.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { startKafkaBroker } from '../functions/local/kafka-broker.js';
import { CONSUMER_GROUP_COMMAND, runKafkaTool } from '../functions/local/kafka-jars.js';
import { parseDescribeOutput } from '../test/support/kafka-tools.js';
import type { CollectRun } from './collect-run.js';

const GROUPS = Number(process.env['BENCH_GROUPS'] ?? 1000);
const TOPICS = Number(process.env['BENCH_TOPICS'] ?? 100);
const PARTITIONS = Number(process.env['BENCH_PARTITIONS'] ?? 10);
/** KRaft refuses a CreateTopics request creating more than 10,000 partitions (POLICY_VIOLATION). */
const PARTITIONS_PER_CREATE = 5_000;
const MESSAGES_PER_PARTITION = 20;

const topicName = (i: number): string => `bench-topic-${String(i).padStart(4, '0')}`;

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
        String topic = String.format("bench-topic-%04d", i % topics);
        for (int p = 0; p < partitions; p++) offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata((i + p) % ${MESSAGES_PER_PARTITION}));
        pending.add(admin.alterConsumerGroupOffsets(String.format("bench-group-%05d", i), offsets).all());
        if (pending.size() >= 500) { for (KafkaFuture<Void> f : pending) f.get(); pending.clear(); }
      }
      for (KafkaFuture<Void> f : pending) f.get();
    }
  }
}
`;

const log = (m: string): void => void process.stderr.write(`[bench] ${m}\n`);

/** Creates topics in CreateTopics requests of at most PARTITIONS_PER_CREATE partitions and waits
 * until every partition has a leader (producing before that fails with NOT_LEADER). */
async function createTopicsInBatches(admin: Admin, topics: readonly string[]): Promise<void> {
  const perBatch = Math.max(1, Math.floor(PARTITIONS_PER_CREATE / PARTITIONS));
  for (let i = 0; i < topics.length; i += perBatch) {
    const batch = topics.slice(i, i + perBatch);
    await admin.createTopics({ topics: batch.map((topic) => ({ topic, numPartitions: PARTITIONS })), waitForLeaders: false, timeout: 60_000 });
    // A loaded machine can take minutes to elect leaders for thousands of partitions.
    const until = Date.now() + 600_000;
    for (;;) {
      try {
        const { topics: meta } = await admin.fetchTopicMetadata({ topics: batch });
        if (meta.length === batch.length && meta.every((m) => m.partitions.length === PARTITIONS && m.partitions.every((p) => p.leader >= 0))) break;
      } catch (error) {
        if (Date.now() > until) throw error;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Runs bench/collect-run.ts in a child process and returns what it measured. */
async function runCollector(bootstrap: string): Promise<{ runs: CollectRun[]; peakRssMb: number; firstFailures: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'collect-run.ts')], {
    env: { ...process.env, BENCH_BOOTSTRAP: bootstrap },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`bench/collect-run.ts exited ${code}`);
  return JSON.parse(out.trim().split('\n').pop() ?? '{}');
}

const broker = await startKafkaBroker({ onProgress: log });
try {
  const kafka = new Kafka({ clientId: 'bench-setup', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topics = Array.from({ length: TOPICS }, (_, i) => topicName(i));
  let t = Date.now();
  await createTopicsInBatches(admin, topics);
  log(`${TOPICS} topics × ${PARTITIONS} partitions created in ${Date.now() - t} ms`);
  t = Date.now();
  const producer = kafka.producer();
  await producer.connect();
  // Many topics per Produce request: at 1,000 topics one send per topic is minutes of setup.
  const batches: string[][] = [];
  for (let i = 0; i < topics.length; i += 25) batches.push(topics.slice(i, i + 25));
  await mapLimit(batches, 4, async (batch) => {
    const topicMessages = batch.map((topic) => ({
      topic,
      messages: Array.from({ length: PARTITIONS * MESSAGES_PER_PARTITION }, (_, i) => ({ partition: i % PARTITIONS, value: `m${i}` })),
    }));
    // Leaders named in metadata may not have taken over yet (NOT_LEADER): try again for a while.
    for (let attempt = 0; ; attempt++) {
      try {
        await producer.sendBatch({ topicMessages });
        break;
      } catch (error) {
        if (attempt >= 30) throw error;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  });
  await producer.disconnect();
  log(`filled with ${MESSAGES_PER_PARTITION} messages per partition in ${Date.now() - t} ms`);

  await admin.disconnect();
  // kafkajs's setOffsets joins each group with a consumer (seconds per group); Kafka's AdminClient
  // commits for an empty group in one OffsetCommit, so a single-file Java program seeds them fast.
  t = Date.now();
  const seedFile = join(broker.dir, 'SeedOffsets.java');
  await writeFile(seedFile, SEED_JAVA);
  const seeded = await runKafkaTool(broker.libsDir, seedFile, [broker.bootstrap, String(GROUPS), String(TOPICS), String(PARTITIONS)], {
    timeoutMs: 600_000,
  });
  if (seeded.code !== 0) throw new Error(`seeding offsets failed: ${seeded.stderr}`);
  log(`${GROUPS} groups committed in ${Date.now() - t} ms`);

  const measured = await runCollector(broker.bootstrap);

  t = Date.now();
  const tool = await runKafkaTool(broker.libsDir, CONSUMER_GROUP_COMMAND, [
    '--bootstrap-server', broker.bootstrap, '--describe', '--all-groups',
  ], { timeoutMs: 1_200_000, heap: '1g' });
  const toolMs = Date.now() - t;
  if (tool.code !== 0) log(`ConsumerGroupCommand exited ${tool.code}: ${tool.stderr.slice(0, 500)}`);
  const toolRows = parseDescribeOutput(tool.stdout).length;

  const total = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
  const rows: string[][] = measured.runs.map((r) => [
    `lagwatch ${r.label}`,
    `${r.ms}`,
    `${(r.ms / toolMs).toFixed(2)}`,
    `${r.groups}`,
    `${r.failures}`,
    `${(total(r.requests) / GROUPS).toFixed(3)}`,
  ]);
  rows.push(['ConsumerGroupCommand --describe --all-groups (incl. JVM start)', `${toolMs}`, '1.00', `${Math.round(toolRows / PARTITIONS)}`, 'n/a', 'n/a']);
  const widths = [66, 8, 9, 7, 8, 12];
  const line = (c: readonly string[]): string => c.map((v, i) => (i === 0 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join(' | ');
  const committed = measured.runs[0]?.committedPartitions ?? 0;
  console.log(
    `\nKafka ${broker.version}: ${GROUPS} groups × ${PARTITIONS} partitions on ${TOPICS} topics ` +
      `(${committed} committed partitions read by lagwatch, ${toolRows} rows from Kafka)`,
  );
  console.log(line(['run', 'wall ms', 'vs tool', 'groups', 'failed', 'requests/grp']));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of rows) console.log(line(r));
  console.log(`\ncollector peak RSS (all four runs, one process): ${measured.peakRssMb} MB`);
  const breakdown = (r: Record<string, number>): string => Object.entries(r).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${v}`).join(' ');
  for (const r of measured.runs) console.log(`requests, ${r.label}: ${breakdown(r.requests)}`);
  if (measured.firstFailures.length > 0) console.log(`failures: ${measured.firstFailures.join(' | ')}`);
} finally {
  await broker.stop();
}
