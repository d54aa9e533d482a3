// The measured side of `npm run bench:collect`, in its own process so its peak RSS is the
// collector's alone (not the bench's setup clients). Prints one JSON line on stdout.
// Env: BENCH_BOOTSTRAP (HOST:PORT), BENCH_GROUPS (to check every group was read).
import { createKafkaCollector } from '../functions/adapters/kafka/kafka-collector.js';
import { parseClusterConfig } from '../functions/config/cluster.js';

export interface CollectRun {
  readonly label: string;
  readonly ms: number;
  readonly groups: number;
  readonly failures: number;
  readonly committedPartitions: number;
  readonly requests: Record<string, number>;
}

async function main(): Promise<void> {
  const bootstrap = process.env['BENCH_BOOTSTRAP'];
  if (!bootstrap) throw new Error('BENCH_BOOTSTRAP is not set (run `npm run bench:collect`, which starts the broker)');
  const cluster = parseClusterConfig({ name: 'bench', brokers: [bootstrap], requestTimeoutMs: 30_000 });
  const runs: CollectRun[] = [];
  const firstFailures: string[] = [];
  for (const signals of [true, false]) {
    const requests = new Map<string, number>();
    const collector = createKafkaCollector(cluster, {
      signals,
      onRequest: ({ apiName }) => requests.set(apiName, (requests.get(apiName) ?? 0) + 1),
    });
    for (const phase of ['cold', 'warm'] as const) {
      requests.clear();
      const t = performance.now();
      const s = await collector.collect(Date.now());
      const ms = Math.round(performance.now() - t);
      if (s.failures.length > 0 && firstFailures.length === 0) firstFailures.push(...s.failures.slice(0, 3).map((f) => `${f.group}: ${f.error}`));
      process.stderr.write(`[bench] collector ${phase}${signals ? '' : ' (no signals)'}: ${ms} ms, ${s.groups.length} groups, ${s.failures.length} failed\n`);
      runs.push({
        label: `${phase}${signals ? '' : ', offsets only (no signals)'}`,
        ms,
        groups: s.groups.length,
        failures: s.failures.length,
        committedPartitions: s.groups.reduce((n, g) => n + g.partitions.filter((p) => p.committedOffset !== null).length, 0),
        requests: Object.fromEntries(requests),
      });
    }
    await collector.close();
  }
  process.stdout.write(`${JSON.stringify({ runs, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), firstFailures })}\n`);
}

await main();
