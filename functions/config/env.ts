// Environment-variable names shared by infra/ (which sets them) and functions/ (which reads them
// once, at cold start, in the composition roots). One place, so they can never drift apart.
import { ConfigError } from '../core/errors.js';

export const ENV = {
  /** JSON of the cluster's connection config (see functions/config/cluster.ts). */
  clusterConfig: 'LAGWATCH_CLUSTER_CONFIG',
  /** JSON of the evaluation policy config (see functions/config/policy.ts). */
  policyConfig: 'LAGWATCH_POLICY_CONFIG',
  tableName: 'LAGWATCH_TABLE_NAME',
  alertTopicArn: 'LAGWATCH_ALERT_TOPIC_ARN',
  metricsNamespace: 'LAGWATCH_METRICS_NAMESPACE',
  dashboardUrl: 'LAGWATCH_DASHBOARD_URL',
  snapshotIntervalMs: 'LAGWATCH_SNAPSHOT_INTERVAL_MS',
  /** How long the collector's snapshot items live (DynamoDB TTL), derived at synth from the policy's largest window. */
  snapshotRetentionMs: 'LAGWATCH_SNAPSHOT_RETENTION_MS',
  slackWebhookSecretArn: 'LAGWATCH_SLACK_WEBHOOK_SECRET_ARN',
  /** Name of the cluster(s) the evaluator handles, comma separated. */
  clusterNames: 'LAGWATCH_CLUSTER_NAMES',
  /** JSON of cluster name → `shards`, for the clusters with more than one; unset when none has. */
  clusterShards: 'LAGWATCH_CLUSTER_SHARDS',
} as const;
export type EnvName = (typeof ENV)[keyof typeof ENV];

export type Env = Readonly<Record<string, string | undefined>>;

/** A variable the CDK stack always sets; a ConfigError naming it when missing. */
export function requiredEnv(env: Env, name: EnvName): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigError(name, 'is not set; the CDK stack sets it — redeploy, or set it when running the handler by hand');
  }
  return value;
}
