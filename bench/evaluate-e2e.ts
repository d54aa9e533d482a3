// bench:evaluate, end-to-end mode: one cluster's evaluation through the real store code — runs
// written with DynamoSnapshotStore.putSnapshot (packed, gzip chunks), read back with openWindows,
// judged, metrics shaped and alert decisions claimed — exactly as the evaluator Lambda runs it.
// The table behind the store is an in-process stand-in that answers the store's own DynamoDB
// commands (BatchWrite, Put, paginated Query at DynamoDB's 1 MB page size), so the figures are
// the evaluator's own CPU and heap, not an emulator's network.
import { BatchWriteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoSnapshotStore } from '../functions/adapters/dynamodb/snapshot-store.js';
import { MemoryAlertStateStore } from '../functions/adapters/local/memory-alert-store.js';
import type { Logger, MetricsSink, Notifier } from '../functions/app/ports.js';
import { runEvaluation, type EvaluationResult } from '../functions/app/evaluate.js';
import type { MetricDatum } from '../functions/core/metrics.js';
import { DEFAULT_POLICY } from '../functions/core/policy.js';
import type { ClusterSnapshot, GroupSnapshot, GroupState } from '../functions/core/types.js';

type Item = Record<string, unknown>;

const PAGE_BYTES = 1024 * 1024;

function itemBytes(item: Item): number {
  let bytes = 0;
  for (const value of Object.values(item)) bytes += value instanceof Uint8Array ? value.byteLength : JSON.stringify(value).length;
  return bytes;
}

/** A sorted key-value table answering the commands DynamoSnapshotStore sends. */
export class InProcessTable {
  private readonly items = new Map<string, Map<string, Item>>();

  async send(command: unknown): Promise<unknown> {
    if (command instanceof BatchWriteCommand) {
      for (const requests of Object.values(command.input.RequestItems ?? {})) {
        for (const request of requests) if (request.PutRequest?.Item) this.put(request.PutRequest.Item);
      }
      return { UnprocessedItems: {} };
    }
    if (command instanceof PutCommand) {
      this.put(command.input.Item as Item);
      return {};
    }
    if (command instanceof QueryCommand) return this.query(command.input);
    throw new Error(`InProcessTable: unsupported command ${(command as object).constructor.name}`);
  }

  private put(item: Item): void {
    const pk = String(item.pk);
    let partition = this.items.get(pk);
    if (partition === undefined) this.items.set(pk, (partition = new Map()));
    partition.set(String(item.sk), item);
  }

  private query(input: QueryCommand['input']): unknown {
    const values = input.ExpressionAttributeValues ?? {};
    const from = String(values[':from']);
    const to = String(values[':to']);
    const keys = [...(this.items.get(String(values[':pk']))?.keys() ?? [])].filter((k) => k >= from && k <= to).sort();
    if (input.ScanIndexForward === false) keys.reverse();
    const after = input.ExclusiveStartKey?.sk;
    const start = after === undefined ? 0 : keys.indexOf(String(after)) + 1;
    const page: Item[] = [];
    let bytes = 0;
    for (const key of keys.slice(start)) {
      const item = this.items.get(String(values[':pk']))!.get(key)!;
      if (page.length > 0 && (bytes + itemBytes(item) > PAGE_BYTES || page.length === input.Limit)) break;
      page.push(item);
      bytes += itemBytes(item);
    }
    const last = page[page.length - 1];
    const more = last !== undefined && keys.indexOf(String(last.sk)) < keys.length - 1;
    return { Items: page, LastEvaluatedKey: more ? { pk: last.pk, sk: last.sk } : undefined };
  }
}

const quiet: Logger = { info() {}, warn() {}, error() {} };

export interface EndToEndResult {
  readonly partitions: number;
  readonly groups: number;
  readonly ms: number;
  /** CPU time of the process over the same span (all threads, the GC's included): on a shared
   * machine it moves less than wall time. */
  readonly cpuMs: number;
  readonly peakHeapMb: number;
  readonly statuses: string;
  readonly notifications: number;
  readonly metrics: number;
}

/** A fleet of `groups` groups × `partitionsPerGroup` over `runs` one-minute runs, a mix of behaviours. */
function run(cluster: string, g0: number, groups: number, partitionsPerGroup: number, s: number, timestamp: number): ClusterSnapshot {
  const snapshots: GroupSnapshot[] = [];
  for (let g = g0; g < g0 + groups; g++) {
    const kind = g % 10; // 0–6 healthy, 7 slow, 8 consumers gone, 9 stuck with members
    const state: GroupState = kind === 8 ? 'Empty' : 'Stable';
    const partitions = [];
    for (let p = 0; p < partitionsPerGroup; p++) {
      const base = 5_000_000 + g * 13 + p * 1_000;
      const logEnd = BigInt(base + s * 600);
      let committed: bigint;
      if (kind < 7) committed = logEnd - BigInt((s + p) % 3);
      else if (kind === 7) committed = logEnd - BigInt(100 + s * 60);
      else committed = BigInt(base - 3_000 + Math.min(s, 2) * 600);
      partitions.push({ topic: `topic-${(g + p) % 500}`, partition: p, committedOffset: committed, logEndOffset: logEnd });
    }
    snapshots.push({ cluster, group: `group-${g}`, timestamp, state, members: kind === 8 ? 0 : 2, partitions });
  }
  return { cluster, timestamp, groups: snapshots, failures: [], listedGroups: snapshots.map((x) => x.group) };
}

function heapMb(): number {
  return process.memoryUsage().heapUsed / (1024 * 1024);
}

/** `keep` receives the whole evaluation and every metric (a check that verdicts stay the same). */
export async function endToEnd(
  totalPartitions: number,
  partitionsPerGroup = 10,
  keep?: (result: EvaluationResult, metrics: readonly MetricDatum[]) => void,
): Promise<EndToEndResult> {
  const cluster = 'bench';
  const groups = Math.max(1, Math.round(totalPartitions / partitionsPerGroup));
  const interval = 60_000;
  const t0 = 1_763_700_000_000;
  const table = new InProcessTable();
  const store = new DynamoSnapshotStore(table as unknown as DynamoDBDocumentClient, { tableName: 'bench', retentionMs: 3_600_000, logger: quiet });
  const runs = DEFAULT_POLICY.windowSize;
  for (let s = 0; s < runs; s++) {
    // Written in slices so the fixture itself never holds a whole run's objects.
    const timestamp = t0 + s * interval;
    await store.putSnapshot(run(cluster, 0, groups, partitionsPerGroup, s, timestamp));
  }
  const now = t0 + (runs - 1) * interval + 5_000;

  let peak = 0;
  // BENCH_LIVE=1 collects garbage before each sample: the live heap rather than what the GC let pile up.
  const live = process.env.BENCH_LIVE === '1';
  const sample = () => {
    if (live) (globalThis as { gc?: () => void }).gc?.();
    peak = Math.max(peak, heapMb());
  };
  const sampledStore = {
    latestRun: (c: string) => store.latestRun(c),
    putSnapshot: (x: ClusterSnapshot) => store.putSnapshot(x),
    readWindows: (...args: Parameters<DynamoSnapshotStore['readWindows']>) => store.readWindows(...args),
    openWindows: async (...args: Parameters<DynamoSnapshotStore['openWindows']>) => {
      sample();
      const windows = await store.openWindows(...args);
      sample();
      return windows;
    },
  };
  let metrics = 0;
  const kept: MetricDatum[] = [];
  const sink: MetricsSink = {
    async put(data) {
      sample();
      metrics += data.length;
      if (keep !== undefined) kept.push(...data);
    },
  };
  const notifier: Notifier = { async publish() {} };
  (globalThis as { gc?: () => void }).gc?.();
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const result = await runEvaluation(
    {
      store: sampledStore,
      alerts: new MemoryAlertStateStore(),
      notifier,
      metrics: sink,
      logger: quiet,
      clock: () => Date.now(),
      policy: { defaults: DEFAULT_POLICY, overrides: [] },
      snapshotIntervalMs: interval,
      dashboardUrl: null,
    },
    { cluster, now },
  );
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  sample();
  keep?.(result, kept);
  const counts = new Map<string, number>();
  for (const v of result.verdicts) counts.set(v.status, (counts.get(v.status) ?? 0) + 1);
  return {
    partitions: groups * partitionsPerGroup,
    groups,
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakHeapMb: peak,
    statuses: [...counts].map(([k, n]) => `${k} ${n}`).join(', '),
    notifications: result.notifications.length,
    metrics,
  };
}
