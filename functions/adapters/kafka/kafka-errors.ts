// Classifies kafkajs errors and turns the cluster-level ones into one clear sentence naming the
// cluster, the broker and what to check. kafkajs errors are matched by `name`/`type`/`code` (duck
// typing) so this module does not depend on kafkajs's class identities.
import type { ClusterConfig } from '../../config/cluster.js';

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  type?: unknown;
  code?: unknown;
  broker?: unknown;
  cause?: unknown;
  originalError?: unknown;
}

/** The error and everything it wraps (retries-exceeded → connection error → socket error). */
export function errorChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && chain.length < 8) {
    const e = current as ErrorLike;
    if (chain.includes(e)) break;
    chain.push(e);
    current = e.cause ?? e.originalError;
  }
  return chain;
}

const CONNECTION_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSSASLAuthenticationError',
  'KafkaJSLockTimeout',
]);

const AUTH_TYPES = new Set(['SASL_AUTHENTICATION_FAILED', 'ILLEGAL_SASL_STATE', 'UNSUPPORTED_SASL_MECHANISM']);

export type KafkaErrorKind = 'auth' | 'tls' | 'dns' | 'refused' | 'connection' | 'unknown-topic' | 'other';

export function classifyKafkaError(error: unknown): KafkaErrorKind {
  const chain = errorChain(error);
  const text = chain.map((e) => `${String(e.message ?? '')} ${String(e.code ?? '')}`).join(' ');
  if (chain.some((e) => e.name === 'KafkaJSSASLAuthenticationError' || AUTH_TYPES.has(String(e.type)))) return 'auth';
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) return 'dns';
  if (/ECONNREFUSED/.test(text)) return 'refused';
  if (/SSL|TLS|EPROTO|certificate|self.signed|CERT_|wrong version number/i.test(text)) return 'tls';
  if (chain.some((e) => CONNECTION_NAMES.has(String(e.name))) || /ECONNRESET|EPIPE|ETIMEDOUT|Connection timeout|Closed connection/i.test(text)) {
    return 'connection';
  }
  if (chain.some((e) => e.type === 'UNKNOWN_TOPIC_OR_PARTITION')) return 'unknown-topic';
  return 'other';
}

/** True when the whole cluster (not one group or topic) is unreachable: the run must not look complete. */
export function isClusterLevelError(error: unknown): boolean {
  const kind = classifyKafkaError(error);
  return kind === 'auth' || kind === 'tls' || kind === 'dns' || kind === 'refused' || kind === 'connection';
}

function brokerOf(error: unknown, cluster: ClusterConfig): string {
  for (const e of errorChain(error)) {
    if (typeof e.broker === 'string' && e.broker.length > 0 && !e.broker.includes('undefined')) return e.broker;
  }
  const text = errorChain(error).map((e) => String(e.message ?? '')).join(' ');
  const hostPort = /(?:ECONNREFUSED|ENOTFOUND|connect\s+\S+)\s+([^\s:]+:\d+)/.exec(text)?.[1];
  return hostPort ?? cluster.brokers.join(',');
}

export function rootMessage(error: unknown): string {
  const chain = errorChain(error);
  const messages = chain.map((e) => String(e.message ?? '')).filter((m) => m.length > 0);
  return messages[messages.length - 1] ?? String(error);
}

/** One sentence for an operator: which cluster, which broker, what failed, what to check. */
export function describeKafkaError(cluster: ClusterConfig, error: unknown): string {
  const broker = brokerOf(error, cluster);
  const where = `cluster '${cluster.name}', broker ${broker}`;
  const cause = rootMessage(error);
  switch (classifyKafkaError(error)) {
    case 'auth': {
      const sasl = cluster.sasl;
      const who = sasl && sasl.mechanism !== 'aws-msk-iam' && sasl.username ? ` as user '${sasl.username}'` : '';
      return (
        `${where}: authentication failed${who} with ${sasl?.mechanism ?? 'no SASL'} (${cause}); ` +
        `check sasl.mechanism, the username and the password source (passwordEnv / passwordSecretArn, or IAM permissions for MSK IAM)`
      );
    }
    case 'tls':
      return (
        `${where}: TLS handshake failed (${cause}); check that tls matches the listener ` +
        `(MSK: 9092 plaintext, 9094 TLS, 9096 SCRAM, 9098 IAM) and the CA/client certificate`
      );
    case 'dns':
      return `${where}: unknown host (${cause}); check the broker host names in brokers`;
    case 'refused':
      return `${where}: connection refused (${cause}); check the port in brokers and that the broker is running`;
    case 'connection':
      return (
        `${where}: no answer from the broker (${cause}); check the network path (security group, VPC), ` +
        `the port, and whether the listener expects TLS or SASL`
      );
    case 'unknown-topic':
      return `${where}: topic metadata is out of date (${cause}); a topic was deleted during collection`;
    default:
      return `${where}: ${cause}`;
  }
}

/** Aborts the run: the cluster itself failed, so no snapshot may look complete. */
export class ClusterFailure extends Error {
  constructor(readonly original: unknown) {
    super('cluster failure');
  }
}

/** Rethrows cluster-level errors as ClusterFailure; returns the message of any other. */
export function localError(error: unknown): string {
  if (isClusterLevelError(error)) throw new ClusterFailure(error);
  return rootMessage(error);
}
