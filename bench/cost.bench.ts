// Cost benchmark: a generated fleet (500 groups, 10,000 partitions, 1-minute snapshots) pushed
// through the real DynamoDB store, evaluator, SNS notifier and CloudWatch sink against moto. Measures
// per-run figures (capacity units, PutMetricData calls, distinct metrics, publishes, wall time) and
// projects the monthly AWS bill. Prints a table; never fails on a figure. `npm run bench:cost`.
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { CloudWatchMetricsSink } from '../functions/adapters/cloudwatch/cloudwatch-sink.js';
import { DynamoAlertStateStore } from '../functions/adapters/dynamodb/alert-state-store.js';
import { DynamoSnapshotStore } from '../functions/adapters/dynamodb/snapshot-store.js';
import { emptyUsage, itemSizeBytes, snapshotRetentionMs, type CapacityUsage } from '../functions/adapters/dynamodb/table.js';
import { SnsNotifier } from '../functions/adapters/sns/sns-notifier.js';
import { runEvaluation } from '../functions/app/evaluate.js';
import type { Logger } from '../functions/app/ports.js';
import { DEFAULT_POLICY, type PolicyConfig } from '../functions/core/policy.js';
import type { ClusterSnapshot, GroupSnapshot, PartitionOffsets } from '../functions/core/types.js';
import { awsClients, freshTable } from '../test/aws/aws-clients.js';
import { startMotoServer } from '../test/support/moto-server.js';

// us-east-1 list prices as recorded in platform-notes (and AWS pricing pages), 2026-11.
const PRICES = {
  lambdaGbSecond: 0.0000166667, // x86; arm64 is 20% less
  lambdaRequest: 0.2 / 1e6,
  dynamoWriteUnit: 0.625 / 1e6, // on-demand write request unit
  dynamoReadUnit: 0.125 / 1e6, // on-demand read request unit
  dynamoStorageGbMonth: 0.25,
  cloudwatchMetricMonth: 0.3, // first 10,000 custom metrics
  cloudwatchPutRequest: 0.01 / 1000,
  snsPublish: 0.5 / 1e6,
  snsHttpDelivery: 0.6 / 1e6,
  logsIngestGb: 0.5,
  schedulerInvocation: 1 / 1e6,
} as const;

const GROUPS = 500;
const PARTITIONS = 10_000;
const INTERVAL_MS = 60_000;
const WINDOW = DEFAULT_POLICY.windowSize;
const RUNS_PER_MONTH = 30 * 24 * 60;
const MEMORY_GB = 0.5; // collector and evaluator at 512 MB
const MEASURED_RUNS = 2;
/** Assumed DynamoDB/SNS/CloudWatch round trip in Lambda (moto on this machine is far slower: its Query scans the table). */
const AWS_LATENCY_MS = 10;
const EVALUATOR_CONCURRENCY = 8;
/** Log bytes a run writes to CloudWatch Logs (START/END/REPORT lines plus a few JSON log lines). */
const LOG_BYTES_PER_RUN = 2048;

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** Group i reads 1 or 2 topics; 20 partitions each group in total (10,000 over 500 groups). 2% of
 * groups have stopped consumers, 5% fall behind, the rest are caught up. */
function fleetSnapshot(cluster: string, run: number, timestamp: number): ClusterSnapshot {
  const perGroup = PARTITIONS / GROUPS;
  const groups: GroupSnapshot[] = [];
  for (let i = 0; i < GROUPS; i++) {
    const topics = i % 2 === 0 ? [`topic-${i % 40}`] : [`topic-${i % 40}`, `topic-${(i + 7) % 40}`];
    const partitions: PartitionOffsets[] = [];
    for (let p = 0; p < perGroup; p++) {
      const topic = topics[p % topics.length] ?? 'topic-0';
      const logEnd = 1_000_000_000n + BigInt(run * 1000 + p);
      const committed = i % 50 === 0 ? 1_000_000_000n : i % 20 === 1 ? logEnd - BigInt(100 + run * 50) : logEnd;
      partitions.push({ topic, partition: Math.floor(p / topics.length), committedOffset: committed, logEndOffset: logEnd });
    }
    partitions.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    groups.push({ cluster, group: `service-${String(i).padStart(3, '0')}-consumer`, timestamp, state: i % 50 === 0 ? 'Empty' : 'Stable', members: i % 50 === 0 ? 0 : 3, partitions });
  }
  return { cluster, timestamp, groups, failures: [], listedGroups: groups.map((g) => g.group) };
}

function diff(after: CapacityUsage, before: CapacityUsage): CapacityUsage {
  const out = emptyUsage();
  for (const key of Object.keys(out) as (keyof CapacityUsage)[]) out[key] = after[key] - before[key];
  return out;
}

const usd = (v: number) => `$${v.toFixed(2)}`;

function publishesPerRunEstimate(publishes: number, runs: number): number {
  return publishes / runs;
}

async function main(): Promise<void> {
  const moto = await startMotoServer({ onProgress: (m) => console.error(`[moto] ${m}`) });
  try {
    const clients = awsClients(moto.endpoint);
    const tableName = await freshTable(clients.dynamodb);
    const topicArn = (await clients.sns.send(new CreateTopicCommand({ Name: 'lagwatch-cost-bench' }))).TopicArn ?? '';
    const retentionMs = snapshotRetentionMs(WINDOW, INTERVAL_MS);
    const store = new DynamoSnapshotStore(clients.doc, { tableName, retentionMs, logger: quiet });
    const alerts = new DynamoAlertStateStore(clients.doc, { tableName, logger: quiet });
    const notifier = new SnsNotifier(clients.sns, { topicArn });
    const metrics = new CloudWatchMetricsSink(clients.cloudwatch, { namespace: 'LagwatchCostBench', logger: quiet });
    const policy: PolicyConfig = { defaults: DEFAULT_POLICY, overrides: [] };
    const cluster = 'bench';
    const start = Date.now() - (Date.now() % INTERVAL_MS) - 30 * INTERVAL_MS;

    const warmup = WINDOW;
    const totalRuns = warmup + MEASURED_RUNS;
    const measured = { collectMs: 0, evaluateMs: 0, cpuMs: 0, usageBefore: emptyUsage(), cwCalls: 0, publishes: 0, distinct: new Set<string>() };
    let itemsPerRun = 0;
    let bytesPerRun = 0;
    for (let run = 0; run < totalRuns; run++) {
      const now = start + run * INTERVAL_MS;
      const snapshot = fleetSnapshot(cluster, run, now);
      if (run === 0) {
        const items = snapshot.groups.flatMap((g) => store.snapshotItems(g));
        itemsPerRun = items.length + 1;
        bytesPerRun = items.reduce((s, i) => s + itemSizeBytes(i), 0) + itemSizeBytes(store.runItem(snapshot));
      }
      const isMeasured = run >= warmup;
      if (run === warmup) {
        measured.usageBefore = { ...store.usage };
        measured.cwCalls = metrics.calls;
        measured.publishes = notifier.published;
        metrics.distinctMetrics.clear();
      }
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await store.putSnapshot(snapshot);
      const t1 = performance.now();
      const result = await runEvaluation(
        { store, alerts, notifier, metrics, logger: quiet, clock: () => Date.now(), policy, snapshotIntervalMs: INTERVAL_MS, dashboardUrl: null },
        { cluster, now },
      );
      const t2 = performance.now();
      if (isMeasured) {
        const cpu = process.cpuUsage(cpu0);
        measured.cpuMs += (cpu.user + cpu.system) / 1000;
        measured.collectMs += t1 - t0;
        measured.evaluateMs += t2 - t1;
      }
      console.error(`run ${run + 1}/${totalRuns}: store ${(t1 - t0).toFixed(0)} ms, evaluate ${(t2 - t1).toFixed(0)} ms, ${result.verdicts.length} verdicts, ${result.notifications.length} notifications, ${result.failures.length} failures`);
    }

    const usage = diff(store.usage, measured.usageBefore);
    const perRun = (v: number) => v / MEASURED_RUNS;
    const reported = usage.reportedRequests > 0;
    // DynamoDB's rules applied to the items actually sent (moto's ConsumedCapacity for BatchWriteItem
    // does not count per item, so it is printed for comparison only).
    const wru = perRun(usage.writeUnitsEstimated);
    const rru = perRun(usage.readUnitsEstimated);
    const requestsPerRun = perRun(usage.requests) + publishesPerRunEstimate(notifier.published - measured.publishes, MEASURED_RUNS);
    const cpuS = perRun(measured.cpuMs) / 1000;
    const modeledS = cpuS + ((requestsPerRun / EVALUATOR_CONCURRENCY) * AWS_LATENCY_MS) / 1000;
    const cwCalls = perRun(metrics.calls - measured.cwCalls);
    const distinctMetrics = metrics.distinctMetrics.size;
    const publishes = perRun(notifier.published - measured.publishes);
    const collectS = perRun(measured.collectMs) / 1000;
    const evaluateS = perRun(measured.evaluateMs) / 1000;
    const retainedItems = itemsPerRun * (retentionMs / INTERVAL_MS);
    const storageGb = (retainedItems * (bytesPerRun / itemsPerRun + 100)) / 1024 ** 3;

    const lines: [string, string, number][] = [
      ['Lambda compute (collector store + evaluator)', `${(modeledS * 1000).toFixed(0)} ms/run (modeled) × ${MEMORY_GB * 1024} MB`, modeledS * MEMORY_GB * RUNS_PER_MONTH * PRICES.lambdaGbSecond],
      ['Lambda requests', '2/min', 2 * RUNS_PER_MONTH * PRICES.lambdaRequest],
      ['EventBridge Scheduler', '2/min', 2 * RUNS_PER_MONTH * PRICES.schedulerInvocation],
      ['DynamoDB writes', `${wru.toFixed(0)} WRU/run (${itemsPerRun} items)`, wru * RUNS_PER_MONTH * PRICES.dynamoWriteUnit],
      ['DynamoDB reads', `${rru.toFixed(0)} RRU/run`, rru * RUNS_PER_MONTH * PRICES.dynamoReadUnit],
      ['DynamoDB storage', `${(storageGb * 1024).toFixed(0)} MB kept (TTL ${(retentionMs / 3_600_000).toFixed(1)} h)`, storageGb * PRICES.dynamoStorageGbMonth],
      ['CloudWatch custom metrics', `${distinctMetrics} distinct metrics`, distinctMetrics * PRICES.cloudwatchMetricMonth],
      ['CloudWatch PutMetricData', `${cwCalls.toFixed(1)} calls/run`, cwCalls * RUNS_PER_MONTH * PRICES.cloudwatchPutRequest],
      ['CloudWatch Logs', `~${LOG_BYTES_PER_RUN * 2} B/run`, ((LOG_BYTES_PER_RUN * 2 * RUNS_PER_MONTH) / 1024 ** 3) * PRICES.logsIngestGb],
      ['SNS', `${publishes.toFixed(1)} publishes/run (steady state)`, publishes * RUNS_PER_MONTH * (PRICES.snsPublish + PRICES.snsHttpDelivery)],
    ];
    const total = lines.reduce((s, [, , cost]) => s + cost, 0);
    const width = Math.max(...lines.map(([name]) => name.length));
    console.log(`\nlagwatch cost projection: ${GROUPS} groups, ${PARTITIONS.toLocaleString('en-US')} group-partitions, ${INTERVAL_MS / 1000} s snapshots, ${RUNS_PER_MONTH.toLocaleString('en-US')} runs/month`);
    console.log('us-east-1 list prices as recorded in platform-notes, 2026-11 (on-demand, no free tier)\n');
    for (const [name, basis, cost] of lines) console.log(`${name.padEnd(width)}  ${basis.padEnd(40)}  ${usd(cost).padStart(9)}`);
    console.log(`${'TOTAL per month'.padEnd(width)}  ${''.padEnd(40)}  ${usd(total).padStart(9)}`);
    console.log(`${'per 1,000 group-partitions'.padEnd(width)}  ${''.padEnd(40)}  ${usd((total / PARTITIONS) * 1000).padStart(9)}`);
    console.log(`\nTarget: <= $25/month for this fleet → ${total <= 25 ? 'met' : 'NOT met'}.`);
    console.log(
      `DynamoDB units computed by DynamoDB's rules from the items sent (1 WRU per started KB per item; reads per 4 KB per query, half when eventually consistent). ` +
        `moto ${reported ? `reported ${perRun(usage.writeUnits).toFixed(0)} WCU / ${perRun(usage.readUnits).toFixed(0)} RCU per run (it does not count BatchWriteItem per item)` : 'returned no ConsumedCapacity'}.`,
    );
    console.log(
      `Lambda time modeled as this process's CPU time (${cpuS.toFixed(2)} s/run) + ${requestsPerRun.toFixed(0)} AWS calls/run × ${AWS_LATENCY_MS} ms / ${EVALUATOR_CONCURRENCY} in flight. ` +
        `Wall time against moto was ${collectS.toFixed(2)} s store + ${evaluateS.toFixed(2)} s evaluate per run (moto's Query scans the whole table). The collector's Kafka reads are not included (see bench:collect).`,
    );
    console.log(`Metric selection: ${distinctMetrics} metrics = per-cluster counts + groups not OK or in the top ${10} by lag (core evaluationMetrics).`);
    clients.dynamodb.destroy();
  } finally {
    await moto.stop();
  }
}

await main();
