// `lagwatch status --table NAME [--region R] [--cluster C]`: what a deployed lagwatch sees now. Reads
// the newest collection run and the open incidents from the DynamoDB table and judges the windows
// exactly as the evaluator Lambda does (runEvaluation), read-only: alert state is copied into memory
// and nothing is written, published or sent. Prints the live view's table.
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MemoryAlertStateStore } from '../adapters/local/memory-alert-store.js';
import { createDynamoStores } from '../adapters/dynamodb/dynamo-stores.js';
import { parseRunPk, TABLE, snapshotRetentionMs } from '../adapters/dynamodb/table.js';
import { runEvaluation } from '../app/evaluate.js';
import type { Logger, SnapshotStore } from '../app/ports.js';
import { shardCount } from '../config/cluster.js';
import { parsePolicyConfig } from '../config/policy.js';
import { allShards, isWholeCluster } from '../core/shard.js';
import { LagwatchError, StoreError } from '../core/errors.js';
import type { PolicyConfig } from '../core/policy.js';
import type { GroupVerdict } from '../core/types.js';
import { UsageError, exitOnUsageError, parseCommandArgs, positiveNumber } from '../local/cli-args.js';
import { loadLocalConfig } from '../local/local-config.js';
import { createLineLogger } from '../local/local-mode.js';
import { renderTable } from './view.js';

const USAGE = `usage: lagwatch status --table NAME [--region REGION] [--cluster NAME]... [--config FILE]
                       [--interval SECONDS] [--json]

What a deployed lagwatch sees now: reads the newest collection run and the open incidents from its
DynamoDB table and prints the live view's table, judged as the evaluator does. Read-only.
  --table NAME        the stack's DynamoDB table (CloudFormation output TableName)
  --region REGION     its region (default: AWS_REGION / your AWS profile)
  --cluster NAME      only this cluster (repeatable); default: the config's clusters, or every
                      cluster with a run record in the table (found with one scan, which also
                      finds a sharded cluster's shard count when there is no --config)
  --config FILE       lagwatch.config.json: its policy, snapshot interval and clusters' shards
                      (default: the default policy, 60 s)
  --interval SECONDS  the snapshot interval, when not from --config
  --json              the verdicts as JSON instead of the table
AWS credentials come from the usual places (environment, profile, SSO).`;

export interface ClusterStatus {
  readonly cluster: string;
  /** null when the table holds no complete run for the cluster. */
  readonly runAt: number | null;
  readonly listed: number;
  readonly failed: number;
  readonly openIncidents: number;
  readonly verdicts: readonly GroupVerdict[];
  /** The cluster's shard count (1 unless it is sharded): counts and verdicts are over every shard. */
  readonly shards?: number;
}

/** The shard count whose shard 0 has the newest run: after a change of `shards`, the runs of the
 * old count linger until their TTL and must not be read as the cluster's current state. */
async function currentShardCount(snapshots: Pick<SnapshotStore, 'latestRun'>, cluster: string, counts: readonly number[]): Promise<number> {
  let best = { count: counts[0] ?? 1, at: -1 };
  for (const count of counts) {
    const run = await snapshots.latestRun(cluster, { shard: { index: 0, count } });
    if (run !== null && run.timestamp > best.at) best = { count, at: run.timestamp };
  }
  return best.count;
}

/** Judges every cluster's newest run as the evaluator would, without writing anything. */
export async function readStatus(input: {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clusters: readonly string[];
  readonly policy: PolicyConfig;
  readonly snapshotIntervalMs: number;
  readonly logger: Logger;
  /** Cluster → the shard counts it may have (from the config, or seen in the table); [1] when absent. */
  readonly shardCounts?: ReadonlyMap<string, readonly number[]>;
}): Promise<ClusterStatus[]> {
  const { client, tableName, policy, snapshotIntervalMs, logger } = input;
  const { snapshots, alerts: stored } = createDynamoStores(client, {
    tableName,
    retentionMs: snapshotRetentionMs(policy.defaults.windowSize, snapshotIntervalMs),
    logger,
  });
  const out: ClusterStatus[] = [];
  for (const cluster of input.clusters) {
    const counts = input.shardCounts?.get(cluster) ?? [1];
    const count = counts.length > 1 ? await currentShardCount(snapshots, cluster, counts) : (counts[0] ?? 1);
    const shards = allShards(count);
    const [runs, records] = await Promise.all([
      Promise.all(shards.map((shard) => snapshots.latestRun(cluster, isWholeCluster(shard) ? {} : { shard }))),
      stored.list(cluster),
    ]);
    // Tombstones (closed incidents kept for their revision) are not open incidents.
    const openIncidents = records.filter((r) => r.state !== null).length;
    const sharded = count > 1 ? { shards: count } : {};
    // A sharded cluster is only as current as its stalest shard; one shard without a run is reported.
    if (runs.some((run) => run === null)) {
      out.push({ cluster, runAt: null, listed: 0, failed: 0, openIncidents, verdicts: [], ...sharded });
      continue;
    }
    const verdicts: GroupVerdict[] = [];
    let listed = 0;
    let failed = 0;
    for (const [i, run] of runs.entries()) {
      if (run === null) continue;
      const shard = shards[i]!;
      const alerts = new MemoryAlertStateStore();
      for (const r of records) await alerts.write(r, null);
      const result = await runEvaluation(
        {
          store: snapshots,
          alerts,
          notifier: { publish: async () => undefined },
          metrics: { put: async () => undefined },
          logger,
          clock: () => run.timestamp,
          policy,
          snapshotIntervalMs,
          dashboardUrl: null,
        },
        { cluster, now: run.timestamp, ...(isWholeCluster(shard) ? {} : { shard }) },
      );
      verdicts.push(...result.verdicts);
      listed += run.listedGroups.length;
      failed += run.failedGroups.length;
    }
    verdicts.sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
    const runAt = Math.min(...runs.map((run) => run?.timestamp ?? 0));
    out.push({ cluster, runAt, listed, failed, openIncidents, verdicts, ...sharded });
  }
  return out;
}

/** Cluster names with a run record, and the shard counts their run records were written with: one
 * scan of the keys (pass --cluster to skip it). */
async function clustersInTable(client: DynamoDBClient, tableName: string): Promise<Map<string, number[]>> {
  const found = new Map<string, Set<number>>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        ProjectionExpression: '#pk',
        FilterExpression: 'begins_with(#pk, :run)',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        ExpressionAttributeValues: { ':run': { S: 'R#' } },
        ...(start ? { ExclusiveStartKey: start as never } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const pk = item[TABLE.partitionKey]?.S;
      const run = pk === undefined ? null : parseRunPk(pk);
      if (run !== null) found.set(run.cluster, (found.get(run.cluster) ?? new Set()).add(run.shard.count));
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return new Map([...found].sort(([a], [b]) => (a < b ? -1 : 1)).map(([cluster, counts]) => [cluster, [...counts].sort((a, b) => a - b)]));
}

export async function statusCommand(argv: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs('status', USAGE, argv, {
    table: { type: 'string' },
    region: { type: 'string' },
    cluster: { type: 'string', multiple: true },
    config: { type: 'string' },
    interval: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if ('exit' in parsed) return parsed.exit;
  const { values } = parsed;
  return exitOnUsageError('status', async () => {
    if (values.table === undefined) throw new UsageError('--table NAME is required (the stack output TableName)');
    const intervalSeconds = positiveNumber(values.interval, '--interval', { min: 60, max: 86_400 });
    const config = values.config === undefined ? null : await loadLocalConfig(values.config);
    const policy = config?.policy ?? parsePolicyConfig({});
    const snapshotIntervalMs = intervalSeconds !== undefined ? intervalSeconds * 1000 : (config?.snapshotIntervalMs ?? 60_000);
    const region = values.region ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'];
    const dynamodb = new DynamoDBClient(region === undefined ? {} : { region });
    const client = DynamoDBDocumentClient.from(dynamodb);
    const logger = createLineLogger((line) => process.stderr.write(`${line}\n`), 'error');
    try {
      // Shard counts: the config's when it names the cluster, else those its run records were written with.
      const configured = new Map((config?.clusters ?? []).map((c) => [c.name, [shardCount(c)]] as const));
      const inTable = config !== null ? null : await clustersInTable(dynamodb, values.table);
      const clusters = values.cluster ?? config?.clusters.map((c) => c.name) ?? [...(inTable?.keys() ?? [])];
      if (clusters.length === 0) throw new LagwatchError(`table ${values.table} holds no collection run yet; is the collector running?`);
      const shardCounts = new Map(clusters.map((c) => [c, configured.get(c) ?? inTable?.get(c) ?? [1]] as const));
      const status = await readStatus({ client, tableName: values.table, clusters, policy, snapshotIntervalMs, logger, shardCounts });
      print(status, values.json);
      return status.every((s) => s.runAt !== null) ? 0 : 1;
    } catch (error) {
      // The adapters wrap SDK errors in StoreError; the SDK's own error name says what to do.
      let root: unknown = error;
      while (root instanceof LagwatchError && root.cause !== undefined) root = root.cause;
      if (root instanceof LagwatchError) throw root;
      const name = root instanceof Error ? root.name : 'error';
      const hint =
        name === 'ResourceNotFoundException'
          ? `no table ${values.table} in ${region ?? 'the default region'}; check --table and --region`
          : name === 'CredentialsProviderError' || name === 'ExpiredTokenException'
            ? 'no valid AWS credentials; log in (aws sso login) or set AWS_PROFILE'
            : error instanceof Error
              ? error.message
              : String(error);
      throw new StoreError(`cannot read table ${values.table}: ${hint}`, { cause: error });
    } finally {
      dynamodb.destroy();
    }
  });
}

function print(status: readonly ClusterStatus[], json: boolean): void {
  if (json) {
    const out = status.map((s) => ({
      cluster: s.cluster,
      runAt: s.runAt === null ? null : new Date(s.runAt).toISOString(),
      listedGroups: s.listed,
      failedGroups: s.failed,
      openIncidents: s.openIncidents,
      ...(s.shards === undefined ? {} : { shards: s.shards }),
      groups: s.verdicts.map((v) => ({ group: v.group, status: v.status, totalLag: v.totalLag.toString(), maxTimeLagSeconds: v.maxTimeLag.seconds })),
    }));
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  const lines: string[] = [];
  for (const s of status) {
    if (s.runAt === null) {
      process.stderr.write(`lagwatch status: cluster ${s.cluster} has no complete collection run in the table; is its collector running?\n`);
      continue;
    }
    lines.push(
      `cluster ${s.cluster}${s.shards === undefined ? '' : ` · ${s.shards} shards`} · newest run${s.shards === undefined ? '' : ' of its stalest shard'} ${new Date(s.runAt).toISOString()} · ${s.listed} group(s) listed, ${s.failed} failed · ${s.openIncidents} open incident(s)`,
    );
  }
  const verdicts = status.flatMap((s) => s.verdicts);
  lines.push(...renderTable(verdicts, { colour: process.stdout.isTTY === true }));
  process.stdout.write(`${lines.join('\n')}\n`);
}
