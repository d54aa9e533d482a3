// The collector and the secrets reader every entry builds the same way, so each is wired in one
// place: the Lambda composition root (composition.ts), local mode (local/local-mode.ts) and the CLI
// (cli/snapshot.ts) call these. The DynamoDB stores have theirs beside them
// (adapters/dynamodb/dynamo-stores.ts), so the local CLI never loads the DynamoDB SDK; the Slack
// forwarder (forwarder-composition.ts) builds its own secrets reader.
import { createKafkaCollector } from './adapters/kafka/kafka-collector.js';
import type { ReadSecret } from './adapters/secrets/secret-reader.js';
import type { OffsetCollector } from './app/ports.js';
import type { ClusterConfig } from './config/cluster.js';
import type { Env } from './config/env.js';

let secrets: Promise<ReadSecret> | undefined;

/** This process's Secrets Manager reader. The SDK is loaded on the first secret read, so a CLI run
 * against a cluster without secrets never pays for it (a few hundred ms of startup). */
export const readSecret: ReadSecret = async (arn) => {
  secrets ??= import('./adapters/secrets/secret-reader.js').then(({ createSecretReader }) => createSecretReader());
  return (await secrets)(arn);
};

/** The offset collector of one cluster: SASL passwords from `env` or Secrets Manager, TLS material
 * from files or Secrets Manager. */
export function createCollector(cluster: ClusterConfig, env: Env = process.env): OffsetCollector {
  return createKafkaCollector(cluster, { env, readSecret });
}
