// Deploy-only config checks (checkDeployConfig, run by `cdk synth` through buildLagwatchApp): what
// a Lambda cannot read, secrets that must not land in the template, ids in another region or
// account, timeouts that cannot fit. Each bad case names its key and what to use instead.
import { describe, expect, it } from 'vitest';
import { parseAppConfig } from '../../../functions/config/app-config.js';
import { checkDeployConfig, hungRequestBudgetMs } from '../../../functions/config/deployment.js';
import { ConfigError } from '../../../functions/core/errors.js';
import { exampleConfig, minimalConfig } from './fixtures.js';

const SECRET = (region = 'eu-west-1', account = '123456789012', name = 'AmazonMSK_x-AbCdEf') =>
  `arn:aws:secretsmanager:${region}:${account}:secret:${name}`;
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

type Edit = (config: Record<string, any>) => void;
const analytics = (edit: (cluster: Record<string, any>) => void): Edit => (config) => edit(config.clusters[1]);

const rejected: [reason: string, edit: Edit, key: string, hint: RegExp][] = [
  ['a Lambda has no environment variable to read a password from', analytics((c) => (c.sasl = { mechanism: 'scram-sha-512', username: 'u', passwordEnv: 'KAFKA_PASSWORD' })), 'clusters[1].sasl.passwordEnv', /sasl\.passwordSecretArn/],
  ['an inline private key would land in the template', analytics((c) => (c.tls = { key: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----' })), 'clusters[1].tls.key', /Secrets Manager/],
  ['a client certificate file path does not exist in Lambda', analytics((c) => (c.tls = { cert: '/etc/kafka/client.pem' })), 'clusters[1].tls.cert', /set tls\.cert to its ARN/],
  ['a CA file path does not exist in Lambda', analytics((c) => (c.tls = { ca: 'certs/ca.pem' })), 'clusters[1].tls.ca', /PEM text, or as a Secrets Manager secret ARN/],
  ['timeouts that cannot fit the 50 s collector at a 1-minute interval', analytics((c) => (c.requestTimeoutMs = 20_000)), 'clusters[1].requestTimeoutMs', /over the 45000 ms the collector has/],
  ['ids in eu-west-1 but no region (synth would pin the profile region)', (c) => delete c.region, 'region', /set "region": "eu-west-1"/],
  ['a secret in another region than the stack', analytics((c) => (c.sasl.passwordSecretArn = SECRET('us-east-1'))), 'clusters[1].sasl.passwordSecretArn', /deploys to region eu-west-1/],
  ['an MSK broker host in another region', (c) => (c.clusters[0].brokers = ['b-1.prodmsk.abc123.c2.kafka.us-west-2.amazonaws.com:9098']), 'clusters[0].brokers[0]', /us-west-2/],
  ['a KMS key in another account', analytics((c) => (c.secretKeyArns = ['arn:aws:kms:eu-west-1:999999999999:key/1111'])), 'clusters[1].secretKeyArns[0]', /account 999999999999/],
];

const accepted: [reason: string, edit: Edit][] = [
  ['the example as committed', () => {}],
  ['client key and cert as secrets, CA inline (public)', analytics((c) => (c.tls = { ca: PEM, cert: SECRET('eu-west-1', '123456789012', 'cert'), key: SECRET('eu-west-1', '123456789012', 'key') }))],
  ['long timeouts with a long enough interval', (c) => { c.snapshotIntervalMs = 300_000; c.clusters[1].requestTimeoutMs = 60_000; }],
];

describe('checkDeployConfig', () => {
  it.each(rejected)('rejects %s', (_reason, edit, key, hint) => {
    const config = exampleConfig();
    edit(config);
    const error = (() => {
      try {
        checkDeployConfig(parseAppConfig(config), 'lagwatch.config.json');
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe(key);
    expect((error as Error).message).toMatch(hint);
    expect((error as Error).message).toContain('lagwatch.config.json');
  });

  it.each(accepted)('accepts %s', (_reason, edit) => {
    const config = exampleConfig();
    edit(config);
    expect(() => checkDeployConfig(parseAppConfig(config))).not.toThrow();
  });

  it('accepts a config whose ids carry no region without one (the profile decides)', () => {
    expect(() => checkDeployConfig(parseAppConfig(minimalConfig()))).not.toThrow();
  });

  it('the default timeouts fit a 1-minute interval, with the budget spelled out', () => {
    // 3 attempts × (3 s connect + 10 s request) + 2 × 2 s backoff.
    expect(hungRequestBudgetMs({ connectionTimeoutMs: 3_000, requestTimeoutMs: 10_000 })).toBe(43_000);
  });
});

describe('a Slack webhook URL in plain text', () => {
  it.each([
    ['as slack.webhookUrl', { webhookUrl: 'https://hooks.slack.com/services/T0/B0/x' }, 'slack.webhookUrl'],
    ['in the secret ARN key', { webhookSecretArn: 'https://hooks.slack.com/services/T0/B0/x' }, 'slack.webhookSecretArn'],
  ])('is rejected %s, pointing at Secrets Manager', (_reason, slack, key) => {
    const config = { ...minimalConfig(), slack };
    expect(() => parseAppConfig(config)).toThrow(ConfigError);
    expect(() => parseAppConfig(config)).toThrow(new RegExp(`config ${key.replace('.', '\\.')}: .*store it in Secrets Manager and set slack\\.webhookSecretArn`));
  });
});
