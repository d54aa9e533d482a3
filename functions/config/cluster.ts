// Connection config for the Kafka clusters lagwatch watches, validated at startup (zod): a bad value
// fails fast with a ConfigError naming the key, e.g. `clusters[0].sasl.mechanism`. Secrets are never
// inline: a SASL password comes from an env var or a Secrets Manager secret the adapter resolves.
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { configErrorOf } from './config-error.js';
import { compilePattern } from '../core/policy.js';

const HOST_PORT = /^[^\s:/]+:[0-9]{1,5}$/;

/** A sanity bound on `shards`: 64 shards at one shard's measured ceiling is far past any cluster
 * seen (docs/aws.md § "Sharding a large cluster"). */
export const MAX_SHARDS = 64;

/** A password source: exactly one of an env var name or a Secrets Manager secret ARN. A secret may
 * be a plain string or JSON `{"username": ..., "password": ...}` (the MSK `AmazonMSK_*` format). */
const passwordSource = {
  passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
  passwordSecretArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$/, 'must be a Secrets Manager secret ARN')
    .optional(),
};

const saslPlainSchema = z.strictObject({
  mechanism: z.literal('plain'),
  username: z.string().min(1),
  ...passwordSource,
});

const saslScramSchema = z.strictObject({
  mechanism: z.enum(['scram-sha-256', 'scram-sha-512']),
  /** Optional when the secret is JSON carrying the username. */
  username: z.string().min(1).optional(),
  ...passwordSource,
});

const saslIamSchema = z.strictObject({
  mechanism: z.literal('aws-msk-iam'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-[0-9]$/, 'must be an AWS region such as eu-west-1'),
  /** Needed by the CDK stack for the IAM policy; the collector itself does not use it. */
  clusterArn: z.string().regex(/^arn:aws[a-z-]*:kafka:/, 'must be an MSK cluster ARN').optional(),
});

/** PEM text (starts with -----BEGIN) or a path to a PEM file, read once at startup. */
const pem = z.string().min(1);

const tlsSchema = z.union([
  z.boolean(),
  z.strictObject({
    ca: pem.optional(),
    cert: pem.optional(),
    key: pem.optional(),
    /** Only for local tests against self-signed brokers; never in production. */
    rejectUnauthorized: z.boolean().default(true),
    servername: z.string().optional(),
  }),
]);

export const clusterConfigSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, . _ or -'),
    brokers: z.array(z.string().regex(HOST_PORT, 'must be HOST:PORT')).min(1),
    clientId: z.string().min(1).default('lagwatch'),
    tls: tlsSchema.default(false),
    sasl: z.discriminatedUnion('mechanism', [saslPlainSchema, saslScramSchema, saslIamSchema]).optional(),
    groups: z
      .strictObject({
        /** Group-name patterns to watch (glob or /regex/); default every group. */
        allow: z.array(z.string().min(1)).default(['*']),
        /** Patterns to skip; deny wins over allow. */
        deny: z.array(z.string().min(1)).default([]),
      })
      .default({ allow: ['*'], deny: [] }),
    /** Groups read at once. */
    concurrency: z.number().int().min(1).max(500).default(20),
    connectionTimeoutMs: z.number().int().min(100).max(60_000).default(3_000),
    /** Per Kafka request; keep well under the Lambda timeout. */
    requestTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    /** Collector schedules the cluster's groups are split over by a stable hash of the group name
     * (functions/core/shard.ts); each writes its own run record and is evaluated on its own. 1 = one
     * run for the whole cluster (the default when unset: read it with shardCount). When to raise
     * it: docs/aws.md § "Sharding a large cluster". */
    shards: z
      .number({ error: 'must be a whole number of collector shards, at least 1' })
      .int('must be a whole number of collector shards, at least 1')
      .min(1, 'must be at least 1 (1 = one collector run for the whole cluster)')
      .max(MAX_SHARDS, `must be at most ${MAX_SHARDS}`)
      .optional(),
  })
  .superRefine((cluster, ctx) => {
    for (const list of ['allow', 'deny'] as const) {
      cluster.groups[list].forEach((pattern, i) => {
        try {
          compilePattern(pattern);
        } catch (error) {
          ctx.addIssue({
            code: 'custom',
            path: ['groups', list, i],
            message: `invalid pattern ${JSON.stringify(pattern)}: ${(error as Error).message}`,
          });
        }
      });
    }
    const sasl = cluster.sasl;
    if (sasl && sasl.mechanism !== 'aws-msk-iam') {
      const sources = [sasl.passwordEnv, sasl.passwordSecretArn].filter((s) => s !== undefined).length;
      if (sources !== 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['sasl', 'passwordEnv'],
          message: 'set exactly one of passwordEnv or passwordSecretArn',
        });
      }
      if (sasl.mechanism !== 'plain' && sasl.username === undefined && sasl.passwordSecretArn === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['sasl', 'username'],
          message: 'required unless the password comes from a JSON secret that holds it',
        });
      }
    }
    if (sasl?.mechanism === 'aws-msk-iam' && cluster.tls === false) {
      ctx.addIssue({ code: 'custom', path: ['tls'], message: 'MSK IAM needs TLS: set tls to true (port 9098)' });
    }
  });

export type ClusterConfig = z.infer<typeof clusterConfigSchema>;
export type SaslConfig = NonNullable<ClusterConfig['sasl']>;
export type TlsConfig = ClusterConfig['tls'];

export const clustersConfigSchema = z
  .strictObject({ clusters: z.array(clusterConfigSchema).min(1) })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.clusters.forEach((cluster, i) => {
      if (seen.has(cluster.name)) {
        ctx.addIssue({ code: 'custom', path: ['clusters', i, 'name'], message: `duplicate cluster name ${cluster.name}` });
      }
      seen.add(cluster.name);
    });
  });

export type ClustersConfig = z.infer<typeof clustersConfigSchema>;

/** Validates one cluster's config; `keyPrefix` names it in errors (e.g. `clusters[2]`). */
export function parseClusterConfig(value: unknown, keyPrefix = 'cluster'): ClusterConfig {
  const result = clusterConfigSchema.safeParse(value);
  if (!result.success) throw configErrorOf(result.error, keyPrefix);
  return result.data;
}

/** Validates `{ "clusters": [...] }`; a bare array or a single cluster object is accepted too. */
export function parseClustersConfig(value: unknown): ClusterConfig[] {
  const wrapped = Array.isArray(value)
    ? { clusters: value }
    : value !== null && typeof value === 'object' && !('clusters' in value)
      ? { clusters: [value] }
      : value;
  const result = clustersConfigSchema.safeParse(wrapped);
  if (!result.success) throw configErrorOf(result.error, '');
  return result.data.clusters;
}

/** Parses the JSON text of an env var (ENV.clusterConfig) naming the variable on bad JSON. */
export function parseClustersJson(text: string | undefined, source: string): ClusterConfig[] {
  if (text === undefined || text.trim() === '') throw new ConfigError(source, 'is not set: give the cluster connection config as JSON');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(source, `is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  return parseClustersConfig(value);
}

/** How many shards the cluster's groups are split over: `shards`, 1 when unset. */
export function shardCount(cluster: Pick<ClusterConfig, 'shards'>): number {
  return cluster.shards ?? 1;
}

/** Whether a group is watched: it matches an allow pattern and no deny pattern. */
export function groupFilter(groups: ClusterConfig['groups']): (group: string) => boolean {
  const allow = groups.allow.map(compilePattern);
  const deny = groups.deny.map(compilePattern);
  return (group) => allow.some((p) => p.test(group)) && !deny.some((p) => p.test(group));
}
