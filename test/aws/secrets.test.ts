// Secrets are read in their ARN's region (moto keeps secrets per region, as AWS does), and a TLS
// client key and certificate given as secret ARNs reach the kafkajs config.
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { buildKafkaConfig } from '../../functions/adapters/kafka/kafka-connection.js';
import { parseClusterConfig } from '../../functions/config/cluster.js';
import { clientConfig } from './aws-clients.js';

const endpoint = inject('motoEndpoint');

afterAll(() => vi.unstubAllEnvs());

async function secretIn(region: string, name: string, value: string): Promise<string> {
  const client = new SecretsManagerClient({ ...clientConfig(endpoint), region });
  const out = await client.send(new CreateSecretCommand({ Name: `${name}-${Date.now()}`, SecretString: value }));
  client.destroy();
  return out.ARN ?? '';
}

describe('secrets in their own region', () => {
  it('the shared secrets reader reads a secret of another region than the Lambda’s, and TLS material from secrets', async () => {
    const arn = await secretIn('ap-southeast-2', 'lagwatch-remote', 's3cret');
    expect(arn).toContain(':ap-southeast-2:');
    // A client in the Lambda's region does not see it: the region really matters.
    const local = new SecretsManagerClient({ ...clientConfig(endpoint), region: 'us-east-1' });
    const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    await expect(local.send(new GetSecretValueCommand({ SecretId: arn }))).rejects.toThrow();

    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ENDPOINT_URL', endpoint);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'testing');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'testing');
    const { readSecret } = await import('../../functions/factories.js');
    expect(await readSecret(arn)).toBe('s3cret');

    const key = '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n';
    const cert = '-----BEGIN CERTIFICATE-----\ncert\n-----END CERTIFICATE-----\n';
    const [keyArn, certArn] = await Promise.all([secretIn('eu-west-1', 'lagwatch-key', key), secretIn('eu-west-1', 'lagwatch-cert', cert)]);
    const cluster = parseClusterConfig({ name: 'mtls', brokers: ['127.0.0.1:9094'], tls: { key: keyArn, cert: certArn } });
    const kafka = await buildKafkaConfig(cluster, { readSecret });
    expect(kafka.ssl).toMatchObject({ key, cert, rejectUnauthorized: true });
  });
});
