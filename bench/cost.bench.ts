// Cost benchmark: a generated fleet (500 groups, 10,000 group-partitions, 1-minute snapshots) pushed
// through the real DynamoDB store, evaluator, SNS notifier and CloudWatch sink against moto. Measures
// per-run figures (capacity units, PutMetricData calls, metric-hours, publishes, wall time) and
// projects the monthly AWS bill. Prints a table; never fails on a figure. `npm run bench:cost`;
// fleet size by BENCH_GROUPS / BENCH_PARTITIONS.
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { CloudWatchMetricsSink } from '../functions/adapters/cloudwatch/cloudwatch-sink.js';
import { DynamoAlertStateStore } from '../functions/adapters/dynamodb/alert-state-store.js';
import { DynamoSnapshotStore } from '../functions/adapters/dynamodb/snapshot-store.js';
import { itemSizeBytes, snapshotRetentionMs } from '../functions/adapters/dynamodb/table.js';
import { SnsNotifier } from '../functions/adapters/sns/sns-notifier.js';
import { runCollection } from '../functions/app/collect.js';
import { runEvaluation } from '../functions/app/evaluate.js';
import type { Logger, MetricsSink } from '../functions/app/ports.js';
import { METRIC, type MetricDatum } from '../functions/core/metrics.js';
import { DEFAULT_POLICY, type PolicyConfig } from '../functions/core/policy.js';
import type { ClusterSnapshot, GroupSnapshot, PartitionOffsets } from '../functions/core/types.js';
import { awsClients, freshTable } from '../test/aws/aws-clients.js';
import { countingNotifier, emptyUsage, meteredCloudWatch, meteredDocumentClient, type CapacityUsage } from '../test/support/aws-meters.js';
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

/** Fleet size by env (BENCH_GROUPS, BENCH_PARTITIONS): 500 / 10,000 by default; e.g. 5,000 / 100,000. */
const GROUPS = Number(process.env.BENCH_GROUPS ?? 500);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 10_000);
/** Topics in the pool: 300 for 500 groups, and as many per group for larger fleets. */
const TOPICS = Math.max(1, Math.round((GROUPS * 300) / 500));
const INTERVAL_MS = 60_000;
const WINDOW = DEFAULT_POLICY.windowSize;
const RUNS_PER_MONTH = 30 * 24 * 60;
const MEMORY_GB = 0.5; // collector and evaluator at 512 MB
const HOUR_MS = 3_600_000;
/** Hours in CloudWatch's billing month: a custom metric is $0.30 a month, prorated by the hour, and
 * metered only in hours in which it receives data (aws.amazon.com/cloudwatch/pricing). */
const HOURS_PER_MONTH = 730;
/** Measured runs: one simulated clock hour by default (a multiple of 60 at a 60 s interval), so the
 * distinct (metric, clock hour) pairs sent are exactly the metric-hours billed for that hour, groups
 * moving in and out of the top 10 and the cap included. */
const MEASURED_RUNS = Number(process.env.BENCH_COST_RUNS ?? 60);
/** Clock hours the measured runs touch (they start on one): a metric sent in a part of an hour is billed that hour. */
const MEASURED_HOURS = Math.ceil((MEASURED_RUNS * INTERVAL_MS) / HOUR_MS);
/** Assumed DynamoDB/SNS/CloudWatch round trip in Lambda (moto on this machine is slower). */
const AWS_LATENCY_MS = 10;
const EVALUATOR_CONCURRENCY = 8;
/** Log bytes a run writes to CloudWatch Logs (START/END/REPORT lines plus a few JSON log lines). */
const LOG_BYTES_PER_RUN = 2048;
/** An alert item (keys, revision, run time, the state as JSON, and while pending the outbox message
 * as JSON) is ~0.3 KB open, up to ~2 KB with a pending message: 1–2 WRU per write; 1 KB is used. */
const ALERT_ITEM_BYTES = 1024;
/** Writes per message: the claim (state + outbox message) and clearing the outbox after the publish. */
const ALERT_WRITES_PER_MESSAGE = 2;

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** Bytes of the EMF log lines (what Powertools Metrics writes) for a batch: one document per
 * (dimension values, timestamp), at most 100 metrics each, plus Lambda's ~60-byte line prefix. */
function emfSize(namespace: string, batch: readonly MetricDatum[]): { bytes: number; documents: number } {
  const byDimensions = new Map<string, MetricDatum[]>();
  for (const m of batch) {
    const key = JSON.stringify([m.timestamp, Object.entries(m.dimensions).sort()]);
    byDimensions.set(key, [...(byDimensions.get(key) ?? []), m]);
  }
  let bytes = 0;
  let documents = 0;
  for (const group of byDimensions.values()) {
    for (let i = 0; i < group.length; i += 100) {
      const part = group.slice(i, i + 100);
      const first = part[0]!;
      const doc = {
        _aws: {
          Timestamp: first.timestamp,
          CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [Object.keys(first.dimensions)], Metrics: part.map((m) => ({ Name: m.name, Unit: m.unit })) }],
        },
        ...first.dimensions,
        ...Object.fromEntries(part.map((m) => [m.name, m.value])),
      };
      bytes += Buffer.byteLength(JSON.stringify(doc)) + 60;
      documents++;
    }
  }
  return { bytes, documents };
}

/** Deterministic pseudo-random in [0, 1) from integers (so every run of the bench sees the same fleet). */
function rand(...seed: number[]): number {
  let h = 2166136261;
  for (const n of seed) {
    h = Math.imul(h ^ (n & 0xffff), 16777619);
    h = Math.imul(h ^ (n >>> 16), 16777619);
  }
  h ^= h >>> 13;
  h = Math.imul(h, 0x5bd1e995);
  h ^= h >>> 15;
  return (h >>> 0) / 2 ** 32;
}

const FLEET = {
  /** Every 50th group is not OK (2%: 10 of 500). Half have stopped consumers, half fall behind. */
  notOk: (i: number) => i % 50 === 0,
  stopped: (i: number) => i % 100 === 0,
  /** Share of a healthy partition's snapshots that show lag 0 (the rest: 1–20 messages behind). */
  caughtUpShare: 0.7,
} as const;

/**
 * The fleet at run `run`: by default 500 groups of 20 partitions (10,000 group-partitions). Half the
 * groups read one topic, half two (1.5 topics per group on average) from a pool of 300 topics (0.6 per group). Each partition has
 * its own produce rate (0–300 messages/min) and a log-end offset anywhere up to ~10^12. Healthy groups
 * are caught up in 70% of snapshots and 1–20 messages behind otherwise; the 10 not-OK groups have
 * stopped (Empty, committed offset frozen) or fall behind (committing 60% of the produce rate).
 */
function fleetSnapshot(cluster: string, run: number, timestamp: number): ClusterSnapshot {
  const perGroup = PARTITIONS / GROUPS;
  const groups: GroupSnapshot[] = [];
  for (let i = 0; i < GROUPS; i++) {
    const topics = i % 4 === 1 || i % 4 === 2 ? [`topic-${i % TOPICS}`, `topic-${(i * 7 + 11) % TOPICS}`] : [`topic-${i % TOPICS}`];
    const partitions: PartitionOffsets[] = [];
    for (let p = 0; p < perGroup; p++) {
      const topic = topics[p % topics.length] ?? 'topic-0';
      const partition = Math.floor(p / topics.length);
      const base = BigInt(Math.floor(rand(i, p, 1) * 1e12));
      const rate = FLEET.notOk(i) ? 50 + Math.floor(rand(i, p, 2) * 250) : Math.floor(rand(i, p, 2) * 300);
      const logEnd = base + BigInt(rate * run);
      let committed: bigint;
      if (FLEET.stopped(i)) committed = base;
      else if (FLEET.notOk(i)) committed = base + BigInt(Math.floor(rate * run * 0.6));
      else {
        const lag = rand(i, p, run, 3) < FLEET.caughtUpShare ? 0 : 1 + Math.floor(rand(i, p, run, 4) * Math.min(20, Math.max(1, rate)));
        committed = logEnd - BigInt(Math.min(lag, rate * run));
      }
      partitions.push({ topic, partition, committedOffset: committed, logEndOffset: logEnd });
    }
    partitions.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    const stopped = FLEET.stopped(i);
    groups.push({ cluster, group: `service-${String(i).padStart(Math.max(3, String(GROUPS - 1).length), '0')}-consumer`, timestamp, state: stopped ? 'Empty' : 'Stable', members: stopped ? 0 : 3, partitions });
  }
  return { cluster, timestamp, groups, failures: [], listedGroups: groups.map((g) => g.group) };
}

function diff(after: CapacityUsage, before: CapacityUsage): CapacityUsage {
  const out = emptyUsage();
  for (const key of Object.keys(out) as (keyof CapacityUsage)[]) out[key] = after[key] - before[key];
  return out;
}

const usd = (v: number) => `$${v.toFixed(2)}`;

async function main(): Promise<void> {
  const moto = await startMotoServer({ onProgress: (m) => console.error(`[moto] ${m}`) });
  try {
    const clients = awsClients(moto.endpoint);
    const tableName = await freshTable(clients.dynamodb);
    const topicArn = (await clients.sns.send(new CreateTopicCommand({ Name: 'lagwatch-cost-bench' }))).TopicArn ?? '';
    const retentionMs = snapshotRetentionMs(WINDOW, INTERVAL_MS);
    // Measured around the adapters: the store's DynamoDB traffic, the sink's PutMetricData calls, the publishes.
    const snapshotTable = meteredDocumentClient(clients.doc);
    const cloudwatch = meteredCloudWatch(clients.cloudwatch);
    const store = new DynamoSnapshotStore(snapshotTable.client, { tableName, retentionMs, logger: quiet });
    const alerts = new DynamoAlertStateStore(clients.doc, { tableName, logger: quiet });
    const notifier = countingNotifier(new SnsNotifier(clients.sns, { topicArn }));
    const sink = new CloudWatchMetricsSink(cloudwatch.client, { namespace: 'LagwatchCostBench', logger: quiet });
    // What the sink is handed, so the same data can be priced as embedded metric format (EMF) log lines.
    const emf = { bytes: 0, documents: 0, datums: 0, measuring: false };
    const metrics: MetricsSink = {
      put: async (batch: readonly MetricDatum[]) => {
        if (emf.measuring) {
          const size = emfSize('LagwatchCostBench', batch);
          emf.bytes += size.bytes;
          emf.documents += size.documents;
          emf.datums += batch.length;
        }
        return sink.put(batch);
      },
    };
    const policy: PolicyConfig = { defaults: DEFAULT_POLICY, overrides: [] };
    const cluster = 'bench';
    const warmup = WINDOW;
    // The measured runs start on a clock hour, so they fill whole billing hours.
    const measuredStart = Math.floor((Date.now() - (MEASURED_RUNS + 5) * INTERVAL_MS) / HOUR_MS) * HOUR_MS;
    const start = measuredStart - warmup * INTERVAL_MS;

    const totalRuns = warmup + MEASURED_RUNS;
    const measured = { collectMs: 0, evaluateMs: 0, cpuMs: 0, usageBefore: emptyUsage(), cwCalls: 0, publishes: 0, alertBytes: 0, runRecordBytes: 0 };
    const notOkGroups = new Set<string>();
    let chunksPerRun = 0;
    let bytesPerRun = 0;
    const statusCounts = new Map<string, number>();
    for (let run = 0; run < totalRuns; run++) {
      const now = start + run * INTERVAL_MS;
      const snapshot = fleetSnapshot(cluster, run, now);
      const isMeasured = run >= warmup;
      if (run === warmup) {
        const items = store.chunkItems(snapshot);
        chunksPerRun = items.length;
        measured.runRecordBytes = itemSizeBytes(store.runItem(snapshot, items.length));
        bytesPerRun = items.reduce((sum, i) => sum + itemSizeBytes(i), 0) + measured.runRecordBytes;
        measured.usageBefore = { ...snapshotTable.usage };
        measured.cwCalls = cloudwatch.calls;
        measured.publishes = notifier.published;
        cloudwatch.metricHours.clear();
        emf.measuring = true;
      }
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await runCollection(
        { collector: { collect: async () => snapshot, close: async () => {} }, store, metrics, logger: quiet, clock: () => Date.now() },
        { cluster, scheduledAt: now },
      );
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
        for (const v of result.verdicts) {
          statusCounts.set(v.status, (statusCounts.get(v.status) ?? 0) + 1);
          if (v.status !== 'OK') notOkGroups.add(v.group);
        }
        // The evaluator's own alert-state Query (consistent): every open state, each ~200 B.
        measured.alertBytes += (await alerts.list(cluster)).length * ALERT_ITEM_BYTES;
      }
      if (run === 0 || (run + 1) % 10 === 0) {
        console.error(
          `run ${run + 1}/${totalRuns}: store ${(t1 - t0).toFixed(0)} ms, evaluate ${(t2 - t1).toFixed(0)} ms, ${result.verdicts.length} verdicts, ` +
            `${result.notifications.length} notifications, ${result.failures.length} failures`,
        );
      }
    }

    const usage = diff(snapshotTable.usage, measured.usageBefore);
    const perRun = (v: number) => v / MEASURED_RUNS;
    const publishes = perRun(notifier.published - measured.publishes);
    // DynamoDB's rules applied to the items actually sent and returned: snapshot chunks + run record
    // (writes), the two window Queries and the latest-run Query (reads), plus alert state: two writes per
    // message (claim with the outbox, then clear it) and the consistent Query listing the records every run.
    const alertWru = publishes * ALERT_WRITES_PER_MESSAGE * Math.ceil(ALERT_ITEM_BYTES / 1024);
    const alertRru = Math.max(1, Math.ceil(perRun(measured.alertBytes) / 4096));
    const wru = perRun(usage.writeUnitsEstimated) + alertWru;
    const rru = perRun(usage.readUnitsEstimated) + alertRru;
    const requestsPerRun = perRun(usage.requests) + publishes * 2 + 1;
    const cpuS = perRun(measured.cpuMs) / 1000;
    const modeledS = cpuS + ((requestsPerRun / EVALUATOR_CONCURRENCY) * AWS_LATENCY_MS) / 1000;
    const cwCalls = perRun(cloudwatch.calls - measured.cwCalls);
    // Metric-hours per hour sent = metrics billed all month at this rate ($0.30 each).
    const metricHours = [...cloudwatch.metricHours];
    const distinctMetrics = metricHours.length / MEASURED_HOURS;
    const collectS = perRun(measured.collectMs) / 1000;
    const evaluateS = perRun(measured.evaluateMs) / 1000;
    const retainedRuns = retentionMs / INTERVAL_MS;
    const storageGb = (retainedRuns * (bytesPerRun + (chunksPerRun + 1) * 100)) / 1024 ** 3;
    const metricCost = (perHour: number) => perHour * HOURS_PER_MONTH * (PRICES.cloudwatchMetricMonth / HOURS_PER_MONTH);
    const emfBytesPerRun = perRun(emf.bytes);
    const emfCost = ((emfBytesPerRun * RUNS_PER_MONTH) / 1024 ** 3) * PRICES.logsIngestGb;
    const putCost = cwCalls * RUNS_PER_MONTH * PRICES.cloudwatchPutRequest;

    const lines: [string, string, number][] = [
      ['Lambda compute (collector store + evaluator)', `${(modeledS * 1000).toFixed(0)} ms/run (modeled) × ${MEMORY_GB * 1024} MB`, modeledS * MEMORY_GB * RUNS_PER_MONTH * PRICES.lambdaGbSecond],
      ['Lambda requests', '2/min', 2 * RUNS_PER_MONTH * PRICES.lambdaRequest],
      ['EventBridge Scheduler', '1/min', RUNS_PER_MONTH * PRICES.schedulerInvocation],
      ['DynamoDB writes', `${wru.toFixed(1)} WRU/run (${chunksPerRun} chunk${chunksPerRun === 1 ? '' : 's'} + run record)`, wru * RUNS_PER_MONTH * PRICES.dynamoWriteUnit],
      ['DynamoDB reads', `${rru.toFixed(1)} RRU/run`, rru * RUNS_PER_MONTH * PRICES.dynamoReadUnit],
      ['DynamoDB storage', `${(storageGb * 1024).toFixed(0)} MB kept (TTL ${(retentionMs / 3_600_000).toFixed(1)} h)`, storageGb * PRICES.dynamoStorageGbMonth],
      ['CloudWatch custom metrics', `${distinctMetrics.toFixed(0)} metric-hours per hour (${(distinctMetrics * HOURS_PER_MONTH).toLocaleString('en-US', { maximumFractionDigits: 0 })}/month)`, metricCost(distinctMetrics)],
      ['CloudWatch PutMetricData', `${cwCalls.toFixed(1)} calls/run`, cwCalls * RUNS_PER_MONTH * PRICES.cloudwatchPutRequest],
      ['CloudWatch Logs', `~${LOG_BYTES_PER_RUN * 2} B/run`, ((LOG_BYTES_PER_RUN * 2 * RUNS_PER_MONTH) / 1024 ** 3) * PRICES.logsIngestGb],
      ['SNS', `${publishes.toFixed(2)} publishes/run (steady state)`, publishes * RUNS_PER_MONTH * (PRICES.snsPublish + PRICES.snsHttpDelivery)],
    ];
    const total = lines.reduce((sum, [, , cost]) => sum + cost, 0);

    // Sensitivity: one more group that stays not OK all month pays for its metrics (none once the cap is
    // reached: it is only counted), their share of PutMetricData calls, one repeat message per repeat
    // interval and the alert-state write behind it.
    const groupOf = (key: string) => /(?:^|,)Group=([^,|]*)/.exec(key.split('|')[1] ?? '')?.[1];
    const capped = metricHours.some((key) => key.startsWith(`${METRIC.GroupMetricsCapped}|`));
    const publishedNotOk = new Set(metricHours.map(groupOf).filter((g): g is string => g !== undefined && notOkGroups.has(g)));
    const notOkMetricHours = metricHours.filter((key) => publishedNotOk.has(groupOf(key) ?? '')).length / MEASURED_HOURS;
    const detailPerGroup = capped || publishedNotOk.size === 0 ? 0 : notOkMetricHours / publishedNotOk.size;
    const byName = new Map<string, number>();
    for (const key of metricHours) {
      const [name = '', dims = ''] = key.split('|');
      const label = `${name}(${dims.split(',').map((d) => d.split('=')[0]).join(',')})`;
      byName.set(label, (byName.get(label) ?? 0) + 1 / MEASURED_HOURS);
    }
    const repeatsPerMonth = (RUNS_PER_MONTH * INTERVAL_MS) / DEFAULT_POLICY.repeatIntervalMs;
    const perBadGroup =
      metricCost(detailPerGroup) +
      (detailPerGroup / 1000) * RUNS_PER_MONTH * PRICES.cloudwatchPutRequest +
      repeatsPerMonth * (PRICES.snsPublish + PRICES.snsHttpDelivery + PRICES.dynamoWriteUnit);

    const width = Math.max(...lines.map(([name]) => name.length));
    console.log(`\nlagwatch cost projection: ${GROUPS} groups, ${PARTITIONS.toLocaleString('en-US')} group-partitions, ${INTERVAL_MS / 1000} s snapshots, ${RUNS_PER_MONTH.toLocaleString('en-US')} runs/month`);
    console.log(
      `Fleet: 1.5 topics per group (${PARTITIONS / GROUPS} partitions each), own produce rate per partition (0–300/min), offsets up to ~10^12; ` +
        `${[...Array(GROUPS).keys()].filter(FLEET.notOk).length} groups (2%) not OK (half stopped, half falling behind), ` +
        `the rest caught up in ${FLEET.caughtUpShare * 100}% of snapshots and 1–20 messages behind otherwise.`,
    );
    console.log(`Measured: ${MEASURED_RUNS} runs (one hour) after ${warmup} warm-up runs; verdicts seen: ${[...statusCounts].map(([k, v]) => `${k} ${v}`).join(', ')}.`);
    console.log('us-east-1 list prices as recorded in platform-notes, 2026-11 (on-demand, no free tier)\n');
    for (const [name, basis, cost] of lines) console.log(`${name.padEnd(width)}  ${basis.padEnd(44)}  ${usd(cost).padStart(9)}`);
    console.log(`${'TOTAL per month'.padEnd(width)}  ${''.padEnd(44)}  ${usd(total).padStart(9)}`);
    console.log(`${'per 1,000 group-partitions'.padEnd(width)}  ${''.padEnd(44)}  ${usd((total / PARTITIONS) * 1000).padStart(9)}`);
    console.log(
      `${'each additional group not OK all month'.padEnd(width)}  ${`${detailPerGroup.toFixed(1)} metrics${capped ? ' (cap reached)' : ''} + ${repeatsPerMonth.toFixed(0)} repeats`.padEnd(44)}  ${usd(perBadGroup).padStart(9)}`,
    );
    console.log(
      `\nMetric-hours per hour by metric (dimensions): ${[...byName].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}; ` +
        `${publishedNotOk.size} of ${notOkGroups.size} groups not OK published their own (the rest counted in ${METRIC.GroupMetricsCapped}).`,
    );
    // The targets set for the two fleets measured so far (issues 4 and 12); other sizes print none.
    const target = ({ 10_000: 25, 100_000: 100 } as Record<number, number>)[PARTITIONS];
    if (target !== undefined) console.log(`\nTarget: <= $${target}/month for this fleet → ${total <= target ? 'met' : 'NOT met'}.`);
    console.log(
      `DynamoDB units by DynamoDB's rules from the items sent and returned (write: 1 WRU per started KB per item; ` +
        `read: per Query page, 1 RRU per started 4 KB, half when eventually consistent): ` +
        `${perRun(usage.writeUnitsEstimated).toFixed(1)} WRU + ${perRun(usage.readUnitsEstimated).toFixed(1)} RRU per run for snapshots and runs, ` +
        `${alertWru.toFixed(2)} WRU + ${alertRru} RRU for alert state. A run is ${(bytesPerRun / 1024).toFixed(1)} KB in ${chunksPerRun + 1} items ` +
        `(run record ${(measured.runRecordBytes / 1024).toFixed(1)} KB) ` +
        `(${perRun(usage.itemsRead).toFixed(0)} items read per run). ` +
        `moto ${usage.reportedRequests > 0 ? `reported ${perRun(usage.writeUnits).toFixed(1)} WCU / ${perRun(usage.readUnits).toFixed(1)} RCU per run` : 'returned no ConsumedCapacity'}.`,
    );
    console.log(
      `Lambda time modeled as this process's CPU time (${cpuS.toFixed(2)} s/run) + ${requestsPerRun.toFixed(0)} AWS calls/run × ${AWS_LATENCY_MS} ms / ${EVALUATOR_CONCURRENCY} in flight. ` +
        `Wall time against moto was ${collectS.toFixed(2)} s store + ${evaluateS.toFixed(2)} s evaluate per run. The collector's Kafka reads are not included (see bench:collect).`,
    );
    console.log(
      `Metrics: read off the PutMetricData requests the real sink sent in the measured ${MEASURED_HOURS === 1 ? 'clock hour' : `${MEASURED_HOURS} clock hours`} ` +
        `(core evaluationMetrics and runMetrics): every distinct (metric, dimensions, hour) is one metric-hour, $0.30 per ${HOURS_PER_MONTH} metric-hours.`,
    );
    console.log(
      `\nPowertools Metrics (EMF) instead of PutMetricData, same data: ${perRun(emf.datums).toFixed(0)} datums/run become ${perRun(emf.documents).toFixed(0)} EMF documents ` +
        `(one per dimension-value set, ≤ 100 metrics each) = ${(emfBytesPerRun / 1024).toFixed(1)} KB of log lines per run → ${usd(emfCost)}/month of log ingestion ` +
        `vs ${usd(putCost)}/month for ${cwCalls.toFixed(1)} PutMetricData calls/run; the custom-metric charge (${usd(metricCost(distinctMetrics))}) is the same either way.`,
    );
    clients.dynamodb.destroy();
  } finally {
    await moto.stop();
  }
}

await main();
