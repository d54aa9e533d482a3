// Turns a validated ClusterConfig into a kafkajs client config: reads TLS material from files or
// Secrets Manager (each secret in its ARN's region), resolves
// SASL passwords (env var or Secrets Manager) once at startup, and signs MSK IAM tokens on demand.
import { readFile } from 'node:fs/promises';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import type { ClusterConfig, SaslConfig } from '../../config/cluster.js';
import type { ReadSecret } from '../secrets/secret-reader.js';
import { ConfigError } from '../../core/errors.js';

export interface ConnectionDeps {
  /** Environment to read `passwordEnv` from (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Reads a Secrets Manager secret's string (functions/factories.ts passes the one reader). */
  readSecret?: ReadSecret;
  /** MSK IAM token signer (default: aws-msk-iam-sasl-signer-js with the default credential chain). */
  signIamToken?: (region: string) => Promise<string>;
}

/** The secret's string; a collector built without a reader (a test's) cannot read one. */
function readSecretWith(deps: ConnectionDeps, arn: string): Promise<string> {
  if (deps.readSecret === undefined) return Promise.reject(new Error('no secrets reader was given to this collector (build it with createCollector)'));
  return deps.readSecret(arn);
}

async function defaultSignIamToken(region: string): Promise<string> {
  const { generateAuthToken } = await import('aws-msk-iam-sasl-signer-js');
  const { token } = await generateAuthToken({ region });
  return token;
}

async function pemOrFile(value: string | undefined, key: string, deps: ConnectionDeps): Promise<string | undefined> {
  if (value === undefined) return undefined;
  if (value.trimStart().startsWith('-----BEGIN')) return value;
  // A Secrets Manager ARN (what a deploy config must use for the client key and cert).
  if (/^arn:[^:]+:secretsmanager:/.test(value)) {
    try {
      return await readSecretWith(deps, value);
    } catch (error) {
      throw new ConfigError(key, `cannot read secret ${value}: ${(error as Error).message} (check the ARN and secretsmanager:GetSecretValue/kms:Decrypt permissions)`, { cause: error });
    }
  }
  try {
    return await readFile(value, 'utf8');
  } catch (error) {
    throw new ConfigError(key, `cannot read PEM file ${value}: ${(error as Error).message}`, { cause: error });
  }
}

async function resolveTls(cluster: ClusterConfig, prefix: string, deps: ConnectionDeps): Promise<boolean | ConnectionOptions> {
  const tls = cluster.tls;
  if (typeof tls === 'boolean') return tls;
  const [ca, cert, key] = await Promise.all([
    pemOrFile(tls.ca, `${prefix}.tls.ca`, deps),
    pemOrFile(tls.cert, `${prefix}.tls.cert`, deps),
    pemOrFile(tls.key, `${prefix}.tls.key`, deps),
  ]);
  return {
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(ca !== undefined ? { ca: [ca] } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
  };
}

async function resolveUserPassword(
  sasl: Exclude<SaslConfig, { mechanism: 'aws-msk-iam' }>,
  prefix: string,
  deps: ConnectionDeps,
): Promise<{ username: string; password: string }> {
  if (sasl.passwordEnv !== undefined) {
    const password = (deps.env ?? process.env)[sasl.passwordEnv];
    if (password === undefined || password === '') {
      throw new ConfigError(`${prefix}.sasl.passwordEnv`, `environment variable ${sasl.passwordEnv} is not set`);
    }
    if (sasl.username === undefined) throw new ConfigError(`${prefix}.sasl.username`, 'is required with passwordEnv');
    return { username: sasl.username, password };
  }
  const arn = sasl.passwordSecretArn ?? '';
  let secret: string;
  try {
    secret = await readSecretWith(deps, arn);
  } catch (error) {
    throw new ConfigError(
      `${prefix}.sasl.passwordSecretArn`,
      `cannot read secret ${arn}: ${(error as Error).message} (check the ARN and secretsmanager:GetSecretValue/kms:Decrypt permissions)`,
      { cause: error },
    );
  }
  // MSK SCRAM secrets are JSON {"username","password"}; a plain string is the password itself.
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(secret);
  } catch {
    parsed = null;
  }
  if (parsed !== null && typeof parsed === 'object' && 'password' in parsed) {
    const fields = parsed as { username?: unknown; password?: unknown };
    const username = sasl.username ?? (typeof fields.username === 'string' ? fields.username : undefined);
    if (typeof fields.password !== 'string' || username === undefined) {
      throw new ConfigError(`${prefix}.sasl.passwordSecretArn`, `secret ${arn} must hold string username and password`);
    }
    return { username, password: fields.password };
  }
  if (sasl.username === undefined) {
    throw new ConfigError(`${prefix}.sasl.username`, `is required: secret ${arn} is not JSON with a username`);
  }
  return { username: sasl.username, password: secret };
}

async function resolveSasl(
  cluster: ClusterConfig,
  prefix: string,
  deps: ConnectionDeps,
): Promise<SASLOptions | undefined> {
  const sasl = cluster.sasl;
  if (!sasl) return undefined;
  if (sasl.mechanism === 'aws-msk-iam') {
    const sign = deps.signIamToken ?? defaultSignIamToken;
    const region = sasl.region;
    return { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: await sign(region) }) };
  }
  const { username, password } = await resolveUserPassword(sasl, prefix, deps);
  return { mechanism: sasl.mechanism, username, password };
}

/** A kafkajs config for one cluster, secrets resolved. Throws ConfigError naming the key. */
export async function buildKafkaConfig(
  cluster: ClusterConfig,
  deps: ConnectionDeps = {},
  keyPrefix = `cluster(${cluster.name})`,
): Promise<KafkaConfig> {
  const [ssl, sasl] = await Promise.all([resolveTls(cluster, keyPrefix, deps), resolveSasl(cluster, keyPrefix, deps)]);
  return {
    clientId: cluster.clientId,
    brokers: [...cluster.brokers],
    ssl,
    ...(sasl ? { sasl } : {}),
    connectionTimeout: cluster.connectionTimeoutMs,
    authenticationTimeout: cluster.connectionTimeoutMs,
    requestTimeout: cluster.requestTimeoutMs,
    enforceRequestTimeout: true,
    // Few, short retries: a dead cluster must fail the run well inside the Lambda timeout.
    retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2_000 },
  };
}
