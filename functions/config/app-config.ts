// The whole lagwatch deployment in one typed object: clusters, snapshot interval, policy, teams,
// Slack, dashboard. Read by `cdk synth` (infra/app.ts) and by the local CLI's `--config FILE`.
// Every bad value fails here, naming its key — at synth, never at 3 a.m. in a Lambda.
// What a deployment derives from it (Lambda memory and timeouts) and the deploy-only checks are in
// deployment.ts. Over 300 lines on purpose: the schema (declarative, one key a few lines) and the
// one parse that checks across its keys read best side by side.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { PolicyConfig } from '../core/policy.js';
import { parseClusterConfig, type ClusterConfig } from './cluster.js';
import { configErrorOf, inFile } from './config-error.js';
import { parsePolicyConfig } from './policy.js';

const MINUTE_MS = 60_000;

const secretArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/, {
    message: 'expected a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME)',
  });
/** arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID — the topic and group ARNs are derived from it. */
export const MSK_CLUSTER_ARN = /^arn:(aws[a-z-]*):kafka:([a-z0-9-]+):(\d{12}):cluster\/([^/]+)\/([^/]+)$/;

const networkSchema = z.strictObject({
  vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, { message: 'expected a VPC id (vpc-...)' }),
  /** Private subnets the collector runs in; they must reach the brokers. */
  subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, { message: 'expected a subnet id (subnet-...)' })).optional(),
  /** Extra security groups for the collector (e.g. the one the brokers allow). */
  securityGroupIds: z
    .array(z.string().regex(/^sg-[0-9a-f]+$/, { message: 'expected a security-group id (sg-...)' }))
    .default([]),
  /** Route tables of those subnets: the DynamoDB gateway endpoint attaches to them. */
  routeTableIds: z
    .array(z.string().regex(/^rtb-[0-9a-f]+$/, { message: 'expected a route-table id (rtb-...)' }))
    .default([]),
  /** false when the VPC already reaches DynamoDB, CloudWatch and Secrets Manager (NAT or existing endpoints). */
  createEndpoints: z.boolean().default(true),
});

const kmsKeyArns = z.array(
  z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/, {
    message: 'expected a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)',
  }),
);

const teamSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'letters, digits, . _ - only (1-64)' }),
  emails: z.array(z.email({ message: 'expected an email address' })).default([]),
  /** Lowest alert severity the team's email takes (SNS filter on the `severity` attribute); chat takes all. */
  emailSeverity: z.enum(['WARNING', 'ERROR'], { message: 'WARNING or ERROR' }).default('ERROR'),
});

const slackSchema = z.strictObject({
  /** Amazon Q Developer in chat applications (AWS Chatbot): the Slack workspace (team) id, e.g. T0123ABCD. */
  workspaceId: z.string().regex(/^[A-Z0-9]+$/, { message: 'expected a Slack workspace id such as T0123ABCD' }).optional(),
  /** The Slack channel id, e.g. C0123ABCD. */
  channelId: z.string().regex(/^[A-Z0-9]+$/, { message: 'expected a Slack channel id such as C0123ABCD' }).optional(),
  /** Or: a Secrets Manager secret whose value is a Slack incoming-webhook URL (forwarder Lambda). */
  webhookSecretArn: secretArn.optional(),
});

const rawAppConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  /** Free text, ignored: lets the example file carry its own explanation. */
  $comment: z.string().optional(),
  stackName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, { message: 'a CloudFormation stack name: a letter, then letters, digits, -' })
    .default('Lagwatch'),
  account: z.string().regex(/^\d{12}$/, { message: 'a 12-digit AWS account id' }).optional(),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { message: 'an AWS region such as us-east-1' }).optional(),
  snapshotIntervalMs: z
    .number()
    .int()
    .min(MINUTE_MS, { message: 'EventBridge Scheduler runs at most once a minute: use 60000 or more' })
    .multipleOf(MINUTE_MS, { message: 'must be whole minutes (a multiple of 60000)' })
    .default(MINUTE_MS),
  /** Each entry: the cluster connection (functions/config/cluster.ts) plus an optional `network`. */
  clusters: z.array(z.unknown()).min(1, { message: 'configure at least one cluster' }),
  policy: z.unknown().default({}),
  teams: z.array(teamSchema).min(1, { message: 'configure at least one team (the policy default team)' }),
  slack: slackSchema.optional(),
  dashboardName: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/, { message: 'letters, digits, _ and - only (1-200)' })
    .default('lagwatch'),
  ops: z
    .strictObject({
      /** Who gets the self-health alarms (collector errors, no snapshots, evaluator errors). */
      emails: z.array(z.email({ message: 'expected an email address' })).default([]),
    })
    .default({ emails: [] }),
  logRetentionDays: z
    .union([z.literal(7), z.literal(14), z.literal(30), z.literal(90), z.literal(365)], {
      message: 'one of 7, 14, 30, 90, 365',
    })
    .default(30),
});

export type ClusterNetwork = z.infer<typeof networkSchema> & { readonly subnetIds: readonly string[] };
export type TeamConfig = z.infer<typeof teamSchema>;

export interface SlackConfig {
  readonly chatbot: { readonly workspaceId: string; readonly channelId: string } | null;
  readonly webhookSecretArn: string | null;
}

export interface DeployedCluster {
  /** The parsed connection config. */
  readonly connection: ClusterConfig;
  /** The connection config as written (without `network`): the collector re-parses it at cold start. */
  readonly source: Readonly<Record<string, unknown>>;
  /** Where the collector runs; null = outside any VPC (public brokers). */
  readonly network: ClusterNetwork | null;
  /** Safe for resource names and dashboard names: [A-Za-z0-9-]. */
  readonly resourceName: string;
  /** MSK IAM auth: the cluster ARN; null for other auth kinds. */
  readonly mskClusterArn: string | null;
  /** Every Secrets Manager ARN the collector must read (SCRAM password, TLS material). */
  readonly secretArns: readonly string[];
  /** Customer-managed KMS keys of those secrets (MSK SCRAM secrets need one): kms:Decrypt via Secrets Manager. */
  readonly secretKeyArns: readonly string[];
  /** Group-partitions the cluster is expected to hold (sizes the evaluator's memory). */
  readonly expectedPartitions: number;
}

/** Default for `clusters[].expectedPartitions`: what one evaluator at the default memory holds with room to spare. */
export const DEFAULT_EXPECTED_PARTITIONS = 20_000;

const expectedPartitionsSchema = z
  .number()
  .int()
  .min(1)
  .max(1_000_000, { message: 'at most 1,000,000 group-partitions per cluster (split the cluster into several configs beyond)' })
  .default(DEFAULT_EXPECTED_PARTITIONS);

export interface AppConfig {
  readonly stackName: string;
  readonly account: string | null;
  readonly region: string | null;
  readonly snapshotIntervalMs: number;
  readonly clusters: readonly DeployedCluster[];
  readonly policy: PolicyConfig;
  /** The policy as written: the evaluator re-parses it at cold start. */
  readonly policySource: unknown;
  readonly teams: readonly TeamConfig[];
  readonly slack: SlackConfig | null;
  readonly dashboardName: string;
  readonly opsEmails: readonly string[];
  readonly logRetentionDays: number;
}

function resourceNameOf(name: string): string {
  return name.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'cluster';
}

/** Secret ARNs anywhere in a cluster's connection config (SCRAM password, TLS files...). */
function collectSecretArns(value: unknown, into: Set<string>): Set<string> {
  if (typeof value === 'string') {
    if (/^arn:aws[a-z-]*:secretsmanager:/.test(value)) into.add(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectSecretArns(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) collectSecretArns(item, into);
  }
  return into;
}

/**
 * Validates a parsed JSON value as the lagwatch app config. Throws ConfigError naming the key
 * (`clusters[1].network.subnetIds`); `where` (a file name) is added to the message.
 */
export function parseAppConfig(value: unknown, where: string | null = null): AppConfig {
  const plainWebhook = plainWebhookKey(value);
  if (plainWebhook !== null) {
    const message =
      'a Slack webhook URL is a secret: do not put it in the config (it would land in the template and the Lambda environment); store it in Secrets Manager and set slack.webhookSecretArn';
    throw inFile(new ConfigError(plainWebhook, message), where);
  }
  const raw = rawAppConfigSchema.safeParse(value);
  if (!raw.success) throw configErrorOf(raw.error, '', where);
  const input = raw.data;
  const fail = (key: string, message: string): ConfigError => inFile(new ConfigError(key, message), where);

  /** Runs another module's parser, adding the file name to its ConfigError. */
  const withFile = <T>(parse: () => T): T => {
    try {
      return parse();
    } catch (error) {
      throw error instanceof ConfigError ? inFile(error, where) : error;
    }
  };
  const policy: PolicyConfig = withFile(() => parsePolicyConfig(input.policy, 'policy', { snapshotIntervalMs: input.snapshotIntervalMs }));

  const clusters: DeployedCluster[] = [];
  const seenNames = new Map<string, number>();
  const seenResourceNames = new Map<string, number>();
  input.clusters.forEach((entry, index) => {
    const key = `clusters[${index}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw fail(key, 'expected an object with the cluster connection (name, brokers, ...)');
    }
    // `network` and `secretKeyArns` are about where the collector runs, not how it connects: they
    // are split off here and the rest is the connection config the collector re-parses.
    const { network: rawNetwork, secretKeyArns: rawKeyArns, expectedPartitions: rawExpected, ...source } = entry as Record<string, unknown>;
    const keyArnsResult = kmsKeyArns.default([]).safeParse(rawKeyArns);
    if (!keyArnsResult.success) throw configErrorOf(keyArnsResult.error, `${key}.secretKeyArns`, where);
    const expectedResult = expectedPartitionsSchema.safeParse(rawExpected);
    if (!expectedResult.success) throw configErrorOf(expectedResult.error, `${key}.expectedPartitions`, where);
    const connection = withFile(() => parseClusterConfig(source, key));

    let network: ClusterNetwork | null = null;
    if (rawNetwork !== undefined) {
      const networkResult = networkSchema.safeParse(rawNetwork);
      if (!networkResult.success) throw configErrorOf(networkResult.error, `${key}.network`, where);
      const { subnetIds, ...rest } = networkResult.data;
      if (subnetIds === undefined || subnetIds.length === 0) {
        throw fail(
          `${key}.network.subnetIds`,
          `cluster "${connection.name}" is private (network.vpcId is set) but has no subnets: list the private subnets the collector runs in`,
        );
      }
      if (rest.createEndpoints && rest.routeTableIds.length === 0) {
        throw fail(
          `${key}.network.routeTableIds`,
          `cluster "${connection.name}": the DynamoDB gateway endpoint needs the subnets' route tables; list them, or set network.createEndpoints to false when the VPC already has a NAT gateway or endpoints`,
        );
      }
      network = { ...rest, subnetIds };
    }

    const previous = seenNames.get(connection.name);
    if (previous !== undefined) {
      throw fail(`${key}.name`, `duplicate cluster name "${connection.name}" (also clusters[${previous}].name)`);
    }
    seenNames.set(connection.name, index);
    const resourceName = resourceNameOf(connection.name);
    const clash = seenResourceNames.get(resourceName.toLowerCase());
    if (clash !== undefined) {
      throw fail(
        `${key}.name`,
        `cluster name "${connection.name}" maps to the same resource name "${resourceName}" as clusters[${clash}]: rename one`,
      );
    }
    seenResourceNames.set(resourceName.toLowerCase(), index);

    const sasl = connection.sasl;
    let mskClusterArn: string | null = null;
    if (sasl?.mechanism === 'aws-msk-iam') {
      const arn = sasl.clusterArn;
      if (arn === undefined || arn === '') {
        throw fail(
          `${key}.sasl.clusterArn`,
          `cluster "${connection.name}" uses MSK IAM auth: set the MSK cluster ARN so the collector's IAM policy can be scoped to it`,
        );
      }
      if (!MSK_CLUSTER_ARN.test(arn)) {
        throw fail(`${key}.sasl.clusterArn`, 'expected arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID');
      }
      mskClusterArn = arn;
    }
    clusters.push({
      connection,
      source,
      network,
      resourceName,
      mskClusterArn,
      secretArns: [...collectSecretArns(source, new Set())].sort(),
      secretKeyArns: keyArnsResult.data,
      expectedPartitions: expectedResult.data,
    });
  });

  const teamNames = new Set<string>();
  input.teams.forEach((team, index) => {
    if (teamNames.has(team.name)) throw fail(`teams[${index}].name`, `duplicate team "${team.name}"`);
    teamNames.add(team.name);
  });
  const known = [...teamNames].join(', ');
  if (!teamNames.has(policy.defaults.team)) {
    throw fail('policy.defaults.team', `unknown team "${policy.defaults.team}": add it to teams (known: ${known})`);
  }
  policy.overrides.forEach((override, index) => {
    if (override.team !== undefined && !teamNames.has(override.team)) {
      throw fail(`policy.overrides[${index}].team`, `unknown team "${override.team}": add it to teams (known: ${known})`);
    }
  });

  let slack: SlackConfig | null = null;
  if (input.slack !== undefined) {
    const { workspaceId, channelId, webhookSecretArn } = input.slack;
    if (workspaceId === undefined && channelId === undefined && webhookSecretArn === undefined) {
      throw fail('slack', 'set workspaceId and channelId (Amazon Q Developer / AWS Chatbot) or webhookSecretArn, or remove slack');
    }
    if ((workspaceId === undefined) !== (channelId === undefined)) {
      throw fail(
        workspaceId === undefined ? 'slack.workspaceId' : 'slack.channelId',
        'Chatbot needs both slack.workspaceId and slack.channelId',
      );
    }
    slack = {
      chatbot: workspaceId !== undefined && channelId !== undefined ? { workspaceId, channelId } : null,
      webhookSecretArn: webhookSecretArn ?? null,
    };
  }

  return {
    stackName: input.stackName,
    account: input.account ?? null,
    region: input.region ?? null,
    snapshotIntervalMs: input.snapshotIntervalMs,
    clusters,
    policy,
    policySource: input.policy,
    teams: input.teams,
    slack,
    dashboardName: input.dashboardName,
    opsEmails: input.ops.emails,
    logRetentionDays: input.logRetentionDays,
  };
}

/** The key of a Slack incoming-webhook URL written in plain text under `slack`, or null. */
function plainWebhookKey(value: unknown): string | null {
  const slack = (value as { slack?: unknown } | null)?.slack;
  if (slack === null || typeof slack !== 'object') return null;
  for (const [key, v] of Object.entries(slack)) {
    if (key === 'webhookUrl' || (typeof v === 'string' && /^https?:\/\//.test(v))) return `slack.${key}`;
  }
  return null;
}

/** Reads and validates a config file; errors name the file and the key. */
export function loadAppConfig(path: string): AppConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfigError('(file)', `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError('(file)', `${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  return parseAppConfig(value, path);
}
