// The app config (functions/config/app-config.ts): every bad input fails with the key named, and
// the committed example is valid as is.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAppConfig, parseAppConfig } from '../../functions/config/app-config.js';
import { ConfigError } from '../../functions/core/errors.js';
import { EXAMPLE_PATH, exampleConfig, minimalConfig } from './infra/fixtures.js';

function configError(value: unknown): ConfigError {
  try {
    parseAppConfig(value);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, the config was accepted');
}

describe('the committed example config', () => {
  it('is valid and keeps what it says', () => {
    const config = loadAppConfig(EXAMPLE_PATH);
    expect(config.clusters.map((c) => c.connection.name)).toEqual(['prod-msk', 'analytics']);
    const [msk, analytics] = config.clusters;
    expect(msk?.network?.subnetIds).toHaveLength(2);
    expect(msk?.mskClusterArn).toMatch(/^arn:aws:kafka:eu-west-1:123456789012:cluster\/prod-msk\//);
    expect(msk?.source).not.toHaveProperty('network');
    expect(analytics?.network).toBeNull();
    expect(analytics?.secretArns).toEqual(['arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_lagwatch-AbCdEf']);
    expect(config.policy.defaults.team).toBe('platform');
    expect(config.policy.defaults.repeatIntervalMs).toBe(3_600_000);
    expect(config.slack?.chatbot).toEqual({ workspaceId: 'T0123ABCDEF', channelId: 'C0123ABCDEF' });
  });

  it('fills defaults for a minimal config', () => {
    const config = parseAppConfig(minimalConfig());
    expect(config).toMatchObject({ stackName: 'Lagwatch', snapshotIntervalMs: 60_000, dashboardName: 'lagwatch', slack: null });
    expect(config.clusters[0]?.network).toBeNull();
    expect(config.clusters[0]?.mskClusterArn).toBeNull();
  });
});

// Each case: what is wrong, the key the error must name, and a word the message must contain.
const badInputs: { reason: string; edit: (c: Record<string, any>) => void; key: string; says: RegExp }[] = [
  {
    reason: 'an expected partition count that is not a whole positive number',
    edit: (c) => (c.clusters[0].expectedPartitions = 0),
    key: 'clusters[0].expectedPartitions',
    says: />=1|too small/i,
  },
  {
    reason: 'a private cluster (vpcId) without subnets',
    edit: (c) => delete c.clusters[0].network.subnetIds,
    key: 'clusters[0].network.subnetIds',
    says: /private.*no subnets/,
  },
  {
    reason: 'a private cluster with an empty subnet list',
    edit: (c) => (c.clusters[0].network.subnetIds = []),
    key: 'clusters[0].network.subnetIds',
    says: /no subnets/,
  },
  {
    reason: 'endpoints wanted but no route tables for the DynamoDB gateway endpoint',
    edit: (c) => (c.clusters[0].network.routeTableIds = []),
    key: 'clusters[0].network.routeTableIds',
    says: /route tables/,
  },
  {
    reason: 'IAM auth without a cluster ARN',
    edit: (c) => delete c.clusters[0].sasl.clusterArn,
    key: 'clusters[0].sasl.clusterArn',
    says: /MSK IAM/,
  },
  {
    reason: 'IAM auth with an ARN that is not an MSK cluster ARN',
    edit: (c) => (c.clusters[0].sasl.clusterArn = 'arn:aws:kafka:eu-west-1:123456789012:topic/x'),
    key: 'clusters[0].sasl.clusterArn',
    says: /cluster\/NAME\/UUID/,
  },
  {
    reason: 'an unknown team in a policy override',
    edit: (c) => (c.policy.overrides[0].team = 'paymnets'),
    key: 'policy.overrides[0].team',
    says: /unknown team "paymnets"/,
  },
  {
    reason: 'an unknown default team',
    edit: (c) => (c.policy.defaults.team = 'nobody'),
    key: 'policy.defaults.team',
    says: /unknown team "nobody"/,
  },
  {
    reason: 'duplicate cluster names',
    edit: (c) => (c.clusters[1].name = 'prod-msk'),
    key: 'clusters[1].name',
    says: /duplicate cluster name "prod-msk"/,
  },
  {
    reason: 'two cluster names that map to the same resource name',
    edit: (c) => (c.clusters[1].name = 'prod.msk'),
    key: 'clusters[1].name',
    says: /same resource name/,
  },
  {
    reason: 'Slack with neither Chatbot ids nor a webhook secret',
    edit: (c) => (c.slack = {}),
    key: 'slack',
    says: /workspaceId and channelId.*webhookSecretArn/,
  },
  {
    reason: 'Chatbot with a workspace but no channel',
    edit: (c) => delete c.slack.channelId,
    key: 'slack.channelId',
    says: /both/,
  },
  {
    reason: 'a duplicate team',
    edit: (c) => c.teams.push({ name: 'payments', emails: [] }),
    key: 'teams[2].name',
    says: /duplicate team/,
  },
  {
    reason: 'a snapshot interval under EventBridge Scheduler’s minute',
    edit: (c) => (c.snapshotIntervalMs = 30_000),
    key: 'snapshotIntervalMs',
    says: /once a minute/,
  },
  {
    reason: 'a snapshot interval that is not whole minutes',
    edit: (c) => (c.snapshotIntervalMs = 90_000),
    key: 'snapshotIntervalMs',
    says: /whole minutes/,
  },
  {
    reason: 'a misspelt top-level key',
    edit: (c) => (c.dashbordName = 'x'),
    key: 'dashbordName',
    says: /unknown key/,
  },
  {
    reason: 'a bad email address',
    edit: (c) => (c.teams[0].emails = ['not-an-email']),
    key: 'teams[0].emails[0]',
    says: /email/,
  },
  {
    reason: 'a bad connection value (checked by the cluster schema)',
    edit: (c) => (c.clusters[1].sasl.mechanism = 'kerberos'),
    key: 'clusters[1].sasl.mechanism',
    says: /must be one of/,
  },
  {
    reason: 'a bad policy value (checked by the policy schema)',
    edit: (c) => (c.policy.defaults.windowSize = 1),
    key: 'policy.defaults.windowSize',
    says: /./,
  },
  {
    reason: 'a bad subnet id',
    edit: (c) => (c.clusters[0].network.subnetIds = ['sub-1']),
    key: 'clusters[0].network.subnetIds[0]',
    says: /subnet id/,
  },
  {
    reason: 'a bad KMS key ARN for a secret',
    edit: (c) => (c.clusters[1].secretKeyArns = ['alias/foo']),
    key: 'clusters[1].secretKeyArns[0]',
    says: /KMS key ARN/,
  },
  {
    reason: 'no clusters',
    edit: (c) => (c.clusters = []),
    key: 'clusters',
    says: /at least one cluster/,
  },
  {
    reason: 'a cluster that is not an object',
    edit: (c) => (c.clusters[0] = 'b-1:9092'),
    key: 'clusters[0]',
    says: /expected an object/,
  },
];

describe('bad input fails with the key named', () => {
  it.each(badInputs)('$reason → $key', ({ edit, key, says }) => {
    const config = exampleConfig();
    edit(config);
    const error = configError(config);
    expect(error.key).toBe(key);
    expect(error.message).toMatch(says);
    expect(error.message.startsWith(`config ${key}: `)).toBe(true);
  });
});

describe('loadAppConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lagwatch-config-'));

  it('names the file and the key', () => {
    const config = exampleConfig();
    config.policy.overrides[1].team = 'ghost';
    const path = join(dir, 'bad-team.json');
    writeFileSync(path, JSON.stringify(config));
    expect(() => loadAppConfig(path)).toThrow(
      expect.objectContaining({ key: 'policy.overrides[1].team', message: expect.stringContaining(path) }),
    );
  });

  it('names the file for errors raised by the cluster and policy schemas too', () => {
    const config = exampleConfig();
    config.clusters[0].brokers = ['no-port'];
    const path = join(dir, 'bad-broker.json');
    writeFileSync(path, JSON.stringify(config));
    expect(() => loadAppConfig(path)).toThrow(
      expect.objectContaining({ key: 'clusters[0].brokers[0]', message: expect.stringContaining(path) }),
    );
  });

  it('reports invalid JSON and a missing file with the path', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{ "clusters": [ ');
    expect(() => loadAppConfig(path)).toThrow(/broken\.json is not valid JSON/);
    expect(() => loadAppConfig(join(dir, 'absent.json'))).toThrow(/cannot read .*absent\.json/);
  });
});
