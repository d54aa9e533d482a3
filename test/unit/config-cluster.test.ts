// Cluster connection config: validation names the bad key; secrets and PEM files resolve at startup.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKafkaConfig } from '../../functions/adapters/kafka/kafka-connection.js';
import { groupFilter, parseClusterConfig, shardCount, parseClustersConfig, parseClustersJson } from '../../functions/config/cluster.js';
import { ConfigError } from '../../functions/core/errors.js';

const base = { name: 'prod', brokers: ['b-1.example:9096'] };
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:AmazonMSK_prod-AbCdEf';

function keyOf(value: unknown): string {
  try {
    parseClustersConfig(value);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).key;
  }
  throw new Error('expected a ConfigError');
}

describe('parseClustersConfig', () => {
  it('fills defaults for a minimal cluster', () => {
    expect(parseClustersConfig({ clusters: [base] })).toEqual([
      {
        ...base,
        clientId: 'lagwatch',
        tls: false,
        groups: { allow: ['*'], deny: [] },
        concurrency: 20,
        connectionTimeoutMs: 3000,
        requestTimeoutMs: 10000,
      },
    ]);
  });

  it('accepts several clusters with every auth kind', () => {
    const clusters = parseClustersConfig({
      clusters: [
        { ...base, tls: true, sasl: { mechanism: 'scram-sha-512', passwordSecretArn: ARN } },
        { name: 'iam', brokers: ['b:9098'], tls: true, sasl: { mechanism: 'aws-msk-iam', region: 'eu-west-1' } },
        { name: 'confluent', brokers: ['x.confluent.cloud:9092'], tls: true, sasl: { mechanism: 'plain', username: 'KEY', passwordEnv: 'CC_SECRET' } },
        { name: 'mtls', brokers: ['b:9094'], tls: { ca: '/etc/ca.pem', cert: '/etc/c.pem', key: '/etc/k.pem' } },
      ],
    });
    expect(clusters.map((c) => c.sasl?.mechanism ?? 'none')).toEqual(['scram-sha-512', 'aws-msk-iam', 'plain', 'none']);
  });

  it.each([
    ['unknown SASL mechanism', { clusters: [{ ...base, sasl: { mechanism: 'gssapi' } }] }, 'clusters[0].sasl.mechanism'],
    ['broker without port', { clusters: [base, { name: 'b', brokers: ['host'] }] }, 'clusters[1].brokers[0]'],
    ['no brokers', { clusters: [{ name: 'a', brokers: [] }] }, 'clusters[0].brokers'],
    ['password from nowhere', { clusters: [{ ...base, sasl: { mechanism: 'scram-sha-256', username: 'u' } }] }, 'clusters[0].sasl.passwordEnv'],
    ['two password sources', { clusters: [{ ...base, sasl: { mechanism: 'plain', username: 'u', passwordEnv: 'X', passwordSecretArn: ARN } }] }, 'clusters[0].sasl.passwordEnv'],
    ['scram user missing with env password', { clusters: [{ ...base, sasl: { mechanism: 'scram-sha-256', passwordEnv: 'X' } }] }, 'clusters[0].sasl.username'],
    ['not a secret ARN', { clusters: [{ ...base, sasl: { mechanism: 'scram-sha-256', passwordSecretArn: 'prod-secret' } }] }, 'clusters[0].sasl.passwordSecretArn'],
    ['IAM without TLS', { clusters: [{ ...base, sasl: { mechanism: 'aws-msk-iam', region: 'eu-west-1' } }] }, 'clusters[0].tls'],
    ['IAM bad region', { clusters: [{ ...base, tls: true, sasl: { mechanism: 'aws-msk-iam', region: 'Ireland' } }] }, 'clusters[0].sasl.region'],
    ['invalid regex pattern', { clusters: [{ ...base, groups: { allow: ['/(/'] } }] }, 'clusters[0].groups.allow[0]'],
    ['concurrency 0', { clusters: [{ ...base, concurrency: 0 }] }, 'clusters[0].concurrency'],
    ['misspelt key', { clusters: [{ ...base, brokerz: [] }] }, 'clusters[0].brokerz'],
    ['duplicate names', { clusters: [base, base] }, 'clusters[1].name'],
    ['empty list', { clusters: [] }, 'clusters'],
  ])('rejects %s naming %s', (_reason, value, key) => {
    expect(keyOf(value)).toBe(key);
  });

  it.each([
    { shards: 0, reason: 'no shards', message: /config clusters\[0\]\.shards: must be at least 1/ },
    { shards: -2, reason: 'negative', message: /config clusters\[0\]\.shards: must be at least 1/ },
    { shards: 2.5, reason: 'fractional', message: /config clusters\[0\]\.shards: must be a whole number of collector shards/ },
    { shards: '2', reason: 'a string', message: /config clusters\[0\]\.shards: must be a whole number of collector shards/ },
    { shards: 65, reason: 'past the sanity bound', message: /config clusters\[0\]\.shards: must be at most 64/ },
  ])('rejects shards $shards ($reason), naming clusters[0].shards', ({ shards, message }) => {
    expect(keyOf({ clusters: [{ ...base, shards }] })).toBe('clusters[0].shards');
    expect(() => parseClustersConfig({ clusters: [{ ...base, shards }] })).toThrow(message);
  });

  it('reads shards, 1 when unset', () => {
    const [plain, split] = parseClustersConfig({ clusters: [base, { ...base, name: 'big', shards: 4 }] });
    expect([shardCount(plain!), shardCount(split!)]).toEqual([1, 4]);
  });

  it('names the env var on bad JSON', () => {
    expect(() => parseClustersJson('{nope', 'LAGWATCH_CLUSTER_CONFIG')).toThrow(/config LAGWATCH_CLUSTER_CONFIG: is not valid JSON/);
    expect(() => parseClustersJson(undefined, 'LAGWATCH_CLUSTER_CONFIG')).toThrow(/is not set/);
  });

  it('accepts a single cluster object and a bare array', () => {
    expect(parseClustersConfig(base)).toHaveLength(1);
    expect(parseClustersConfig([base, { ...base, name: 'b' }])).toHaveLength(2);
    expect(parseClusterConfig(base, 'x').name).toBe('prod');
  });
});

describe('groupFilter', () => {
  it.each([
    [{ allow: ['*'], deny: [] }, 'payments', true, 'everything allowed by default'],
    [{ allow: ['pay*'], deny: [] }, 'orders', false, 'not allowed'],
    [{ allow: ['pay*'], deny: ['*-test'] }, 'payments-test', false, 'deny wins over allow'],
    [{ allow: ['/^(a|b)-/'], deny: [] }, 'b-x', true, 'regex'],
    [{ allow: ['con?'], deny: [] }, 'conn', true, '? matches one character'],
  ])('%j %s → %s (%s)', (groups, name, expected) => {
    expect(groupFilter(groups)(name)).toBe(expected);
  });
});

describe('buildKafkaConfig', () => {
  it('reads a SCRAM password from the named env var', async () => {
    const cluster = parseClusterConfig({ ...base, sasl: { mechanism: 'scram-sha-256', username: 'u', passwordEnv: 'PW' } });
    const config = await buildKafkaConfig(cluster, { env: { PW: 's3cret' } });
    expect(config.sasl).toEqual({ mechanism: 'scram-sha-256', username: 'u', password: 's3cret' });
    expect(config.requestTimeout).toBe(10_000);
  });

  it('names the key when the env var is unset', async () => {
    const cluster = parseClusterConfig({ ...base, sasl: { mechanism: 'plain', username: 'u', passwordEnv: 'PW' } });
    await expect(buildKafkaConfig(cluster, { env: {} }, 'clusters[0]')).rejects.toThrow(/config clusters\[0\]\.sasl\.passwordEnv: environment variable PW is not set/);
  });

  it('takes username and password from an MSK-style JSON secret', async () => {
    const cluster = parseClusterConfig({ ...base, sasl: { mechanism: 'scram-sha-512', passwordSecretArn: ARN } });
    const asked: string[] = [];
    const config = await buildKafkaConfig(cluster, {
      readSecret: async (arn) => {
        asked.push(arn);
        return JSON.stringify({ username: 'alice', password: 'pw' });
      },
    });
    expect(asked).toEqual([ARN]);
    expect(config.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'alice', password: 'pw' });
  });

  it('names the secret key when the secret cannot be read', async () => {
    const cluster = parseClusterConfig({ ...base, sasl: { mechanism: 'scram-sha-512', passwordSecretArn: ARN } });
    await expect(
      buildKafkaConfig(cluster, { readSecret: async () => Promise.reject(new Error('AccessDenied')) }, 'clusters[0]'),
    ).rejects.toThrow(/clusters\[0\]\.sasl\.passwordSecretArn: cannot read secret .*AccessDenied/);
  });

  it('names the key when a collector was built without the secrets reader (every entry builds it with createCollector)', async () => {
    const cluster = parseClusterConfig({ ...base, tls: { key: ARN, cert: ARN } });
    await expect(buildKafkaConfig(cluster, {}, 'clusters[0]')).rejects.toThrow(/clusters\[0\]\.tls\.(key|cert): cannot read secret .*no secrets reader/);
  });

  it('signs MSK IAM tokens through oauthbearer on every authentication', async () => {
    const cluster = parseClusterConfig({ ...base, tls: true, sasl: { mechanism: 'aws-msk-iam', region: 'eu-west-1' } });
    let n = 0;
    const config = await buildKafkaConfig(cluster, { signIamToken: async (region) => `token-${region}-${++n}` });
    expect(config.ssl).toBe(true);
    const sasl = config.sasl as { mechanism: string; oauthBearerProvider: () => Promise<{ value: string }> };
    expect(sasl.mechanism).toBe('oauthbearer');
    expect(await sasl.oauthBearerProvider()).toEqual({ value: 'token-eu-west-1-1' });
    expect(await sasl.oauthBearerProvider()).toEqual({ value: 'token-eu-west-1-2' });
  });

  it('reads TLS material from PEM files or inline PEM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lagwatch-pem-'));
    await writeFile(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n');
    const cluster = parseClusterConfig({
      ...base,
      tls: { ca: join(dir, 'ca.pem'), cert: '-----BEGIN CERTIFICATE-----\nC\n', key: '-----BEGIN PRIVATE KEY-----\nK\n' },
    });
    const config = await buildKafkaConfig(cluster);
    expect(config.ssl).toMatchObject({ ca: [expect.stringContaining('CA')], cert: expect.stringContaining('C'), rejectUnauthorized: true });
    const missing = parseClusterConfig({ ...base, tls: { ca: join(dir, 'nope.pem') } });
    await expect(buildKafkaConfig(missing, {}, 'clusters[0]')).rejects.toThrow(/clusters\[0\]\.tls\.ca: cannot read PEM file/);
  });
});
