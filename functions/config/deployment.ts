// What a deployment derives from the app config, and checks only a deployment needs: the Lambda
// sizes and timeouts (evaluator memory, collector timeout, the hung-request budget), the Lambda
// environment limit, and checkDeployConfig (run by `cdk synth`, not by the local CLI reading the
// same file). The schema and the parse are in app-config.ts.
import { ConfigError } from '../core/errors.js';
import type { AppConfig } from './app-config.js';
import { arnRegionAccount } from './arn.js';
import type { ClusterConfig } from './cluster.js';
import { inFile } from './config-error.js';

const MINUTE_MS = 60_000;
/** Lambda rejects a function whose environment variables exceed 4 KB in total. */
export const LAMBDA_ENV_LIMIT_BYTES = 4096;

/**
 * Evaluator memory for the largest cluster it judges: 256 MB of runtime and code plus 2 KB per
 * group-partition (twice the ~0.9 KB of live heap per partition measured by `bench:evaluate`'s
 * end-to-end mode), at least 512 MB, in 64 MB steps.
 */
export function evaluatorMemoryMb(largestExpectedPartitions: number): number {
  const needed = 256 + (largestExpectedPartitions * 2) / 1024;
  return Math.min(10_240, Math.max(512, Math.ceil(needed / 64) * 64));
}

/** The collector's Lambda timeout: under the interval, so one run ends before the next begins. */
export function collectorTimeoutMs(snapshotIntervalMs: number): number {
  return Math.min(snapshotIntervalMs - 10_000, 5 * MINUTE_MS);
}

/**
 * Time a single hung Kafka request can take before the collector gives up on it: kafkajs tries it
 * `KAFKA_ATTEMPTS` times (functions/adapters/kafka/kafka-connection.ts: retries 2), each attempt
 * bounded by the connection and request timeouts, with at most `KAFKA_MAX_BACKOFF_MS` between.
 */
export const KAFKA_ATTEMPTS = 3;
export const KAFKA_MAX_BACKOFF_MS = 2_000;
/** Left for writing the failed run record and its metrics after the last attempt. */
export const COLLECTOR_FINISH_MARGIN_MS = 5_000;
export function hungRequestBudgetMs(cluster: Pick<ClusterConfig, 'connectionTimeoutMs' | 'requestTimeoutMs'>): number {
  return KAFKA_ATTEMPTS * (cluster.connectionTimeoutMs + cluster.requestTimeoutMs) + (KAFKA_ATTEMPTS - 1) * KAFKA_MAX_BACKOFF_MS;
}

/** Every string under `value` with its config key, e.g. `clusters[1].sasl.passwordSecretArn`. */
function stringsWithKeys(value: unknown, key: string, into: [string, string][] = []): [string, string][] {
  if (typeof value === 'string') into.push([key, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => stringsWithKeys(v, `${key}[${i}]`, into));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) stringsWithKeys(v, key === '' ? k : `${key}.${k}`, into);
  }
  return into;
}

const MSK_BROKER_REGION = /\.kafka\.([a-z0-9-]+)\.amazonaws\.com(:\d+)?$/;

/**
 * The checks that only apply to a deployment (`cdk synth`), not to the local CLI reading the same
 * file: what a Lambda cannot read (environment variables, files), secrets that must not land in
 * the template, ids in another region or account, and timeouts that cannot fit the collector's
 * Lambda timeout. Throws ConfigError naming the key and what to use instead.
 */
export function checkDeployConfig(config: AppConfig, where: string | null = null): void {
  const fail = (key: string, message: string): ConfigError => inFile(new ConfigError(key, message), where);
  const ids: [string, string][] = [];
  config.clusters.forEach((cluster, index) => {
    const key = `clusters[${index}]`;
    const { sasl, tls } = cluster.connection;
    if (sasl !== undefined && sasl.mechanism !== 'aws-msk-iam' && sasl.passwordEnv !== undefined) {
      throw fail(
        `${key}.sasl.passwordEnv`,
        `the collector Lambda has no environment variable ${sasl.passwordEnv} to read: store the password in Secrets Manager and set sasl.passwordSecretArn`,
      );
    }
    if (typeof tls === 'object') {
      for (const part of ['ca', 'cert', 'key'] as const) {
        const value = tls[part];
        if (value === undefined || SECRET_ARN.test(value)) continue;
        if (part !== 'ca') {
          throw fail(
            `${key}.tls.${part}`,
            `the TLS client ${part === 'key' ? 'private key' : 'certificate'} must come from Secrets Manager (inline PEM would land in the template and the Lambda environment, a file path does not exist in Lambda): store the PEM as a secret and set tls.${part} to its ARN`,
          );
        }
        if (!value.trimStart().startsWith('-----BEGIN')) {
          throw fail(`${key}.tls.ca`, 'a file path does not exist in Lambda: give the CA certificate as PEM text, or as a Secrets Manager secret ARN');
        }
      }
    }
    const budget = hungRequestBudgetMs(cluster.connection);
    const limit = collectorTimeoutMs(config.snapshotIntervalMs) - COLLECTOR_FINISH_MARGIN_MS;
    if (budget > limit) {
      throw fail(
        `${key}.requestTimeoutMs`,
        `a hung broker would time the collector Lambda out instead of recording a failed run: ${KAFKA_ATTEMPTS} attempts × (connectionTimeoutMs ${cluster.connection.connectionTimeoutMs} + requestTimeoutMs ${cluster.connection.requestTimeoutMs}) + backoff = ${budget} ms, over the ${limit} ms the collector has (timeout ${collectorTimeoutMs(config.snapshotIntervalMs)} ms at snapshotIntervalMs ${config.snapshotIntervalMs}, minus ${COLLECTOR_FINISH_MARGIN_MS} ms to record it); lower the timeouts or raise snapshotIntervalMs`,
      );
    }
    for (const [k, v] of stringsWithKeys(cluster.source, key)) if (v.startsWith('arn:')) ids.push([k, v]);
    cluster.secretKeyArns.forEach((arn, i) => ids.push([`${key}.secretKeyArns[${i}]`, arn]));
    if (sasl?.mechanism === 'aws-msk-iam') ids.push([`${key}.sasl.region`, `region:${sasl.region}`]);
    cluster.connection.brokers.forEach((broker, i) => {
      const region = MSK_BROKER_REGION.exec(broker)?.[1];
      if (region !== undefined) ids.push([`${key}.brokers[${i}]`, `region:${region}`]);
    });
  });
  if (config.slack?.webhookSecretArn) ids.push(['slack.webhookSecretArn', config.slack.webhookSecretArn]);

  const located = ids.map(([key, id]) => {
    const parts = id.startsWith('region:') ? { region: id.slice('region:'.length), account: '' } : arnRegionAccount(id);
    return { key, region: parts?.region ?? '', account: parts?.account ?? '' };
  });
  const withRegion = located.filter((l) => l.region !== '');
  if (config.region === null) {
    const first = withRegion[0];
    if (first !== undefined) {
      throw fail(
        'region',
        `is not set, but ${first.key} is in ${first.region}: set "region": "${first.region}" so synth does not target whatever region the CLI profile (or us-east-1) gives`,
      );
    }
  } else {
    for (const l of withRegion) {
      if (l.region !== config.region) {
        throw fail(
          l.key,
          `is in ${l.region} but the stack deploys to region ${config.region}: the collector reads secrets, keys and MSK in its own region (and its VPC endpoints are regional); use one in ${config.region}, or deploy a stack in ${l.region}`,
        );
      }
    }
  }
  if (config.account !== null) {
    for (const l of located) {
      if (l.account !== '' && l.account !== config.account) {
        throw fail(l.key, `is in account ${l.account} but the stack deploys to account ${config.account}: use a resource of that account (cross-account access is not set up by lagwatch)`);
      }
    }
  }
}

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
