// The one composition root for the Lambdas: reads the environment once (cold start), creates the
// AWS SDK clients (module scope, so warm invocations reuse their connections) and wires the adapters
// to the application functions. What other entries build alike comes from shared factories: the
// collector and the secrets reader (functions/factories.ts), the DynamoDB stores
// (adapters/dynamodb/dynamo-stores.ts). The local CLI wires those with local adapters
// (functions/local/); the Slack forwarder has its own small root (functions/forwarder-composition.ts),
// so its bundle carries one SDK client instead of kafkajs, zod and every client here.
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CloudWatchMetricsSink } from './adapters/cloudwatch/cloudwatch-sink.js';
import { SnsNotifier } from './adapters/sns/sns-notifier.js';
import type { CollectDeps } from './app/collect.js';
import type { EvaluateDeps } from './app/evaluate.js';
import type { Logger } from './app/ports.js';
import { MAX_SHARDS, parseClusterConfig, type ClusterConfig } from './config/cluster.js';
import { ENV, requiredEnv, type Env, type EnvName } from './config/env.js';
import { parsePolicyConfig } from './config/policy.js';
import { ConfigError } from './core/errors.js';
import type { PolicyConfig } from './core/policy.js';
import { createDynamoStores, type DynamoStores } from './adapters/dynamodb/dynamo-stores.js';
import { createCollector } from './factories.js';

export type { Env } from './config/env.js';

/** One JSON line per log entry: CloudWatch Logs Insights can query the fields. */
export function jsonLogger(write: (line: string) => void = (line) => console.log(line)): Logger {
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    write(JSON.stringify({ level, message, ...fields }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  return { info: log('info'), warn: log('warn'), error: log('error') };
}


function positiveInt(env: Env, name: EnvName): number {
  const text = requiredEnv(env, name);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) throw new ConfigError(name, `must be a positive integer of milliseconds, got "${text}"`);
  return value;
}

function json(env: Env, name: EnvName): unknown {
  const text = requiredEnv(env, name);
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ConfigError(name, `is not valid JSON (${(cause as Error).message})`, { cause });
  }
}

// SDK clients: created on first use, then shared by every invocation of the warm container.
// The region and credentials come from the Lambda environment.
let dynamo: DynamoDBDocumentClient | undefined;
let cloudwatch: CloudWatchClient | undefined;
let sns: SNSClient | undefined;
const clients = {
  dynamo: () => (dynamo ??= DynamoDBDocumentClient.from(new DynamoDBClient({}))),
  cloudwatch: () => (cloudwatch ??= new CloudWatchClient({})),
  sns: () => (sns ??= new SNSClient({})),
};

/** What both Lambdas write to: the table's stores and the metrics sink. */
function storageFromEnv(env: Env, logger: Logger): DynamoStores & { readonly metrics: CloudWatchMetricsSink } {
  const tableName = requiredEnv(env, ENV.tableName);
  const namespace = requiredEnv(env, ENV.metricsNamespace);
  const retentionMs = positiveInt(env, ENV.snapshotRetentionMs);
  return {
    ...createDynamoStores(clients.dynamo(), { tableName, retentionMs, logger }),
    metrics: new CloudWatchMetricsSink(clients.cloudwatch(), { namespace, logger }),
  };
}

export interface CollectorApp {
  readonly cluster: ClusterConfig;
  readonly deps: CollectDeps;
}

/** Collector Lambda wiring; throws ConfigError naming the env var at cold start. */
export function collectorFromEnv(env: Env, logger: Logger = jsonLogger()): CollectorApp {
  const cluster = parseClusterConfig(json(env, ENV.clusterConfig), ENV.clusterConfig);
  const { snapshots, metrics } = storageFromEnv(env, logger);
  return {
    cluster,
    deps: {
      collector: createCollector(cluster, env),
      store: snapshots,
      metrics,
      logger,
      clock: Date.now,
    },
  };
}

export interface EvaluatorApp {
  readonly clusters: ReadonlySet<string>;
  /** The cluster's `shards` (1 unless ENV.clusterShards says otherwise). */
  shardsOf(cluster: string): number;
  readonly policy: PolicyConfig;
  /** Dependencies for one cluster's evaluation (its dashboard URL goes into its alerts). */
  depsFor(cluster: string): EvaluateDeps;
}

/** `{"prod": "https://..."}` (one URL per cluster) or a single URL for all. */
function dashboardUrls(env: Env): (cluster: string) => string | null {
  const text = env[ENV.dashboardUrl]?.trim() ?? '';
  if (text === '') return () => null;
  if (!text.startsWith('{')) return () => text;
  const map = json(env, ENV.dashboardUrl);
  if (map === null || typeof map !== 'object' || Array.isArray(map)) {
    throw new ConfigError(ENV.dashboardUrl, 'must be a URL or a JSON object of cluster name → URL');
  }
  const urls = map as Record<string, unknown>;
  return (cluster) => (typeof urls[cluster] === 'string' ? urls[cluster] : null);
}

/** `{"big": 4}`: the clusters split into more than one shard; unset or empty when none is. */
function clusterShards(env: Env): (cluster: string) => number {
  if ((env[ENV.clusterShards]?.trim() ?? '') === '') return () => 1;
  const map = json(env, ENV.clusterShards);
  const valid =
    map !== null &&
    typeof map === 'object' &&
    !Array.isArray(map) &&
    Object.values(map).every((n) => Number.isSafeInteger(n) && (n as number) >= 1 && (n as number) <= MAX_SHARDS);
  if (!valid) throw new ConfigError(ENV.clusterShards, `must be a JSON object of cluster name → shards (an integer 1..${MAX_SHARDS})`);
  const shards = map as Record<string, number>;
  return (cluster) => (Object.hasOwn(shards, cluster) ? (shards[cluster] ?? 1) : 1);
}

/** Evaluator Lambda wiring; throws ConfigError naming the env var at cold start. */
export function evaluatorFromEnv(env: Env, logger: Logger = jsonLogger()): EvaluatorApp {
  const snapshotIntervalMs = positiveInt(env, ENV.snapshotIntervalMs);
  // The same interval as at synth, so unset grace/stall times resolve the same way.
  const policy = parsePolicyConfig(json(env, ENV.policyConfig), ENV.policyConfig, { snapshotIntervalMs });
  const clusters = new Set(
    requiredEnv(env, ENV.clusterNames)
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  );
  const topicArn = requiredEnv(env, ENV.alertTopicArn);
  const dashboardUrl = dashboardUrls(env);
  const shardsOf = clusterShards(env);
  const { snapshots: store, alerts, metrics } = storageFromEnv(env, logger);
  const notifier = new SnsNotifier(clients.sns(), { topicArn });
  return {
    clusters,
    shardsOf,
    policy,
    depsFor: (cluster) => ({
      store,
      alerts,
      notifier,
      metrics,
      logger,
      clock: Date.now,
      policy,
      snapshotIntervalMs,
      dashboardUrl: dashboardUrl(cluster),
    }),
  };
}
